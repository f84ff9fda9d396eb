// Label Studio data-manager JSON (filters, ordering, selectedItems) -> typed task queries.
#include "store/query.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "store/time.hpp"

namespace annot::host::store {

using nlohmann::json;

namespace {

struct op_name {
  filter_op op;
  std::string_view name;
};
constexpr op_name op_names[] = {
    {filter_op::equal, "equal"},
    {filter_op::not_equal, "not_equal"},
    {filter_op::greater, "greater"},
    {filter_op::greater_or_equal, "greater_or_equal"},
    {filter_op::less, "less"},
    {filter_op::less_or_equal, "less_or_equal"},
    {filter_op::contains, "contains"},
    {filter_op::not_contains, "not_contains"},
    {filter_op::starts_with, "starts_with"},
    {filter_op::ends_with, "ends_with"},
    {filter_op::regex, "regex"},
    {filter_op::in_range, "in"},
    {filter_op::not_in_range, "not_in"},
    {filter_op::in_list, "in_list"},
    {filter_op::not_in_list, "not_in_list"},
    {filter_op::empty, "empty"},
    {filter_op::exists, "exists"},
    {filter_op::not_exists, "not_exists"},
};

status bad(std::string message) {
  return status(errc::invalid_argument, std::move(message));
}

// A JSON scalar as a store scalar; numbers stay integers when they are.
scalar to_scalar(const json& v) {
  switch (v.type()) {
    case json::value_t::boolean:
      return v.get<bool>();
    case json::value_t::number_integer:
      return v.get<std::int64_t>();
    case json::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      if (u <= std::uint64_t(INT64_MAX)) return std::int64_t(u);
      return double(u);
    }
    case json::value_t::number_float:
      return v.get<double>();
    case json::value_t::string:
      return v.get<std::string>();
    default:
      return std::monostate{};
  }
}

// "5" -> 5 for Number filters: the UI sends numbers typed into a text box as strings.
scalar numeric(const scalar& s) {
  if (auto str = std::get_if<std::string>(&s)) {
    std::string_view t = *str;
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    std::int64_t i;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
    if (ec == std::errc() && p == t.data() + t.size() && !t.empty()) return i;
    double d;
    auto [p2, ec2] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (ec2 == std::errc() && p2 == t.data() + t.size() && !t.empty()) return d;
  }
  return s;
}

// False for a text that numeric() could not read as a number. Blank text stays allowed (a filter box
// just cleared), as do null and booleans.
bool numeric_or_blank(const scalar& s) {
  auto str = std::get_if<std::string>(&s);
  return !str || str->find_first_not_of(' ') == std::string::npos;
}

bool is_data_column(std::string_view c) {
  return c.size() > 5 && c.substr(0, 5) == "data.";
}

std::optional<bool> truthy(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<std::int64_t>() != 0;
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no") return false;
  }
  return std::nullopt;
}

result<json> parse_json(std::string_view text, std::string_view what) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return bad(std::string(what) + " is not valid JSON");
  return j;
}

