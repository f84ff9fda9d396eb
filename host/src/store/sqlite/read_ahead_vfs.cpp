#include "store/sqlite/read_ahead_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>

namespace annot::host::store::sqlite {
namespace {

// 8 windows of 64 KiB: a scan reads two or three B-trees at once (a table's leaves, its overflow
// pages, a child table's), each in file order; more windows than streams keeps each one's window
// until it is used up. 128 KiB windows cost ~100 more page faults per export (their buffer) than
// the calls they saved; 32 KiB ones saved no faults.
constexpr int window_bytes = 64 * 1024;
constexpr int window_count = 8;

struct window {
  sqlite3_int64 offset = -1;  // bytes [offset, offset + size) of the file, when offset >= 0
  int size = 0;
  sqlite3_int64 used_to = 0;  // where the furthest read it served ended
};

// Where the last few reads of the file ended. A read that misses the windows fills one only when it
// continues a scan: it lies within a window's length after a read that itself followed another (or
// after a window). The scan of a B-tree written in order moves forward a page or a few at a time and
// gets its windows from its third page on; seeks into a table written in another order (annotations
// made in the labelling stream, two projects labelled at once) land anywhere, and a 64 KiB window
// filled for each of them served one 4 KiB page: a labelled project's JSON_MIN export read 98 MB
// (41.6 MB page by page, 50 MB now) and took 144 ms of CPU (89 page by page, 95 now). The positions
// outlive the transaction, so a scan goes on with windows in the next batch where it stopped.
constexpr int track_count = 8;

struct read_ahead {
  std::unique_ptr<char[]> bytes;  // window_count * window_bytes, allocated at the first fill
  window windows[window_count];
  int next = 0;                   // the window the next fill replaces (round robin)
  sqlite3_int64 file_size = -1;   // as SQLite or the first fill last asked in this transaction; -1: unknown
  // Where recent reads that missed the windows ended (0: none yet), and whether each continued the
  // one before it (a scan) or was a window's.
  struct read_end {
    sqlite3_int64 end = 0;
    bool scan = false;
  };
  read_end ends[track_count];
  int next_end = 0;

  // 0: `offset` is far from every recent read; 1: it follows one that was alone; 2: it follows a scan.
  // "Follows": from a page before where that read ended to a window's length after it.
  int follows(sqlite3_int64 offset) const {
    int best = 0;
    for (const read_end& e : ends)
      if (e.end > 0 && offset >= e.end - 4096 && offset < e.end + window_bytes) best = std::max(best, e.scan ? 2 : 1);
    return best;
  }
  void ended(sqlite3_int64 end, bool scan) {
    ends[next_end] = {end, scan};
    next_end = (next_end + 1) % track_count;
  }

  // The windows' scans go on in the next transaction where they stopped in this one.
  void drop() {
    for (window& w : windows) {
      if (w.offset >= 0) ended(w.used_to, true);
      w = {};
    }
    file_size = -1;
  }
};

// What SQLite allocates per open file (szOsFile): this header, then the wrapped VFS's file.
struct wrapped_file {
  sqlite3_file base;  // base.pMethods is wrapped_methods
  sqlite3_file* real;
  read_ahead* ahead;  // owned; freed by xClose
};
constexpr int header_bytes = (sizeof(wrapped_file) + 15) & ~15;

sqlite3_vfs* real_vfs = nullptr;

std::atomic<std::uint64_t> file_reads{0}, file_bytes{0};
void count_read(sqlite3_int64 bytes) {
  file_reads.fetch_add(1, std::memory_order_relaxed);
  file_bytes.fetch_add(static_cast<std::uint64_t>(bytes), std::memory_order_relaxed);
}

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<wrapped_file*>(f)->real; }
read_ahead& ahead(sqlite3_file* f) { return *reinterpret_cast<wrapped_file*>(f)->ahead; }
// Anything that may start or end a transaction, or change the file, drops the windows.
void drop(sqlite3_file* f) { ahead(f).drop(); }

int x_close(sqlite3_file* f) {
  auto* w = reinterpret_cast<wrapped_file*>(f);
  const int rc = w->real->pMethods->xClose(w->real);
  delete w->ahead;
  w->ahead = nullptr;
  return rc;
}

// A read of the wrapped file on its own, counted.
int read_alone(sqlite3_file* r, void* out, int amount, sqlite3_int64 offset) {
  count_read(amount);
  return r->pMethods->xRead(r, out, amount, offset);
}

int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  sqlite3_file* r = real(f);
  read_ahead& a = ahead(f);
  if (amount > window_bytes) return read_alone(r, out, amount, offset);
  for (window& w : a.windows)
    if (w.offset >= 0 && offset >= w.offset && offset + amount <= w.offset + w.size) {
      std::memcpy(out, a.bytes.get() + (&w - a.windows) * window_bytes + (offset - w.offset), static_cast<size_t>(amount));
      w.used_to = std::max(w.used_to, offset + amount);
      return SQLITE_OK;
    }
  if (a.file_size < 0 && r->pMethods->xFileSize(r, &a.file_size) != SQLITE_OK) {
    a.file_size = -1;
    return read_alone(r, out, amount, offset);
  }
  sqlite3_int64 start = offset - offset % window_bytes;
  if (offset + amount > start + window_bytes) start = offset;  // a read across a window's edge
  const sqlite3_int64 end = std::min(start + window_bytes, a.file_size);
  // Past the size this transaction first saw: SQLite's own read (and its short-read handling).
  if (offset + amount > end) return read_alone(r, out, amount, offset);
  if (const int follows = a.follows(offset); follows < 2) {
    a.ended(offset + amount, follows == 1);
    return read_alone(r, out, amount, offset);
  }
  a.ended(end, true);
  if (!a.bytes) {
    a.bytes.reset(new (std::nothrow) char[static_cast<size_t>(window_bytes) * window_count]);
    if (!a.bytes) return read_alone(r, out, amount, offset);
  }
  const int slot = a.next;
  a.next = (a.next + 1) % window_count;
  char* bytes = a.bytes.get() + static_cast<size_t>(slot) * window_bytes;
  a.windows[slot] = {};
  count_read(end - start);
  if (r->pMethods->xRead(r, bytes, static_cast<int>(end - start), start) != SQLITE_OK)
    return read_alone(r, out, amount, offset);  // the error (or short read) as SQLite reports it
  a.windows[slot] = {start, static_cast<int>(end - start), offset + amount};
  std::memcpy(out, bytes + (offset - start), static_cast<size_t>(amount));
  return SQLITE_OK;
}

