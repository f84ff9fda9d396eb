// Which imports in progress still have a process behind them.
//
// The process running an import holds a lock on byte <import id> + 1 of "<database>.annot-lock" from inside
// the unit that begins the import (so no other process can see the row before the lock) until its end,
// published or failed, has committed. The kernel drops a process's locks when it ends, however it ends
// (SIGKILL included), so an import still created/in_progress whose byte nobody holds was interrupted and
// can be failed at once, by any process writing the database, while the others' imports go on. The
// bytes are OFD locks (byte_locks.hpp).
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

namespace annot::host::store::sqlite {

// Threading: every member is safe from any thread. Lifetime: the locks this object holds go with it.
class import_locks {
 public:
  // Opens (creating it) the lock file at `path`. When it cannot be opened (a read-only folder), known()
  // is false and held() is true for every import: none is ever taken for interrupted.
  explicit import_locks(const std::string& path);
  ~import_locks();
  import_locks(const import_locks&) = delete;
  import_locks& operator=(const import_locks&) = delete;

  // Whether other processes' imports can be told apart from interrupted ones.
  bool known() const noexcept { return fd_ >= 0; }
  // Takes `import_id`'s byte for this process (again is a no-op). False when it could not be taken.
  bool hold(std::int64_t import_id);
  // Lets it go (a byte this object does not hold: nothing happens).
  void release(std::int64_t import_id);
  // Whether a live process, this one included, holds the import's byte; true when !known().
  bool held(std::int64_t import_id) const;

 private:
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::set<std::int64_t> mine_;  // an OFD lock never conflicts with its own description's
};

}  // namespace annot::host::store::sqlite