// An item, or nullopt for one Label Studio skips (see below).
result<std::optional<filter_item>> parse_item(const json& it, std::size_t i) {
  std::string where = "filters.items[" + std::to_string(i) + "]";
  if (!it.is_object()) return bad(where + " must be an object");
  filter_item f;
  auto fit = it.find("filter");
  if (fit == it.end() || !fit->is_string())
    return bad(where + ".filter must be a string \"filter:tasks:<column>\"");
  std::string name = fit->get<std::string>();
  constexpr std::string_view prefix = "filter:tasks:";
  if (name.rfind(prefix, 0) != 0)
    return bad(where + ".filter \"" + name + "\" must start with \"filter:tasks:\"");
  f.column = name.substr(prefix.size());
  const column_info* col = find_task_column(f.column);
  if (!col) return bad(where + ".filter: unknown column \"" + f.column + "\"");

  auto oit = it.find("operator");
  if (oit == it.end() || !oit->is_string()) return bad(where + ".operator must be a string");
  auto op = filter_op_from_string(oit->get<std::string>());
  if (!op) return bad(where + ".operator: unknown operator \"" + oit->get<std::string>() + "\"");
  f.op = *op;

  auto tit = it.find("type");
  f.type =
      (tit != it.end() && tit->is_string()) ? value_type_from_string(tit->get<std::string>()) : col->type;
  // A real column has one type whatever the UI says, except that "Unknown"/String on a number
  // column still compares as a number.
  if (!is_data_column(f.column)) f.type = col->type;

  json value = it.contains("value") ? it.at("value") : json();
  // Label Studio's apply_filters skips an item whose value is null or missing (a filter still being
  // entered in the UI): it narrows nothing. exists/not_exists (Annot's own) take no value.
  if (value.is_null() && f.op != filter_op::exists && f.op != filter_op::not_exists)
    return std::optional<filter_item>();
  // Label Studio's UI picks model versions from a list and sends them as one: any of them matches.
  if (f.column == "predictions_model_versions" && value.is_array() &&
      (f.op == filter_op::contains || f.op == filter_op::equal || f.op == filter_op::not_contains ||
       f.op == filter_op::not_equal)) {
    f.op =
        f.op == filter_op::contains || f.op == filter_op::equal ? filter_op::in_list : filter_op::not_in_list;
    for (const auto& v : value) {
      if (!v.is_string()) return bad(where + ".value must be a list of model versions");
      f.list.push_back(to_scalar(v));
    }
    return std::optional<filter_item>(std::move(f));
  }
  switch (f.op) {
    case filter_op::in_range:
    case filter_op::not_in_range:
      if (value.is_object()) {
        if (!value.contains("min") || !value.contains("max"))
          return bad(where + ".value must be {\"min\": ..., \"max\": ...}");
        f.min = to_scalar(value["min"]);
        f.max = to_scalar(value["max"]);
        if (f.type == value_type::number) {
          f.min = numeric(f.min);
          f.max = numeric(f.max);
          if (!numeric_or_blank(f.min) || !numeric_or_blank(f.max))
            return bad(where + ".value's min and max must be numbers for a Number column");
        }
        break;
      }
      if (!value.is_array()) return bad(where + ".value must be {\"min\": ..., \"max\": ...} or a list");
      f.op = f.op == filter_op::in_range ? filter_op::in_list : filter_op::not_in_list;
      [[fallthrough]];
    case filter_op::in_list:
    case filter_op::not_in_list:
      if (!value.is_array())
        return bad(where + ".value must be a list for operator " + std::string(to_string(f.op)));
      if (f.column != "id" && f.column != "inner_id" && !is_data_column(f.column) &&
          f.column != "annotators" && f.column != "updated_by")
        return bad(where + ": operator " + std::string(to_string(f.op)) + " is not supported on column \"" +
                   f.column + "\"");
      for (const auto& v : value) {
        if (!v.is_primitive() || v.is_null())
          return bad(where + ".value must be a list of numbers or strings");
        f.list.push_back(f.type == value_type::number ? numeric(to_scalar(v)) : to_scalar(v));
      }
      break;
    case filter_op::empty: {
      auto b = truthy(value);
      if (!b) return bad(where + ".value must be true or false for operator empty");
      f.value = *b;
      break;
    }
    case filter_op::exists:
    case filter_op::not_exists:
      break;
    default:
      if (!value.is_primitive()) return bad(where + ".value must be a number, a string or a boolean");
      f.value = to_scalar(value);
      if (f.type == value_type::number) {
        f.value = numeric(f.value);
        if (!numeric_or_blank(f.value)) return bad(where + ".value must be a number for a Number column");
      }
      if (f.type == value_type::boolean && !std::holds_alternative<bool>(f.value)) {
        auto b = truthy(value);
        if (!b) return bad(where + ".value must be true or false");
        f.value = *b;
      }
      break;
  }
  if (f.type == value_type::datetime && !is_data_column(f.column)) {
    auto check = [&](const scalar& s) -> status {
      if (std::holds_alternative<std::monostate>(s)) return status::success();
      auto str = std::get_if<std::string>(&s);
      if (!str || !parse_iso8601(*str)) return bad(where + ".value must be an ISO 8601 date or time");
      return status::success();
    };
    if (f.op == filter_op::in_range || f.op == filter_op::not_in_range) {
      if (auto s = check(f.min); !s.ok()) return s;
      if (auto s = check(f.max); !s.ok()) return s;
    } else if (f.op != filter_op::empty && f.op != filter_op::exists && f.op != filter_op::not_exists) {
      if (auto s = check(f.value); !s.ok()) return s;
    }
  }
  return std::optional<filter_item>(std::move(f));
}