int x_write(sqlite3_file* f, const void* in, int amount, sqlite3_int64 offset) {
  drop(f);
  return real(f)->pMethods->xWrite(real(f), in, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  drop(f);
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); }
// SQLite asks for the size as a transaction begins (when the WAL does not know it): the windows keep
// it, instead of asking the kernel again at their first fill.
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  const int rc = real(f)->pMethods->xFileSize(real(f), size);
  ahead(f).file_size = rc == SQLITE_OK ? *size : -1;
  return rc;
}
int x_lock(sqlite3_file* f, int level) {
  drop(f);
  return real(f)->pMethods->xLock(real(f), level);
}
int x_unlock(sqlite3_file* f, int level) {
  drop(f);
  return real(f)->pMethods->xUnlock(real(f), level);
}
int x_check_reserved_lock(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) {
  drop(f);
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  drop(f);
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  drop(f);
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) { return real(f)->pMethods->xUnfetch(real(f), offset, p); }

const sqlite3_io_methods wrapped_methods = {
    3,       x_close,          x_read,      x_write,        x_truncate,  x_sync,          x_file_size,
    x_lock,  x_unlock,         x_check_reserved_lock,       x_file_control,                x_sector_size,
    x_device_characteristics,  x_shm_map,   x_shm_lock,     x_shm_barrier, x_shm_unmap,   x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  // Journals and the WAL are the wrapped VFS's own files, opened in place (the header is unused).
  if (!(flags & SQLITE_OPEN_MAIN_DB)) return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
  auto* w = reinterpret_cast<wrapped_file*>(f);
  w->base.pMethods = nullptr;
  w->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + header_bytes);
  w->ahead = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, w->real, flags, out_flags);
  if (rc != SQLITE_OK || !w->real->pMethods) return rc;  // SQLite closes nothing without pMethods
  if (w->real->pMethods->iVersion < 3) {
    // Without shared memory or fetch the wrapper would claim methods the file lacks: no read-ahead.
    w->real->pMethods->xClose(w->real);
    return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
  }
  w->ahead = new (std::nothrow) read_ahead;
  if (!w->ahead) {
    w->real->pMethods->xClose(w->real);
    return SQLITE_NOMEM;
  }
  w->base.pMethods = &wrapped_methods;
  return SQLITE_OK;
}

}  // namespace

const char* read_ahead_vfs_name() {
  static sqlite3_vfs vfs;
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_initialize();
    real_vfs = sqlite3_vfs_find(nullptr);
    vfs = *real_vfs;  // its other methods, which use only pAppData, as they are
    vfs.pNext = nullptr;
    vfs.szOsFile = header_bytes + real_vfs->szOsFile;
    vfs.zName = "annot-read-ahead";
    vfs.xOpen = x_open;
    sqlite3_vfs_register(&vfs, 0);
  });
  return vfs.zName;
}

read_ahead_counts read_ahead_totals() {
  return {file_reads.load(std::memory_order_relaxed), file_bytes.load(std::memory_order_relaxed)};
}

}  // namespace annot::host::store::sqlite
