// parsed_label_config: Label Studio's structured view of a config, element by element in document order.
#include "config/parsed_config.hpp"

#include <map>
#include <unordered_map>
#include <string>
#include <vector>

namespace annot::host::config {

using ojson = nlohmann::ordered_json;

namespace {

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = s.find(',', start);
    out.emplace_back(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// label-studio-sdk's has_variable: the whole value is one "$word" made of letters and '_'.
bool has_variable(const std::string* v) {
  if (!v || v->size() < 2 || (*v)[0] != '$') return false;
  for (std::size_t i = 1; i < v->size(); ++i) {
    char c = (*v)[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

std::string lstrip_dollar(const std::string& v) {
  std::size_t i = v.find_first_not_of('$');
  return i == std::string::npos ? std::string() : v.substr(i);
}

}  // namespace

namespace {

// An object in insertion order with O(1) key lookup. ordered_json finds keys by linear search, which
// is quadratic for configs with thousands of labels, so keys are tracked here and the JSON object is
// built once at the end.
struct ordered_object {
  std::vector<std::pair<std::string, ojson>> items;
  std::unordered_map<std::string, std::size_t> index;
  ojson& operator[](const std::string& key) {
    auto [it, fresh] = index.emplace(key, items.size());
    if (fresh) items.emplace_back(key, ojson());
    return items[it->second].second;
  }
  bool contains(const std::string& key) const { return index.count(key) != 0; }
  ojson to_json() && {
    ojson out = ojson::object();
    auto& obj = out.get_ref<ojson::object_t&>();
    obj.reserve(items.size());
    for (auto& [k, v] : items) obj.emplace_back(std::move(k), std::move(v));  // keys are unique already
    return out;
  }
};

}  // namespace

ojson parsed_label_config(const config_model& model) {
  const auto& els = model.elements();
  ordered_object outputs;
  std::unordered_map<std::string, ojson> inputs;
  std::unordered_map<std::string, ordered_object> labels;  // control name -> {label: attrs}
  std::vector<std::string> variables;
  for (const element& e : els) {
    if (const std::string* flag = e.attr_exact("indexFlag")) variables.push_back(*flag);
    const std::string* name = e.attr_exact("name");
    const std::string* to_name = e.attr_exact("toName");
    bool output = name && !name->empty() && to_name && !to_name->empty() && e.tag != "Filter";
    if (output) {
      ojson info = ojson::object();
      info["type"] = e.tag;
      std::vector<std::string> parts = split(*to_name);
      info["to_name"] = parts;
      // Not iterating info["to_name"] here: adding "regex" may move info's members.
      for (const auto& v : variables)
        for (const auto& part : parts)
          if (part.find(v) != std::string::npos) info["regex"][v] = ".*";
      const std::string* per_region = e.attr_exact("perRegion");
      if (per_region && *per_region == "true") {
        ojson cond;
        const std::string* w;
        if ((w = e.attr_exact("whenTagName")) && !w->empty())
          cond = {{"type", "tag"}, {"name", *w}};
        else if ((w = e.attr_exact("whenLabelValue")) && !w->empty())
          cond = {{"type", "label"}, {"name", *w}};
        else if ((w = e.attr_exact("whenChoiceValue")) && !w->empty())
          cond = {{"type", "choice"}, {"name", *w}};
        if (!cond.is_null()) info["conditionals"] = cond;
      }
      const std::string* api = e.attr_exact("apiUrl");
      if (has_variable(e.attr_exact("value")) || (api && !api->empty())) info["dynamic_labels"] = true;
      outputs[*name] = std::move(info);
    } else if (name && !name->empty()) {
      const std::string* value = e.attr_exact("value");
      const std::string* value_list = e.attr_exact("valueList");
      const std::string* vt = e.attr_exact("valueType");
      if (value && !value->empty()) {
        inputs[*name] = {{"type", e.tag}, {"value", lstrip_dollar(*value)}, {"valueType", vt ? ojson(*vt) : ojson()}};
      } else if (value_list && !value_list->empty()) {
        inputs[*name] = {{"type", e.tag}, {"valueList", lstrip_dollar(*value_list)}, {"valueType", vt ? ojson(*vt) : ojson()}};
      }
    }
    if (e.tag != "Label" && e.tag != "Choice" && e.tag != "Relation") continue;
    // The nearest ancestor whose name is a control's.
    for (std::int32_t p = e.parent; p >= 0; p = els[static_cast<std::size_t>(p)].parent) {
      const std::string* pn = els[static_cast<std::size_t>(p)].attr_exact("name");
      if (!pn || !outputs.contains(*pn)) continue;
      const std::string* alias = e.attr_exact("alias");
      const std::string* value = e.attr_exact("value");
      const std::string* actual = alias && !alias->empty() ? alias : (value && !value->empty() ? value : nullptr);
      if (actual) {
        ojson attrs = ojson::object();
        for (const auto& a : e.attributes) attrs[a.name] = a.value;
        labels[*pn][*actual] = std::move(attrs);
      }
      break;
    }
  }
  for (auto& [name, info] : outputs.items) {
    ojson in = ojson::array();
    for (const auto& part : info["to_name"])
      if (auto it = inputs.find(part.get_ref<const std::string&>()); it != inputs.end()) in.push_back(it->second);
    info["inputs"] = std::move(in);  // after the loop: inserting may move info's members
    ojson list = ojson::array();
    ojson attrs = ojson::object();
    if (auto it = labels.find(name); it != labels.end()) {
      for (const auto& item : it->second.items) list.push_back(item.first);
      attrs = std::move(it->second).to_json();
    }
    info["labels"] = std::move(list);
    info["labels_attrs"] = std::move(attrs);
  }
  return std::move(outputs).to_json();
}

}  // namespace annot::host::config
