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
// Small entries (YOLO's and VOC's 20,000 files) can go another way: finish_whole() queues the
// entry just written as a stream of its own, in batches of about one chunk that the helpers
// deflate while the caller goes on; retire_wholes() hands each entry's output back in order. With
// no helpers, finish() deflates a small entry on the caller's thread at once.
//
// Threading: one caller thread (the zip sink's) calls every member; the helpers only touch jobs
// handed to them. Memory: at most helpers + 2 chunks in flight, input and output, plus as many
// batches of whole entries.
class chunked_deflate {
 public:
  using emit_fn = std::function<annot::status(std::string_view)>;
  static constexpr std::size_t kChunk = 256 * 1024;
  static constexpr std::size_t kBatchEntries = 256;  // whole entries per batch, at most

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

  // Whether finish_whole() may be used: there are helpers to hand whole entries to.
  bool takes_wholes() const noexcept { return helpers_ > 0; }
  // Queues the entry just written, under one chunk, as a whole stream of its own; `done` of a later
  // retire_wholes() gets its output. Batches beyond the in-flight bound are retired here.
  using whole_fn = std::function<annot::status(std::string_view deflated)>;
  annot::status finish_whole(const whole_fn& done);
  // Hands every queued whole entry's output to `done`, in the order they were queued.
  annot::status retire_wholes(const whole_fn& done);

 private:
  struct z_state;
  struct job;
  void submit(std::string in, bool last);
  void submit_batch();
  std::shared_ptr<job> complete_front(std::deque<std::shared_ptr<job>>& order);
  annot::status retire_front(const emit_fn& emit);
  annot::status retire_batch(const whole_fn& done);
  void enqueue(const std::shared_ptr<job>& j);
  void helper_loop();
  void drop_in_flight();

  const unsigned helpers_;
  std::unique_ptr<z_state> own_z_;  // the caller's
  std::string pending_;             // input not yet in a chunk
  std::string dict_;                // the last 32 KiB of input handed to a chunk
  std::string small_out_;           // a small entry's output (reused)
  std::deque<std::shared_ptr<job>> order_;  // the caller's: chunks in flight, in stream order
  std::shared_ptr<job> batch_;                // the caller's: whole entries not yet submitted
  std::deque<std::shared_ptr<job>> wholes_;  // the caller's: batches in flight, in order

  std::mutex m_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::shared_ptr<job>> queue_;  // (m_) chunks no one has started, oldest first
  bool stop_ = false;                       // (m_)
  std::vector<std::thread> threads_;
};

}  // namespace annot::host::exporting
