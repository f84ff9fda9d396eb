// Item expansion (spec §1.4) over a task_view: one item per live annotation, newest first, results grouped by
// control name, read in place from simdjson's DOM (nothing built per task). Shared by every format except JSON.
#pragma once

#include <annot/exporter.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "export_support/json_text.hpp"
#include "export_support/schema.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::export_support {

// What expand() found beyond its items.
enum class task_fate {
  items,               // one or more items
  no_annotations_key,  // dropped with a warning (no `annotations` nor `completions`)
  all_cancelled,       // every annotation cancelled or skipped: dropped silently, as upstream
  not_a_task           // not a JSON object
};

namespace detail {
class text_cursor;  // the printers' output (src/text_cursor.hpp)
}  // namespace detail

// One result's value as item expansion gives it: the result's "value" object ({} when it has none or it is not
// an object) with "type" set to the control's tag type (the result's own type for a chat message without
// a control) and "original_width"/"original_height" taken from the result when it has them. Those three
// keys are computed on read, never stored. Lifetime: the task's (see element).
class value_view {
 public:
  // The "type" key: the schema's tag type ("RectangleLabels").
  std::string_view type() const noexcept { return type_; }
  // Any other key of the expanded value: original_width/original_height from the result first, else the
  // value's own member (last value of a repeated key). nullopt when absent; never "type" (use type()).
  std::optional<element> find(std::string_view key) const;
  // The expanded value's members in order: the value's own (the computed keys in place when it has them),
  // then "type", "original_width", "original_height" when it had not. fn(std::string_view key, const
  // element* value), value == nullptr for "type" (its text is type()).
  template <class Fn>
  void for_each(Fn&& fn) const;
  // append_ujson(out, <the expanded value>, options, level); `skip_type` leaves "type" out (prettify).
  void append_ujson(std::string& out, const ujson_options& options, int level = 0, bool skip_type = false) const;
  // The expanded value as a document (for rare paths; prints as append_ujson does).
  json to_json() const;
  // append_ujson on a cursor the caller holds (the printers' own; see src/text_cursor.hpp).
  void put_ujson(detail::text_cursor& out, const ujson_options& options, int level, bool skip_type) const;

 private:
  friend task_fate expand(const task_view& task, const schema& s, class item_views& out);
  std::optional<element> value_;
  std::optional<element> original_width_;
  std::optional<element> original_height_;
  std::string_view type_;
};

// The members of a region's expanded value that the geometry exporters (COCO, YOLO) read, found in one pass
// (find() walks the value once per key, and they read up to eight keys of every region); each as find() gives
// it: the last of a repeated key, original_width/original_height from the result first.
// Lifetime: the value_view's.
struct region_fields {
  std::optional<element> rectanglelabels, polygonlabels, keypointlabels, labels, rectangle, polygon, x, y, width,
      height, rotation, points, original_width, original_height;

  explicit region_fields(const value_view& v);
  // The member named `key` (one of the above; nullopt for any other key).
  const std::optional<element>& get(std::string_view key) const;

 private:
  // The field for `key`, nullptr for a key not read. Writes nothing (get() uses it on a const object).
  std::optional<element>* field(std::string_view key);
};

// The values of one from_name, in the order of the annotation's results.
struct result_group {
  std::string_view from_name;
  std::span<const value_view> values;
};

// One row / image / block of output: one live annotation of a task (or the task itself when it has
// `annotations: []`). Every element points into the task; lifetime: the task's.
class item_view {
 public:
  std::int64_t task_id = 0;
  const task_view* task = nullptr;
  std::optional<element> input;       // task "data" (absent: read as an empty object)
  std::optional<element> annotation;  // none for a task with `annotations: []`
  // The annotation's fields; none = null (absent key, or no annotation).
  std::optional<element> completed_by;
  std::optional<element> annotation_id;
  std::optional<element> created_at;
  std::optional<element> updated_at;
  std::optional<element> lead_time;
  std::optional<element> history;
  std::optional<element> agreement;  // the task's "agreement" when it has the key

