// annot::task_cursor over a project's tasks in the store: keyset batches read by the store's export
// reader (its own unmapped connection), each serialised to Label Studio's export JSON
// (task_serializer.hpp). A host thread reads and serialises the next batches while the exporter
// consumes the current one (a bounded queue), so memory is a few batches, whatever the project's size.
#pragma once

#include <annot/exporter.hpp>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "export/task_serializer.hpp"
#include "store/export_reader.hpp"
#include "store/store.hpp"

namespace annot::host::exporting {

struct cursor_options {
  std::int64_t project_id = 0;
  // Label Studio's easy export leaves out tasks without any annotation (cancelled ones count)
  // unless download_all_tasks=true.
  bool only_annotated = true;
  // Only these tasks (ids[]=...), in id order; empty = the whole project, unless selected_only.
  std::vector<std::int64_t> ids;
  // ids is the whole selection even when empty (a tab's filters that kept no task): nothing is read.
  bool selected_only = false;
  serialize_options serialize;
  // Tasks per batch, at most. Up to prefetch + 2 batches live at once, each as its rows, its task
  // texts and the exporter's prepared forms: at 1,000 image tasks that was ~12 MiB, and a CLI export
  // pays a page fault (~1.3 us here) for each fresh page of it; 256 holds ~3 MiB and costs no more
  // queries that matter (JSON_MIN 66 -> 60 ms, 5,200 -> 2,500 faults).
  std::int64_t batch = 256;
  // Batches read ahead by the cursor's own thread while the current one is consumed; 0 reads each
  // batch on the caller's thread when it is needed (no thread).
  std::size_t prefetch = 2;
  // Set from another thread to stop the export: next() then returns errc::cancelled.
  const std::atomic<bool>* cancelled = nullptr;
  // Called (on the thread calling next()) when a batch is handed out, with the number of tasks
  // handed out before it in this pass.
  std::function<void(std::int64_t)> progress;
  // Called (on the thread calling next()) when a batch is handed out, with each thing the serializer
  // reported of its tasks (serialize_lookups::warn); in the first pass only, as later passes repeat it.
  std::function<void(std::string_view)> warn;
};

// With a task_preparer (prepare_with), each batch is prepared in pieces of a few dozen tasks: the
// reading thread prepares pieces of the consumer's batch and of those waiting in the queue when it has
// nothing to read, and the consumer prepares, inside next(), the pieces of its batch nobody took; so
// both cores share the exporter's per-task work, whichever side is faster, up to the last piece.
//
// Lifetime: must not outlive the store. Threading: next(), rewind(), prepare_with() and the destructor
// from one thread at a time (the export's); the cursor's reading thread is its own business: it is
// started by the first next(), and stopped and joined by rewind() and the destructor (after finishing
// the batch or piece it is on, so a destruction mid-run waits at most one batch).
class store_cursor final : public annot::task_cursor {
 public:
  store_cursor(store::store& db, cursor_options options);
  ~store_cursor();
  store_cursor(const store_cursor&) = delete;
  store_cursor& operator=(const store_cursor&) = delete;

  // An error (the reader's, or errc::cancelled) ends the pass: later calls return it again until
  // rewind().
  annot::result<bool> next(std::string_view& task_json) override;
  annot::status rewind() override;
  std::int64_t size_hint() const noexcept override { return size_hint_; }
  annot::status prepare_with(const annot::task_preparer* preparer) override;
  // A batch's texts lie one after the other in one buffer with this much room after the last.
  std::size_t text_padding() const noexcept override { return kTextPadding; }
  static constexpr std::size_t kTextPadding = 64;

  // Tasks handed out in the current pass.
  std::int64_t delivered() const noexcept { return delivered_; }

