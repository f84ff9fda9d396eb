// The texts of projects' labeling configs kept in memory by config_version (migration 0012), so that a
// project read (every annotation saved, every task page) does not read a config of thousands of labels
// (megabytes of overflow pages, read again after every commit) while it has not changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace annot::host::store::sqlite {

struct config_texts {
  std::string version;  // projects.config_version: random, new with every write of the three texts
  std::string label_config;
  std::string parsed_label_config;
  std::string control_weights;

  std::size_t bytes() const noexcept {
    return version.size() + label_config.size() + parsed_label_config.size() + control_weights.size();
  }
};

// Threading: safe from any thread (one mutex; the texts are shared, never changed once put).
// A version names one set of texts for good (a rolled-back write's version is never written again), so
// an entry is right for whoever reads that version, in any transaction or process.
// Memory: one entry per project read, all dropped when they would pass kMaxBytes.
class config_text_cache {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{64} << 20;

  std::shared_ptr<const config_texts> find(std::int64_t project_id, std::string_view version) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(project_id);
    if (it == entries_.end() || it->second->version != version) return nullptr;
    return it->second;
  }

  void put(std::int64_t project_id, std::shared_ptr<const config_texts> texts) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(project_id); it != entries_.end()) {
      bytes_ -= it->second->bytes();
      entries_.erase(it);
    }
    if (bytes_ + texts->bytes() > kMaxBytes) {
      entries_.clear();
      bytes_ = 0;
    }
    bytes_ += texts->bytes();
    entries_.emplace(project_id, std::move(texts));
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<const config_texts>> entries_;
  std::size_t bytes_ = 0;
};

}  // namespace annot::host::store::sqlite
