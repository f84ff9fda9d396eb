// simdjson-backed JSON checks; one DOM parser and one padded buffer per thread, reused.
#include "store/json_check.hpp"

#include <simdjson.h>

#include <algorithm>

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

}  // namespace

kind check(std::string_view text) {
  auto doc = local().parse(text);
  if (doc.error()) return kind::invalid;
  switch (doc.value_unsafe().type()) {
    case simdjson::dom::element_type::OBJECT:
      return kind::object;
    case simdjson::dom::element_type::ARRAY:
      return kind::array;
    default:
      return kind::other;
  }
}

bool object_keys(std::string_view text, std::vector<std::string>& keys) {
  keys.clear();
  auto doc = local().parse(text);
  if (doc.error()) return false;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto field : obj) {
    std::string_view k = field.key;
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.emplace_back(k);
  }
  return true;
}

}  // namespace annot::host::store::json
