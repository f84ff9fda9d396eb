// task_view: simdjson's DOM read in place, with nlohmann's reading of repeated keys and the json printers' bytes.
#include "export_support/task_view.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "text_cursor.hpp"

namespace annot::plugins::export_support {

namespace dom = simdjson::dom;

namespace detail {

bool has_repeated_key(dom::object o) {
  const std::size_t n = o.size();
  if (n < 2) return false;
  if (n <= 16) {  // the usual object: no allocation
    std::string_view keys[16];
    std::size_t i = 0;
    for (dom::key_value_pair kv : o) {
      for (std::size_t j = 0; j < i; ++j)
        if (keys[j] == kv.key) return true;
      keys[i++] = kv.key;
    }
    return false;
  }
  // Reused: a large data object is printed once per item.
  thread_local std::vector<std::string_view> keys;
  keys.clear();
  for (dom::key_value_pair kv : o) keys.push_back(kv.key);
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

void merged_members(dom::object o, std::vector<std::pair<std::string_view, element>>& out) {
  struct member {
    std::string_view key;
    std::size_t at;
    element value;
  };
  std::vector<member> all;
  for (dom::key_value_pair kv : o) all.push_back({kv.key, all.size(), kv.value});
  // By key, then position: each key's first entry has its place, its last one its value.
  std::sort(all.begin(), all.end(), [](const member& a, const member& b) { return a.key != b.key ? a.key < b.key : a.at < b.at; });
  std::vector<member> merged;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j + 1 < all.size() && all[j + 1].key == all[i].key) ++j;
    merged.push_back({all[i].key, all[i].at, all[j].value});
    i = j + 1;
  }
  std::sort(merged.begin(), merged.end(), [](const member& a, const member& b) { return a.at < b.at; });
  out.clear();
  out.reserve(merged.size());
  for (const member& m : merged) out.emplace_back(m.key, m.value);
}

}  // namespace detail

std::optional<element> find_member(element object, std::string_view key) {
  if (object.type() != dom::element_type::OBJECT) return std::nullopt;
  std::optional<element> found;
  // Every member is looked at: a repeated key's last value is the one nlohmann keeps.
  for (dom::key_value_pair kv : dom::object(object))
    if (kv.key == key) found = kv.value;
  return found;
}

bool truthy(element e) {
  switch (e.type()) {
    case dom::element_type::NULL_VALUE: return false;
    case dom::element_type::BOOL: return bool(e);
    case dom::element_type::INT64: return std::int64_t(e) != 0;
    case dom::element_type::UINT64: return std::uint64_t(e) != 0;
    case dom::element_type::DOUBLE: return double(e) != 0;
    case dom::element_type::STRING: return !std::string_view(e).empty();
    case dom::element_type::ARRAY: return dom::array(e).size() != 0;
    case dom::element_type::OBJECT: return dom::object(e).size() != 0;
  }
  return false;
}

bool is_integer(element e) {
  auto t = e.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64;
}

bool is_number(element e) { return is_integer(e) || e.type() == dom::element_type::DOUBLE; }

double to_double(element e) {
  switch (e.type()) {
    case dom::element_type::INT64: return static_cast<double>(std::int64_t(e));
    case dom::element_type::UINT64: return static_cast<double>(std::uint64_t(e));
    case dom::element_type::DOUBLE: return double(e);
    default: return 0;
  }
}

std::int64_t to_int64(element e) {
  switch (e.type()) {
    case dom::element_type::INT64: return std::int64_t(e);
    case dom::element_type::UINT64: return static_cast<std::int64_t>(std::uint64_t(e));
    case dom::element_type::DOUBLE: {
      const double d = double(e);  // finite: JSON has no NaN or infinity
      if (d >= 0x1p63) return std::numeric_limits<std::int64_t>::max();
      if (d < -0x1p63) return std::numeric_limits<std::int64_t>::min();
      return static_cast<std::int64_t>(d);
    }
    default: return 0;
  }
}

std::optional<long long> pixel_int(double v) {
  if (!(std::fabs(v) < 0x1p53)) return std::nullopt;  // NaN compares false too
  return static_cast<long long>(v);
}

std::string_view string_or(element e, std::string_view fallback) {
  return e.type() == dom::element_type::STRING ? std::string_view(e) : fallback;
}

