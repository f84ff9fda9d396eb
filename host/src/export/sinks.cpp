// Folder, zip and single-file sinks for exports.
#include "export/sinks.hpp"

#include <fcntl.h>
#include <isa-l/crc.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <new>
#include <thread>

#include "export/file_batch.hpp"

namespace annot::host::exporting {
namespace fs = std::filesystem;

annot::result<std::unique_ptr<file_writer>> file_writer::create(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f)
    return annot::status(annot::errc::io_error,
                         "cannot create " + path.string() + ": " + std::strerror(errno));
  return std::unique_ptr<file_writer>(new file_writer(f, path.string()));
}

file_writer::~file_writer() {
  if (f_) std::fclose(f_);
}

annot::status file_writer::write(std::string_view bytes) {
  if (!f_) return annot::status(annot::errc::io_error, path_ + " is closed");
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
    return annot::status(annot::errc::io_error, "cannot write " + path_ + " (disk full?)");
  return {};
}

annot::status file_writer::close() {
  if (!f_) return {};
  int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) return annot::status(annot::errc::io_error, "cannot write " + path_ + " (disk full?)");
  return {};
}

annot::status check_entry_path(std::string_view path) {
  auto bad = [&](const char* why) {
    return annot::status(annot::errc::invalid_argument,
                         "the exporter wrote an invalid path '" + std::string(path) + "': " + why);
  };
  if (path.empty()) return bad("empty");
  if (path.front() == '/') return bad("absolute");
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos)
    return bad("backslash or NUL");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    bool last = end == path.size();
    if ((seg.empty() && !last) || seg == "." || seg == "..") return bad("'.', '..' or empty segment");
    start = end + 1;
  }
  return {};
}

// ---- sink_thread --------------------------------------------------------------------------------

namespace {
// A record in a block: op, length (native order), bytes.
constexpr std::size_t kHeader = 1 + sizeof(std::uint32_t);
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Operations the sinks queue besides queued_stream::kData.
constexpr unsigned char kOpen = 2;       // folder: a file's full path; zip: an entry's name
constexpr unsigned char kDirectory = 3;  // zip: a folder's name (without the '/')
constexpr unsigned char kCopy = 4;       // folder: "target\0source"
constexpr unsigned char kClose = 5;      // folder: close the open file
constexpr unsigned char kFinish = 6;     // zip: the central directory, then everything to out_
constexpr unsigned char kOpenStored = 7; // zip: an entry's name, its bytes to be stored as they are

// Appends a record's header (op, length n) to a block; returns where it starts.
std::size_t begin_record(std::string& block, unsigned char op, std::uint32_t n) {
  const std::size_t at = block.size();
  block.push_back(static_cast<char>(op));
  block.append(reinterpret_cast<const char*>(&n), sizeof n);
  return at;
}

// Adds `more` to the length of the record whose header is at `at` (its bytes were appended).
void grow_record(std::string& block, std::size_t at, std::size_t more) {
  std::uint32_t n;
  std::memcpy(&n, block.data() + at + 1, sizeof n);
  n += static_cast<std::uint32_t>(more);
  std::memcpy(block.data() + at + 1, &n, sizeof n);
}

// Applies a block's records in order: apply(op, bytes) until one fails or stop() holds (checked
// between records). An exception from apply is an internal error.
template <class Stop, class Apply>
annot::status apply_records(const std::string& block, Stop&& stop, Apply&& apply) {
  annot::status st;
  for (std::size_t at = 0; at < block.size() && st.ok();) {
    if (stop()) break;
    const auto op = static_cast<unsigned char>(block[at]);
    std::uint32_t n;
    std::memcpy(&n, block.data() + at + 1, sizeof n);
    const std::string_view bytes(block.data() + at + kHeader, n);
    at += kHeader + n;
    try {
      st = apply(op, bytes);
    } catch (const std::exception& e) {
      st = annot::status(annot::errc::internal, std::string("export writer: ") + e.what());
    }
  }
  return st;
}
}  // namespace

struct sink_thread::state {
  apply_fn apply;
  std::mutex mutex;
  std::condition_variable work;  // a block was queued, or stop
  std::condition_variable done;  // a block came back (room for the producer, or drained)
  std::deque<std::string> queue;
  std::vector<std::string> free;
  std::size_t blocks = 1;  // made so far, the one being filled included
  bool busy = false, stop = false;
  std::atomic<bool> failed{false}, abandoned{false};
  annot::status error;  // under mutex; set once
  // The producer's.
  std::string block;
  std::size_t data_at = kNone;  // header of block's last record when it takes more bytes
  unsigned char data_op = 0;
  std::thread thread;
};

bool sink_thread::threaded_by_default() {
  static const bool on = [] {
    const char* v = std::getenv("ANNOT_EXPORT_SINK_THREAD");
    return !(v && std::string_view(v) == "0");
  }();
  return on;
}

sink_thread::sink_thread(apply_fn apply, bool threaded) : s_(std::make_unique<state>()) {
  s_->apply = std::move(apply);
  s_->block.reserve(kBlockSize);
  if (threaded) s_->thread = std::thread([this] { run(); });
}

sink_thread::~sink_thread() { abandon(); }

void sink_thread::abandon() {
  {
    std::lock_guard lock(s_->mutex);
    s_->stop = true;
    s_->abandoned = true;
    s_->queue.clear();
  }
  s_->work.notify_all();
  if (s_->thread.joinable()) s_->thread.join();
}

