// A value derived from a project's labeling config (its compiled model, the export's parsed config),
// kept per project and derived again when the config text changes. Compiling a config of 20,000 labels
// takes ~15 ms, and a page of the UI asks the derived values several times. The project's
// config_version (store::project) names its texts, so an equal version is a hit without comparing
// the text (~0.5 MB for 20,000 labels); a project without one is compared by its text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace annot::host::util {

// Threading: get() is safe from any thread at once; `derive` runs outside the lock, so two threads
// may derive the same value once each, harmlessly. Memory: one entry per project asked for (a copy of
// its config text and the value), all dropped when kMaxEntries is reached.
template <class T>
class per_config_cache {
 public:
  static constexpr std::size_t kMaxEntries = 256;

  // The value kept for this project and config text, else derive() -> std::shared_ptr<const T>,
  // kept. derive must depend on nothing else of the project that can change without its config text.
  // `config_version` is the project's as read from the store ("" when it has none).
  template <class Derive>
  std::shared_ptr<const T> get(std::int64_t project_id, const std::string& config_version,
                               const std::string& label_config, Derive&& derive) {
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(project_id);
      if (it != entries_.end()) {
        if (!config_version.empty() && it->second.version == config_version) return it->second.value;
        if (it->second.text == label_config) {
          it->second.version = config_version;  // the same text written again: compared once
          return it->second.value;
        }
      }
    }
    std::shared_ptr<const T> value = derive();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries && !entries_.contains(project_id)) entries_.clear();
    entries_[project_id] = entry{config_version, label_config, value};
    return value;
  }

 private:
  struct entry {
    std::string version;
    std::string text;
    std::shared_ptr<const T> value;
  };
  std::mutex mutex_;
  std::unordered_map<std::int64_t, entry> entries_;
};

}  // namespace annot::host::util
