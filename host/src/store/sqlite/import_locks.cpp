#include "store/sqlite/import_locks.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/sqlite/byte_locks.hpp"

namespace annot::host::store::sqlite {
namespace {

// Bytes 0 and 1 are the writers' turn; import ids start at 1.
off_t byte_of(std::int64_t import_id) {
  return static_cast<off_t>(import_id) + 1;
}

}  // namespace

import_locks::import_locks(const std::string& path) {
  fd_ = byte_locks::open_file(path);
  if (fd_ < 0)
    spdlog::warn(
        "store: cannot open {} ({}): imports interrupted while another process has the database open "
        "stay in progress until a restart",
        path, std::strerror(errno));
}

import_locks::~import_locks() {
  if (fd_ >= 0) ::close(fd_);  // releases every byte held
}

bool import_locks::hold(std::int64_t import_id) {
  if (fd_ < 0 || import_id < 1) return false;
  std::lock_guard lock(mutex_);
  if (mine_.count(import_id)) return true;
  if (!byte_locks::set(fd_, byte_of(import_id), F_WRLCK)) {
    spdlog::warn(
        "store: cannot lock import {} in its lock file ({}): another process could take it for "
        "interrupted",
        import_id, std::strerror(errno));
    return false;
  }
  mine_.insert(import_id);
  return true;
}

void import_locks::release(std::int64_t import_id) {
  if (fd_ < 0 || import_id < 1) return;
  std::lock_guard lock(mutex_);
  if (!mine_.erase(import_id)) return;
  byte_locks::set(fd_, byte_of(import_id), F_UNLCK);
}

bool import_locks::held(std::int64_t import_id) const {
  if (fd_ < 0 || import_id < 1) return true;
  std::lock_guard lock(mutex_);
  return mine_.count(import_id) || byte_locks::held_elsewhere(fd_, byte_of(import_id));
}

}  // namespace annot::host::store::sqlite
