// Task-data checks with Label Studio's rules and messages, and lodash-style data paths.
#include "config/task_data.hpp"

#include <algorithm>
#include <charconv>

#include "config/python_text.hpp"

namespace annot::host::config {

using json = nlohmann::json;

std::vector<std::string> required_data_keys(const config_model& model) {
  std::vector<std::string> out;
  for (const auto& k : model.data_keys()) {
    std::string base = k.key.substr(0, k.key.find('['));
    if (std::find(out.begin(), out.end(), base) == out.end()) out.push_back(std::move(base));
  }
  return out;
}

bool rename_undefined_key(const config_model& model, json& data) {
  if (!data.is_object() || model.data_keys().empty()) return false;
  auto it = data.find("$undefined$");
  if (it == data.end()) return false;
  json v = std::move(*it);
  data.erase(it);
  data[model.data_keys().front().key] = std::move(v);
  return true;
}

bool append_data_with_undefined_renamed(std::string& out, std::string_view data, std::string_view first_key) {
  if (first_key.empty() || data.find("\"$undefined$\"") == std::string_view::npos) return false;
  auto d = nlohmann::ordered_json::parse(data.begin(), data.end(), nullptr, false);
  if (d.is_discarded() || !d.is_object()) return false;
  auto it = d.find("$undefined$");
  if (it == d.end()) return false;
  nlohmann::ordered_json value = std::move(*it);
  d.erase(it);
  d[std::string(first_key)] = std::move(value);
  out += d.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return true;
}

namespace {

// Python's isinstance(value, t) for the JSON value json.loads gives (bool is an int there).
bool is_instance(const json& v, annot::data_type t) {
  switch (t) {
    case annot::data_type::str: return v.is_string();
    case annot::data_type::int_: return v.is_number_integer() || v.is_boolean();
    case annot::data_type::float_: return v.is_number_float();
    case annot::data_type::list: return v.is_array();
    case annot::data_type::dict: return v.is_object();
    case annot::data_type::none: return v.is_null();
  }
  return false;
}

}  // namespace

std::vector<std::string> check_task_data(const config_model& model, const json& data) {
  std::vector<std::string> out;
  if (data.is_null()) return {"Task is empty (None)"};
  // "$undefined$" stands for the first data key (file imports), as if renamed.
  const json* undefined = nullptr;
  if (data.is_object())
    if (auto it = data.find("$undefined$"); it != data.end()) undefined = &*it;
  for (const auto& k : model.data_keys()) {
    bool is_array = k.key.find('[') != std::string::npos;
    std::string key = k.key.substr(0, k.key.find('['));
    // Dotted keys are walked one dict at a time ("a.b" -> data["a"]["b"]).
    const json* item = &data;
    std::size_t start = 0;
    bool renamed = undefined && &k == &model.data_keys().front() && key == k.key && key.find('.') == std::string::npos;
    if (renamed) item = undefined;
    while (item && !renamed) {
      std::size_t dot = key.find('.', start);
      std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!item->is_object()) {
        item = nullptr;
        break;
      }
      auto it = item->find(part);
      item = it == item->end() ? nullptr : &*it;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (!item) {
      out.push_back("\"" + key + "\" key is expected in task data");
      continue;
    }
    std::vector<annot::data_type> expected = is_array ? std::vector<annot::data_type>{annot::data_type::list} : k.types;
    if (std::any_of(expected.begin(), expected.end(), [&](annot::data_type t) { return is_instance(*item, t); }))
      continue;
    std::vector<std::string> names;
    for (auto t : expected) names.emplace_back(annot::to_string(t));
    out.push_back("data['" + key + "']=" + py_str(*item) + " is of type '" + std::string(py_type(*item)) +
                  "', but the object tag " + k.tag + " expects the following types: " + py_repr(names));
  }
  return out;
}

std::vector<std::string> check_task(const config_model& model, const json& task) {
  if (!task.is_object()) return {"Task root must be dict with \"data\", \"meta\", \"annotations\", \"predictions\" fields"};
  bool wrapped = task.contains("data");
  std::vector<std::string> out;
  if (wrapped && !task["data"].is_object() && !task["data"].is_array() && !task["data"].is_null())
    return {"Task[data] must be (<class 'dict'>, <class 'list'>)"};
  out = check_task_data(model, wrapped ? task["data"] : task);
  for (auto& m : out)
    m += wrapped ? " [assume: item[\"data\"] = task root with values]" : " [assume: item as is = task root with values] ";
  return out;
}

const json* resolve_data_path(const json& data, std::string_view path) {
  const json* cur = &data;
  std::size_t i = 0;
  if (!path.empty() && path.front() == '$') ++i;
  while (cur && i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      if (!inner.empty() && (inner.front() == '"' || inner.front() == '\'') && inner.size() >= 2)
        inner = inner.substr(1, inner.size() - 2);
      std::size_t idx = 0;
      auto r = std::from_chars(inner.data(), inner.data() + inner.size(), idx);
      if (cur->is_array() && r.ec == std::errc() && r.ptr == inner.data() + inner.size()) {
        cur = idx < cur->size() ? &(*cur)[idx] : nullptr;
      } else if (cur->is_object()) {
        auto it = cur->find(inner);
        cur = it == cur->end() ? nullptr : &*it;
      } else {
        return nullptr;
      }
      i = close + 1;
      continue;
    }
    std::size_t end = path.find_first_of(".[", i);
    std::string_view key = path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    cur = it == cur->end() ? nullptr : &*it;
    i = end == std::string_view::npos ? path.size() : end;
  }
  return cur;
}

}  // namespace annot::host::config