result<filter_group> filters_from(const json& j) {
  filter_group g;
  if (j.is_null()) return g;
  if (!j.is_object()) return bad("filters must be an object {\"conjunction\", \"items\"}");
  if (auto c = j.find("conjunction"); c != j.end() && !c->is_null()) {
    if (!c->is_string()) return bad("filters.conjunction must be \"and\" or \"or\"");
    std::string s = c->get<std::string>();
    if (s == "or") {
      g.any = true;
    } else if (s != "and") {
      return bad("filters.conjunction must be \"and\" or \"or\", not \"" + s + "\"");
    }
  }
  if (auto items = j.find("items"); items != j.end() && !items->is_null()) {
    if (!items->is_array()) return bad("filters.items must be a list");
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto f = parse_item((*items)[i], i);
      if (!f) return f.error();
      if (*f) g.items.push_back(std::move(**f));
    }
  }
  return g;
}

result<std::vector<order_item>> ordering_from(const json& j, const json& display) {
  std::vector<order_item> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return bad("ordering must be a list of \"tasks:<column>\"");
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) return bad("ordering[" + std::to_string(i) + "] must be a string");
    std::string s = j[i].get<std::string>();
    order_item o;
    if (!s.empty() && s[0] == '-') {
      o.descending = true;
      s.erase(0, 1);
    }
    constexpr std::string_view prefix = "tasks:";
    if (s.rfind(prefix, 0) != 0)
      return bad("ordering[" + std::to_string(i) + "] \"" + j[i].get<std::string>() +
                 "\" must start with \"tasks:\"");
    s.erase(0, prefix.size());
    if (!s.empty() && s[0] == '-') {
      o.descending = !o.descending;
      s.erase(0, 1);
    }
    const column_info* col = find_task_column(s);
    if (!col) return bad("ordering[" + std::to_string(i) + "]: unknown column \"" + s + "\"");
    if (!col->orderable)
      return bad("ordering[" + std::to_string(i) + "]: column \"" + s + "\" cannot be ordered");
    o.column = s;
    o.type = col->type;
    if (is_data_column(s) && display.is_object()) {
      auto d = display.find("tasks:" + s);
      if (d != display.end() && d->is_string()) o.type = value_type_from_string(d->get<std::string>());
    }
    out.push_back(std::move(o));
  }
  return out;
}

result<selected_items> selected_from(const json& j) {
  if (!j.is_object())
    return bad(
        "selectedItems must be {\"all\": false, \"included\": [...]} or {\"all\": true, \"excluded\": "
        "[...]}");
  selected_items s;
  auto all = j.find("all");
  if (all == j.end() || !all->is_boolean()) return bad("selectedItems.all must be true or false");
  s.all = all->get<bool>();
  const char* key = s.all ? "excluded" : "included";
  if (auto ids = j.find(key); ids != j.end() && !ids->is_null()) {
    if (!ids->is_array()) return bad(std::string("selectedItems.") + key + " must be a list of task ids");
    for (const auto& v : *ids) {
      if (!v.is_number_integer())
        return bad(std::string("selectedItems.") + key + " must be a list of task ids");
      s.ids.push_back(v.get<std::int64_t>());
    }
  }
  return s;
}

}  // namespace

std::string_view to_string(filter_op op) noexcept {
  for (const auto& o : op_names)
    if (o.op == op) return o.name;
  return "?";
}

std::optional<filter_op> filter_op_from_string(std::string_view s) noexcept {
  for (const auto& o : op_names)
    if (o.name == s) return o.op;
  return std::nullopt;
}