  // Output groups by from_name, in order of first appearance.
  std::span<const result_group> output() const noexcept { return groups_; }
  // A member of the task data (none when absent or data is not an object).
  std::optional<element> data(std::string_view key) const {
    return input ? find_member(*input, key) : std::nullopt;
  }
  // The annotator JSON_MIN and CSV write (upstream's get_annotator): an integer completed_by as is, an
  // object's "email" (none when absent); none without an annotation or a completed_by, and for the
  // values annotator_str() gives.
  std::optional<element> annotator() const;
  // Python's str() of a completed_by that is neither an integer nor an object, which get_annotator
  // returns for it: "None" for null (a deleted user), a string as is, a float or boolean as Python
  // prints it, a list as its JSON text. None when there is no such value.
  std::optional<std::string> annotator_str() const;

 private:
  friend class item_views;
  friend task_fate expand(const task_view& task, const schema& s, class item_views& out);
  std::vector<result_group> groups_;
  std::vector<value_view> values_;
};

namespace detail {
// The keys expansion reads from an annotation, found in one pass (a later repeated key overwrites, as in
// nlohmann's parser).
struct annotation_fields {
  element self;
  std::optional<element> completed_by, id, created_at, updated_at, lead_time, history, result;
  bool cancelled = false, skipped = false;
};
}  // namespace detail

// The items of one task, reused from task to task (no allocation once warm). Lifetime: the items point into
// the task_view (until its next parse) and into the schema (type(), from a control). Threading: one thread
// at a time.
class item_views {
 public:
  const item_view* begin() const noexcept { return items_.data(); }
  const item_view* end() const noexcept { return items_.data() + size_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  friend task_fate expand(const task_view& task, const schema& s, item_views& out);
  item_view& add(const item_view& base);
  std::vector<item_view> items_;
  std::size_t size_ = 0;
  std::vector<detail::annotation_fields> live_;
  std::vector<std::pair<std::size_t, value_view>> scratch_;
};

// Expands one task into `out` (replaced; its items point into the task and the schema, and are valid while
// both are): newest first, cancelled and skipped dropped, a missing created_at the oldest (spec §4 row 2:
// upstream aborts on a mix), results grouped by from_name with the schema's type; `annotations: []` (or a
// non-list) gives one item without an annotation.
task_fate expand(const task_view& task, const schema& s, item_views& out);
// A temporary task or schema would leave the items dangling.
task_fate expand(const task_view&& task, const schema& s, item_views& out) = delete;
task_fate expand(const task_view& task, const schema&& s, item_views& out) = delete;

// JSON_MIN's and CSV's value of one group ("prettify", spec §2.2), printed with append_ujson: "type" removed; a
// Choices value with one choice / a TextArea value with one text becomes that string; chat values become their
// "chatmessage" object; a Choices or TextArea group with a single region is unwrapped from its list.
void append_pretty_group(std::string& out, const result_group& group, const ujson_options& options, int level = 0);
// The group as a document: the list of its expanded values.
json to_json(const result_group& group);

template <class Fn>
void value_view::for_each(Fn&& fn) const {
  bool type_seen = false, width_seen = false, height_seen = false;
  if (value_)
    for_each_member(*value_, [&](std::string_view key, element v) {
      if (key == "type") {
        type_seen = true;
        fn(key, static_cast<const element*>(nullptr));
      } else if (key == "original_width" && original_width_) {
        width_seen = true;
        fn(key, &*original_width_);
      } else if (key == "original_height" && original_height_) {
        height_seen = true;
        fn(key, &*original_height_);
      } else {
        fn(key, &v);
      }
    });
  if (!type_seen) fn(std::string_view("type"), static_cast<const element*>(nullptr));
  if (original_width_ && !width_seen) fn(std::string_view("original_width"), &*original_width_);
  if (original_height_ && !height_seen) fn(std::string_view("original_height"), &*original_height_);
}

}  // namespace annot::plugins::export_support
