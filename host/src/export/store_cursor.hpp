// annot::task_cursor over a project's tasks in the store: keyset batches read by the store's export
// reader (its own unmapped connection), each serialised to Label Studio's export JSON
// (task_serializer.hpp) into one reused buffer. Memory is one batch, whatever the project's size.
#pragma once

#include <annot/exporter.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "export/task_serializer.hpp"
#include "store/export_reader.hpp"
#include "store/store.hpp"

namespace annot::host::exporting {

struct cursor_options {
  std::int64_t project_id = 0;
  // Label Studio's easy export leaves out tasks without any annotation (cancelled ones count)
  // unless download_all_tasks=true.
  bool only_annotated = true;
  // Only these tasks (ids[]=...), in id order; empty = the whole project.
  std::vector<std::int64_t> ids;
  serialize_options serialize;
  std::int64_t batch = 1000;
  // Set from another thread to stop the export: next() then returns errc::cancelled.
  const std::atomic<bool>* cancelled = nullptr;
  // Called after each batch with the number of tasks handed out so far (this pass).
  std::function<void(std::int64_t)> progress;
};

// Lifetime: must not outlive the store. Threading: one thread at a time (the export's).
class store_cursor final : public annot::task_cursor {
 public:
  store_cursor(store::store& db, cursor_options options);

  annot::result<bool> next(std::string_view& task_json) override;
  annot::status rewind() override;
  std::int64_t size_hint() const noexcept override { return size_hint_; }

  // Tasks handed out in the current pass.
  std::int64_t delivered() const noexcept { return delivered_; }

 private:
  annot::status load_batch();

  store::store& db_;
  cursor_options options_;
  std::int64_t size_hint_ = -1;
  std::int64_t after_inner_id_ = 0;
  std::size_t ids_pos_ = 0;
  bool exhausted_ = false;
  std::unique_ptr<store::export_reader> reader_;  // opened by the first batch
  store::export_batch rows_;                      // reused by every batch
  // The batch's task texts, one after the other, and where each ends.
  std::string texts_;
  std::vector<std::size_t> ends_;
  std::size_t pos_ = 0;
  std::int64_t delivered_ = 0;
  // Users met so far (bounded by the number of users, not tasks).
  std::unordered_map<std::int64_t, std::optional<store::user>> users_;
};

}  // namespace annot::host::exporting
