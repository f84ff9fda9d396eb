// The paths an export has written (YOLO's label files, the images copied into COCO/YOLO/VOC), kept as
// 64-bit hashes of their names: the part of those exports that grows with the project, so a few
// bytes a path rather than a node and two strings (~250 bytes an image as a map of names).
//
// Value is what is recorded of each path's content: `no_content` (8 bytes a path) or a 64-bit hash
// of it (std::uint64_t, 16 bytes). Two names whose hashes collide (about one chance in 4 * 10^7 among a
// million paths) count as one path: the caller decides what that may cost (see its uses).
//
// add() only appends until the first lookup (most YOLO exports never look one up): a table from the
// start cost a cache miss per path (~130 ns, 3 ms of a 20,000-file export). The first exchange()
// moves them into an open-addressing table, at most half full, that later paths go into directly.
// Threading: one object per export run, used from run()'s thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

namespace annot::plugins::export_support {

struct no_content {
  friend bool operator==(no_content, no_content) { return true; }
};

template <class Value>
class path_hashes {
 public:
  // Records `path` as holding `content`, replacing what was recorded of it, without looking it up.
  void add(std::string_view path, Value content = {}) {
    const slot s{hash(path), content};
    if (slots_.empty())
      pending_.push_back(s);
    else
      put(s);
  }
  // Records `path` as holding `content`; returns what was recorded of it before, nullopt when nothing.
  std::optional<Value> exchange(std::string_view path, Value content = {}) {
    if (slots_.empty()) {
      rehash(pending_.size() + 1);
      for (const slot& p : pending_) put(p);
      pending_ = {};
    }
    return put({hash(path), content});
  }

 private:
  struct slot {
    std::uint64_t key = 0;  // the name's hash with the top bit set; 0: a free slot
    [[no_unique_address]] Value content{};
  };
  static_assert(sizeof(slot) == (std::is_empty_v<Value> ? 8 : 16), "no_content takes no room");
  static std::uint64_t hash(std::string_view path) {
    return std::uint64_t{std::hash<std::string_view>{}(path)} | (std::uint64_t{1} << 63);
  }
  std::optional<Value> put(const slot& s) {
    if (2 * (size_ + 1) > slots_.size()) rehash(size_ + 1);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(s.key) & mask;; i = (i + 1) & mask) {
      slot& at = slots_[i];
      if (at.key == s.key) {
        const Value before = at.content;
        at.content = s.content;
        return before;
      }
      if (at.key == 0) {
        at = s;
        ++size_;
        return std::nullopt;
      }
    }
  }
  // At least twice `n` slots (a power of two), the table's paths moved over.
  void rehash(std::size_t n) {
    std::size_t count = 1024;
    while (count < 2 * n) count *= 2;
    std::vector<slot> old(count);
    old.swap(slots_);
    size_ = 0;
    for (const slot& s : old)
      if (s.key) put(s);
  }

  // Before the first lookup; a deque grows without copying (a vector's doubling held 1.5x its
  // paths twice).
  std::deque<slot> pending_;
  std::vector<slot> slots_;  // after it
  std::size_t size_ = 0;     // paths in slots_
};

}  // namespace annot::plugins::export_support
