// Data-manager queries over a project's tasks: filters, ordering, selectedItems and pages, as
// Label Studio's GET /api/tasks and /api/dm/actions take them (spec §4.5). Engine-neutral.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/model.hpp"

namespace annot::host::store {

enum class filter_op {
  equal,
  not_equal,
  greater,
  greater_or_equal,
  less,
  less_or_equal,
  contains,
  not_contains,
  starts_with,
  ends_with,
  regex,
  in_range,      // Label Studio "in": value {min, max}, inclusive
  not_in_range,  // "not_in"
  in_list,       // value [a, b, ...]
  not_in_list,
  empty,   // value true: missing/null/""/no items; false: the opposite
  exists,  // the column or data key is present (json null counts as present)
  not_exists
};
std::string_view to_string(filter_op op) noexcept;
std::optional<filter_op> filter_op_from_string(std::string_view s) noexcept;

// The filter's declared type ("Number", "Datetime", "Boolean", "String", "List", anything else is
// treated as String). It decides how data fields compare: Number compares numerically, and numeric
// strings ("50") count as numbers, as in Label Studio.
enum class value_type { number, datetime, boolean, string, list };
std::string_view to_string(value_type t) noexcept;
value_type value_type_from_string(std::string_view s) noexcept;

using scalar = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct filter_item {
  std::string column;  // "id", "total_annotations", "data.image", ... (no "filter:tasks:" prefix)
  filter_op op = filter_op::equal;
  value_type type = value_type::string;
  scalar value;              // every operator but in_range/not_in_range and the list ones
  scalar min, max;           // in_range, not_in_range
  std::vector<scalar> list;  // in_list, not_in_list
};

struct filter_group {
  bool any = false;  // conjunction "or" when true, "and" otherwise
  std::vector<filter_item> items;
};

struct order_item {
  std::string column;  // as in filters
  bool descending = false;
  value_type type = value_type::string;  // Number sorts data fields numerically
};

// selectedItems: all=false -> only `ids`; all=true -> everything but `ids`.
struct selected_items {
  bool all = true;
  std::vector<std::int64_t> ids;
};

// A set of tasks of one project: filters, then selectedItems.
struct task_selection {
  std::int64_t project_id = 0;
  filter_group filters;
  std::optional<selected_items> selected;
};

struct task_query {
  task_selection selection;
  // At most one column (then id as a tie-breaker in the same direction). Empty = by id ascending.
  // NULL and missing values sort last in both directions, as in Label Studio.
  std::vector<order_item> ordering;
  std::int64_t page = 1;  // 1-based
  std::int64_t page_size = 100;
};

struct task_page {
  std::vector<task> tasks;             // this page, in order; empty past the end
  std::int64_t total = 0;              // tasks in the selection
  std::int64_t total_annotations = 0;  // sum over the selection
  std::int64_t total_predictions = 0;  // sum over the selection
};

// ---- the column catalog ---------------------------------------------------------------------------

struct column_info {
  std::string_view id;     // "total_annotations"
  std::string_view title;  // "Annotations"
  value_type type;
  bool orderable = true;
};

// The task columns the data manager can filter (and mostly order) on, besides "data.<key>".
const std::vector<column_info>& task_columns();
// nullptr for an unknown column; "data.<key>" is answered with a String column.
const column_info* find_task_column(std::string_view id);

// ---- parsing Label Studio's JSON ------------------------------------------------------------------

// {"conjunction": "and"|"or", "items": [{"filter": "filter:tasks:<col>", "operator", "type", "value"}]}
// Problems are invalid_argument statuses naming the item and what is wrong.
result<filter_group> parse_filters(std::string_view json);
// ["tasks:<col>" | "tasks:-<col>" | "-tasks:<col>", ...]; `display_types` is the view's optional
// columnsDisplayType object ({"tasks:data.x": "Number"}), used for data-field sort types.
result<std::vector<order_item>> parse_ordering(std::string_view json, std::string_view display_types = {});
// {"all": false, "included": [ids]} | {"all": true, "excluded": [ids]}
result<selected_items> parse_selected_items(std::string_view json);

// A view's `data` ({filters, ordering, columnsDisplayType, ...}) or GET /api/tasks' `query`
// parameter ({filters, ordering, selectedItems}) as a query on `project_id`. Missing parts are
// empty; the page is left at 1.
result<task_query> parse_dm_query(std::int64_t project_id, std::string_view json);

}  // namespace annot::host::store
