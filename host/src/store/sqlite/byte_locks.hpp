// Single bytes of "<database>.annot-lock" as open-file-description locks (Linux F_OFD_*), shared by the
// writers' turn (bytes 0 and 1, writer_turn.hpp) and the imports in progress (byte id + 1,
// import_locks.hpp). An OFD lock belongs to the open file description, so two stores of one process
// conflict as two processes do, and the kernel drops it when the process ends, however it ends. (POSIX
// record locks belong to the process and all go when any descriptor of the file closes; flock locks the
// whole file.)
#pragma once

#include <sys/types.h>

#include <string>

namespace annot::host::store::sqlite::byte_locks {

// Opens (creating it) the lock file for a description of its own; -1 with errno set when it cannot.
int open_file(const std::string& path);
// Sets F_WRLCK or F_UNLCK on byte `at` without waiting; false with errno set (EAGAIN/EACCES: another
// description holds it).
bool set(int fd, off_t at, short type);
// Whether another description holds byte `at`; true when that cannot be told.
bool held_elsewhere(int fd, off_t at);

}  // namespace annot::host::store::sqlite::byte_locks
