#include "store/sqlite/writer_turn.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "store/sqlite/byte_locks.hpp"

namespace annot::host::store::sqlite {
namespace {

constexpr off_t turn_byte = 0;
constexpr off_t gate_byte = 1;

// Locks the byte, trying again (50 us apart at first, at most 1 ms) until `deadline`. Not F_OFD_SETLKW:
// a process stopped while holding its turn must not hang this one's writes for good, and the order comes
// from the gate, not from the kernel's queue.
bool lock_byte_until(int fd, off_t byte, std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    if (byte_locks::set(fd, byte, F_WRLCK)) return true;
    if (errno != EAGAIN && errno != EACCES) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

}  // namespace

writer_turn::writer_turn(const std::string& path, std::chrono::milliseconds wait_limit)
    : wait_limit_(wait_limit) {
  fd_ = byte_locks::open_file(path);
  if (fd_ < 0)
    spdlog::warn("store: cannot open {} ({}): writers of other processes take turns by SQLite's busy handler",
                 path, std::strerror(errno));
}

writer_turn::~writer_turn() {
  if (fd_ >= 0) ::close(fd_);  // ends a turn still held
}

bool writer_turn::take() {
  if (fd_ < 0 || held_) return held_;
  const auto deadline = std::chrono::steady_clock::now() + wait_limit_;
  const bool gate = lock_byte_until(fd_, gate_byte, deadline);
  held_ = gate && lock_byte_until(fd_, turn_byte, deadline);
  if (gate) byte_locks::set(fd_, gate_byte, F_UNLCK);
  if (!held_)
    spdlog::warn(
        "store: no turn at writing after {} ms (another process holds it): writing on SQLite's busy "
        "handler",
        wait_limit_.count());
  return held_;
}

void writer_turn::end() {
  if (!held_) return;
  byte_locks::set(fd_, turn_byte, F_UNLCK);
  held_ = false;
}

}  // namespace annot::host::store::sqlite
