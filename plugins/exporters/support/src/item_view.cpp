// Item expansion (spec §1.4) read in place from a task_view, and prettify (§2.2) printed from it.
#include "export_support/item_view.hpp"

#include "text_cursor.hpp"

#include <algorithm>

namespace annot::plugins::export_support {

namespace dom = simdjson::dom;

namespace {

bool is_array(element e) { return e.type() == dom::element_type::ARRAY; }
bool is_object(element e) { return e.type() == dom::element_type::OBJECT; }

std::size_t spaces(const ujson_options& options, int level) { return static_cast<std::size_t>(options.indent * level); }

detail::annotation_fields read_annotation(element a) {
  detail::annotation_fields f;
  f.self = a;
  for (dom::key_value_pair kv : dom::object(a)) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 2:
        if (k == "id") f.id = kv.value;
        break;
      case 6:
        if (k == "result") f.result = kv.value;
        break;
      case 7:
        if (k == "history") f.history = kv.value;
        else if (k == "skipped") f.skipped = truthy(kv.value);
        break;
      case 9:
        if (k == "lead_time") f.lead_time = kv.value;
        break;
      case 10:
        if (k == "created_at") f.created_at = kv.value;
        else if (k == "updated_at") f.updated_at = kv.value;
        break;
      case 12:
        if (k == "completed_by") f.completed_by = kv.value;
        break;
      case 13:
        if (k == "was_cancelled") f.cancelled = truthy(kv.value);
        break;
      default:
        break;
    }
  }
  return f;
}

bool has_text(const std::optional<element>& e) { return e && e->type() == dom::element_type::STRING; }

}  // namespace

std::optional<element> value_view::find(std::string_view key) const {
  if (key == "original_width" && original_width_) return original_width_;
  if (key == "original_height" && original_height_) return original_height_;
  if (!value_ || key == "type") return std::nullopt;
  return find_member(*value_, key);
}

void value_view::put_ujson(detail::text_cursor& out, const ujson_options& options, int level, bool skip_type) const {
  bool first = true;
  for_each([&](std::string_view key, const element* v) {
    if (!v && skip_type) return;
    out.put(first ? '{' : ',');
    first = false;
    if (options.indent > 0) out.newline(spaces(options, level + 1));
    detail::put_ujson_string(out, key, options.ensure_ascii);
    out.put(options.indent > 0 ? std::string_view(": ") : std::string_view(":"));
    if (v)
      detail::put_ujson(out, *v, options, level + 1);
    else
      detail::put_ujson_string(out, type_, options.ensure_ascii);
  });
  if (first) {
    out.put("{}");
    return;
  }
  if (options.indent > 0) out.newline(spaces(options, level));
  out.put('}');
}

void value_view::append_ujson(std::string& out, const ujson_options& options, int level, bool skip_type) const {
  detail::text_cursor cursor(out);
  put_ujson(cursor, options, level, skip_type);
}

region_fields::region_fields(const value_view& v) {
  v.for_each([&](std::string_view key, const element* e) {
    if (!e) return;
    if (std::optional<element>* f = field(key)) *f = *e;
  });
}

const std::optional<element>& region_fields::get(std::string_view key) const {
  static const std::optional<element> none;
  const std::optional<element>* f = const_cast<region_fields*>(this)->field(key);
  return f ? *f : none;
}

std::optional<element>* region_fields::field(std::string_view key) {
  const auto one = [&](std::string_view name, std::optional<element>& f) { return key == name ? &f : nullptr; };
  switch (key.size()) {  // by length first: one comparison for most keys
    case 1: return key == "x" ? &x : one("y", y);
    case 5: return one("width", width);
    case 6: return key == "height" ? &height : key == "labels" ? &labels : one("points", points);
    case 7: return one("polygon", polygon);
    case 8: return one("rotation", rotation);
    case 9: return one("rectangle", rectangle);
    case 13: return one("polygonlabels", polygonlabels);
    case 14: return key == "keypointlabels" ? &keypointlabels : one("original_width", original_width);
    case 15: return key == "rectanglelabels" ? &rectanglelabels : one("original_height", original_height);
    default: return nullptr;
  }
}

