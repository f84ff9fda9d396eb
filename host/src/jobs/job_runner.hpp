// The job pool: long work (imports, exports, syncs) runs here, off the HTTP I/O threads, with
// progress, cancellation and a result that the API can report.
#pragma once

#include <annot/status.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace annot::host::jobs {

using job_id = std::int64_t;

enum class job_state { queued, running, completed, failed, cancelled };

std::string_view to_string(job_state s) noexcept;

// What a running job sees: it reports progress and a result, and polls for cancellation.
// Thread-safety: the job's own thread calls the setters; readers take a snapshot under the lock.
class job_context {
 public:
  virtual ~job_context() = default;
  virtual void set_progress(std::uint64_t done, std::uint64_t total) = 0;
  virtual void set_message(std::string message) = 0;
  virtual void set_result(nlohmann::json result) = 0;
  // True once someone asked to cancel: the job should stop at its next safe point and return
  // errc::cancelled (or success, if it finished anyway).
  virtual bool cancel_requested() const noexcept = 0;
};

// A job's work. Returning a non-ok status marks the job failed (cancelled for errc::cancelled);
// an exception is caught and marks it failed with its message.
using job_fn = std::function<status(job_context&)>;

struct job_snapshot {
  job_id id = 0;
  std::string kind;
  job_state state = job_state::queued;
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::string message;
  std::string error;
  nlohmann::json result;  // null until the job sets one
  std::chrono::system_clock::time_point created_at;
  std::optional<std::chrono::system_clock::time_point> started_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;

  bool finished() const noexcept {
    return state == job_state::completed || state == job_state::failed || state == job_state::cancelled;
  }
  nlohmann::json to_json() const;
};

struct job_runner_options {
  unsigned threads = 2;
  // Finished jobs stay queryable this long, and at most this many of them are kept.
  std::chrono::seconds retention{3600};
  std::size_t max_finished = 1000;
};

class job_runner {
 public:
  explicit job_runner(job_runner_options options = {});
  // Cancels queued jobs, asks running ones to stop, and joins the workers.
  ~job_runner();
  job_runner(const job_runner&) = delete;
  job_runner& operator=(const job_runner&) = delete;

  job_id submit(std::string kind, job_fn fn);
  std::optional<job_snapshot> get(job_id id) const;
  std::vector<job_snapshot> list() const;
  // Asks a job to stop: a queued job is cancelled at once, a running one is told through its
  // context. False when the id is unknown or the job already finished.
  bool cancel(job_id id);
  // Calls `done` once the job has finished (at once, on this thread, if it already has; otherwise on
  // the worker thread that finishes it). Lets an HTTP handler answer when a job ends without
  // holding a thread while it waits. False when the id is unknown.
  bool when_finished(job_id id, std::function<void(const job_snapshot&)> done);

 private:
  struct job;
  class context;

  void work();
  void run(const std::shared_ptr<job>& j);
  void finish(const std::shared_ptr<job>& j, job_state state, std::string error);
  void prune_locked();

  job_runner_options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<job>> queue_;
  std::map<job_id, std::shared_ptr<job>> jobs_;
  job_id next_id_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace annot::host::jobs
