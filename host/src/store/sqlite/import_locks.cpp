#include "store/sqlite/import_locks.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace annot::host::store::sqlite {
namespace {

// Bytes 0 and 1 are the writers' turn (writer_turn.hpp); import ids start at 1.
struct flock byte_of(std::int64_t import_id, short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = static_cast<off_t>(import_id) + 1;
  l.l_len = 1;
  return l;
}

int fcntl_lock(int fd, int cmd, struct flock& l) {
  int rc = 0;
  while ((rc = ::fcntl(fd, cmd, &l)) != 0 && errno == EINTR) {
  }
  return rc;
}

}  // namespace

import_locks::import_locks(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
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
  struct flock l = byte_of(import_id, F_WRLCK);
  if (fcntl_lock(fd_, F_OFD_SETLK, l) != 0) {
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
  struct flock l = byte_of(import_id, F_UNLCK);
  fcntl_lock(fd_, F_OFD_SETLK, l);
}

bool import_locks::held(std::int64_t import_id) const {
  if (fd_ < 0 || import_id < 1) return true;
  std::lock_guard lock(mutex_);
  if (mine_.count(import_id)) return true;
  struct flock l = byte_of(import_id, F_WRLCK);
  if (fcntl_lock(fd_, F_OFD_GETLK, l) != 0) return true;  // cannot tell: leave it be
  return l.l_type != F_UNLCK;
}

}  // namespace annot::host::store::sqlite