annot::status sink_thread::error() const {
  if (!s_->failed.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(s_->mutex);
  return s_->error;
}

void sink_thread::hand_over() {
  if (!s_->thread.joinable()) {  // inline: the block is applied here and reused
    annot::status st = apply_block(s_->block);
    s_->block.clear();
    s_->data_at = kNone;
    if (!st.ok()) {
      std::lock_guard lock(s_->mutex);
      s_->error = st;
      s_->failed.store(true, std::memory_order_release);
    }
    return;
  }
  std::unique_lock lock(s_->mutex);
  s_->queue.push_back(std::move(s_->block));
  s_->work.notify_one();
  // Bounded: with every block queued or being applied, wait for one to come back.
  s_->done.wait(lock, [&] { return !s_->free.empty() || s_->blocks < kBlocks; });
  if (!s_->free.empty()) {
    s_->block = std::move(s_->free.back());
    s_->free.pop_back();
  } else {
    ++s_->blocks;
    s_->block = std::string();
    s_->block.reserve(kBlockSize);
  }
  s_->data_at = kNone;
}

annot::status sink_thread::put(unsigned char op, std::string_view bytes) {
  if (s_->failed.load(std::memory_order_acquire)) return error();
  if (!s_->block.empty() && s_->block.size() + kHeader + bytes.size() > kBlockSize) hand_over();
  // A record longer than a block (a very long path) makes its block larger once.
  begin_record(s_->block, op, static_cast<std::uint32_t>(bytes.size()));
  s_->block.append(bytes);
  s_->data_at = kNone;
  return {};
}

annot::status sink_thread::append(unsigned char op, std::string_view bytes) {
  if (s_->failed.load(std::memory_order_acquire)) return error();
  std::string& b = s_->block;
  while (!bytes.empty()) {
    if (s_->data_at == kNone || s_->data_op != op) {
      if (b.size() + kHeader >= kBlockSize) {
        hand_over();
        continue;
      }
      s_->data_at = begin_record(b, op, 0);
      s_->data_op = op;
    }
    if (b.size() >= kBlockSize) {
      hand_over();
      continue;
    }
    const std::string_view piece = bytes.substr(0, kBlockSize - b.size());
    b.append(piece);
    bytes.remove_prefix(piece.size());
    grow_record(b, s_->data_at, piece.size());
  }
  return {};
}

annot::status sink_thread::drain() {
  if (!s_->block.empty()) hand_over();
  std::unique_lock lock(s_->mutex);
  s_->done.wait(lock, [&] { return s_->queue.empty() && !s_->busy; });
  return s_->error;
}

annot::status sink_thread::apply_block(const std::string& block) {
  // abandon() stops between records.
  return apply_records(
      block, [&] { return s_->abandoned.load(std::memory_order_relaxed); },
      [&](unsigned char op, std::string_view bytes) { return s_->apply(op, bytes); });
}

void sink_thread::run() {
  pthread_setname_np(pthread_self(), "annot-sink");
  for (;;) {
    std::string block;
    {
      std::unique_lock lock(s_->mutex);
      s_->work.wait(lock, [&] { return !s_->queue.empty() || s_->stop; });
      if (s_->queue.empty()) return;
      block = std::move(s_->queue.front());
      s_->queue.pop_front();
      s_->busy = true;
    }
    // After an error the rest is dropped.
    annot::status st = s_->failed.load(std::memory_order_relaxed) ? annot::status() : apply_block(block);
    block.clear();
    {
      std::lock_guard lock(s_->mutex);
      if (!st.ok() && s_->error.ok()) {
        s_->error = st;
        s_->failed.store(true, std::memory_order_release);
      }
      s_->free.push_back(std::move(block));
      s_->busy = false;
    }
    s_->done.notify_all();
  }
}

// ---- directory_sink ----------------------------------------------------------------------------

// The open file on a lane's thread: POSIX open/write, no buffer of its own (a block holds a small
// file's bytes as one record, so each file is one write). Files are created relative to their
// folder's descriptor, kept while entries stay in that folder: a full path makes the kernel walk
// every component again for each of YOLO's 20,000 label files (~1.3 us a file on tmpfs here).
struct directory_sink::writer {
  int fd = -1;
  std::string path;
  int dir_fd = -1;
  std::string dir;
  // A file written in pieces (a JSON's, a CSV's, COCO's result.json) is written beside its place under
  // this name and renamed over it once whole, so that a failure (a full disk) or an interrupt leaves a
  // file already there as it was, as `--out FILE` does; empty for a file written at once.
  std::string partial;

  ~writer() { drop(); }
  // Closes the open file; a partial one is removed.
  void drop() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    if (!partial.empty()) ::unlinkat(dir_fd, partial.c_str(), 0);
    partial.clear();
    if (dir_fd >= 0) ::close(dir_fd);
    dir_fd = -1;
    dir.clear();
  }
  const char* name() const {
    const std::size_t slash = path.rfind('/');
    return path.c_str() + (slash == std::string::npos ? 0 : slash + 1);
  }
  annot::status create(const std::string& full, bool in_pieces) {
    const std::size_t slash = full.rfind('/');
    const std::string_view parent =
        slash == std::string::npos ? std::string_view(".") : std::string_view(full).substr(0, slash + 1);
    if (dir_fd < 0 || parent != dir) {
      if (dir_fd >= 0) ::close(dir_fd);
      dir.assign(parent);
      dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd < 0)
        return annot::status(annot::errc::io_error,
                             "cannot open folder " + dir + ": " + std::strerror(errno));
    }
    if (in_pieces) partial = std::string(name()) + ".annot-partial-" + std::to_string(::getpid());
    // A name the file system takes only without the suffix (YOLO's label stems run to 251 bytes) is
    // written in place, as before.
    if (partial.size() > NAME_MAX) partial.clear();
    fd = ::openat(dir_fd, partial.empty() ? name() : partial.c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      partial.clear();
      return annot::status(annot::errc::io_error, "cannot create " + full + ": " + std::strerror(errno));
    }
    return {};
  }
  // After a failed write: the file is removed (a partial one, or one written at once, which O_TRUNC
  // has emptied already), so that no truncated file passes for a whole one.
  annot::status discard(annot::status why) {
    if (fd >= 0) ::close(fd);
    fd = -1;
    ::unlinkat(dir_fd, partial.empty() ? name() : partial.c_str(), 0);
    partial.clear();
    return why;
  }
  annot::status write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return discard(annot::status(annot::errc::io_error, "cannot write " + path + " (disk full?)"));
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }
  annot::status close() {
    if (fd < 0) return {};
    const int rc = ::close(fd);
    fd = -1;
    if (rc != 0) {
      return discard(annot::status(annot::errc::io_error, "cannot write " + path + " (disk full?)"));
    }
    if (partial.empty()) return {};
    const int moved = ::renameat(dir_fd, partial.c_str(), dir_fd, name());
    const int why = errno;
    if (moved != 0) ::unlinkat(dir_fd, partial.c_str(), 0);
    partial.clear();
    if (moved != 0)
      return annot::status(annot::errc::io_error, "cannot write " + path + ": " + std::strerror(why));
    return {};
  }
  // Opens the next file: `in_pieces` when its bytes come in more than one record.
  annot::status open(std::string_view full, bool in_pieces) {
    if (annot::status st = close(); !st.ok()) return st;
    path.assign(full);
    return create(path, in_pieces);
  }
  // A record after the file's open() (apply_block opens files, knowing whether they come whole).
  annot::status apply(unsigned char op, std::string_view bytes) {
    switch (op) {
      case queued_stream::kData:
        if (fd < 0) return annot::status(annot::errc::internal, "export writer: bytes without an open file");
        return write_all(bytes);
      case kCopy: {
        if (annot::status st = close(); !st.ok()) return st;
        const std::size_t nul = bytes.find('\0');
        const std::string target(bytes.substr(0, nul)), source(bytes.substr(nul + 1));
        std::error_code ec;
        fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
        if (ec) return annot::status(annot::errc::io_error, "cannot copy " + source + " to " + target + ": " + ec.message());
        return {};
      }
      case kClose:
        return close();
      default:
        return annot::status(annot::errc::internal, "export writer: unknown operation");
    }
  }
};

