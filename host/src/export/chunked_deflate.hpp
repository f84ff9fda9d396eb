// One zip entry's raw deflate stream built from chunks compressed in parallel: pigz's scheme, so
// that a large entry (COCO's 20 MB result.json, written out at the end of the run) deflates on
// every core instead of one.
#pragma once

#include <annot/status.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace annot::host::exporting {

// Each kChunk bytes of input are deflated (level 1) on their own, primed with the 32 KiB before
// them and ended with a sync flush (the last chunk with the final block), so the chunks' outputs
// joined in order are one valid deflate stream; the cost is a few bytes per chunk. Full chunks go
// to `helpers` threads; the caller compresses the one it waits on, and hands the outputs to `emit`
// in order. An entry under one chunk is deflated on the caller's thread alone, with no hand-off.
//
// Threading: one caller thread (the zip sink's) calls begin/write/finish; the helpers only touch
// jobs handed to them. Memory: at most helpers + 2 chunks in flight, input and output.
class chunked_deflate {
 public:
  using emit_fn = std::function<annot::status(std::string_view)>;
  static constexpr std::size_t kChunk = 256 * 1024;

  // `helpers` threads are started at the first full chunk (none for small entries only).
  explicit chunked_deflate(unsigned helpers);
  ~chunked_deflate();  // drops what is in flight and joins the helpers
  chunked_deflate(const chunked_deflate&) = delete;
  chunked_deflate& operator=(const chunked_deflate&) = delete;

  // The helpers a zip sink uses by default: one per core beyond the first, at most 3.
  static unsigned default_helpers();

  void begin();  // a new entry (anything left of the last one is dropped)
  annot::status write(std::string_view in, const emit_fn& emit);
  annot::status finish(const emit_fn& emit);  // the last chunk, then every output left, in order

 private:
  struct z_state;
  struct job;
  void submit(std::string in, bool last);
  annot::status retire_front(const emit_fn& emit);
  void helper_loop();
  void drop_in_flight();

  const unsigned helpers_;
  std::unique_ptr<z_state> own_z_;  // the caller's
  std::string pending_;             // input not yet in a chunk
  std::string dict_;                // the last 32 KiB of input handed to a chunk
  std::string small_out_;           // a small entry's output (reused)
  std::deque<std::shared_ptr<job>> order_;  // the caller's: chunks in flight, in stream order

  std::mutex m_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::shared_ptr<job>> queue_;  // (m_) chunks no one has started, oldest first
  bool stop_ = false;                       // (m_)
  std::vector<std::thread> threads_;
};

}  // namespace annot::host::exporting
