// From tasks to "items" (spec §1.4): one item per live annotation, newest first, with results
// grouped by control name. Shared by every format except JSON.
#pragma once

#include <annot/exporter.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "export_support/json_text.hpp"
#include "export_support/schema.hpp"

namespace annot::plugins::export_support {

// One row / image / block of output. `input`, `completed_by`... point into the task document the
// item was expanded from; keep that document alive while using the item.
struct item {
  std::int64_t task_id = 0;
  const json* task = nullptr;          // the whole task
  const json* input = nullptr;         // task["data"] (an empty object when absent)
  const json* annotation = nullptr;    // nullptr for a task with `annotations: []`
  // {from_name: [value dicts]}: each value a copy of the result's value with "type" set to the
  // schema tag type and original_width/original_height copied from the result when present.
  json output = json::object();
  // The annotation's fields (null when there is no annotation; completed_by is {} then).
  json completed_by = json::object();
  json annotation_id;
  json created_at;
  json updated_at;
  json lead_time;
  json history;
  bool has_agreement = false;
  json agreement;
};

// What expand() found beyond its items.
enum class task_fate {
  items,            // one or more items
  no_annotations_key, // dropped with a warning (no `annotations` nor `completions`)
  all_cancelled,    // every annotation cancelled: dropped silently, as upstream
  not_a_task        // not a JSON object
};

// Expands one task into `out` (cleared first). Missing created_at sorts as the oldest value (spec
// §4 row 2: upstream aborts on a mix).
task_fate expand(const json& task, const schema& s, std::vector<item>& out);
// The same, moving each result's "value" into the items instead of copying it (the results are
// left with a null "value"); for the task for_each_task hands out, read once.
task_fate expand(json& task, const schema& s, std::vector<item>& out);

// The task id of a parsed task (0 when absent or not an integer).
std::int64_t task_id_of(const json& task);

// `completed_by` for JSON_MIN/CSV/VOC: int → int, dict → its email (null when absent), else null.
json annotator_of(const item& it);

}  // namespace annot::plugins::export_support
