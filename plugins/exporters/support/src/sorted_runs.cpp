// sorted_runs: path_hashes' records beyond what it keeps in memory.
#include "export_support/sorted_runs.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace annot::plugins::export_support {
namespace {

// Reads exactly n bytes at `offset` (the runs are only read where they were written).
void read_at(FILE* file, char* to, std::size_t n, std::size_t offset) {
  const int fd = fileno(file);
  while (n > 0) {
    const ssize_t got = ::pread(fd, to, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got == 0) errno = EIO;  // the run is shorter than written
    if (got <= 0) scratch_file_failed("read");
    to += got;
    n -= static_cast<std::size_t>(got);
    offset += static_cast<std::size_t>(got);
  }
}

}  // namespace

// A run's records in order, read a few thousand at a time (a merge's input).
class sorted_runs::reader {
 public:
  reader(const run& r, std::size_t record_size)
      : run_(r), size_(record_size), buffer_(record_size * buffered) {
    fill();
  }
  // The current record; nullptr past the last.
  const char* current() const noexcept { return at_ < have_ ? buffer_.data() + at_ * size_ : nullptr; }
  void next() {
    if (++at_ == have_) fill();
  }

 private:
  static constexpr std::size_t buffered = 4096;
  void fill() {
    at_ = 0;
    have_ = std::min(buffered, run_.count - start_);
    if (have_ > 0) read_at(run_.file.get(), buffer_.data(), have_ * size_, start_ * size_);
    start_ += have_;
  }

  const run& run_;
  std::size_t size_;
  std::vector<char> buffer_;
  std::size_t start_ = 0;  // the first record not yet buffered
  std::size_t have_ = 0, at_ = 0;
};

sorted_runs::sorted_runs(std::size_t record_size) : record_size_(std::max<std::size_t>(record_size, 8)) {}

std::uint64_t sorted_runs::key_at(const char* record) const noexcept {
  std::uint64_t key;
  std::memcpy(&key, record, sizeof key);
  return key;
}

sorted_runs::run sorted_runs::new_run() const {
  run r;
  r.file = open_scratch_file();
  return r;
}

void sorted_runs::append(run& r, const char* records, std::size_t count) const {
  for (std::size_t i = (block_records - r.count % block_records) % block_records; i < count;
       i += block_records)
    r.block_keys.push_back(key_at(records + i * record_size_));
  if (std::fwrite(records, record_size_, count, r.file.get()) != count) scratch_file_failed("write");
  r.count += count;
}

void sorted_runs::add(const void* records, std::size_t count) {
  if (count == 0) return;
  run r = new_run();
  append(r, static_cast<const char*>(records), count);
  if (std::fflush(r.file.get()) != 0) scratch_file_failed("write");
  runs_.push_back(std::move(r));
  while (runs_.size() >= 2 && runs_[runs_.size() - 1].level == runs_[runs_.size() - 2].level)
    merge_last_two();
}

// The two newest runs become one a level up; where both hold a key, the newer one's record is kept.
void sorted_runs::merge_last_two() {
  const run& older = runs_[runs_.size() - 2];
  const run& newer = runs_.back();
  run merged = new_run();
  merged.level = newer.level + 1;
  std::vector<char> out;
  out.reserve(record_size_ * 4096);
  const auto put = [&](const char* record) {
    out.insert(out.end(), record, record + record_size_);
    if (out.size() == out.capacity()) {
      append(merged, out.data(), out.size() / record_size_);
      out.clear();
    }
  };
  {
    reader a(older, record_size_), b(newer, record_size_);
    for (const char *x = a.current(), *y = b.current(); x || y; x = a.current(), y = b.current()) {
      if (!y || (x && key_at(x) < key_at(y))) {
        put(x);
        a.next();
        continue;
      }
      if (x && key_at(x) == key_at(y)) a.next();
      put(y);
      b.next();
    }
  }
  append(merged, out.data(), out.size() / record_size_);
  if (std::fflush(merged.file.get()) != 0) scratch_file_failed("write");
  runs_.pop_back();
  runs_.back() = std::move(merged);
}

bool sorted_runs::find(std::uint64_t key, void* to) {
  for (auto r = runs_.rbegin(); r != runs_.rend(); ++r) {
    const auto block = std::upper_bound(r->block_keys.begin(), r->block_keys.end(), key);
    if (block == r->block_keys.begin()) continue;  // below the run's first key
    const std::size_t first = static_cast<std::size_t>(block - r->block_keys.begin() - 1) * block_records;
    const std::size_t n = std::min(block_records, r->count - first);
    block_.resize(n * record_size_);
    read_at(r->file.get(), block_.data(), block_.size(), first * record_size_);
    std::size_t lo = 0, hi = n;  // the first record whose key is not below `key`
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (key_at(block_.data() + mid * record_size_) < key)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < n && key_at(block_.data() + lo * record_size_) == key) {
      std::memcpy(to, block_.data() + lo * record_size_, record_size_);
      return true;
    }
  }
  return false;
}

}  // namespace annot::plugins::export_support
