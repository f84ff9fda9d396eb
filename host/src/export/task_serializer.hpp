// Store rows -> Label Studio's export JSON of one task (label-studio-formats §2.5), the text every
// exporter plugin reads from the cursor. Payloads (data, meta, results) are spliced unparsed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "store/model.hpp"

namespace annot::host::exporting {

struct serialize_options {
  // completed_by as {id, email, first_name, last_name} instead of the user id (stored exports with
  // annotations__completed_by.only_id = false).
  bool expand_completed_by = false;
  // Predictions as full objects instead of their ids (stored exports, predictions.only_id = false).
  bool full_predictions = false;
  // Drafts as full objects (the easy export does), or their ids.
  bool full_drafts = true;
};

// What the serializer needs besides the rows: users by id (for expanded completed_by) and file
// upload names. Each returns nullptr / nullopt when unknown.
struct serialize_lookups {
  std::function<const store::user*(std::int64_t)> user;
  std::function<std::optional<std::string>(std::int64_t)> file_upload_name;
};

// Appends the task's export JSON to `out`. `annotations`, `drafts` and `predictions` are the task's
// own rows, in id order.
void append_task_json(std::string& out, const store::task& t, std::span<const store::annotation> annotations,
                      std::span<const store::draft> drafts, std::span<const store::prediction> predictions,
                      const serialize_options& options, const serialize_lookups& lookups);

}  // namespace annot::host::exporting