// A strand's records, queued in blocks as sink_thread queues them. The producer fills `block`; full
// blocks wait in `queued` (under the lanes' mutex) until a lane applies them, one at a time (`busy`).
struct directory_sink::strand final : annot::output_stream {
  lanes* owner = nullptr;
  writer w;  // used by the lane applying one of the strand's blocks
  std::string block;
  std::size_t data_at = kNone;  // header of block's last record when it takes more bytes
  bool used = false;  // records were queued here (finish() closes its file)
  std::deque<std::string> queued;
  bool busy = false;
  // output_stream: the bytes of the file opened last on this strand.
  annot::status write(std::string_view bytes) override;
};

// A lane's file_batch, made when the lane first has a whole file for it: a lane that only streams a
// large file (JSON, CSV, COCO...) sets up no ring and does not time system calls (batch_pays_off).
// Threading: the lane's own.
class lane_batch {
 public:
  explicit lane_batch(directory_sink::file_calls calls) : calls_(calls) {}
  // The batch, made at the first call; null where io_uring is refused or not wanted (file_calls).
  file_batch* get() {
    if (!tried_) {
      tried_ = true;
      using calls = directory_sink::file_calls;
      if (calls_ == calls::batched || (calls_ == calls::measured && batch_pays_off()))
        batch_ = file_batch::create();
    }
    return batch_.get();
  }
  file_batch* made() const { return batch_.get(); }
  // get() was called and gave null: the lane makes plain calls.
  bool refused() const { return tried_ && !batch_; }

 private:
  const directory_sink::file_calls calls_;
  bool tried_ = false;
  std::unique_ptr<file_batch> batch_;
};

struct directory_sink::lanes {
  lanes(bool threaded_, unsigned count_, file_calls calls_)
      : threaded(threaded_), count(count_), calls(calls_) {
    for (strand& s : strands) s.owner = this;
  }
  ~lanes() { abandon(); }

  annot::status error() const {
    if (!failed.load(std::memory_order_acquire)) return {};
    std::lock_guard lock(mutex);
    return first_error;
  }
  void fail(const annot::status& st) {
    std::lock_guard lock(mutex);
    if (first_error.ok()) first_error = st;
    failed.store(true, std::memory_order_release);
  }

  // The producer's: one record on strand s.
  annot::status put(strand& s, unsigned char op, std::string_view bytes) {
    if (failed.load(std::memory_order_acquire)) return error();
    if (!s.block.empty() && s.block.size() + kHeader + bytes.size() > kBlockSize) hand_over(s);
    if (s.block.capacity() < kBlockSize) take_block(s);
    begin_record(s.block, op, static_cast<std::uint32_t>(bytes.size()));
    s.block.append(bytes);
    s.data_at = kNone;
    s.used = true;
    return {};
  }
  // Bytes of the strand's open file, joined to its previous data record (one write per small file).
  annot::status append(strand& s, std::string_view bytes) {
    if (failed.load(std::memory_order_acquire)) return error();
    std::string& b = s.block;
    while (!bytes.empty()) {
      if (s.data_at == kNone) {
        if (b.size() + kHeader >= kBlockSize) {
          hand_over(s);
          continue;
        }
        if (b.capacity() < kBlockSize) take_block(s);
        s.data_at = begin_record(b, queued_stream::kData, 0);
      }
      const std::size_t limit = s.data_at == 0 ? kStreamBlockSize : kBlockSize;
      if (b.size() >= limit) {
        hand_over(s);
        continue;
      }
      if (b.capacity() < limit) grow_block(s, limit);
      const std::string_view piece = bytes.substr(0, limit - b.size());
      b.append(piece);
      bytes.remove_prefix(piece.size());
      grow_record(b, s.data_at, piece.size());
    }
    return {};
  }
  // Every strand's file closed, every block applied: the first error.
  annot::status finish() {
    for (strand& s : strands) {
      if (!s.used) continue;
      if (annot::status st = put(s, kClose, {}); !st.ok()) break;
      hand_over(s);
    }
    if (threaded) {
      std::unique_lock lock(mutex);
      done.wait(lock, [&] { return ready.empty() && applying == 0; });
      return first_error;
    }
    return error();
  }
  // Drops what is queued, lets the records being applied end, joins the threads.
  void abandon() {
    {
      std::lock_guard lock(mutex);
      stop = true;
      abandoned.store(true, std::memory_order_relaxed);
      ready.clear();
      for (strand& s : strands) s.queued.clear();
    }
    work.notify_all();
    for (std::thread& t : threads)
      if (t.joinable()) t.join();
  }

