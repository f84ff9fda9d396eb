// A VFS for connections that read a database mostly in file order (the export reader): page reads
// of the main database file are served from a few read-ahead windows, each filled by one read, so
// a scan makes a system call per window instead of one per page (a 20,000-task export
// made ~5,700 reads, ~560 now; each is dear on a virtual machine). A read that continues no scan (a
// seek) reads its page alone.
//
// Why this is safe: within a read transaction, SQLite never sees the database file change under the
// pages it may read (a checkpoint only writes pages the transaction reads from the WAL, and waits
// for readers that ignore the WAL). The windows live for one transaction: any shared-memory lock
// (how a WAL read transaction begins and ends), file lock, write or truncation drops them.
#pragma once

#include <cstdint>

namespace annot::host::store::sqlite {

// The VFS's name for sqlite3_open_v2, registered (not as the default) at the first call; it wraps
// the default VFS. Thread-safe. Each open file keeps its own windows (512 KiB, allocated at the first read and freed on close),
// used by the one thread that uses the connection.
const char* read_ahead_vfs_name();

// The reads every file opened through the VFS made of the file behind its windows, since the process
// began (a window's fill or a page read on its own), and their bytes. Thread-safe; for tests and
// diagnostics.
struct read_ahead_counts {
  std::uint64_t reads = 0, bytes = 0;
};
read_ahead_counts read_ahead_totals();

}  // namespace annot::host::store::sqlite
