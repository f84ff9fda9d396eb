// The central directory of a zip archive being written: what the archive's end lists about each
// entry, kept until then.
//
// A YOLO or VOC archive has one entry per task, so this is the part of a zip export that would grow
// with the project. It does not: the entries are gathered in chunks of `chunk_entries` (one
// fixed-size record each, names in a shared arena, an open-addressed index by name: about 70 bytes
// an entry with a 17-byte name), and a full chunk is spilled to an unnamed scratch file. Its names'
// 64-bit hashes are spilled beside it, sorted, one run per chunk. list() then merges the runs to
// find the names written in more than one chunk, and streams the records back in order. A smaller
// archive never touches the disk. Memory holds one chunk, the number of each run, and one edit for
// each entry replaced across chunks (a path written again after more than a chunk of other entries).
//
// Threading: one thread at a time (the zip sink's). Not copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annot/status.hpp"

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
    const char* name_ = nullptr;  // in the directory's arena, or list()'s buffer
    std::uint32_t hash_ = 0;      // the low half of the name's hash
    std::uint16_t name_size_ = 0;
  };
  // The longest name a zip header can hold.
  static constexpr std::size_t kMaxName = 0xFFFF;
  // Entries held in memory before they are spilled: ~5 MB with YOLO's names.
  static constexpr std::size_t kChunkEntries = 65'536;
  using hash_fn = std::uint64_t (*)(std::string_view) noexcept;
  static std::uint64_t default_hash(std::string_view name) noexcept;

  // Scratch files go to `scratch_dir`, or the system's (TMPDIR, else /tmp) when it is empty: created
  // when the first chunk is spilled, unnamed, so nothing is left behind. `hash` is for tests, which
  // need names that collide.
  explicit zip_directory(std::filesystem::path scratch_dir = {}, std::size_t chunk_entries = kChunkEntries,
                         hash_fn hash = default_hash);
  ~zip_directory();
  zip_directory(const zip_directory&) = delete;
  zip_directory& operator=(const zip_directory&) = delete;

  // The entry named `name`, its fields to be filled in: an earlier one of that name is reset (it
  // takes the new entry's fields, and keeps its place in the listing), else a new one is appended.
  // `name` is at most kMaxName bytes (the caller checks). The entry is valid until the next put().
  // An error when a full chunk could not be spilled (disk full): the directory is then unusable.
  annot::result<entry*> put(std::string_view name);
  // Calls `each` on every entry in the order first put, each path once with its last fields, until
  // it returns an error; once, after the last put(). The entry is valid during the call.
  annot::status list(const std::function<annot::status(const entry&)>& each);
  // The entries list() gave.
  std::size_t size() const noexcept { return listed_; }
  // Chunks spilled so far.
  std::size_t spilled_chunks() const noexcept { return runs_.size(); }

 private:
  struct scratch;  // the spill files
  struct edit;     // an entry replaced across chunks: dropped, or given a later copy's fields
  const char* keep(std::string_view name);
  void grow_index();
  std::size_t slot_of(std::string_view name, std::uint32_t hash) const noexcept;
  annot::status spill();
  annot::status find_edits(std::vector<edit>& edits);
  annot::status list_spilled(const std::function<annot::status(const entry&)>& each);

  std::filesystem::path scratch_dir_;
  std::size_t chunk_entries_;
  hash_fn hash_;
  // The chunk in memory.
  std::deque<entry> entries_;
  // Names, one after another, in blocks that are never moved (a name never spans two).
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_at_ = 0;  // the block being filled
  std::size_t block_used_ = 0, block_size_ = 0;
  // Open addressing, linear probing: entry index + 1 per slot, 0 for an empty one; at most half full.
  std::vector<std::uint32_t> index_;
  // Spilled: the entries before the chunk in memory, and the number of entries in each run.
  std::uint64_t spilled_ = 0;
  std::vector<std::uint32_t> runs_;
  std::unique_ptr<scratch> scratch_;
  std::size_t listed_ = 0;
};

}  // namespace annot::host::exporting
