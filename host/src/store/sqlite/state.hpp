// State shared by the engine's connections: per-project write generations (which invalidate the
// data manager's cached totals and page positions) and the cache itself.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sqlite/config_texts.hpp"
#include "store/sqlite/import_locks.hpp"
#include "store/store.hpp"

namespace annot::host::store::sqlite {

// A selection's ordered task ids, compressed (zigzag deltas as varints: 1-2 bytes per id for the
// usual id orderings), with a byte offset every `stride` ids so that any page decodes in O(page).
struct cached_selection {
  static constexpr std::size_t stride = 64;
  std::int64_t project_id = 0;
  std::uint64_t tag = 0;  // the epoch its snapshot is at least as new as
  std::int64_t total = 0;
  std::int64_t sum_annotations = 0;
  std::int64_t sum_predictions = 0;
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint32_t> checkpoints;

  static std::shared_ptr<cached_selection> encode(const std::vector<std::int64_t>& ordered);
  // Appends ids [from, from + n) (clamped to total) to `out`.
  void decode(std::size_t from, std::size_t n, std::vector<std::int64_t>& out) const;
};

class query_cache {
 public:
  explicit query_cache(std::size_t max_ids) : max_ids_(max_ids) {}
  // The entry for `key` when it is still valid for its project, else nullptr (and drops it).
  std::shared_ptr<const cached_selection> find(const std::string& key,
                                               const std::function<bool(const cached_selection&)>& valid);
  void put(const std::string& key, std::shared_ptr<const cached_selection> entry);

 private:
  using lru_list = std::list<std::pair<std::string, std::shared_ptr<const cached_selection>>>;
  std::mutex mutex_;
  lru_list lru_;  // most recent first
  std::unordered_map<std::string, lru_list::iterator> index_;
  std::size_t ids_ = 0;
  std::size_t max_ids_;
};

class engine_state {
 public:
  explicit engine_state(const store_options& o) : options(o), cache(o.query_cache_ids) {}

  // ---- generations ------------------------------------------------------------------------------
  // Readers capture the epoch when a lease starts (before their snapshot); the writer bumps the
  // generation of every project a batch touched, once before COMMIT and once after, so that an
  // entry is only trusted while no write to its project committed after its snapshot began.
  std::uint64_t epoch() const noexcept { return epoch_.load(std::memory_order_acquire); }
  void bump(std::int64_t project_id) noexcept {
    auto e = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
    slot(project_id).store(e, std::memory_order_release);
  }
  bool fresh(std::int64_t project_id, std::uint64_t tag) const noexcept {
    return slot(project_id).load(std::memory_order_acquire) <= tag;
  }
  // Credentials: bumped like a project's generation (before and after the commit) by every batch
  // that changed users or tokens, so a cached token lookup is trusted only while it stays equal.
  std::uint64_t auth_generation() const noexcept { return auth_generation_.load(std::memory_order_acquire); }
  void bump_auth() noexcept { auth_generation_.fetch_add(1, std::memory_order_acq_rel); }

  const store_options options;
  query_cache cache;
  config_text_cache config_texts;
  std::atomic<std::uint64_t> cache_hits{0}, cache_misses{0};

  // The imports this process runs, locked against being taken for interrupted (import_locks.hpp); set
  // by a writing store before its first unit, null in a read-only one.
  import_locks* imports = nullptr;

  // Readers ask the engine to build a data-key index this way (set by the engine; thread-safe).
  std::function<void(std::int64_t project_id, std::string key)> request_index;

  // ---- the writer's bookkeeping (writer thread only) ----------------------------------------------
  struct effects {
    std::vector<std::int64_t> touched;  // projects whose visible tasks changed
    std::vector<std::pair<std::int64_t, std::string>> index_requests;
    std::vector<std::int64_t> ended_imports;  // published or failed: their locks go after the commit
    bool purge = false;  // rows to remove in the background (failed import, deleted project)
    bool auth = false;   // users or tokens changed
    void clear() {
      touched.clear();
      index_requests.clear();
      ended_imports.clear();
      purge = false;
      auth = false;
    }
  };
  effects unit;   // the running unit's; merged into `batch` when the unit succeeds
  effects batch;  // the running transaction's

 private:
  std::atomic<std::uint64_t>& slot(std::int64_t p) const noexcept {
    return slots_[static_cast<std::uint64_t>(p) % slots_.size()];
  }
  std::atomic<std::uint64_t> epoch_{1};
  std::atomic<std::uint64_t> auth_generation_{1};
  mutable std::array<std::atomic<std::uint64_t>, 4096> slots_{};
};

}  // namespace annot::host::store::sqlite