  // A block for strand s to fill: a free one, or a new one within kBudget (else waits for a lane to
  // give one back).
  void take_block(strand& s) {
    s.data_at = kNone;
    if (!threaded) {
      s.block.reserve(kBlockSize);
      return;
    }
    std::unique_lock lock(mutex);
    done.wait(lock, [&] {
      return !free.empty() || made_bytes + kBlockSize <= kBudget || (ready.empty() && applying == 0);
    });
    if (!free.empty()) {
      s.block = std::move(free.back());
      free.pop_back();
    } else {
      made_bytes += kBlockSize;
      lock.unlock();
      s.block.reserve(kBlockSize);
    }
  }
  // A block of a large file's bytes grown to `size` (once: blocks keep their size when reused).
  void grow_block(strand& s, std::size_t size) {
    const std::size_t before = s.block.capacity();
    s.block.reserve(size);
    if (!threaded) return;
    std::lock_guard lock(mutex);
    made_bytes += s.block.capacity() - before;
  }
  // Queues s's block for the lanes (starting them with the first), or applies it here without threads.
  void hand_over(strand& s) {
    s.data_at = kNone;
    if (s.block.empty()) return;
    if (!threaded) {
      if (!failed.load(std::memory_order_relaxed))
        if (annot::status st = apply_block(s, s.block, nullptr); !st.ok()) fail(st);
      s.block.clear();
      return;
    }
    bool runnable;
    {
      std::lock_guard lock(mutex);
      s.queued.push_back(std::move(s.block));
      ready.push_back(&s);
      // A lane on this strand takes the block when done with its own: waking another for it would only
      // cost a context switch (several per block when one large file streams through).
      runnable = !s.busy;
      if (wants_lane(runnable)) threads.emplace_back([this] { run(); });
    }
    s.block = std::string();  // take_block() gives the next one when a record comes
    if (runnable) work.notify_one();
  }