 private:
  // Tasks per prepared piece: small enough that waiting for a piece the other thread is on is short,
  // large enough that taking one (a lock) is rare.
  static constexpr std::size_t piece_tasks = 16;
  // A pass reads one task first, whose size bounds the next batch (see batch_bytes); then this many,
  // which the consumer waits for with little else to do: small, and each next one half as large again
  // (reading a batch must not take longer than preparing the one before).
  static constexpr std::int64_t first_batch = 64;
  // What a batch's task texts should hold at most: a batch has no more tasks than fit this at the last
  // batch's size per task (one at least). Tasks of 200 KB made batches of up to 50 MB, each held three
  // times over (rows, texts, the exporter's prepared forms) in up to four chunks: 254-320 MB for a
  // 200 MB project. Buffers a batch of large tasks grew are given back once it is done.
  static constexpr std::size_t batch_bytes = std::size_t(4) << 20;
  // Consecutive tasks of a batch as the preparer made them.
  struct piece {
    std::string bytes;
    std::vector<std::size_t> ends;  // one per task prepared; fewer than the piece's tasks after an error
    annot::status error;            // the preparer's error at task ends.size() of the piece
    bool done = false;              // written under mutex_ when the reading thread prepared it
  };
  // One serialised batch: the task texts one after the other, and where each ends.
  struct chunk {
    std::string texts;
    std::vector<std::size_t> ends;
    annot::status error;  // not ok: reading failed; the pass ends here
    bool last = false;    // no batch follows
    std::vector<std::string> warnings;  // the serializer's, for cursor_options::warn
    // With a preparer: pieces[0, npieces) cover the tasks in order (the vector only grows, so their
    // buffers keep their capacity). [front, back) are the pieces nobody claimed, under mutex_: the
    // consumer claims from the front as it reaches them, the reading thread from the back (while the
    // chunk waits in ready_ and while it is consumed), so the two meet once, at the end of the
    // chunk, rather than the consumer waiting for each piece the other thread is on.
    std::vector<piece> pieces;
    std::size_t npieces = 0;
    std::size_t front = 0;
    std::size_t back = 0;
  };

  // Reads and serialises the next non-empty batch into `c` (empty and last at the end). Touches
  // only the reading state below, so it runs on the reading thread or, without prefetch, the caller's.
  void fill(chunk& c);
  annot::status load_batch(chunk& c);
  static void release_large_rows(store::export_batch& rows);
  // The next chunk in order (waits for the reading thread; starts it the first time).
  chunk* take();
  void give_back(chunk* c);
  void produce();
  // Runs `preparer` over piece k of `c`; never throws.
  void prepare_piece(const annot::task_preparer& preparer, chunk& c, std::size_t k) noexcept;
  // The chunk the reading thread helps with: the consumer's, else the first in ready_, that has a
  // piece nobody claimed; or null. Under mutex_.
  chunk* preparable() const;
  // Makes sure piece k of the consumer's chunk is prepared: waits for the reading thread's, or
  // prepares it here.
  void await_piece(std::size_t k);
  void stop_reading();
  bool cancelled() const noexcept {
    return options_.cancelled && options_.cancelled->load(std::memory_order_relaxed);
  }

  store::store& db_;
  cursor_options options_;
  std::int64_t size_hint_ = -1;

  // Reading state: owned by whoever runs fill() (the reading thread while it runs).
  std::int64_t after_inner_id_ = 0;
  std::size_t ids_pos_ = 0;
  bool exhausted_ = false;
  std::int64_t batch_ = 1;  // tasks in the next batch: 1, first_batch, then growing by half up to
                            // options_.batch, and cut by batch_bytes
  bool probed_ = false;     // the pass's one-task batch was read
  std::unique_ptr<store::export_reader> reader_;  // opened by the first batch
  store::export_batch rows_;                      // reused by every batch
  // Users met so far (bounded by the number of users, not tasks).
  std::unordered_map<std::int64_t, std::optional<store::user>> users_;

  // Chunks, recycled so their buffers keep their capacity: at most prefetch + 2 exist (the
  // consumer's, the one being filled, the ready ones).
  std::vector<std::unique_ptr<chunk>> pool_;
  std::mutex mutex_;
  std::condition_variable ready_cv_, room_cv_, piece_cv_;
  std::deque<chunk*> ready_;  // filled, in order; at most options_.prefetch
  std::vector<chunk*> free_;
  bool stop_ = false;
  std::thread thread_;
  // The pass's preparer: set at its start (before the reading thread starts); cleared by
  // prepare_with(nullptr) under mutex_ once no piece is in flight. The reading thread reads it under
  // mutex_; the consumer, its only writer, freely.
  const annot::task_preparer* preparer_ = nullptr;
  // Whether this pass's batches are cut into pieces (a preparer was set at its start); fixed while the
  // reading thread runs.
  bool piecewise_ = false;
  std::size_t in_flight_ = 0;  // pieces the reading thread is preparing; under mutex_
  chunk* consuming_ = nullptr;  // current_ as the reading thread may see it; under mutex_

  // The consumer's state.
  chunk* current_ = nullptr;
  std::size_t pos_ = 0;
  bool begun_ = false;    // next() was called in this pass
  bool started_ = false;  // the reading thread runs (or ran) for this pass
  bool done_ = false;     // the last chunk was taken
  annot::status failed_;  // sticky error of this pass
  std::int64_t delivered_ = 0;
  bool first_pass_ = true;  // no rewind() yet: the serializer's warnings are passed on
};

}  // namespace annot::host::exporting
