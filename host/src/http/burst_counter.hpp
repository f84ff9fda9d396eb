// Tells when a burst of memory-heavy handlers (two or more in flight at once) has ended, so that the
// server gives the heap's free memory back then (server_state::trim_heap_soon). A lone export keeps
// what it freed for the next one (app::use_server_heap_policy), but N at once leave N of glibc's
// arenas holding their peak for the life of the server: 40 concurrent COCO exports of 20,000 tasks
// left 390 MB resident, 148 MB after a trim (bench/export/README.md, session 51).
#pragma once

#include <mutex>

namespace annot::host::http {

// Thread-safe; every started() is followed by one finished(), from any thread.
class burst_counter {
 public:
  void started() noexcept {
    std::lock_guard lock(mutex_);
    if (++running_ > peak_) peak_ = running_;
  }
  // True when this was the last one in flight and two or more ran at once since the last burst
  // ended; the count starts again from there.
  [[nodiscard]] bool finished() noexcept {
    std::lock_guard lock(mutex_);
    if (running_ > 0) --running_;
    if (running_ > 0) return false;
    const bool burst = peak_ >= 2;
    peak_ = 0;
    return burst;
  }

 private:
  std::mutex mutex_;
  unsigned running_ = 0;
  unsigned peak_ = 0;
};

}  // namespace annot::host::http