json value_view::to_json() const {
  json out = json::object();
  auto& members = out.get_ref<json::object_t&>();
  members.reserve((value_ ? dom::object(*value_).size() : 0) + 3);
  for_each([&](std::string_view key, const element* v) {
    members.emplace_back(std::string(key), v ? export_support::to_json(*v) : json(std::string(type_)));
  });
  return out;
}

std::optional<element> item_view::annotator() const {
  if (!annotation || !completed_by) return std::nullopt;
  if (is_integer(*completed_by)) return completed_by;
  if (is_object(*completed_by)) return find_member(*completed_by, "email");
  return std::nullopt;
}

std::optional<std::string> item_view::annotator_str() const {
  if (!annotation || !completed_by || is_integer(*completed_by) || is_object(*completed_by))
    return std::nullopt;
  const element c = *completed_by;
  if (c.is_string()) return std::string(std::string_view(c));
  if (c.is_array()) return export_support::to_json(c).dump();
  return python_str(c);  // None, True, 2.5
}

item_view& item_views::add(const item_view& base) {
  if (size_ == items_.size()) items_.emplace_back();
  item_view& it = items_[size_++];
  it.task_id = base.task_id;
  it.task = base.task;
  it.input = base.input;
  it.annotation = base.annotation;
  it.completed_by = base.completed_by;
  it.annotation_id = base.annotation_id;
  it.created_at = base.created_at;
  it.updated_at = base.updated_at;
  it.lead_time = base.lead_time;
  it.history = base.history;
  it.agreement = base.agreement;
  it.groups_.clear();
  it.values_.clear();
  return it;
}

