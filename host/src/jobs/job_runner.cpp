// The job pool: a fixed set of worker threads taking jobs from a FIFO queue.
#include "jobs/job_runner.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

#include "store/time.hpp"

namespace annot::host::jobs {

std::string_view to_string(job_state s) noexcept {
  switch (s) {
    case job_state::queued: return "queued";
    case job_state::running: return "running";
    case job_state::completed: return "completed";
    case job_state::failed: return "failed";
    case job_state::cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {
std::string iso(std::chrono::system_clock::time_point t) {
  return store::to_iso8601(std::chrono::time_point_cast<std::chrono::microseconds>(t));
}
}  // namespace

nlohmann::json job_snapshot::to_json() const {
  auto time_or_null = [](const std::optional<std::chrono::system_clock::time_point>& t) -> nlohmann::json {
    if (!t) return nullptr;
    return iso(*t);
  };
  nlohmann::json progress = {{"done", done}, {"total", total}};
  progress["fraction"] = total > 0 ? static_cast<double>(done) / static_cast<double>(total)
                                   : (state == job_state::completed ? 1.0 : 0.0);
  return {{"id", id},
          {"kind", kind},
          {"state", to_string(state)},
          {"progress", progress},
          {"message", message},
          {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)},
          {"result", result},
          {"created_at", iso(created_at)},
          {"started_at", time_or_null(started_at)},
          {"finished_at", time_or_null(finished_at)}};
}

struct job_runner::job {
  job_snapshot snap;  // guarded by the runner's mutex, except done/total below
  job_fn fn;
  // Progress is written often by the job's thread; atomics keep that off the runner's lock.
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> total{0};
  std::atomic<bool> cancel{false};
  std::vector<std::function<void(const job_snapshot&)>> waiters;  // guarded by the runner's mutex

  job_snapshot snapshot() const {
    job_snapshot s = snap;
    s.done = done.load(std::memory_order_relaxed);
    s.total = total.load(std::memory_order_relaxed);
    return s;
  }
};

class job_runner::context final : public job_context {
 public:
  context(job_runner& runner, job& j) : runner_(runner), job_(j) {}
  void set_progress(std::uint64_t done, std::uint64_t total) override {
    job_.total.store(total, std::memory_order_relaxed);
    job_.done.store(done, std::memory_order_relaxed);
  }
  void set_message(std::string message) override {
    std::lock_guard lock(runner_.mutex_);
    job_.snap.message = std::move(message);
  }
  void set_result(nlohmann::json result) override {
    std::lock_guard lock(runner_.mutex_);
    job_.snap.result = std::move(result);
  }
  bool cancel_requested() const noexcept override { return job_.cancel.load(std::memory_order_relaxed); }

 private:
  job_runner& runner_;
  job& job_;
};

job_runner::job_runner(job_runner_options options) : options_(options) {
  if (options_.threads == 0) options_.threads = 1;
  workers_.reserve(options_.threads);
  for (unsigned i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { work(); });
}

job_runner::~job_runner() {
  std::vector<std::shared_ptr<job>> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, j] : jobs_) j->cancel = true;
    dropped.assign(queue_.begin(), queue_.end());
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& j : dropped) finish(j, job_state::cancelled, "the host is shutting down");
  for (auto& t : workers_) t.join();
}

job_id job_runner::submit(std::string kind, job_fn fn) {
  auto j = std::make_shared<job>();
  j->fn = std::move(fn);
  j->snap.kind = std::move(kind);
  j->snap.created_at = std::chrono::system_clock::now();
  job_id id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    j->snap.id = id;
    prune_locked();
    jobs_.emplace(id, j);
    if (stopping_) {
      j->snap.state = job_state::cancelled;
      j->snap.error = "the host is shutting down";
      j->snap.finished_at = j->snap.created_at;
      return id;
    }
    queue_.push_back(j);
  }
  wake_.notify_one();
  return id;
}

std::optional<job_snapshot> job_runner::get(job_id id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second->snapshot();
}

std::vector<job_snapshot> job_runner::list() const {
  std::lock_guard lock(mutex_);
  std::vector<job_snapshot> out;
  out.reserve(jobs_.size());
  for (auto& [id, j] : jobs_) out.push_back(j->snapshot());
  return out;
}

bool job_runner::cancel(job_id id) {
  std::shared_ptr<job> queued;
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->snap.finished()) return false;
    it->second->cancel = true;
    if (it->second->snap.state == job_state::queued) {
      for (auto q = queue_.begin(); q != queue_.end(); ++q) {
        if ((*q)->snap.id == id) {
          queued = *q;
          queue_.erase(q);
          break;
        }
      }
    }
  }
  if (queued) finish(queued, job_state::cancelled, "cancelled before it started");
  return true;
}

bool job_runner::when_finished(job_id id, std::function<void(const job_snapshot&)> done) {
  job_snapshot snap;
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    if (!it->second->snap.finished()) {
      it->second->waiters.push_back(std::move(done));
      return true;
    }
    snap = it->second->snapshot();
  }
  done(snap);
  return true;
}

void job_runner::work() {
  for (;;) {
    std::shared_ptr<job> j;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      j = std::move(queue_.front());
      queue_.pop_front();
      j->snap.state = job_state::running;
      j->snap.started_at = std::chrono::system_clock::now();
    }
    run(j);
  }
}

void job_runner::run(const std::shared_ptr<job>& j) {
  context ctx(*this, *j);
  status st;
  try {
    st = j->fn(ctx);
  } catch (const std::exception& e) {
    st = status(errc::internal, e.what());
  } catch (...) {
    st = status(errc::internal, "the job threw a non-standard exception");
  }
  // The work function and whatever it captured are released before waiters run.
  j->fn = nullptr;
  if (st.ok()) {
    finish(j, job_state::completed, {});
  } else if (st.code() == errc::cancelled) {
    finish(j, job_state::cancelled, st.message().empty() ? "cancelled" : st.message());
  } else {
    spdlog::warn("job {} ({}) failed: {}", j->snap.id, j->snap.kind, st.message());
    finish(j, job_state::failed, st.message());
  }
}

void job_runner::finish(const std::shared_ptr<job>& j, job_state state, std::string error) {
  std::vector<std::function<void(const job_snapshot&)>> waiters;
  job_snapshot snap;
  {
    std::lock_guard lock(mutex_);
    j->snap.state = state;
    j->snap.error = std::move(error);
    j->snap.finished_at = std::chrono::system_clock::now();
    if (state == job_state::completed) {
      // A job that never reported a total still reads as complete.
      auto total = j->total.load();
      if (total == 0) j->total = j->done.load();
    }
    waiters.swap(j->waiters);
    snap = j->snapshot();
  }
  for (auto& w : waiters) {
    try {
      w(snap);
    } catch (const std::exception& e) {
      spdlog::error("a waiter of job {} threw: {}", snap.id, e.what());
    }
  }
}

void job_runner::prune_locked() {
  auto now = std::chrono::system_clock::now();
  std::size_t finished = 0;
  for (auto& [id, j] : jobs_) finished += j->snap.finished() ? 1 : 0;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const auto& s = it->second->snap;
    bool expired = s.finished() && (now - *s.finished_at > options_.retention || finished > options_.max_finished);
    if (expired) {
      --finished;
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace annot::host::jobs