  bool stopping() const {
    return abandoned.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed);
  }
  // Lanes start as blocks come (under mutex): the first with the first block, another only when a
  // block could be applied now (`runnable`: no lane is on its strand) and every lane is applying one.
  // A one-file export (JSON, CSV, COCO...) queues one strand's blocks, applied in turn: one lane.
  bool wants_lane(bool runnable) const {
    if (threads.size() >= count) return false;
    return threads.empty() || (runnable && applying >= threads.size());
  }

  // Applies s's block, through the lane's batch unless it is null (no threads) or has none.
  annot::status apply_block(strand& s, const std::string& block, lane_batch* lane) {
    // A file opened, written and closed within the block goes into the batch whole (or, without one,
    // is written at once by the writer). The last file of the block may go on in the next one, so it
    // is opened on the writer, as is a file written in pieces: beside its place, renamed once whole.
    // The batch is submitted before anything the writer creates, which keeps the files' order (a path
    // written twice ends with its later content).
    std::string_view path, data;  // the file being read from the block, not yet queued anywhere
    bool pending = false, has_data = false;
    file_batch* batch = lane ? lane->made() : nullptr;
    // The batch is made at the first whole file (a lane that only streams a large file never sets up
    // a ring); where it cannot be, that file and the rest go through the writer.
    auto queue_pending = [&]() -> annot::status {
      if (!pending) return {};
      pending = false;
      if (!batch && lane) batch = lane->get();
      // A file closed with no data record is empty: `data` may still be the file's before it.
      if (batch) return batch->add(path, has_data ? data : std::string_view());
      if (annot::status st = s.w.open(path, false); !st.ok()) return st;
      if (has_data)
        if (annot::status st = s.w.apply(queued_stream::kData, data); !st.ok()) return st;
      return s.w.close();
    };
    auto flush = [&]() { return batch ? batch->flush() : annot::status(); };
    auto pending_to_writer = [&]() -> annot::status {
      if (!pending) return {};
      pending = false;
      if (annot::status st = flush(); !st.ok()) return st;
      if (annot::status st = s.w.open(path, true); !st.ok()) return st;
      return has_data ? s.w.apply(queued_stream::kData, data) : annot::status();
    };
    annot::status st = apply_records(
        block, [&] { return stopping(); },
        [&](unsigned char op, std::string_view bytes) {
          switch (op) {
            case kOpen:
              if (annot::status q = queue_pending(); !q.ok()) return q;
              if (annot::status c = s.w.close(); !c.ok()) return c;  // a file left open by the block before
              path = bytes;
              pending = true;
              has_data = false;
              return annot::status();
            case queued_stream::kData:
              if (pending && !has_data) {
                data = bytes;
                has_data = true;
                return annot::status();
              }
              if (annot::status p = pending_to_writer(); !p.ok()) return p;
              return s.w.apply(op, bytes);
            case kClose:
              if (pending) return queue_pending();
              return s.w.apply(op, bytes);
            default:
              if (annot::status p = pending_to_writer(); !p.ok()) return p;
              if (annot::status f = flush(); !f.ok()) return f;
              return s.w.apply(op, bytes);
          }
        });
    if (st.ok() && !stopping()) st = pending_to_writer();
    // The block's bytes are given back after this: nothing queued may point into them.
    annot::status flushed = flush();
    return st.ok() ? flushed : st;
  }

  // Whether queued blocks of two strands could be applied now, by two lanes (the blocks of one
  // strand, a large file's, keep one lane busy in turn).
  bool several_runnable() const {
    const strand* first = nullptr;
    for (const strand* s : ready) {
      if (s->busy || s == first) continue;
      if (first) return true;
      first = s;
    }
    return false;
  }
  // The oldest queued block whose strand no lane is applying; null when there is none.
  strand* next_runnable() {
    for (auto it = ready.begin(); it != ready.end(); ++it)
      if (!(*it)->busy) {
        strand* s = *it;
        ready.erase(it);
        return s;
      }
    return nullptr;
  }

  void run() {
    pthread_setname_np(pthread_self(), "annot-sink");
    lane_batch batch(calls);
    std::unique_lock lock(mutex);
    for (;;) {
      strand* s = nullptr;
      work.wait(lock, [&] { return stop || (s = next_runnable()) != nullptr; });
      if (!s) return;  // stopped
      std::string block = std::move(s->queued.front());
      s->queued.pop_front();
      s->busy = true;
      ++applying;
      lock.unlock();
      annot::status st = apply_block(*s, block, &batch);
      block.clear();
      if (!st.ok()) fail(st);
      lock.lock();
      s->busy = false;
      --applying;
      free.push_back(std::move(block));
      // This lane takes the next block; another is woken only if there is one more for it.
      if (several_runnable()) work.notify_one();
      done.notify_all();
    }
  }

  const bool threaded;
  const unsigned count;
  const file_calls calls;
  std::array<strand, kStrands> strands;
  mutable std::mutex mutex;
  std::condition_variable work;  // a block was queued or a strand freed, or stop
  std::condition_variable done;  // a block was applied (a free block, or finish() may end)
  std::deque<strand*> ready;     // a strand per queued block, oldest first
  std::vector<std::string> free;
  std::size_t made_bytes = 0;  // the capacity of the blocks made so far (those being filled included)
  std::size_t applying = 0;
  bool stop = false;
  std::atomic<bool> abandoned{false};
  std::atomic<bool> failed{false};
  annot::status first_error;  // under mutex
  // Declared last, joined first (by ~lanes, before the strands' writers close their files).
  std::vector<std::thread> threads;
};
static_assert(directory_sink::kBudget >= 2 * directory_sink::kStrands * directory_sink::kBlockSize,
              "room for a block being filled per strand and as many queued");

annot::status directory_sink::strand::write(std::string_view bytes) {
  return owner->append(*this, bytes);
}

unsigned directory_sink::default_lanes() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

directory_sink::directory_sink(fs::path root, bool threaded, unsigned lane_count, file_calls calls)
    : root_(std::move(root)), lanes_(std::make_unique<lanes>(threaded, std::max(lane_count, 1u), calls)) {}

directory_sink::~directory_sink() = default;

directory_sink::strand& directory_sink::strand_of(std::string_view path) {
  return lanes_->strands[std::hash<std::string_view>{}(path) % kStrands];
}

annot::status directory_sink::finish() {
  return lanes_->finish();
}

// path_ = the entry's full path. Entries come folder by folder (20,000 labels/*.txt, as many images/*):
// the folder made last needs no new check. Folders are made here, before a lane creates files in them.
annot::status directory_sink::make_parent(std::string_view path) {
  std::string& p = path_;
  p = root_.native();
  if (!p.empty() && p.back() != '/') p.push_back('/');
  p.append(path);
  const std::string_view parent = std::string_view(p).substr(0, p.rfind('/'));
  if (parent != made_dir_) {
    std::error_code ec;
    fs::create_directories(fs::path(parent), ec);
    if (ec) return annot::status(annot::errc::io_error, "cannot create " + std::string(parent) + ": " + ec.message());
    made_dir_ = std::string(parent);
  }
  return {};
}

annot::result<annot::output_stream*> directory_sink::open(std::string_view path) {
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  if (annot::status st = lanes_->error(); !st.ok()) return st;
  if (annot::status st = make_parent(path); !st.ok()) return st;
  strand& s = strand_of(path);
  if (annot::status st = lanes_->put(s, kOpen, path_); !st.ok()) return st;
  ++files_;
  return static_cast<annot::output_stream*>(&s);
}

annot::status directory_sink::add_directory(std::string_view path) {
  if (annot::status st = lanes_->error(); !st.ok()) return st;
  std::string p(path);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (annot::status st = check_entry_path(p); !st.ok()) return st;
  std::error_code ec;
  fs::create_directories(root_ / p, ec);
  if (ec) return annot::status(annot::errc::io_error, "cannot create " + (root_ / p).string() + ": " + ec.message());
  return {};
}

annot::status directory_sink::add_file(std::string_view path, std::string_view source) {
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  if (annot::status st = lanes_->error(); !st.ok()) return st;
  std::error_code ec;
  if (!fs::is_regular_file(std::string(source), ec))
    return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  if (annot::status st = make_parent(path); !st.ok()) return st;
  std::string record = path_;
  record.push_back('\0');
  record.append(source);
  if (annot::status st = lanes_->put(strand_of(path), kCopy, record); !st.ok()) return st;
  ++files_;
  return {};
}

