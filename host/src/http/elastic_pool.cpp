// A mutex, a condition variable and a task queue; growth decided under the lock at post().
#include "http/elastic_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace annot::host::http {

elastic_pool::elastic_pool(std::size_t keep, std::size_t max, std::chrono::milliseconds linger)
    : keep_(std::max<std::size_t>(1, keep)),
      max_(std::max(max, std::max<std::size_t>(1, keep))),
      linger_(linger) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < keep_; ++i) {
    ++running_;
    workers_.emplace_back([this] { run_worker(); });
  }
}

elastic_pool::~elastic_pool() {
  join();
}

void elastic_pool::post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  tasks_.push_back(std::move(task));
  if (idle_ >= tasks_.size() || running_ >= max_) {
    work_.notify_one();
    return;
  }
  // Every thread is busy (blocked on a client, say): one more, so this task does not wait behind them.
  // Threads that ended since are joined here, under the lock, so their handles do not pile up.
  for (auto id : finished_) {
    auto it = std::find_if(workers_.begin(), workers_.end(),
                           [&](const std::thread& t) { return t.get_id() == id; });
    if (it != workers_.end()) {
      it->join();
      workers_.erase(it);
    }
  }
  finished_.clear();
  ++running_;
  workers_.emplace_back([this] { run_worker(); });
}

void elastic_pool::run_worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    const bool extra = running_ > keep_;
    const bool woken = extra ? work_.wait_for(lock, linger_, [&] { return stopping_ || !tasks_.empty(); })
                             : (work_.wait(lock, [&] { return stopping_ || !tasks_.empty(); }), true);
    --idle_;
    if (tasks_.empty()) {
      if (!stopping_ && (woken || running_ <= keep_)) continue;  // the others left first: this one stays
      // Stopping with nothing left, or an extra thread idle for `linger`.
      --running_;
      if (!stopping_) finished_.push_back(std::this_thread::get_id());
      return;
    }
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("http: exception on an offload thread: {}", e.what());
    } catch (...) {
      spdlog::error("http: unknown exception on an offload thread");
    }
    lock.lock();
  }
}

void elastic_pool::join() {
  std::vector<std::thread> all;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    all.swap(workers_);
    finished_.clear();
  }
  work_.notify_all();
  for (auto& t : all)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

std::size_t elastic_pool::threads() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace annot::host::http
