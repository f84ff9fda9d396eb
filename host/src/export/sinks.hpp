// Where exports go: annot::export_sink implementations over a folder, a streamed zip archive (ISA-L
// deflate, written as it goes, Zip64 when large), or a single file's bytes, each writing on a host
// thread of its own; and byte writers for a file or any callback (an HTTP body).
#pragma once

#include <annot/exporter.hpp>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "export/chunked_deflate.hpp"
#include "export/zip_directory.hpp"

namespace annot::host::exporting {

// A destination for bytes, written in order.
class byte_writer {
 public:
  virtual ~byte_writer() = default;
  virtual annot::status write(std::string_view bytes) = 0;
};

// Bytes to a callback (an HTTP body_sink, a test buffer).
class callback_writer final : public byte_writer {
 public:
  explicit callback_writer(std::function<annot::status(std::string_view)> fn) : fn_(std::move(fn)) {}
  annot::status write(std::string_view bytes) override { return fn_(bytes); }

 private:
  std::function<annot::status(std::string_view)> fn_;
};

// Bytes to a file, created or truncated.
class file_writer final : public byte_writer {
 public:
  static annot::result<std::unique_ptr<file_writer>> create(const std::filesystem::path& path);
  ~file_writer() override;
  annot::status write(std::string_view bytes) override;
  annot::status close();

 private:
  file_writer(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  std::FILE* f_;
  std::string path_;
};

// Checks an entry path as exporter.hpp defines it: relative, '/'-separated, no "."/".."/empty
// segments, no NUL or backslash.
annot::status check_entry_path(std::string_view path);

// The host thread behind a sink, so the exporter's run() thread keeps producing while bytes are
// written or deflated. Each call queues a record (an operation and its bytes) into a block; full
// blocks go to the thread, which applies the records in the order they were queued. The blocks
// are a fixed pool (kBlocks of kBlockSize: at most 1 MiB queued), so the producer waits only when
// the thread is that far behind. The thread's first error is kept: later records are dropped, and
// the producer gets the error from its next call and from drain().
// Threading: put/append/drain/abandon from one producer thread; `apply` runs on the sink's thread.
// Without a thread (`threaded` false) the same blocks are applied on the producer's thread when
// full and at drain(): the way to compare (ANNOT_EXPORT_SINK_THREAD=0 sets the sinks' default).
// Lifetime: destruction (or abandon()) drops what is still queued and joins the thread.
class sink_thread {
 public:
  static constexpr std::size_t kBlockSize = 128 * 1024;
  static constexpr std::size_t kBlocks = 8;
  using apply_fn = std::function<annot::status(unsigned char op, std::string_view bytes)>;

  explicit sink_thread(apply_fn apply, bool threaded = threaded_by_default());
  // True unless the environment has ANNOT_EXPORT_SINK_THREAD=0 (read once).
  static bool threaded_by_default();
  ~sink_thread();
  sink_thread(const sink_thread&) = delete;
  sink_thread& operator=(const sink_thread&) = delete;

  // One record (a path, a command). The thread's error if it has one (then nothing is queued).
  annot::status put(unsigned char op, std::string_view bytes);
  // Bytes for `op`, joined to the previous record when that is `op` too (so a small file's writes
  // become one write), split across blocks when large.
  annot::status append(unsigned char op, std::string_view bytes);
  // Hands over the block being filled and waits until every record is applied: the first error.
  annot::status drain();
  // The thread's first error, or success.
  annot::status error() const;
  // Drops what is queued, lets the record being applied end, and joins the thread.
  void abandon();

 private:
  struct state;
  annot::status apply_block(const std::string& block);
  void hand_over();
  void run();
  std::unique_ptr<state> s_;
};

// An output_stream whose bytes are queued to a sink_thread as data records.
class queued_stream final : public annot::output_stream {
 public:
  static constexpr unsigned char kData = 1;
  explicit queued_stream(sink_thread& to) : to_(to) {}
  annot::status write(std::string_view bytes) override { return to_.append(kData, bytes); }

