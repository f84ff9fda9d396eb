#include "export/chunked_deflate.hpp"

#include <isa-l/igzip_lib.h>
#include <pthread.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace annot::host::exporting {

namespace {
constexpr std::size_t kWindow = 32 * 1024;  // deflate's window: the most a chunk can refer back
}

// One deflate state per thread, reset per chunk. ISA-L's igzip rather than zlib: at its level 1 it
// deflates COCO's 20 MB result.json several times faster than zlib's fastest level, to a smaller
// output (bench/export/README.md, session 12).
struct chunked_deflate::z_state {
  isal_zstream z{};
  std::vector<std::uint8_t> level_buf = std::vector<std::uint8_t>(ISAL_DEF_LVL1_DEFAULT);
  bool ready = false;

  // `in` primed with `dict`, ended with a sync flush, or the final block when `last`.
  bool compress(std::string_view in, std::string_view dict, bool last, std::string& out) {
    if (!ready) {
      isal_deflate_init(&z);
      ready = true;
    } else {
      isal_deflate_reset(&z);
    }
    z.level = 1;
    z.level_buf = level_buf.data();
    z.level_buf_size = static_cast<std::uint32_t>(level_buf.size());
    z.end_of_stream = last ? 1 : 0;
    z.flush = last ? NO_FLUSH : SYNC_FLUSH;
    if (!dict.empty() &&
        isal_deflate_set_dict(&z, reinterpret_cast<std::uint8_t*>(const_cast<char*>(dict.data())),
                              static_cast<std::uint32_t>(dict.size())) != COMP_OK)
      return false;
    // Incompressible input takes stored blocks (5 bytes per 64 KiB); the loop takes whatever more.
    out.resize(in.size() + in.size() / 64 + 1024);
    z.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<std::uint32_t>(in.size());
    std::size_t used = 0;
    for (;;) {
      z.next_out = reinterpret_cast<std::uint8_t*>(out.data() + used);
      z.avail_out = static_cast<std::uint32_t>(out.size() - used);
      if (isal_deflate(&z) != COMP_OK) return false;
      used = out.size() - z.avail_out;
      // Done: the final block written; or, for a sync flush, every input byte taken and room left
      // (igzip's documented test that the flush is complete).
      if (last ? z.internal_state.state == ZSTATE_END : (z.avail_in == 0 && z.avail_out > 0)) break;
      out.resize(out.size() * 2);
    }
    out.resize(used);
    return true;
  }

  bool run(job& j);
  std::string scratch;  // one whole entry's output
};

struct chunked_deflate::job {
  enum class state { queued, running, done };
  std::string in, dict, out;
  // A batch of whole entries: each entry's end in `in`, and (once done) in `out`. Empty for a chunk.
  std::vector<std::size_t> in_ends, out_ends;
  bool whole = false;
  bool last = false;  // a chunk's: the entry's final block (each whole entry always ends with one)
  bool ok = false;
  state st = state::queued;  // (m_)
};

bool chunked_deflate::z_state::run(job& j) {
  if (!j.whole) return compress(j.in, j.dict, j.last, j.out);
  j.out.clear();
  j.out_ends.clear();
  std::size_t begin = 0;
  for (std::size_t end : j.in_ends) {
    if (!compress(std::string_view(j.in).substr(begin, end - begin), {}, true, scratch)) return false;
    j.out += scratch;
    j.out_ends.push_back(j.out.size());
    begin = end;
  }
  return true;
}

chunked_deflate::chunked_deflate(unsigned helpers) : helpers_(helpers), own_z_(std::make_unique<z_state>()) {}

