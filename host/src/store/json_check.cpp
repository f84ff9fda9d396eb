// simdjson-backed JSON checks; one DOM parser and one padded buffer per thread, reused.
#include "store/json_check.hpp"

#include <simdjson.h>

#include <algorithm>
#include <unordered_set>

namespace annot::host::store::json {

namespace {

struct thread_parser {
  simdjson::dom::parser parser;
  std::string buffer;

  // Parses `text` from a padded copy (simdjson reads up to SIMDJSON_PADDING bytes past the end).
  simdjson::simdjson_result<simdjson::dom::element> parse(std::string_view text) {
    if (buffer.size() < text.size() + simdjson::SIMDJSON_PADDING)
      buffer.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::copy(text.begin(), text.end(), buffer.begin());
    return parser.parse(buffer.data(), text.size(), false);
  }
};

thread_parser& local() {
  thread_local thread_parser p;
  return p;
}

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

kind check(std::string_view text, std::string* why) {
  auto doc = local().parse(text);
  if (doc.error()) {
    if (why) *why = unreadable(doc.error(), "is not valid JSON");
    return kind::invalid;
  }
  switch (doc.value_unsafe().type()) {
    case simdjson::dom::element_type::OBJECT:
      return kind::object;
    case simdjson::dom::element_type::ARRAY:
      return kind::array;
    default:
      return kind::other;
  }
}

bool object_keys(std::string_view text, std::vector<std::string>& keys, std::string* why) {
  keys.clear();
  auto doc = local().parse(text);
  if (doc.error()) {
    // The import's JSON reader takes what Python's does; these are what the store's reader (and so every
    // exporter) cannot keep exactly, said plainly rather than as "not an object".
    if (why) *why = unreadable(doc.error(), "must be a JSON object");
    return false;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    if (why) *why = "must be a JSON object";
    return false;
  }
  // Duplicate keys are dropped (the first stays). A task's data has a handful of keys, but one
  // with 80,000 made a scan of the keys seen per key hold the store's writer for 20 s.
  std::unordered_set<std::string_view> seen;
  for (auto field : obj) {
    std::string_view k = field.key;
    if (keys.size() < 16) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.emplace_back(k);
      continue;
    }
    if (seen.empty())
      for (const auto& earlier : keys) seen.insert(earlier);
    if (seen.insert(k).second) keys.emplace_back(k);
  }
  return true;
}

namespace {
std::size_t widest(simdjson::dom::element e) {
  std::size_t most = 0;
  if (simdjson::dom::object obj; !e.get_object().get(obj)) {
    most = obj.size();
    for (auto field : obj) most = std::max(most, widest(field.value));
  } else if (simdjson::dom::array arr; !e.get_array().get(arr)) {
    for (auto v : arr) most = std::max(most, widest(v));
  }
  return most;
}
}  // namespace

std::size_t widest_object(std::string_view text) {
  auto doc = local().parse(text);
  return doc.error() ? 0 : widest(doc.value_unsafe());
}

}  // namespace annot::host::store::json