json to_json(element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      json out = json::array();
      auto& v = out.get_ref<json::array_t&>();
      v.reserve(dom::array(e).size());
      for (element x : dom::array(e)) v.push_back(to_json(x));
      return out;
    }
    case dom::element_type::OBJECT: {
      json out = json::object();
      auto& members = out.get_ref<json::object_t&>();
      members.reserve(dom::object(e).size());
      for_each_member(e, [&](std::string_view k, element v) { members.emplace_back(std::string(k), to_json(v)); });
      return out;
    }
    case dom::element_type::INT64: {
      // nlohmann: a token without '-' is unsigned.
      auto i = std::int64_t(e);
      if (i >= 0) return json(static_cast<std::uint64_t>(i));
      return json(i);
    }
    case dom::element_type::UINT64: return json(std::uint64_t(e));
    case dom::element_type::DOUBLE: return json(double(e));
    case dom::element_type::STRING: return json(std::string(std::string_view(e)));
    case dom::element_type::BOOL: return json(bool(e));
    case dom::element_type::NULL_VALUE: return json(nullptr);
  }
  return json(nullptr);
}

namespace {

template <class Int>
void put_int(detail::text_cursor& out, Int v) {
  char* p = out.room(24);
  out.done(std::to_chars(p, p + 24, v).ptr);
}

}  // namespace

void detail::put_ujson(text_cursor& out, element e, const ujson_options& options, int level) {
  const auto spaces = [&](int at) { return static_cast<std::size_t>(options.indent * at); };
  switch (e.type()) {
    case dom::element_type::NULL_VALUE: out.put("null"); return;
    case dom::element_type::BOOL: out.put(bool(e) ? std::string_view("true") : std::string_view("false")); return;
    case dom::element_type::INT64: put_int(out, std::int64_t(e)); return;
    case dom::element_type::UINT64: put_int(out, std::uint64_t(e)); return;
    case dom::element_type::DOUBLE: put_ujson_float(out, double(e)); return;
    case dom::element_type::STRING: put_ujson_string(out, std::string_view(e), options.ensure_ascii); return;
    case dom::element_type::ARRAY: {
      bool first = true;
      for (element v : dom::array(e)) {
        out.put(first ? '[' : ',');
        first = false;
        if (options.indent > 0) out.newline(spaces(level + 1));
        put_ujson(out, v, options, level + 1);
      }
      if (first) {
        out.put("[]");
        return;
      }
      if (options.indent > 0) out.newline(spaces(level));
      out.put(']');
      return;
    }
    case dom::element_type::OBJECT: {
      bool first = true;
      for_each_member(e, [&](std::string_view k, element v) {
        out.put(first ? '{' : ',');
        first = false;
        if (options.indent > 0) out.newline(spaces(level + 1));
        put_ujson_string(out, k, options.ensure_ascii);
        out.put(options.indent > 0 ? std::string_view(": ") : std::string_view(":"));
        put_ujson(out, v, options, level + 1);
      });
      if (first) {
        out.put("{}");
        return;
      }
      if (options.indent > 0) out.newline(spaces(level));
      out.put('}');
      return;
    }
  }
}

void append_ujson(std::string& out, element e, const ujson_options& options, int level) {
  detail::text_cursor cursor(out);
  detail::put_ujson(cursor, e, options, level);
}

std::string python_str(element e) {
  switch (e.type()) {
    case dom::element_type::NULL_VALUE: return "None";
    case dom::element_type::BOOL: return bool(e) ? "True" : "False";
    case dom::element_type::INT64: return std::to_string(std::int64_t(e));
    case dom::element_type::UINT64: return std::to_string(std::uint64_t(e));
    case dom::element_type::DOUBLE: return python_float(double(e));
    case dom::element_type::STRING: return std::string(std::string_view(e));
    default: {
      std::string out;
      append_ujson(out, e, {.indent = 0, .ensure_ascii = false});
      return out;
    }
  }
}

bool task_view::parse(std::string_view text, std::size_t padding) {
  ok_ = false;
  const bool in_place = padding >= simdjson::SIMDJSON_PADDING;
  if (parser_.parse(text.data(), text.size(), !in_place).get(root_) == simdjson::SUCCESS) {
    ok_ = true;
    return true;
  }
  // What simdjson refuses and nlohmann takes (an integer beyond 64 bits: a double there) is read again
  // from nlohmann's printing, so the values are those the old path saw.
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return false;
  fallback_ = j.dump();
  if (parser_.parse(fallback_.data(), fallback_.size(), true).get(root_) != simdjson::SUCCESS) return false;
  ok_ = true;
  return true;
}

std::int64_t task_view::id() const {
  std::optional<element> id = find("id");
  return id && is_integer(*id) ? to_int64(*id) : 0;
}

}  // namespace annot::plugins::export_support