chunked_deflate::~chunked_deflate() {
  // Queued whole entries are dropped like chunks (a finished archive retired them all).
  {
    std::lock_guard lock(m_);
    stop_ = true;
    queue_.clear();
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

unsigned chunked_deflate::default_helpers() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? std::min(cores - 1, 3u) : 0u;
}

// The chunks of the entry under way only: queued whole entries stay.
void chunked_deflate::drop_in_flight() {
  if (order_.empty()) return;
  {
    std::lock_guard lock(m_);
    // A helper's job in progress just finishes unread (the job is shared).
    std::erase_if(queue_, [](const std::shared_ptr<job>& j) { return !j->whole; });
  }
  order_.clear();
}

void chunked_deflate::begin() {
  drop_in_flight();
  pending_.clear();
  dict_.clear();
}

annot::status chunked_deflate::finish_whole(const whole_fn& done) {
  if (!batch_) {
    batch_ = std::make_shared<job>();
    batch_->whole = true;
  }
  batch_->in += pending_;
  batch_->in_ends.push_back(batch_->in.size());
  pending_.clear();
  dict_.clear();
  if (batch_->in.size() >= kChunk || batch_->in_ends.size() >= kBatchEntries) submit_batch();
  // Bounded memory; and the caller deflates the batch it would otherwise wait for.
  while (wholes_.size() > helpers_ + 1)
    if (annot::status st = retire_batch(done); !st.ok()) return st;
  return {};
}

annot::status chunked_deflate::retire_wholes(const whole_fn& done) {
  if (batch_) submit_batch();
  while (!wholes_.empty())
    if (annot::status st = retire_batch(done); !st.ok()) return st;
  return {};
}

void chunked_deflate::submit_batch() {
  enqueue(batch_);
  wholes_.push_back(std::move(batch_));
  batch_.reset();
}

annot::status chunked_deflate::retire_batch(const whole_fn& done) {
  std::shared_ptr<job> j = complete_front(wholes_);
  if (!j->ok) return annot::status(annot::errc::internal, "deflate failed");
  std::size_t begin = 0;
  for (std::size_t end : j->out_ends) {
    if (annot::status st = done(std::string_view(j->out).substr(begin, end - begin)); !st.ok()) return st;
    begin = end;
  }
  return {};
}

void chunked_deflate::enqueue(const std::shared_ptr<job>& j) {
  if (threads_.empty())
    for (unsigned i = 0; i < helpers_; ++i) threads_.emplace_back([this] { helper_loop(); });
  {
    std::lock_guard lock(m_);
    queue_.push_back(j);
  }
  work_cv_.notify_one();
}

annot::status chunked_deflate::write(std::string_view in, const emit_fn& emit) {
  while (!in.empty()) {
    const std::size_t take = std::min(in.size(), kChunk - pending_.size());
    pending_.append(in.substr(0, take));
    in.remove_prefix(take);
    if (pending_.size() < kChunk) break;
    submit(std::exchange(pending_, std::string()), false);
    pending_.reserve(kChunk);
    // Bounded memory; and the caller compresses the chunk it would otherwise wait for.
    while (order_.size() > helpers_ + 1)
      if (annot::status st = retire_front(emit); !st.ok()) return st;
  }
  return {};
}

annot::status chunked_deflate::finish(const emit_fn& emit) {
  if (order_.empty()) {
    // An entry under one chunk (YOLO's and VOC's thousands of small files): deflated here, with no
    // job, and the buffers kept for the next entry.
    if (!own_z_->compress(pending_, dict_, true, small_out_))
      return annot::status(annot::errc::internal, "deflate failed");
    pending_.clear();
    dict_.clear();
    return emit(small_out_);
  }
  submit(std::exchange(pending_, std::string()), true);
  while (!order_.empty())
    if (annot::status st = retire_front(emit); !st.ok()) return st;
  dict_.clear();
  return {};
}

void chunked_deflate::submit(std::string in, bool last) {
  auto j = std::make_shared<job>();
  j->dict = dict_;
  j->last = last;
  if (in.size() >= kWindow) {
    dict_.assign(in, in.size() - kWindow, kWindow);
  } else {
    dict_ += in;
    if (dict_.size() > kWindow) dict_.erase(0, dict_.size() - kWindow);
  }
  j->in = std::move(in);
  // The last chunk is the caller's (it waits for it next); so is every chunk without helpers.
  if (!last && helpers_ > 0) enqueue(j);
  order_.push_back(std::move(j));
}

annot::status chunked_deflate::retire_front(const emit_fn& emit) {
  std::shared_ptr<job> j = complete_front(order_);
  if (!j->ok) {
    drop_in_flight();
    return annot::status(annot::errc::internal, "deflate failed");
  }
  return emit(j->out);
}

std::shared_ptr<chunked_deflate::job> chunked_deflate::complete_front(std::deque<std::shared_ptr<job>>& order) {
  std::shared_ptr<job> j = order.front();
  order.pop_front();
  {
    std::unique_lock lock(m_);
    // The caller works rather than waits: the front chunk if no helper started it, else any chunk
    // still queued; it waits only when every chunk left is being compressed by a helper.
    while (j->st != job::state::done) {
      std::shared_ptr<job> w;
      if (j->st == job::state::queued) {
        w = j;  // the last chunk, never queued, or the oldest queued one: queue_'s front
        if (auto it = std::find(queue_.begin(), queue_.end(), j); it != queue_.end()) queue_.erase(it);
      } else if (!queue_.empty()) {
        w = std::move(queue_.front());
        queue_.pop_front();
      } else {
        done_cv_.wait(lock, [&] { return j->st == job::state::done; });
        break;
      }
      w->st = job::state::running;
      lock.unlock();
      const bool ok = own_z_->run(*w);
      lock.lock();
      w->ok = ok;
      w->st = job::state::done;
    }
  }
  return j;
}

void chunked_deflate::helper_loop() {
  pthread_setname_np(pthread_self(), "annot-deflate");
  z_state z;
  std::unique_lock lock(m_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    std::shared_ptr<job> j = std::move(queue_.front());
    queue_.pop_front();
    j->st = job::state::running;
    lock.unlock();
    const bool ok = z.run(*j);
    lock.lock();
    j->ok = ok;
    j->st = job::state::done;
    done_cv_.notify_all();
  }
}

}  // namespace annot::host::exporting
