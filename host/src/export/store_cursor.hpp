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
  // Only these tasks (ids[]=...), in id order; empty = the whole project.
  std::vector<std::int64_t> ids;
  serialize_options serialize;
  std::int64_t batch = 1000;
  // Batches read ahead by the cursor's own thread while the current one is consumed; 0 reads each
  // batch on the caller's thread when it is needed (no thread).
  std::size_t prefetch = 2;
  // Set from another thread to stop the export: next() then returns errc::cancelled.
  const std::atomic<bool>* cancelled = nullptr;
  // Called (on the thread calling next()) when a batch is handed out, with the number of tasks
  // handed out before it in this pass.
  std::function<void(std::int64_t)> progress;
};

// Lifetime: must not outlive the store. Threading: next(), rewind() and the destructor from one
// thread at a time (the export's); the cursor's reading thread is its own business: it is started by
// the first next(), and stopped and joined by rewind() and the destructor (after finishing the batch
// it is reading, so a destruction mid-run waits at most one batch).
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

  // Tasks handed out in the current pass.
  std::int64_t delivered() const noexcept { return delivered_; }

 private:
  // One serialised batch: the task texts one after the other, and where each ends.
  struct chunk {
    std::string texts;
    std::vector<std::size_t> ends;
    annot::status error;  // not ok: reading failed; the pass ends here
    bool last = false;    // no batch follows
  };

  // Reads and serialises the next non-empty batch into `c` (empty and last at the end). Touches
  // only the reading state below, so it runs on the reading thread or, without prefetch, the caller's.
  void fill(chunk& c);
  annot::status load_batch(chunk& c);
  // The next chunk in order (waits for the reading thread; starts it the first time).
  chunk* take();
  void give_back(chunk* c);
  void produce();
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
  std::unique_ptr<store::export_reader> reader_;  // opened by the first batch
  store::export_batch rows_;                      // reused by every batch
  // Users met so far (bounded by the number of users, not tasks).
  std::unordered_map<std::int64_t, std::optional<store::user>> users_;

  // Chunks, recycled so their buffers keep their capacity: at most prefetch + 2 exist (the
  // consumer's, the one being filled, the ready ones).
  std::vector<std::unique_ptr<chunk>> pool_;
  std::mutex mutex_;
  std::condition_variable ready_cv_, room_cv_;
  std::deque<chunk*> ready_;  // filled, in order; at most options_.prefetch
  std::vector<chunk*> free_;
  bool stop_ = false;
  std::thread thread_;

  // The consumer's state.
  chunk* current_ = nullptr;
  std::size_t pos_ = 0;
  bool started_ = false;  // the reading thread runs (or ran) for this pass
  bool done_ = false;     // the last chunk was taken
  annot::status failed_;  // sticky error of this pass
  std::int64_t delivered_ = 0;
};

}  // namespace annot::host::exporting
