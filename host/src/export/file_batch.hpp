// Small files created in batches through io_uring, for the folder sink's lanes.
//
// YOLO and VOC exports write one small file per task: 20,000 of them are an open, a write and a close
// each, and on a paravirtualised VM a system call's entry and exit alone cost ~1 us
// (bench/export/README.md, session 30). A batch queues each file as a linked chain
// (openat into a registered slot -> write -> close) and submits up to kFiles of them with one call;
// the kernel runs the chains on its io-wq workers. Measured on 20,001 files on tmpfs there: about a
// third less CPU and wall time than the same files written with plain calls on two threads. Where
// system calls are cheap the hand-over to the workers costs more than it saves (session 33: YOLO 20%
// slower), so a lane uses a batch only where system calls are dear (batch_pays_off).
//
// Threading: a batch belongs to one thread (its ring is set up single-issuer); it is not shared.
// Ownership: the batch copies names; the bytes given to add() must stay alive until the next
// flush() returns (the lane's block outlives it).
#pragma once

#include <annot/status.hpp>
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
  // Whether the lanes use it at all is batch_pays_off().
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

// Whether the folder sink's lanes should write the files their blocks hold whole through a file_batch:
// when a system call costs this machine 0.7 us or more (measured once per process: the least of a few
// rounds of getppid, ~0.1 ms). On the VMs measured (bench/export/README.md, sessions 30, 33 and 39) a
// batch saved a sixth to a third of YOLO's time where a call cost ~1.0-1.1 us, and cost a fifth more
// where it cost 0.2-0.5 us. An earlier trial timed each lane's first blocks both ways instead; the
// wall clock of a lane whose CPU other threads share favoured plain calls even where the batch was
// faster in all (this VM, session 39: YOLO 158 ms with the trial, 145 with the batch, 173 without).
// `ANNOT_EXPORT_IO_URING=1` says yes and `=0` no without measuring. Thread-safe.
bool batch_pays_off();
// What batch_pays_off() measures: nanoseconds per system call, the least of a few rounds.
double system_call_ns();

}  // namespace annot::host::exporting
