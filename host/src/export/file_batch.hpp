// Small files created in batches through io_uring, for the folder sink's lanes.
//
// YOLO and VOC exports write one small file per task: 20,000 of them are an open, a write and a close
// each, and on a paravirtualised VM a system call's entry and exit alone cost ~1 us
// (bench/export/README.md, session 30). A batch queues each file as a linked chain
// (openat into a registered slot -> write -> close) and submits up to kFiles of them with one call;
// the kernel runs the chains on its io-wq workers. Measured on 20,001 files on tmpfs there: about a
// third less CPU and wall time than the same files written with plain calls on two threads. Where
// system calls are cheap the hand-over to the workers costs more than it saves (session 33: YOLO 20%
// slower), so a lane tries both ways first (write_method_trial).
//
// Threading: a batch belongs to one thread (its ring is set up single-issuer); it is not shared.
// Ownership: the batch copies names; the bytes given to add() must stay alive until the next
// flush() returns (the lane's block outlives it).
#pragma once

#include <annot/status.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace annot::host::exporting {

class file_batch {
 public:
  static constexpr std::size_t kFiles = 64;

  // A batch, or null where io_uring cannot be used (a kernel without it, io_uring_disabled, a seccomp
  // filter, `ANNOT_EXPORT_IO_URING=0`): the caller then writes its files with plain calls.
  // `ANNOT_EXPORT_IO_URING=1` uses the batch without a trial; unset, a trial decides.
  static std::unique_ptr<file_batch> create();
  ~file_batch();
  file_batch(const file_batch&) = delete;
  file_batch& operator=(const file_batch&) = delete;

  // Queues the file at `path` (a full path; its folder exists) with `bytes` as its whole content,
  // created or truncated as open(O_CREAT | O_TRUNC) does. Submits the batch first when it is full, when
  // the folder changes, or when `path` is already queued (the later content must win).
  annot::status add(std::string_view path, std::string_view bytes);
  // Submits what is queued and waits for it: the first failure, naming its file.
  annot::status flush();

 private:
  struct state;
  explicit file_batch(std::unique_ptr<state> s);
  std::unique_ptr<state> s_;
};

// Which way a lane writes the files its blocks hold whole: through its file_batch or with plain
// calls. The lane times its first blocks each way in turn (wall clock per file, the fastest block of
// each way) and keeps the faster: the choice depends on what a system call and a wake-up of the
// kernel's workers cost on this machine, which the host cannot know beforehand. A block of few files
// says little and is not counted. Threading: a lane's own; no locking.
class write_method_trial {
 public:
  static constexpr int kBlocksEach = 2;
  static constexpr std::size_t kMinFiles = 16;

  // `batch`: whether the lane has a file_batch at all.
  explicit write_method_trial(bool batch);
  // Whether the lane's next block goes through its batch.
  bool use_batch() const { return decided_ ? batch_chosen_ : tried_[1] <= tried_[0]; }
  // A block written `batch` or not: `files` opened in it, `elapsed` on the lane's clock.
  void record(bool batch, std::size_t files, std::chrono::nanoseconds elapsed);
  bool decided() const { return decided_; }

 private:
  bool decided_ = false;
  bool batch_chosen_ = false;
  int tried_[2] = {0, 0};            // blocks counted: [0] plain, [1] batch
  double best_[2] = {1e300, 1e300};  // the fastest block's ns per file
};

}  // namespace annot::host::exporting
