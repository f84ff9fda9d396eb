#include "store/sqlite/byte_locks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace annot::host::store::sqlite::byte_locks {
namespace {

int lock_call(int fd, int cmd, off_t at, short type, struct flock* out = nullptr) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = at;
  l.l_len = 1;
  int rc = 0;
  while ((rc = ::fcntl(fd, cmd, &l)) != 0 && errno == EINTR) {
  }
  if (out) *out = l;
  return rc;
}

}  // namespace

int open_file(const std::string& path) {
  return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

bool set(int fd, off_t at, short type) {
  return lock_call(fd, F_OFD_SETLK, at, type) == 0;
}

bool held_elsewhere(int fd, off_t at) {
  struct flock l {};
  if (lock_call(fd, F_OFD_GETLK, at, F_WRLCK, &l) != 0) return true;
  return l.l_type != F_UNLCK;
}

}  // namespace annot::host::store::sqlite::byte_locks