// ---- zip_sink ----------------------------------------------------------------------------------

namespace {
void le16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void le32(std::string& s, std::uint32_t v) {
  le16(s, v & 0xFFFF);
  le16(s, v >> 16);
}
void le64(std::string& s, std::uint64_t v) {
  le32(s, static_cast<std::uint32_t>(v & 0xFFFFFFFFu));
  le32(s, static_cast<std::uint32_t>(v >> 32));
}
// A zip header holds a name of up to 65,535 bytes.
annot::status check_zip_name_size(std::size_t size) {
  if (size <= zip_directory::kMaxName) return {};
  return annot::status(annot::errc::invalid_argument, "the exporter wrote a path of " + std::to_string(size) +
                                                          " bytes: a zip entry's name holds at most " +
                                                          std::to_string(zip_directory::kMaxName));
}
constexpr std::uint16_t kFlags = 0x0808;        // data descriptor follows; names are UTF-8
constexpr std::uint16_t kStoredFlags = 0x0800;  // names are UTF-8 (the sums are in the header)
}  // namespace

zip_sink::zip_sink(byte_writer& out, bool threaded, unsigned deflate_helpers)
    : out_(out),
      deflate_(std::make_unique<chunked_deflate>(deflate_helpers)),
      emit_deflated_([this](std::string_view b) {
        compressed_ += b.size();
        return emit(b);
      }),
      write_whole_([this](std::string_view deflated) { return write_whole(deflated); }),
      thread_(std::make_unique<sink_thread>(
          [this](unsigned char op, std::string_view bytes) { return apply(op, bytes); }, threaded)),
      stream_(*thread_) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  dos_time_ = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  dos_date_ = static_cast<std::uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

// Joins the thread before the state it uses goes.
zip_sink::~zip_sink() { thread_->abandon(); }

annot::status zip_sink::apply(unsigned char op, std::string_view bytes) {
  switch (op) {
    case queued_stream::kData:
      if (!entry_open_) return annot::status(annot::errc::internal, "export writer: bytes without an open entry");
      // ISA-L's CRC-32 (the zip's, reflected IEEE): folded with carry-less multiplies, ~2.5x zlib's.
      crc_ = crc32_gzip_refl(crc_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
      if (stored_) {
        stored_bytes_.append(bytes);
        return {};
      }
      // A chunk of the entry is about to be deflated: it is large, its header goes first.
      if (!header_written_ && size_ + bytes.size() >= chunked_deflate::kChunk)
        if (annot::status st = write_open_entry_header(); !st.ok()) return st;
      size_ += bytes.size();
      return deflate_->write(bytes, emit_deflated_);
    case kOpen:
    case kOpenStored: {
      if (annot::status st = close_entry(); !st.ok()) return st;
      if (annot::status st = ensure_parents(bytes); !st.ok()) return st;
      stored_ = op == kOpenStored;
      if (!stored_) deflate_->begin();
      entry_open_ = true;
      open_name_.assign(bytes);
      header_written_ = false;
      crc_ = 0;
      size_ = compressed_ = 0;
      return {};
    }
    case kDirectory: {
      if (annot::status st = close_entry(); !st.ok()) return st;
      if (annot::status st = ensure_parents(bytes); !st.ok()) return st;
      return add_directory_entry(std::string(bytes) + "/");
    }
    case kFinish:
      if (annot::status st = close_entry(); !st.ok()) return st;
      if (annot::status st = retire_wholes(); !st.ok()) return st;
      if (annot::status st = write_central_directory(); !st.ok()) return st;
      return flush_pending();
    default:
      return annot::status(annot::errc::internal, "export writer: unknown operation");
  }
}

annot::status zip_sink::emit(std::string_view bytes) {
  if (!error_.ok()) return error_;
  offset_ += bytes.size();
  // Headers and small entries are gathered: one write per ~256 KiB, not one per header.
  if (pending_.size() + bytes.size() < kPendingLimit) {
    pending_.append(bytes);
    return error_;
  }
  if (!pending_.empty()) {
    error_ = out_.write(pending_);
    pending_.clear();
    if (!error_.ok()) return error_;
  }
  if (bytes.size() < kPendingLimit)
    pending_.append(bytes);
  else
    error_ = out_.write(bytes);
  return error_;
}

annot::status zip_sink::flush_pending() {
  if (!error_.ok() || pending_.empty()) return error_;
  error_ = out_.write(pending_);
  pending_.clear();
  return error_;
}

annot::status zip_sink::begin_entry(std::string_view name, bool directory) {
  return begin_record(name, directory, false, 0, 0);
}

// The local header of entry `name`, which takes the current offset. A stored entry's header has its
// sums; the others' come in the data descriptor after their bytes.
annot::status zip_sink::begin_record(std::string_view name, bool directory, bool stored, std::uint32_t crc,
                                     std::uint64_t size) {
  std::string h;
  le32(h, 0x04034b50);
  le16(h, 20);
  le16(h, stored ? kStoredFlags : kFlags);
  le16(h, directory || stored ? 0 : 8);
  le16(h, dos_time_);
  le16(h, dos_date_);
  le32(h, stored ? crc : 0);
  le32(h, stored ? static_cast<std::uint32_t>(size) : 0);
  le32(h, stored ? static_cast<std::uint32_t>(size) : 0);
  le16(h, static_cast<std::uint32_t>(name.size()));
  le16(h, 0);
  h += name;
  const std::uint64_t offset = offset_;
  if (annot::status st = emit(h); !st.ok()) return st;
  // A path written again replaces the earlier copy in the central directory.
  annot::result<zip_directory::entry*> put = central_.put(name);
  if (!put.ok()) return error_ = put.error();
  zip_directory::entry& e = *put.value();
  last_record_ = &e;
  e.offset = offset;
  e.directory = directory;
  e.stored = stored;
  if (stored) {
    e.crc = crc;
    e.size = e.compressed = size;
  }
  return {};
}

// The open stored entry, its bytes all here: in its turn after the whole entries queued before it.
annot::status zip_sink::write_stored() {
  if (annot::status st = retire_wholes(); !st.ok()) return st;
  if (annot::status st = begin_record(open_name_, false, true, crc_, stored_bytes_.size()); !st.ok())
    return st;
  annot::status st = emit(stored_bytes_);
  // One large file should not pin its size for the rest of the export.
  if (stored_bytes_.capacity() > kPendingLimit) stored_bytes_ = std::string();
  stored_bytes_.clear();
  return st;
}

annot::status zip_sink::add_directory_entry(std::string_view name) {
  if (!directories_.insert(std::string(name)).second) return {};
  if (annot::status st = retire_wholes(); !st.ok()) return st;  // entries stay in the order given
  if (annot::status st = begin_entry(name, true); !st.ok()) return st;
  std::string d;
  le32(d, 0x08074b50);
  le32(d, 0);
  le32(d, 0);
  le32(d, 0);
  return emit(d);
}

annot::status zip_sink::ensure_parents(std::string_view path) {
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1))
    if (annot::status st = add_directory_entry(path.substr(0, slash + 1)); !st.ok()) return st;
  return {};
}

