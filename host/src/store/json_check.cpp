// simdjson-backed JSON checks, on the thread's parser (thread_json.hpp).
#include "store/json_check.hpp"

#include <simdjson.h>

#include <algorithm>
#include <unordered_set>

#include "store/thread_json.hpp"


namespace annot::host::store::json {

namespace {

// The import's JSON reader takes what Python's does; these are what the store's reader (and so every
// exporter) cannot keep exactly, said plainly rather than as "not an object" or "not a list".
std::string unreadable(simdjson::error_code e, std::string_view fallback) {
  switch (e) {
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "holds a number beyond 64-bit integers and doubles; write it as a string";
    case simdjson::STRING_ERROR:
    case simdjson::UTF8_ERROR:
      return "holds a string with a lone UTF-16 surrogate (\\ud800-\\udfff without its pair) or invalid "
             "UTF-8";
    case simdjson::DEPTH_ERROR:
      return "nests arrays and objects more than 1024 levels deep";
    default:
      return std::string(fallback);
  }
}

}  // namespace

kind check(std::string_view text, std::string* why, std::size_t* elements) {
  parsed_json parsed(text);
  const auto& doc = parsed.root();
  if (doc.error()) {
    if (why) *why = unreadable(doc.error(), "is not valid JSON");
    return kind::invalid;
  }
  switch (doc.value_unsafe().type()) {
    case simdjson::dom::element_type::OBJECT:
      return kind::object;
    case simdjson::dom::element_type::ARRAY:
      if (elements) *elements = doc.value_unsafe().get_array().value_unsafe().size();
      return kind::array;
    default:
      return kind::other;
  }
}

bool object_keys(std::string_view text, std::vector<std::string>& keys, std::string* why,
                 std::size_t padding) {
  keys.clear();
  parsed_json parsed(text, padding);
  const auto& doc = parsed.root();
  if (doc.error()) {
    // The import's JSON reader takes what Python's does; these are what the store's reader (and so every
    // exporter) cannot keep exactly, said plainly rather than as "not an object".
    if (why) *why = unreadable(doc.error(), "must be a JSON object");
    return false;
  }
  simdjson::dom::object obj;
  if (doc.value_unsafe().get_object().get(obj)) {
    if (why) *why = "must be a JSON object";
    return false;
  }
  // Duplicate keys are dropped (the first stays). A task's data has a handful of keys, but one
  // with 80,000 made a scan of the keys seen per key hold the store's writer for 20 s.
  // The views are of the parsed document's strings, which live as long as `parsed`: never of `keys`'
  // own strings, which move (short ones with their bytes) when the vector grows.
  std::vector<std::string_view> first;
  std::unordered_set<std::string_view> seen;
  for (auto field : obj) {
    std::string_view k = field.key;
    if (seen.empty() && first.size() < 16) {
      if (std::find(first.begin(), first.end(), k) == first.end()) {
        first.push_back(k);
        keys.emplace_back(k);
      }
      continue;
    }
    if (seen.empty()) seen.insert(first.begin(), first.end());
    if (seen.insert(k).second) keys.emplace_back(k);
  }
  return true;
}

std::string why_unreadable(const parsed_json& parsed) {
  return unreadable(parsed.root().error(), "is not valid JSON");
}

std::size_t widest_object(simdjson::dom::element e) {
  std::size_t most = 0;
  if (simdjson::dom::object obj; !e.get_object().get(obj)) {
    most = obj.size();
    for (auto field : obj) most = std::max(most, widest_object(field.value));
  } else if (simdjson::dom::array arr; !e.get_array().get(arr)) {
    for (auto v : arr) most = std::max(most, widest_object(v));
  }
  return most;
}

}  // namespace annot::host::store::json
