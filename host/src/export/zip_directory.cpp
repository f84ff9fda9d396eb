#include "export/zip_directory.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>
#include <stdexcept>
#include <system_error>

#include "util/scratch_file.hpp"

namespace annot::host::exporting {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBlock = 256 * 1024;  // names per block: ~15,000 YOLO entries
constexpr std::size_t kIoBlock = 256 * 1024;

// A spilled entry: this header, then its name.
struct record_header {
  std::uint64_t offset, compressed, size;
  std::uint32_t crc;
  std::uint8_t flags;  // 1: directory, 2: stored
  std::uint8_t unused;
  std::uint16_t name_size;
};
static_assert(sizeof(record_header) == 32);

// A run's item: a spilled entry's name hash, its place in the listing, its record in the file.
struct run_item {
  std::uint64_t hash, seq, at;
  bool operator<(const run_item& o) const noexcept { return hash != o.hash ? hash < o.hash : seq < o.seq; }
};
static_assert(sizeof(run_item) == 24);

record_header header_of(const zip_directory::entry& e) {
  record_header h{};
  h.offset = e.offset;
  h.compressed = e.compressed;
  h.size = e.size;
  h.crc = e.crc;
  h.flags = static_cast<std::uint8_t>((e.directory ? 1 : 0) | (e.stored ? 2 : 0));
  h.name_size = static_cast<std::uint16_t>(e.name().size());
  return h;
}

}  // namespace

// The two spill files: records in listing order, and the runs of sorted hashes.
struct zip_directory::scratch {
  fs::path dir;
  bool system_dir = false;  // the system's: TMPDIR says where
  int records = -1, runs = -1;
  std::uint64_t records_size = 0, runs_size = 0;

