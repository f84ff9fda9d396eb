#include "export/zip_directory.hpp"

#include <cstring>
#include <functional>
#include <stdexcept>

namespace annot::host::exporting {

namespace {

constexpr std::size_t kBlock = 256 * 1024;  // names per block: ~15,000 YOLO entries

std::uint32_t hash_of(std::string_view name) noexcept {
  std::size_t h = std::hash<std::string_view>{}(name);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

}  // namespace

zip_directory::zip_directory() : index_(1024, 0) {}

std::size_t zip_directory::slot_of(std::string_view name, std::uint32_t hash) const noexcept {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
    std::uint32_t at = index_[s];
    if (at == 0) return s;
    const entry& e = entries_[at - 1];
    if (e.hash_ == hash && e.name() == name) return s;
  }
}

std::size_t zip_directory::find(std::string_view name) const noexcept {
  std::uint32_t at = index_[slot_of(name, hash_of(name))];
  return at == 0 ? npos : at - 1;
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

std::size_t zip_directory::put(std::string_view name) {
  const std::uint32_t hash = hash_of(name);
  std::size_t slot = slot_of(name, hash);
  if (std::uint32_t at = index_[slot]; at != 0) {
    entry& e = entries_[at - 1];
    const char* kept = e.name_;
    e = entry{};
    e.name_ = kept;
    e.hash_ = hash;
    e.name_size_ = static_cast<std::uint16_t>(name.size());
    return at - 1;
  }
  // Slots hold index + 1 in 32 bits.
  if (entries_.size() >= 0xFFFFFFFEu) throw std::length_error("a zip archive of more than 4 billion entries");
  entry e;
  e.name_ = keep(name);
  e.hash_ = hash;
  e.name_size_ = static_cast<std::uint16_t>(name.size());
  entries_.push_back(e);
  index_[slot] = static_cast<std::uint32_t>(entries_.size());
  if (entries_.size() * 2 > index_.size()) grow_index();
  return entries_.size() - 1;
}

}  // namespace annot::host::exporting