 private:
  sink_thread& to_;
};

// Entries as files under a folder (created). Reopening a path truncates it; add_file copies.
// Folders are created at once (so a path that cannot be a folder fails open()); files are created,
// written and closed on the sink's threads, so open() returns at once and an error there (disk
// full, a file that cannot be created) comes, naming the path, from a later call or finish().
// Creating a file costs the kernel more than writing a small one (inode, dentry, a page): YOLO's and
// VOC's 20,000 files kept one thread busy longer than the exporter and the store's reader together, and
// the folder's lock does not serialise creation (two threads creating in one tmpfs folder take half the
// time of one). So `lanes` threads share the work: an entry's records go to one of kStrands strands,
// chosen by its path, and queue there in blocks; a lane takes the oldest queued block of a strand no
// other lane is applying. A path's records stay in order (one strand, one block at a time), and the
// lanes stay busy until the last block: with a thread per fixed half of the paths, one lane often ended
// 3-20 ms after the other (it had had less of the CPU). A lane hands the files a block holds whole to
// a file_batch (io_uring: one submission for up to 64 files' open, write and close; made at the lane's
// first such file, so an export of one large file sets up no ring), or makes the calls itself where
// io_uring is refused or where system calls are cheap (batch_pays_off). Lanes start as blocks queue:
// one for a single file's blocks, more while every lane is busy. After an error the rest is dropped.
// A file written in pieces (one larger than a block: JSON's, CSV's, COCO's result.json) is written
// beside its place as NAME.annot-partial-PID and renamed over it once whole, so that a failure, an
// interrupt or a kill leaves a file of an earlier export there as it was; a file whose write failed
// (a full disk) is removed rather than left truncated.
// finish() writes everything queued and reports; destruction without it drops what is queued.
// Threading: the export_sink calls from one producer thread.
class directory_sink final : public annot::export_sink {
 public:
  static constexpr std::size_t kStrands = 16;
  // Blocks of small files: the lanes' last blocks end close together (a YOLO block is ~190 files, ~1.5 ms).
  static constexpr std::size_t kBlockSize = 32 * 1024;
  // A block holding nothing but the continuation of one large file (COCO's result.json) grows to this:
  // a lane woken for every 32 KiB of its 20 MB took ~1,400 context switches instead of ~110 (67 -> 71 ms).
  static constexpr std::size_t kStreamBlockSize = 128 * 1024;
  // The blocks' memory, those being filled included: the producer waits for a block to come back
  // beyond it (unless none is queued or being applied, which could give one back).
  static constexpr std::size_t kBudget = 2 * 1024 * 1024;

  // How a lane creates the files a block holds whole: through a file_batch where batch_pays_off()
  // (`measured`), whenever io_uring can be used (`batched`), or with plain calls (`plain`). Tests
  // name one, so that both ways run on any machine.
  enum class file_calls { measured, batched, plain };

  explicit directory_sink(std::filesystem::path root, bool threaded = sink_thread::threaded_by_default(),
                          unsigned lanes = default_lanes(), file_calls calls = file_calls::measured);
  ~directory_sink();
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view path) override;
  annot::status add_file(std::string_view path, std::string_view source) override;
  annot::status finish();
  std::int64_t files_written() const noexcept { return files_; }
  // The machine's cores, from 1 to 4.
  static unsigned default_lanes();

 private:
  struct writer;  // a strand's open file, on the lane applying the strand
  struct strand;  // the records of the paths hashed to it: the block being filled, the queued ones
  struct lanes;   // the threads and the queue they share
  strand& strand_of(std::string_view path);
  annot::status make_parent(std::string_view path);  // sets path_ to the entry's full path
  std::filesystem::path root_;
  std::string made_dir_;  // the folder created last
  std::string path_;      // reused for each entry's full path
  std::int64_t files_ = 0;
  std::unique_ptr<lanes> lanes_;
};

// A zip archive written as it goes (local headers with data descriptors, deflate level 1, writes
// gathered up to 256 KiB): memory holds a chunk of the central directory (zip_directory spills the
// rest to a scratch file), that buffer and the chunks being deflated. Deflating and writing to
// `out` happen on the sink's thread (so `out` is called from there, one call at a time), in the
// order of the calls; an entry over 256 KiB is deflated in chunks by `deflate_helpers` threads
// beside it (chunked_deflate). Directory entries are listed as Python's shutil.make_archive lists
// them ("images/"), parents included. A path written twice keeps only the last copy in the central
// directory. finish() writes the central directory and waits for it; without it the archive is
// incomplete (destruction drops what is queued).
// add_file() of a file of up to kStoreLimit that deflate would not shrink (a JPEG photo, an MP4:
// incompressible()) stores it as it is: deflating it would cost CPU for nothing. Its bytes are
// held whole on the sink's thread, so its local header carries the sums and no descriptor follows
// (readers that cannot take a stored entry with a data descriptor, like Java's, read it too).
class zip_sink final : public annot::export_sink {
 public:
  explicit zip_sink(byte_writer& out, bool threaded = sink_thread::threaded_by_default(),
                    unsigned deflate_helpers = chunked_deflate::default_helpers());
  ~zip_sink();
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view path) override;
  annot::status add_file(std::string_view path, std::string_view source) override;
  annot::status finish();
  // Entries in the central directory (files and folders), once finish() returned.
  std::size_t entries() const noexcept { return central_.size(); }
  static constexpr std::uint64_t kStoreLimit = 16 << 20;  // the largest file add_file() stores
  static constexpr std::size_t kProbeBytes = 16 * 1024;    // what incompressible() deflates to judge

