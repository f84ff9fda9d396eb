// The central directory of a zip archive being written: what the archive's end lists about each
// entry, kept until then, and an index of the entries by name.
//
// A YOLO or VOC archive has one entry per task, so this is the part of a zip export that grows with
// the project. An entry takes one fixed-size record (its name in a shared arena) and one slot of an
// open-addressed index: about 70 bytes with a 17-byte name, against ~215 with a std::string per
// record and a std::map of names (200,000 YOLO tasks: 67 MB peak for the zip, 24 MB for a folder;
// bench/export/README.md, session 53). Records are never moved once made (a deque), so no growth
// holds two copies of them.
//
// Threading: one thread at a time (the zip sink's). Not copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

namespace annot::host::exporting {

class zip_directory {
 public:
  struct entry {
    std::uint64_t offset = 0;  // of its local header in the archive
    std::uint64_t compressed = 0, size = 0;
    std::uint32_t crc = 0;
    bool directory = false;
    bool stored = false;  // kept as it is, its sums in its local header
    std::string_view name() const noexcept { return {name_, name_size_}; }

   private:
    friend class zip_directory;
    const char* name_ = nullptr;  // in the directory's arena
    std::uint32_t hash_ = 0;
    std::uint16_t name_size_ = 0;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // The longest name a zip header can hold.
  static constexpr std::size_t kMaxName = 0xFFFF;

  zip_directory();
  zip_directory(const zip_directory&) = delete;
  zip_directory& operator=(const zip_directory&) = delete;

  // The index of the entry named `name`, or npos.
  std::size_t find(std::string_view name) const noexcept;
  // The entry named `name`: an earlier one of that name is reset (it takes the new entry's fields,
  // and keeps its place in the listing), else a new one is appended. `name` is at most kMaxName
  // bytes (the caller checks). Returns its index.
  std::size_t put(std::string_view name);
  entry& operator[](std::size_t i) noexcept { return entries_[i]; }
  const entry& operator[](std::size_t i) const noexcept { return entries_[i]; }
  std::size_t size() const noexcept { return entries_.size(); }
  // In the order the entries were first put.
  auto begin() const noexcept { return entries_.begin(); }
  auto end() const noexcept { return entries_.end(); }

 private:
  const char* keep(std::string_view name);
  void grow_index();
  std::size_t slot_of(std::string_view name, std::uint32_t hash) const noexcept;

  std::deque<entry> entries_;
  // Names, one after another, in blocks that are never moved (a name never spans two).
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0, block_size_ = 0;
  // Open addressing, linear probing: entry index + 1 per slot, 0 for an empty one; at most half full.
  std::vector<std::uint32_t> index_;
};

}  // namespace annot::host::exporting