std::string_view to_string(value_type t) noexcept {
  switch (t) {
    case value_type::number:
      return "Number";
    case value_type::datetime:
      return "Datetime";
    case value_type::boolean:
      return "Boolean";
    case value_type::list:
      return "List";
    case value_type::string:
      break;
  }
  return "String";
}

value_type value_type_from_string(std::string_view s) noexcept {
  if (s == "Number") return value_type::number;
  if (s == "Datetime") return value_type::datetime;
  if (s == "Boolean") return value_type::boolean;
  if (s == "List") return value_type::list;
  return value_type::string;
}

const std::vector<column_info>& task_columns() {
  static const std::vector<column_info> columns = {
      {"id", "ID", value_type::number, true},
      {"inner_id", "Inner ID", value_type::number, true},
      {"completed_at", "Completed", value_type::datetime, true},
      {"total_annotations", "Annotations", value_type::number, true},
      {"cancelled_annotations", "Cancelled", value_type::number, true},
      {"total_predictions", "Predictions", value_type::number, true},
      {"annotators", "Annotated by", value_type::list, false},
      {"annotations_results", "Annotation results", value_type::string, true},
      {"annotations_ids", "Annotation IDs", value_type::string, true},
      {"predictions_score", "Prediction score", value_type::number, true},
      {"predictions_model_versions", "Prediction model versions", value_type::list, true},
      {"predictions_results", "Prediction results", value_type::string, true},
      {"file_upload", "Upload filename", value_type::string, true},
      {"created_at", "Created at", value_type::datetime, true},
      {"updated_at", "Updated at", value_type::datetime, true},
      {"updated_by", "Updated by", value_type::list, false},
      {"avg_lead_time", "Lead Time", value_type::number, true},
      {"draft_exists", "Drafts", value_type::boolean, true},
      {"ground_truth", "Ground truth", value_type::boolean, true},
      {"is_labeled", "Labeled", value_type::boolean, true},
      {"comment_count", "Comments", value_type::number, true},
      {"comments", "Comments", value_type::number, true},
      {"unresolved_comment_count", "Unresolved comments", value_type::number, true},
      {"last_comment_updated_at", "Last comment", value_type::datetime, true},
  };
  return columns;
}

const column_info* find_task_column(std::string_view id) {
  static const column_info data_column{"data", "Data", value_type::string, true};
  if (is_data_column(id)) return &data_column;
  for (const auto& c : task_columns())
    if (c.id == id) return &c;
  return nullptr;
}

result<filter_group> parse_filters(std::string_view text) {
  auto j = parse_json(text, "filters");
  if (!j) return j.error();
  return filters_from(*j);
}

result<std::vector<order_item>> parse_ordering(std::string_view text, std::string_view display_types) {
  auto j = parse_json(text, "ordering");
  if (!j) return j.error();
  json display;
  if (!display_types.empty()) {
    auto d = parse_json(display_types, "columnsDisplayType");
    if (!d) return d.error();
    display = std::move(*d);
  }
  return ordering_from(*j, display);
}

result<selected_items> parse_selected_items(std::string_view text) {
  auto j = parse_json(text, "selectedItems");
  if (!j) return j.error();
  return selected_from(*j);
}

result<task_query> parse_dm_query(std::int64_t project_id, std::string_view text) {
  task_query q;
  q.selection.project_id = project_id;
  if (text.empty()) return q;
  auto j = parse_json(text, "query");
  if (!j) return j.error();
  if (j->is_null()) return q;
  if (!j->is_object()) return bad("query must be a JSON object");
  if (auto f = j->find("filters"); f != j->end()) {
    auto g = filters_from(*f);
    if (!g) return g.error();
    q.selection.filters = std::move(*g);
  }
  json display = j->contains("columnsDisplayType") ? j->at("columnsDisplayType") : json();
  if (auto o = j->find("ordering"); o != j->end()) {
    auto ord = ordering_from(*o, display);
    if (!ord) return ord.error();
    q.ordering = std::move(*ord);
  }
  if (auto s = j->find("selectedItems"); s != j->end() && !s->is_null()) {
    auto sel = selected_from(*s);
    if (!sel) return sel.error();
    q.selection.selected = std::move(*sel);
  }
  return q;
}

}  // namespace annot::host::store
