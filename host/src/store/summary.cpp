// ProjectSummary bookkeeping from result JSON: tuples and labels, as Label Studio counts them.
#include "store/summary.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "store/thread_json.hpp"

namespace annot::host::store {

namespace {

// A field as Label Studio's string concatenation sees it: strings as is, absent/null as "", other
// values as their JSON text.
std::string text_of(simdjson::dom::object item, std::string_view key) {
  simdjson::dom::element e;
  if (item.at_key(key).get(e)) return {};
  if (e.is_null()) return {};
  std::string_view s;
  if (!e.get_string().get(s)) return std::string(s);
  return simdjson::minify(e);
}

void add_labels(simdjson::dom::element e, int kind, const std::string& from, int sign, summary_delta& out) {
  simdjson::dom::array arr;
  if (!e.get_array().get(arr)) {
    for (auto child : arr) add_labels(child, kind, from, sign, out);
    return;
  }
  std::string_view s;
  if (!e.get_string().get(s)) out[{kind, from, std::string(s)}] += sign;
}

}  // namespace

void add_result_summary(std::string_view result, bool annotation, int sign, summary_delta& out) {
  json::parsed_json parsed(result);
  add_result_summary(parsed, annotation, sign, out);
}

void add_result_summary(const json::parsed_json& parsed, bool annotation, int sign, summary_delta& out) {
  if (parsed.root().error()) return;
  const simdjson::dom::element doc = parsed.root().value_unsafe();
  simdjson::dom::array items;
  if (doc.get_array().get(items)) return;
  for (auto el : items) {
    simdjson::dom::object item;
    if (el.get_object().get(item)) continue;
    std::string_view type;
    if (item.at_key("type").get_string().get(type)) continue;
    std::string lower(type);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (lower == "relation" || lower == "pairwise") continue;
    std::string from = text_of(item, "from_name");
    if (annotation) out[{1, from + "|" + text_of(item, "to_name") + "|" + lower, ""}] += sign;
    if (lower == "textarea") continue;
    simdjson::dom::object value;
    if (item.at_key("value").get_object().get(value)) continue;
    simdjson::dom::element labels;
    if (value.at_key(lower == "videorectangle" ? std::string_view("labels") : type).get(labels)) continue;
    if (!labels.is_array()) continue;
    add_labels(labels, annotation ? 2 : 3, from, sign, out);
  }
}

}  // namespace annot::host::store
