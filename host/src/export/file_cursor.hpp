// annot::task_cursor over a JSON array file of tasks (a stored export's snapshot): elements are
// split by a streaming scanner, so memory holds a read buffer and a few batches of tasks.
//
// A thread of the cursor's own splits the file ahead, in batches of a few dozen tasks (at most
// kAhead of them waiting). With a preparer, the batches are prepared by both threads: the consumer
// prepares the oldest batch when it needs it, the reading thread the newest ones while the queue is
// full; the split and the preparer's parse are most of a conversion's time (a JSON_MIN conversion
// of 200,000 tasks: bench/export/README.md, session 54). Without `read_ahead` the same batches are
// made inside next().
//
// Threading: next(), rewind(), prepare_with() and the destructor from one thread at a time (the
// export's); the reading thread is the cursor's own, joined by rewind(), prepare_with(nullptr) and
// the destructor.
#pragma once

#include <annot/exporter.hpp>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace annot::host::exporting {

class file_cursor final : public annot::task_cursor {
 public:
  // `tasks` is the number of elements when known (for progress), else -1.
  explicit file_cursor(std::filesystem::path file, std::int64_t tasks = -1, bool read_ahead = true);
  ~file_cursor();
  file_cursor(const file_cursor&) = delete;
  file_cursor& operator=(const file_cursor&) = delete;

  annot::result<bool> next(std::string_view& task_json) override;
  annot::status rewind() override;
  std::int64_t size_hint() const noexcept override { return tasks_; }
  annot::status prepare_with(const annot::task_preparer* preparer) override;
  // Tasks handed out since the last rewind (the export report's count).
  std::int64_t delivered() const noexcept { return delivered_; }

  static constexpr std::size_t kBatchTasks = 64;
  static constexpr std::size_t kBatchBytes = 512 * 1024;  // a batch ends at this size too
  static constexpr std::size_t kAhead = 6;                // batches split and not yet taken

 private:
  // Consecutive tasks, as next() hands them out.
  struct batch {
    enum class state { split, preparing, ready };
    std::string raw;                    // the tasks' JSON text, one after another
    std::vector<std::size_t> raw_ends;  // the end of each in `raw`
    std::string bytes;                  // the tasks as handed out (prepared, or `raw` moved here)
    std::vector<std::size_t> ends;      // the end of each task in `bytes`
    std::vector<std::uint64_t> after;   // the file offset just past each task's element
    annot::status error;                // met after the tasks: ends the pass
    bool last = false;                  // nothing follows (the array's end, or the error)
    state at = state::split;
    void clear();
  };

  // The splitter's, on the reading thread (or the caller's without read-ahead).
  void split_batch(batch& b) noexcept;
  annot::result<bool> split_next(std::string_view& element);
  bool fill();  // reads more into buf_; false at end of file
  void read_loop(const annot::task_preparer* preparer);
  // Either thread's, on a batch it claimed.
  void prepare_batch(batch& b, const annot::task_preparer* preparer) noexcept;
  // The newest batch of ready_ still to prepare, or null; under mutex_.
  batch* newest_unprepared();
  // The consumer's.
  void stop_reading();
  annot::status take_batch();

  std::filesystem::path path_;
  std::int64_t tasks_;
  bool read_ahead_;
  // The splitter's state: the file, from `seek_` on when it opens.
  std::FILE* f_ = nullptr;
  std::uint64_t seek_ = 0;
  std::uint64_t buf_at_ = 0;  // the file offset of buf_[0]
  std::string buf_;
  std::size_t pos_ = 0;
  bool started_ = false;  // past the opening '['
  // Between the threads.
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<batch>> ready_;
  std::vector<std::unique_ptr<batch>> spare_;  // taken batches, for their buffers
  bool stop_ = false;
  std::thread reader_;
  // The consumer's.
  std::unique_ptr<batch> current_;
  std::size_t handed_ = 0;         // tasks of current_ handed out
  bool begun_ = false;             // next() was called in this pass
  std::uint64_t consumed_at_ = 0;  // the file offset just past the last task handed out
  const annot::task_preparer* preparer_ = nullptr;
  std::int64_t delivered_ = 0;
  annot::status failed_;  // sticky until rewind()
  bool done_ = false;
};

}  // namespace annot::host::exporting
