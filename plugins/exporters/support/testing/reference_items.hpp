// Reference implementation (tests only): item expansion (spec §1.4) and prettify (§2.2) over `json` documents, the
// path exporters used before item_views; tests/view_test.cpp checks expand(task_view) and append_pretty_group
// against it.
#pragma once

#include <cstdint>
#include <vector>

#include "export_support/item_view.hpp"  // task_fate
#include "export_support/json_text.hpp"
#include "export_support/schema.hpp"

namespace annot::plugins::export_support::reference {

// One row / image / block of output. `task`, `input` and `annotation` point into the task document the item was
// expanded from; keep that document alive while using the item.
struct item {
  std::int64_t task_id = 0;
  const json* task = nullptr;        // the whole task
  const json* input = nullptr;       // task["data"] (an empty object when absent)
  const json* annotation = nullptr;  // nullptr for a task with `annotations: []`
  // {from_name: [value dicts]}: each value a copy of the result's value with "type" set to the schema tag type and
  // original_width/original_height copied from the result when present.
  json output = json::object();
  // The annotation's fields (null when absent; completed_by is {} when there is no annotation).
  json completed_by = json::object();
  json annotation_id;
  json created_at;
  json updated_at;
  json lead_time;
  json history;
  bool has_agreement = false;
  json agreement;
};

// Expands one task into `out` (cleared first): newest first, cancelled and skipped dropped, a missing created_at
// the oldest, results grouped by from_name with the schema's type.
task_fate expand(const json& task, const schema& s, std::vector<item>& out);

// The task id of a parsed task (0 when absent or not an integer).
std::int64_t task_id_of(const json& task);

// `completed_by` for JSON_MIN/CSV/VOC: int → int, dict → its email (null when absent), else null.
json annotator_of(const item& it);

// One output group as JSON_MIN and CSV write it: "type" removed; a Choices value with one choice / a TextArea value
// with one text becomes that string; chat values become their "chatmessage" object; a Choices or TextArea group
// with a single region is unwrapped from its list.
json prettify(const json& group);

}  // namespace annot::plugins::export_support::reference
