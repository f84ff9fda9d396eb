// Turns at writing the database, taken in order between processes.
//
// SQLite lets one connection write at a time and has the others poll (the busy handler sleeps up to
// 100 ms between tries), so a process that writes back to back (`annot serve` under load, `annot
// import` staging batches) keeps the lock and the other one gives up with "database is locked" once
// busy_timeout passes. Every writing store takes a turn around each write transaction instead: two
// bytes of "<database>.annot-lock" (0 and 1, byte_locks.hpp). A process waiting for a turn holds the gate
// (byte 1) while it waits for the turn (byte 0); the process ending its turn must pass the gate before taking
// the next, so it waits until the one waiting has had its turn. A turn not had within wait_limit (a process
// stopped in the middle of its transaction) is given up: the write goes on under SQLite's busy handler, which
// fails it with "database is locked" if the other process still holds SQLite's lock; nothing hangs for good.
#pragma once

#include <chrono>
#include <string>

namespace annot::host::store::sqlite {

// Threading: one thread (the store's writer) takes and ends turns. Lifetime: a turn held when the
// object goes is ended.
class writer_turn {
 public:
  // Opens (creating it) the lock file at `path`; without it, take() and end() do nothing and
  // SQLite's busy handler is all there is.
  explicit writer_turn(const std::string& path,
                       std::chrono::milliseconds wait_limit = std::chrono::seconds(10));
  ~writer_turn();
  writer_turn(const writer_turn&) = delete;
  writer_turn& operator=(const writer_turn&) = delete;

  // Waits for this process's turn (after any process already waiting for one), at most wait_limit;
  // false when it was not had (the write goes on without it).
  bool take();
  void end();

 private:
  int fd_ = -1;
  bool held_ = false;
  std::chrono::milliseconds wait_limit_;
};

}  // namespace annot::host::store::sqlite
