// Reading a project for an export: keyset batches of tasks with their annotations, drafts and
// predictions, on a connection of the export's own that does not map the database into memory.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace annot::host::store {

// What a batch holds besides its tasks and their annotations.
enum class export_rows {
  full,             // drafts, predictions and upload names too: Label Studio's whole task JSON
  annotations_only  // none of them, and of tasks and annotations only the columns an items export
                    // writes (id, data; the item fields): the other members are reset, strings emptied.
                    // What a format declaring export_task_content::items reads.
};

// One batch. Each read refills the vectors in place, so their elements' strings keep their
// capacity: an export allocates for its first batches only.
struct export_batch {
  std::vector<task> tasks;              // in inner id (= id) order
  std::vector<annotation> annotations;  // of those tasks, by task then id
  std::vector<draft> drafts;            // of those tasks, by task then id (none: annotations_only)
  std::vector<prediction> predictions;  // of those tasks, by task then id (none: annotations_only)
  // (file upload id, file) of the tasks that have one, by id (none: annotations_only).
  std::vector<std::pair<std::int64_t, std::string>> upload_names;
  // read_after: the inner id its scan reached (the next read starts after it), and whether the
  // project may have tasks after it.
  std::int64_t scanned_to = 0;
  bool more = false;
};

// Lifetime: must not outlive its store. Threading: one thread at a time. Each read is one
// snapshot; nothing is held between reads (a slow consumer does not pin the WAL).
class export_reader {
 public:
  virtual ~export_reader() = default;

  // The visible tasks among the project's next `limit` tasks whose inner id is above
  // `after_inner_id`; with `only_annotated`, only those with at least one annotation (cancelled
  // ones count). A batch may so hold fewer than `limit` tasks, or none, with more to come:
  // out.more says whether to read again, from out.scanned_to.
  virtual status read_after(std::int64_t project_id, std::int64_t after_inner_id, std::int64_t limit,
                            bool only_annotated, export_batch& out) = 0;

  // These tasks (ascending ids) that are visible and belong to the project.
  virtual status read_ids(std::int64_t project_id, std::span<const std::int64_t> ids, export_batch& out) = 0;
};

// Opens an export reader on `s`: a connection of its own without `PRAGMA mmap_size`, so that
// exporting 200,000 tasks does not count the database file in the process's resident memory (the
// shared readers map it). unsupported for an engine without one.
result<std::unique_ptr<export_reader>> open_export_reader(store& s, export_rows rows = export_rows::full);

}  // namespace annot::host::store