// The open entry's local header, after every whole entry queued before it.
annot::status zip_sink::write_open_entry_header() {
  if (annot::status st = retire_wholes(); !st.ok()) return st;
  if (annot::status st = begin_entry(open_name_, false); !st.ok()) return st;
  entry_record_ = last_record_;
  header_written_ = true;
  return {};
}

annot::status zip_sink::retire_wholes() {
  if (wholes_.empty()) return error_;
  if (annot::status st = deflate_->retire_wholes(write_whole_); !st.ok()) return error_ = st;
  return error_;
}

// The oldest queued whole entry, now deflated: header, bytes and descriptor.
annot::status zip_sink::write_whole(std::string_view deflated) {
  whole_entry e = std::move(wholes_.front());
  wholes_.pop_front();
  if (annot::status st = begin_entry(e.name, false); !st.ok()) return st;
  if (annot::status st = emit(deflated); !st.ok()) return st;
  return end_entry(*last_record_, e.crc, e.size, deflated.size());
}

// Records the entry's sums in the central directory and writes its data descriptor.
annot::status zip_sink::end_entry(zip_directory::entry& r, std::uint32_t crc, std::uint64_t size,
                                  std::uint64_t compressed) {
  r.crc = crc;
  r.size = size;
  r.compressed = compressed;
  std::string d;
  le32(d, 0x08074b50);
  le32(d, r.crc);
  // Sizes over 4 GiB per entry are not supported (the descriptor keeps 32-bit sizes).
  le32(d, static_cast<std::uint32_t>(r.compressed));
  le32(d, static_cast<std::uint32_t>(r.size));
  return emit(d);
}

annot::status zip_sink::close_entry() {
  if (!entry_open_) return error_;
  entry_open_ = false;
  if (stored_) {
    stored_ = false;
    if (annot::status st = write_stored(); !st.ok()) return error_ = st;
    return error_;
  }
  if (!header_written_) {
    // A small entry: deflated whole by a helper while the next ones come, written in its turn.
    if (deflate_->takes_wholes()) {
      wholes_.push_back({std::move(open_name_), crc_, size_});
      if (annot::status st = deflate_->finish_whole(write_whole_); !st.ok()) return error_ = st;
      return error_;
    }
    if (annot::status st = write_open_entry_header(); !st.ok()) return error_ = st;
  }
  if (annot::status st = deflate_->finish(emit_deflated_); !st.ok()) return error_ = st;
  return end_entry(*entry_record_, crc_, size_, compressed_);
}

annot::status zip_sink::write_central_directory() {
  const std::uint64_t cd_start = offset_;
  std::string cd;
  annot::status listed = central_.list([&](const zip_directory::entry& r) -> annot::status {
    bool big_offset = r.offset >= 0xFFFFFFFFu;
    le32(cd, 0x02014b50);
    le16(cd, (3 << 8) | 45);  // made by: Unix, spec 4.5
    le16(cd, big_offset ? 45 : 20);
    le16(cd, r.stored ? kStoredFlags : kFlags);
    le16(cd, r.directory || r.stored ? 0 : 8);
    le16(cd, dos_time_);
    le16(cd, dos_date_);
    le32(cd, r.crc);
    le32(cd, static_cast<std::uint32_t>(r.compressed));
    le32(cd, static_cast<std::uint32_t>(r.size));
    le16(cd, static_cast<std::uint32_t>(r.name().size()));
    le16(cd, big_offset ? 12 : 0);  // extra: Zip64 offset
    le16(cd, 0);
    le16(cd, 0);
    le16(cd, 0);
    le32(cd, r.directory ? ((040755u << 16) | 0x10) : (0100644u << 16));
    le32(cd, big_offset ? 0xFFFFFFFFu : static_cast<std::uint32_t>(r.offset));
    cd += r.name();
    if (big_offset) {
      le16(cd, 0x0001);
      le16(cd, 8);
      le64(cd, r.offset);
    }
    if (cd.size() < (1 << 20)) return {};
    annot::status st = emit(cd);
    cd.clear();
    return st;
  });
  if (!listed.ok()) return error_ = listed;
  if (annot::status st = emit(cd); !st.ok()) return st;
  cd.clear();
  const std::uint64_t cd_size = offset_ - cd_start;
  const std::uint64_t count = central_.size();
  bool zip64 = count >= 0xFFFF || cd_start >= 0xFFFFFFFFu || cd_size >= 0xFFFFFFFFu;
  std::string end;
  if (zip64) {
    const std::uint64_t z64_at = offset_;
    le32(end, 0x06064b50);
    le64(end, 44);
    le16(end, 45);
    le16(end, 45);
    le32(end, 0);
    le32(end, 0);
    le64(end, count);
    le64(end, count);
    le64(end, cd_size);
    le64(end, cd_start);
    le32(end, 0x07064b50);
    le32(end, 0);
    le64(end, z64_at);
    le32(end, 1);
  }
  le32(end, 0x06054b50);
  le16(end, 0);
  le16(end, 0);
  le16(end, zip64 ? 0xFFFF : static_cast<std::uint32_t>(count));
  le16(end, zip64 ? 0xFFFF : static_cast<std::uint32_t>(count));
  le32(end, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(cd_size));
  le32(end, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(cd_start));
  le16(end, 0);
  return emit(end);
}

