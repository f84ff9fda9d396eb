// The offload pool: threads for handlers that block (streamed uploads from a slow client, exports,
// store work; a download's slow client no longer does, see response_spool.hpp). A fixed pool let four slow downloads stall every import, upload and
// export behind them; this one grows a thread whenever a task arrives and none is idle, up to a
// cap, and lets the extra threads go after they have been idle a while. No Asio here.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace annot::host::http {

class elastic_pool {
 public:
  // `keep` threads start at once and stay; up to `max` run when that many tasks block at once (a
  // task beyond that waits for a free thread); an extra thread exits after `linger` without work.
  elastic_pool(std::size_t keep, std::size_t max,
               std::chrono::milliseconds linger = std::chrono::seconds(30));
  ~elastic_pool();  // join()
  elastic_pool(const elastic_pool&) = delete;
  elastic_pool& operator=(const elastic_pool&) = delete;

  // Runs `task` on a pool thread. Thread-safe. After join() has begun, tasks are dropped.
  void post(std::function<void()> task);
  // Runs what was posted, then stops and joins every thread. Idempotent; never from a pool thread.
  void join();

  std::size_t threads() const;  // running now (for logs and tests)

 private:
  void run_worker();

  const std::size_t keep_, max_;
  const std::chrono::milliseconds linger_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;  // joined at join(); finished extra threads are joined lazily
  std::vector<std::thread::id> finished_;
  std::size_t running_ = 0, idle_ = 0;
  bool stopping_ = false;
};

}  // namespace annot::host::http