task_fate expand(const task_view& task, const schema& s, item_views& out) {
  out.size_ = 0;
  if (!task.is_object()) return task_fate::not_a_task;
  std::optional<element> annotations, completions;
  item_view base;
  base.task = &task;
  for (dom::key_value_pair kv : dom::object(task.root())) {
    const std::string_view k = kv.key;
    if (k == "id") base.task_id = is_integer(kv.value) ? to_int64(kv.value) : 0;
    else if (k == "data") base.input = kv.value;
    else if (k == "annotations") annotations = kv.value;
    else if (k == "completions") completions = kv.value;
    else if (k == "agreement") base.agreement = kv.value;
  }
  if (!annotations) annotations = completions;
  if (!annotations) return task_fate::no_annotations_key;

  if (!is_array(*annotations) || dom::array(*annotations).size() == 0) {
    // `annotations: []` (or a non-list): one item with empty output.
    out.add(base);
    return task_fate::items;
  }

  auto& live = out.live_;
  live.clear();
  for (element a : dom::array(*annotations)) {
    if (!is_object(a)) continue;
    detail::annotation_fields f = read_annotation(a);
    if (f.cancelled || f.skipped) continue;
    live.push_back(f);
  }
  if (live.empty()) return task_fate::all_cancelled;
  // Newest first by the ISO text; a missing created_at is the oldest (stable among equals).
  if (live.size() > 1)
    std::stable_sort(live.begin(), live.end(), [](const detail::annotation_fields& a, const detail::annotation_fields& b) {
      bool ha = has_text(a.created_at), hb = has_text(b.created_at);
      if (ha != hb) return ha;
      if (!ha) return false;
      return std::string_view(*a.created_at) > std::string_view(*b.created_at);
    });

  for (const detail::annotation_fields& a : live) {
    item_view& it = out.add(base);
    it.annotation = a.self;
    it.completed_by = a.completed_by;
    it.annotation_id = a.id;
    it.created_at = a.created_at;
    it.updated_at = a.updated_at;
    it.lead_time = a.lead_time;
    it.history = a.history;
    if (!a.result || !is_array(*a.result)) continue;
    auto& scratch = out.scratch_;
    scratch.clear();
    for (element r : dom::array(*a.result)) {
      if (!is_object(r)) continue;
      std::optional<element> type, from, value, width, height;
      for (dom::key_value_pair kv : dom::object(r)) {
        const std::string_view k = kv.key;
        if (k == "type") type = kv.value;
        else if (k == "from_name") from = kv.value;
        else if (k == "value") value = kv.value;
        else if (k == "original_width") width = kv.value;
        else if (k == "original_height") height = kv.value;
      }
      const std::string_view type_text = type ? string_or(*type) : std::string_view();
      const std::string_view from_text = from ? string_or(*from) : std::string_view();
      const schema_control* c = s.find(from_text);
      if (!c && type_text != "chatmessage") continue;
      value_view v;
      if (value && is_object(*value)) v.value_ = value;
      v.type_ = c ? std::string_view(c->type) : type_text;
      v.original_width_ = width;
      v.original_height_ = height;
      std::size_t g = 0;
      while (g < it.groups_.size() && it.groups_[g].from_name != from_text) ++g;
      if (g == it.groups_.size()) it.groups_.push_back({from_text, {}});
      scratch.emplace_back(g, v);
    }
    // Grouped by from_name, groups in order of first appearance, results in order within a group.
    if (it.groups_.size() > 1)
      std::stable_sort(scratch.begin(), scratch.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    it.values_.reserve(scratch.size());
    for (const auto& [g, v] : scratch) it.values_.push_back(v);
    std::size_t at = 0;
    for (std::size_t g = 0; g < it.groups_.size(); ++g) {
      std::size_t n = 0;
      while (at + n < scratch.size() && scratch[at + n].first == g) ++n;
      it.groups_[g].values = std::span<const value_view>(it.values_.data() + at, n);
      at += n;
    }
  }
  return task_fate::items;
}

namespace {

bool is_chat_type(std::string_view t) { return t == "Chat" || t == "chatmessage"; }

// A list of one element, when `key` holds one.
std::optional<element> one_of(const value_view& v, std::string_view key) {
  std::optional<element> list = v.find(key);
  if (!list || !is_array(*list) || dom::array(*list).size() != 1) return std::nullopt;
  return dom::array(*list).at(0).value();
}

}  // namespace

void append_pretty_group(std::string& out, const result_group& group, const ujson_options& options, int level) {
  detail::text_cursor cursor(out);
  // prettify(): what each value becomes; the last value's type decides whether a single one is unwrapped.
  auto pretty = [&](const value_view& v, int at) {
    const std::string_view t = v.type();
    std::optional<element> e;
    if (t == "Choices") e = one_of(v, "choices");
    else if (t == "TextArea") e = one_of(v, "text");
    else if (is_chat_type(t)) e = v.find("chatmessage");
    if (e)
      detail::put_ujson(cursor, *e, options, at);
    else
      v.put_ujson(cursor, options, at, true);
  };
  const auto& values = group.values;
  if (values.empty()) {
    cursor.put("[]");
    return;
  }
  const std::string_view last = values.back().type();
  if ((last == "Choices" || last == "TextArea") && values.size() == 1) {
    pretty(values.front(), level);
    return;
  }
  bool first = true;
  for (const value_view& v : values) {
    cursor.put(first ? '[' : ',');
    first = false;
    if (options.indent > 0) cursor.newline(spaces(options, level + 1));
    pretty(v, level + 1);
  }
  if (options.indent > 0) cursor.newline(spaces(options, level));
  cursor.put(']');
}

json to_json(const result_group& group) {
  json out = json::array();
  for (const value_view& v : group.values) out.push_back(v.to_json());
  return out;
}

}  // namespace annot::plugins::export_support
