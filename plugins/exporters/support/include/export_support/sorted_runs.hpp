// Fixed-size records, each led by a 64-bit key, kept in sorted runs in anonymous temporary files: where
// path_hashes puts the paths it can no longer hold in memory, so that an export's memory stays the same
// however many paths it writes.
//
// A run is added sorted by key, no key twice, and is newer than the runs before it: find() answers with
// the newest record of a key. Runs are merged as a binary counter does (two runs of the same level become
// one of the next), so a million runs' worth of records is ~20 runs, and a lookup reads one block of at
// most 256 records from each. In memory: the first key of each block (8 bytes per 256 records) and, while
// a merge runs, its buffers.
// Its files are scratch files (scratch_file.hpp), whose errors throw std::runtime_error. Owned by one exporter run; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "export_support/scratch_file.hpp"

namespace annot::plugins::export_support {

class sorted_runs {
 public:
  // `record_size`: bytes of a record, at least 8; its first 8 bytes are its key (host byte order).
  explicit sorted_runs(std::size_t record_size);

  // Adds `count` records from `records` (sorted by key, each key once) as the newest run.
  void add(const void* records, std::size_t count);
  // Copies the newest record whose key is `key` into `to` (record_size bytes); false when none has it.
  bool find(std::uint64_t key, void* to);
  // How many runs the records are in now (for tests).
  std::size_t runs() const noexcept { return runs_.size(); }

 private:
  struct run {
    scratch_file file{nullptr, &std::fclose};
    std::size_t count = 0;
    std::vector<std::uint64_t> block_keys;  // the key of records 0, 256, 512, ...
    unsigned level = 0;
  };
  class reader;

  static constexpr std::size_t block_records = 256;
  std::uint64_t key_at(const char* record) const noexcept;
  run new_run() const;
  void append(run& r, const char* records, std::size_t count) const;
  void merge_last_two();

  std::size_t record_size_;
  std::vector<run> runs_;  // oldest first
  std::vector<char> block_;
};

}  // namespace annot::plugins::export_support