  ~scratch() {
    if (records >= 0) ::close(records);
    if (runs >= 0) ::close(runs);
  }
  annot::status failure(const char* what, int err) const {
    return annot::status(
        annot::errc::io_error,
        std::string("cannot ") + what + " the zip's central directory in a scratch file in " + dir.string() +
            (system_dir ? " (TMPDIR chooses another folder)" : "") + ": " + std::strerror(err));
  }
  // An unnamed file in `dir`: nothing is left behind, whatever ends the export.
  annot::status open_one(int& fd) {
    fd = util::open_unnamed_file(dir);
    return fd >= 0 ? annot::status{} : failure("keep", errno);
  }
  annot::status open() {
    std::error_code ec;
    system_dir = dir.empty();
    if (dir.empty()) dir = util::temp_folder();
    fs::create_directories(dir, ec);
    if (annot::status st = open_one(records); !st.ok()) return st;
    return open_one(runs);
  }
  annot::status append(int fd, std::uint64_t& size, std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(size));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return failure("keep", n < 0 ? errno : ENOSPC);
      bytes.remove_prefix(static_cast<std::size_t>(n));
      size += static_cast<std::uint64_t>(n);
    }
    return {};
  }
  // Up to `size` bytes at `at`; fewer only at the file's end.
  annot::result<std::size_t> read(int fd, std::uint64_t at, char* to, std::size_t size) const {
    std::size_t got = 0;
    while (got < size) {
      ssize_t n = ::pread(fd, to + got, size - got, static_cast<off_t>(at + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return failure("read back", errno);
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
  // The record at `at`: its header, and its name into `name`.
  annot::status read_record(std::uint64_t at, record_header& h, std::string& name) const {
    annot::result<std::size_t> got = read(records, at, reinterpret_cast<char*>(&h), sizeof h);
    if (!got.ok()) return got.error();
    if (got.value() != sizeof h) return failure("read back", EIO);
    name.resize(h.name_size);
    got = read(records, at + sizeof h, name.data(), name.size());
    if (!got.ok()) return got.error();
    if (got.value() != name.size()) return failure("read back", EIO);
    return {};
  }
};

struct zip_directory::edit {
  std::uint64_t seq;
  bool drop;        // a copy listed in an earlier entry's place
  record_header h;  // else: the fields of the last copy
};

std::uint64_t zip_directory::default_hash(std::string_view name) noexcept {
  return std::hash<std::string_view>{}(name);
}

zip_directory::zip_directory(fs::path scratch_dir, std::size_t chunk_entries, hash_fn hash)
    : scratch_dir_(std::move(scratch_dir)),
      chunk_entries_(std::max<std::size_t>(chunk_entries, 1)),
      hash_(hash),
      index_(1024, 0) {}

zip_directory::~zip_directory() = default;

std::size_t zip_directory::slot_of(std::string_view name, std::uint32_t hash) const noexcept {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
    std::uint32_t at = index_[s];
    if (at == 0) return s;
    const entry& e = entries_[at - 1];
    if (e.hash_ == hash && e.name() == name) return s;
  }
}

const char* zip_directory::keep(std::string_view name) {
  if (block_size_ - block_used_ < name.size()) {
    block_size_ = name.size() > kBlock ? name.size() : kBlock;
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  if (!name.empty()) std::memcpy(at, name.data(), name.size());
  block_used_ += name.size();
  return at;
}

void zip_directory::grow_index() {
  std::vector<std::uint32_t> old(index_.size() * 2, 0);
  old.swap(index_);
  const std::size_t mask = index_.size() - 1;
  for (std::uint32_t at : old) {
    if (at == 0) continue;
    std::size_t s = entries_[at - 1].hash_ & mask;
    while (index_[s] != 0) s = (s + 1) & mask;
    index_[s] = at;
  }
}

annot::result<zip_directory::entry*> zip_directory::put(std::string_view name) {
  const std::uint64_t full_hash = hash_(name);
  const std::uint32_t hash = static_cast<std::uint32_t>(full_hash ^ (full_hash >> 32));
  std::size_t slot = slot_of(name, hash);
  if (std::uint32_t at = index_[slot]; at != 0) {
    entry& e = entries_[at - 1];
    const char* kept = e.name_;
    e = entry{};
    e.name_ = kept;
    e.hash_ = hash;
    e.name_size_ = static_cast<std::uint16_t>(name.size());
    return &e;
  }
  if (entries_.size() >= chunk_entries_) {
    if (annot::status st = spill(); !st.ok()) return st;
    slot = slot_of(name, hash);
  }
  // Slots hold index + 1 in 32 bits.
  if (entries_.size() >= 0xFFFFFFFEu) throw std::length_error("a zip directory chunk of 4 billion entries");
  entry e;
  e.name_ = keep(name);
  e.hash_ = hash;
  e.name_size_ = static_cast<std::uint16_t>(name.size());
  entries_.push_back(e);
  index_[slot] = static_cast<std::uint32_t>(entries_.size());
  if (entries_.size() * 2 > index_.size()) grow_index();
  return &entries_.back();
}

// The chunk in memory goes to the records file, its sorted hashes to a run; memory starts afresh.
annot::status zip_directory::spill() {
  if (entries_.empty()) return {};
  if (!scratch_) {
    auto s = std::make_unique<scratch>();
    s->dir = scratch_dir_;
    if (annot::status st = s->open(); !st.ok()) return st;
    scratch_ = std::move(s);
  }
  std::vector<run_item> items;
  items.reserve(entries_.size());
  std::string buffer;
  std::uint64_t at = scratch_->records_size;
  for (const entry& e : entries_) {
    items.push_back({hash_(e.name()), spilled_ + items.size(), at});
    const record_header h = header_of(e);
    buffer.append(reinterpret_cast<const char*>(&h), sizeof h);
    buffer.append(e.name());
    at += sizeof h + e.name().size();
    if (buffer.size() >= kIoBlock) {
      if (annot::status st = scratch_->append(scratch_->records, scratch_->records_size, buffer); !st.ok())
        return st;
      buffer.clear();
    }
  }
  if (annot::status st = scratch_->append(scratch_->records, scratch_->records_size, buffer); !st.ok())
    return st;
  std::sort(items.begin(), items.end());
  std::string_view run(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(run_item));
  if (annot::status st = scratch_->append(scratch_->runs, scratch_->runs_size, run); !st.ok()) return st;
  runs_.push_back(static_cast<std::uint32_t>(items.size()));
  spilled_ += items.size();

  entries_.clear();
  blocks_.clear();
  block_used_ = block_size_ = 0;
  std::fill(index_.begin(), index_.end(), 0);
  return {};
}

// Merges the runs (each sorted by hash, then place) to find the names spilled in more than one
// chunk: the first copy's place takes the last copy's fields, the other copies are dropped.
annot::status zip_directory::find_edits(std::vector<edit>& edits) {
  struct cursor {
    std::uint64_t next = 0, end = 0;  // items of the run still in the file
    std::vector<run_item> buffer;
    std::size_t at = 0;
  };
  const std::size_t k = runs_.size();
  // The merge's read buffers together take ~4 MB, whatever the number of runs.
  const std::size_t per_run = std::max<std::size_t>(64, (4u << 20) / sizeof(run_item) / k);
  std::vector<cursor> cursors(k);
  std::uint64_t start = 0;
  for (std::size_t r = 0; r < k; ++r) {
    cursors[r].next = start;
    cursors[r].end = start + runs_[r];
    start += runs_[r];
  }
  auto refill = [&](cursor& c) -> annot::status {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(per_run, c.end - c.next));
    c.buffer.resize(n);
    c.at = 0;
    annot::result<std::size_t> got =
        scratch_->read(scratch_->runs, c.next * sizeof(run_item), reinterpret_cast<char*>(c.buffer.data()),
                       n * sizeof(run_item));
    if (!got.ok()) return got.error();
    if (got.value() != n * sizeof(run_item)) return scratch_->failure("read back", EIO);
    c.next += n;
    return {};
  };
  auto later = [&](std::size_t a, std::size_t b) {
    return cursors[b].buffer[cursors[b].at] < cursors[a].buffer[cursors[a].at];
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heap(later);
  for (std::size_t r = 0; r < k; ++r) {
    if (cursors[r].end == cursors[r].next) continue;
    if (annot::status st = refill(cursors[r]); !st.ok()) return st;
    heap.push(r);
  }

  // Items of equal hash, gathered until the hash changes: names that may be the same.
  std::vector<run_item> group;
  struct named {
    std::string name;
    run_item item;
    record_header h;
  };
  std::vector<named> copies;
  auto resolve = [&]() -> annot::status {
    if (group.size() < 2) return {};
    copies.resize(group.size());
    for (std::size_t i = 0; i < group.size(); ++i) {
      copies[i].item = group[i];
      if (annot::status st = scratch_->read_record(group[i].at, copies[i].h, copies[i].name); !st.ok())
        return st;
    }
    std::sort(copies.begin(), copies.end(), [](const named& a, const named& b) {
      return a.name != b.name ? a.name < b.name : a.item.seq < b.item.seq;
    });
    for (std::size_t i = 0; i < copies.size();) {
      std::size_t j = i + 1;
      while (j < copies.size() && copies[j].name == copies[i].name) ++j;
      if (j - i > 1) {
        edits.push_back({copies[i].item.seq, false, copies[j - 1].h});
        for (std::size_t c = i + 1; c < j; ++c) edits.push_back({copies[c].item.seq, true, {}});
      }
      i = j;
    }
    return {};
  };
  while (!heap.empty()) {
    std::size_t r = heap.top();
    heap.pop();
    cursor& c = cursors[r];
    const run_item item = c.buffer[c.at++];
    if (!group.empty() && group.front().hash != item.hash) {
      if (annot::status st = resolve(); !st.ok()) return st;
      group.clear();
    }
    group.push_back(item);
    if (c.at == c.buffer.size()) {
      if (c.next == c.end) continue;
      if (annot::status st = refill(c); !st.ok()) return st;
    }
    heap.push(r);
  }
  if (annot::status st = resolve(); !st.ok()) return st;
  std::sort(edits.begin(), edits.end(), [](const edit& a, const edit& b) { return a.seq < b.seq; });
  return {};
}

annot::status zip_directory::list_spilled(const std::function<annot::status(const entry&)>& each) {
  std::vector<edit> edits;
  if (annot::status st = find_edits(edits); !st.ok()) return st;
  // The records, read in blocks; a record is whole in the buffer before it is listed.
  std::string buffer(kIoBlock + sizeof(record_header) + kMaxName, '\0');
  std::size_t begin = 0, end = 0;
  std::uint64_t file_at = 0;
  auto have = [&](std::size_t n) -> annot::result<bool> {
    if (end - begin >= n) return true;
    std::memmove(buffer.data(), buffer.data() + begin, end - begin);
    end -= begin;
    begin = 0;
    annot::result<std::size_t> got =
        scratch_->read(scratch_->records, file_at, buffer.data() + end, buffer.size() - end);
    if (!got.ok()) return got.error();
    file_at += got.value();
    end += got.value();
    return end - begin >= n;
  };
  auto next_edit = edits.begin();
  for (std::uint64_t seq = 0; seq < spilled_; ++seq) {
    record_header h;
    annot::result<bool> got = have(sizeof h);
    if (got.ok() && got.value()) {
      std::memcpy(&h, buffer.data() + begin, sizeof h);
      got = have(sizeof h + h.name_size);
    }
    if (!got.ok()) return got.error();
    if (!got.value()) return scratch_->failure("read back", EIO);
    entry e;
    e.name_ = buffer.data() + begin + sizeof h;
    e.name_size_ = h.name_size;
    begin += sizeof h + h.name_size;
    if (next_edit != edits.end() && next_edit->seq == seq) {
      const bool drop = next_edit->drop;
      if (!drop) h = next_edit->h;
      ++next_edit;
      if (drop) continue;
    }
    e.offset = h.offset;
    e.compressed = h.compressed;
    e.size = h.size;
    e.crc = h.crc;
    e.directory = (h.flags & 1) != 0;
    e.stored = (h.flags & 2) != 0;
    if (annot::status st = each(e); !st.ok()) return st;
    ++listed_;
  }
  return {};
}

annot::status zip_directory::list(const std::function<annot::status(const entry&)>& each) {
  listed_ = 0;
  if (runs_.empty()) {
    for (const entry& e : entries_) {
      if (annot::status st = each(e); !st.ok()) return st;
      ++listed_;
    }
    return {};
  }
  if (annot::status st = spill(); !st.ok()) return st;
  return list_spilled(each);
}

}  // namespace annot::host::exporting
