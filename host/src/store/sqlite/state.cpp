// The data manager's position cache: compressed ordered ids per query, LRU-bounded by id count.
#include "store/sqlite/state.hpp"

namespace annot::host::store::sqlite {

std::shared_ptr<cached_selection> cached_selection::encode(const std::vector<std::int64_t>& ordered) {
  auto c = std::make_shared<cached_selection>();
  c->bytes.reserve(ordered.size() * 2);
  c->checkpoints.reserve(ordered.size() / stride + 1);
  std::int64_t prev = 0;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    if (i % stride == 0) {
      c->checkpoints.push_back(static_cast<std::uint32_t>(c->bytes.size()));
      prev = 0;  // each checkpoint starts from an absolute value
    }
    std::int64_t d = ordered[i] - prev;
    prev = ordered[i];
    std::uint64_t z = (static_cast<std::uint64_t>(d) << 1) ^ static_cast<std::uint64_t>(d >> 63);
    while (z >= 0x80) {
      c->bytes.push_back(static_cast<std::uint8_t>(z | 0x80));
      z >>= 7;
    }
    c->bytes.push_back(static_cast<std::uint8_t>(z));
  }
  c->total = static_cast<std::int64_t>(ordered.size());
  c->bytes.shrink_to_fit();
  return c;
}

void cached_selection::decode(std::size_t from, std::size_t n, std::vector<std::int64_t>& out) const {
  std::size_t end = std::min<std::size_t>(static_cast<std::size_t>(total), from + n);
  if (from >= end) return;
  std::size_t i = (from / stride) * stride;
  std::size_t pos = checkpoints[from / stride];
  std::int64_t prev = 0;
  for (; i < end; ++i) {
    if (i % stride == 0) prev = 0;
    std::uint64_t z = 0;
    int shift = 0;
    std::uint8_t b;
    do {
      b = bytes[pos++];
      z |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    std::int64_t d = static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
    prev += d;
    if (i >= from) out.push_back(prev);
  }
}

std::shared_ptr<const cached_selection> query_cache::find(
    const std::string& key, const std::function<bool(const cached_selection&)>& valid) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  auto entry = it->second->second;
  if (!valid(*entry)) {
    ids_ -= static_cast<std::size_t>(entry->total);
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return entry;
}

void query_cache::put(const std::string& key, std::shared_ptr<const cached_selection> entry) {
  std::lock_guard lock(mutex_);
  if (static_cast<std::size_t>(entry->total) > max_ids_) return;  // would evict everything else
  if (auto it = index_.find(key); it != index_.end()) {
    ids_ -= static_cast<std::size_t>(it->second->second->total);
    lru_.erase(it->second);
    index_.erase(it);
  }
  ids_ += static_cast<std::size_t>(entry->total);
  lru_.emplace_front(key, std::move(entry));
  index_[key] = lru_.begin();
  while (ids_ > max_ids_ && !lru_.empty()) {
    ids_ -= static_cast<std::size_t>(lru_.back().second->total);
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace annot::host::store::sqlite