 private:
  // The producer's: open() with the operation that says how the entry is written.
  annot::result<annot::output_stream*> open_entry(std::string_view path, unsigned char op);
  bool incompressible(int fd, std::uint64_t size);
  // On the sink's thread:
  annot::status apply(unsigned char op, std::string_view bytes);
  annot::status write_central_directory();
  annot::status emit(std::string_view bytes);
  annot::status flush_pending();
  annot::status close_entry();
  annot::status ensure_parents(std::string_view path);
  annot::status add_directory_entry(std::string_view name);
  annot::status begin_entry(std::string_view name, bool directory);
  annot::status begin_record(std::string_view name, bool directory, bool stored, std::uint32_t crc,
                             std::uint64_t size);
  annot::status write_stored();
  annot::status write_open_entry_header();
  annot::status retire_wholes();
  annot::status write_whole(std::string_view deflated);
  annot::status end_entry(zip_directory::entry& r, std::uint32_t crc, std::uint64_t size,
                          std::uint64_t compressed);

  byte_writer& out_;
  // The sink's thread's state.
  std::uint64_t offset_ = 0;
  std::uint16_t dos_time_ = 0, dos_date_ = 0;
  zip_directory central_;
  std::unique_ptr<chunked_deflate> deflate_;
  chunked_deflate::emit_fn emit_deflated_;  // emit(), counting compressed_
  bool entry_open_ = false;
  // The open entry's local header waits until the entry is known to be large (a chunk of it is
  // deflated) or, for a small one, until its turn among the whole entries queued before it.
  std::string open_name_;
  bool header_written_ = false;
  zip_directory::entry* entry_record_ = nullptr;  // the open entry's, once its header is written
  zip_directory::entry* last_record_ = nullptr;   // the entry put last (valid until the next)
  std::unordered_set<std::string> directories_;  // the folders listed: few, so kept in memory
  // Small entries handed to the deflate helpers whole, oldest first, waiting for their output.
  struct whole_entry {
    std::string name;
    std::uint32_t crc = 0;
    std::uint64_t size = 0;
  };
  std::deque<whole_entry> wholes_;
  chunked_deflate::whole_fn write_whole_;  // write_whole()
  std::uint32_t crc_ = 0;
  std::uint64_t size_ = 0, compressed_ = 0;
  bool stored_ = false;       // the open entry is stored: its bytes gather in stored_bytes_
  std::string stored_bytes_;
  // Bytes not yet handed to out_ (written at kPendingLimit and by finish()).
  std::string pending_;
  static constexpr std::size_t kPendingLimit = 256 * 1024;
  annot::status error_;
  // The producer's.
  bool finished_ = false;
  std::unique_ptr<chunked_deflate> probe_;  // incompressible()'s, without helpers
  std::unique_ptr<sink_thread> thread_;
  queued_stream stream_;
};

// A single_file format's output: the bytes of its one entry go to `out` (from the sink's thread,
// one call at a time); folders are ignored; a second, different entry is an error (the format
// declared one file). finish() waits until every byte reached `out` and reports; destruction
// without it drops what is queued.
class single_file_sink final : public annot::export_sink {
 public:
  explicit single_file_sink(byte_writer& out, bool threaded = sink_thread::threaded_by_default());
  ~single_file_sink();
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view) override { return {}; }
  annot::status add_file(std::string_view path, std::string_view source) override;
  annot::status finish();
  const std::string& entry() const noexcept { return entry_; }

 private:
  byte_writer& out_;
  std::string entry_;
  std::unique_ptr<sink_thread> thread_;
  queued_stream stream_;
};

}  // namespace annot::host::exporting
