// The paths an export has written (YOLO's label files, the images copied into COCO/YOLO/VOC), kept as
// 64-bit hashes of their names: a few bytes a path rather than a node and two strings (~250 bytes an
// image as a map of names).
//
// Value is what is recorded of each path's content: `no_content` (8 bytes a path) or a 64-bit hash
// of it (std::uint64_t, 16 bytes). Two names whose hashes collide (about one chance in 4 * 10^7 among a
// million paths) count as one path: the caller decides what that may cost (see its uses).
//
// Memory does not grow with the paths: at most `paths_in_memory` of them (65,536 by default: 1-2 MB) are
// held in memory; beyond that they go to sorted runs in temporary files (sorted_runs.hpp), and a lookup
// that misses memory reads a block from each run (about log2(paths / paths_in_memory) of them).
//
// add() only appends until the first lookup (most YOLO exports never look one up): a table from the
// start cost a cache miss per path (~130 ns, 3 ms of a 20,000-file export). The first exchange()
// moves them into an open-addressing table, at most half full, that later paths go into directly.
// Errors of the temporary files throw std::runtime_error (guarded() reports them).
// Threading: one object per export run, used from run()'s thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "export_support/sorted_runs.hpp"

namespace annot::plugins::export_support {

struct no_content {
  friend bool operator==(no_content, no_content) { return true; }
};

template <class Value>
class path_hashes {
 public:
  explicit path_hashes(std::size_t paths_in_memory = std::size_t{1} << 16)
      : limit_(std::max<std::size_t>(paths_in_memory, 1)), runs_(sizeof(slot)) {}

  // Records `path` as holding `content`, replacing what was recorded of it, without looking it up.
  void add(std::string_view path, Value content = {}) {
    const slot s{hash(path), content};
    if (slots_.empty()) {
      pending_.push_back(s);
      if (pending_.size() >= limit_) spill_pending();
      return;
    }
    bool inserted = false;
    locate(s.key, inserted).content = content;
    if (inserted) after_insert();
  }
  // Records `path` as holding `content`; returns what was recorded of it before, nullopt when nothing.
  std::optional<Value> exchange(std::string_view path, Value content = {}) {
    if (slots_.empty()) {
      rehash(pending_.size() + 1);
      for (const slot& p : pending_) {
        bool inserted = false;
        locate(p.key, inserted).content = p.content;
      }
      pending_ = {};
    }
    const std::uint64_t key = hash(path);
    bool inserted = false;
    slot& at = locate(key, inserted);
    std::optional<Value> before;
    if (!inserted) {
      before = at.content;
    } else if (slot spilled; runs_.runs() > 0 && runs_.find(key, &spilled)) {
      before = spilled.content;
    }
    at.content = content;
    if (inserted) after_insert();
    return before;
  }
  // How many temporary runs hold the paths beyond memory (for tests).
  std::size_t runs_on_disk() const noexcept { return runs_.runs(); }

 private:
  struct slot {
    std::uint64_t key = 0;  // the name's hash with the top bit set; 0: a free slot
    [[no_unique_address]] Value content{};
  };
  static_assert(sizeof(slot) == (std::is_empty_v<Value> ? 8 : 16), "no_content takes no room");
  static_assert(std::is_trivially_copyable_v<slot>, "slots are written to the runs as bytes");
  static std::uint64_t hash(std::string_view path) {
    return std::uint64_t{std::hash<std::string_view>{}(path)} | (std::uint64_t{1} << 63);
  }
  static bool by_key(const slot& a, const slot& b) { return a.key < b.key; }

  // The table's slot of `key`, taken for it (key set, content left as it was) when it had none.
  slot& locate(std::uint64_t key, bool& inserted) {
    if (2 * (size_ + 1) > slots_.size()) rehash(size_ + 1);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(key) & mask;; i = (i + 1) & mask) {
      slot& at = slots_[i];
      if (at.key == key) return at;
      if (at.key == 0) {
        at.key = key;
        ++size_;
        inserted = true;
        return at;
      }
    }
  }
  // A full table goes to a run: its paths are packed at its front, sorted, written, and cleared.
  void after_insert() {
    if (size_ < limit_) return;
    const auto end = std::remove_if(slots_.begin(), slots_.end(), [](const slot& s) { return s.key == 0; });
    std::sort(slots_.begin(), end, by_key);
    runs_.add(slots_.data(), static_cast<std::size_t>(end - slots_.begin()));
    std::fill(slots_.begin(), slots_.end(), slot{});
    size_ = 0;
  }
  // The paths added since the last run, sorted, the last record of each path kept.
  void spill_pending() {
    std::vector<slot> sorted(pending_.begin(), pending_.end());
    pending_ = {};
    std::stable_sort(sorted.begin(), sorted.end(), by_key);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i + 1 < sorted.size() && sorted[i + 1].key == sorted[i].key) continue;
      sorted[kept++] = sorted[i];
    }
    runs_.add(sorted.data(), kept);
  }
  // At least twice `n` slots (a power of two), the table's paths moved over.
  void rehash(std::size_t n) {
    std::size_t count = 1024;
    while (count < 2 * n) count *= 2;
    std::vector<slot> old(count);
    old.swap(slots_);
    size_ = 0;
    for (const slot& s : old)
      if (s.key) {
        bool inserted = false;
        locate(s.key, inserted).content = s.content;
      }
  }

  std::size_t limit_;  // paths held in memory at most
  // Before the first lookup; a deque grows without copying (a vector's doubling held 1.5x its
  // paths twice).
  std::deque<slot> pending_;
  std::vector<slot> slots_;  // after it
  std::size_t size_ = 0;     // paths in slots_
  sorted_runs runs_;         // the paths beyond memory
};

}  // namespace annot::plugins::export_support