annot::result<annot::output_stream*> zip_sink::open(std::string_view path) { return open_entry(path, kOpen); }

annot::result<annot::output_stream*> zip_sink::open_entry(std::string_view path, unsigned char op) {
  if (finished_) return annot::status(annot::errc::failed_precondition, "the archive is finished");
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  if (path.back() == '/') return annot::status(annot::errc::invalid_argument, "open() of a folder path");
  if (annot::status st = check_zip_name_size(path.size()); !st.ok()) return st;
  if (annot::status st = thread_->put(op, path); !st.ok()) return st;
  return static_cast<annot::output_stream*>(&stream_);
}

annot::status zip_sink::add_directory(std::string_view path) {
  if (finished_) return annot::status(annot::errc::failed_precondition, "the archive is finished");
  std::string p(path);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (annot::status st = check_entry_path(p); !st.ok()) return st;
  if (annot::status st = check_zip_name_size(p.size() + 1); !st.ok()) return st;  // listed as "p/"
  return thread_->put(kDirectory, p);
}

annot::status zip_sink::add_file(std::string_view path, std::string_view source) {
  std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
  if (!f) return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  struct stat info {};
  const bool store = ::fstat(::fileno(f), &info) == 0 && static_cast<std::uint64_t>(info.st_size) <= kStoreLimit &&
                     incompressible(::fileno(f), static_cast<std::uint64_t>(info.st_size));
  auto out = open_entry(path, store ? kOpenStored : kOpen);
  annot::status st = out.ok() ? annot::status() : out.error();
  std::array<char, 65536> buf;
  for (std::size_t n; st.ok() && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;)
    st = (*out)->write(std::string_view(buf.data(), n));
  if (st.ok() && std::ferror(f)) st = annot::status(annot::errc::io_error, "cannot read " + std::string(source));
  std::fclose(f);
  return st;
}

// Whether deflate would save less than 5% of a file, judged on kProbeBytes from its middle: past
// the headers of an image or a video, in the pixels or frames that are compressed already or not.
// A JPEG photo or an MP4 is stored at no CPU cost; a PNG that its writer barely compressed, a BMP
// or a text file is deflated.
bool zip_sink::incompressible(int fd, std::uint64_t size) {
  std::string sample(static_cast<std::size_t>(std::min<std::uint64_t>(size, kProbeBytes)), '\0');
  const auto at = static_cast<off_t>((size - sample.size()) / 2);
  if (::pread(fd, sample.data(), sample.size(), at) != static_cast<ssize_t>(sample.size())) return false;
  if (!probe_) probe_ = std::make_unique<chunked_deflate>(0);
  std::size_t deflated = 0;
  const chunked_deflate::emit_fn count = [&](std::string_view b) {
    deflated += b.size();
    return annot::status();
  };
  probe_->begin();
  if (!probe_->write(sample, count).ok() || !probe_->finish(count).ok()) return false;
  return deflated * 20 >= sample.size() * 19;
}

annot::status zip_sink::finish() {
  if (finished_) return thread_->error();
  finished_ = true;
  if (annot::status st = thread_->put(kFinish, {}); !st.ok()) return st;
  return thread_->drain();
}

// ---- single_file_sink --------------------------------------------------------------------------

single_file_sink::single_file_sink(byte_writer& out, bool threaded)
    : out_(out),
      thread_(std::make_unique<sink_thread>(
          [this](unsigned char, std::string_view bytes) { return out_.write(bytes); }, threaded)),
      stream_(*thread_) {}

single_file_sink::~single_file_sink() { thread_->abandon(); }

annot::result<annot::output_stream*> single_file_sink::open(std::string_view path) {
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  if (!entry_.empty() && entry_ != path)
    return annot::status(annot::errc::internal, "the exporter wrote '" + std::string(path) + "' after '" + entry_ +
                                                     "', but its format is a single file");
  if (!entry_.empty())
    return annot::status(annot::errc::internal, "the exporter reopened '" + entry_ + "' of a single-file format");
  if (annot::status st = thread_->error(); !st.ok()) return st;
  entry_ = std::string(path);
  return static_cast<annot::output_stream*>(&stream_);
}

annot::status single_file_sink::add_file(std::string_view path, std::string_view source) {
  auto s = open(path);
  if (!s.ok()) return s.error();
  std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
  if (!f) return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  std::array<char, 65536> buf;
  annot::status st;
  for (std::size_t n; st.ok() && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;)
    st = (*s)->write(std::string_view(buf.data(), n));
  std::fclose(f);
  return st;
}

annot::status single_file_sink::finish() { return thread_->drain(); }

}  // namespace annot::host::exporting
