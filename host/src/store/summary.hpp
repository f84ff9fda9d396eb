// Label Studio's ProjectSummary contributions of one result list (engine-neutral, simdjson).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

namespace annot::host::store {

// kind: 1 = result tuple "from_name|to_name|type" (annotations only), 2 = annotation label,
// 3 = draft label (name = from_name). Counts are signed so one map can hold an update's net change.
struct summary_key {
  int kind = 0;
  std::string name;
  std::string label;
  bool operator<(const summary_key& o) const {
    return std::tie(kind, name, label) < std::tie(o.kind, o.name, o.label);
  }
};
using summary_delta = std::map<summary_key, std::int64_t>;

// Adds `sign` for every contribution of `result` (a JSON list of result items) to `out`:
//  - annotations: one tuple per item with a string `type`, except relation and pairwise;
//  - labels: value[type] when it is a list (videorectangle: value.labels), nested lists (taxonomy
//    paths) flattened, string items only; textarea, relation and pairwise give none.
// A result that is not a well-formed list contributes nothing. Thread-safe.
void add_result_summary(std::string_view result, bool annotation, int sign, summary_delta& out);

namespace json {
class parsed_json;  // store/thread_json.hpp
}
// The same for a result the caller has parsed already (a large one is parsed once per write).
void add_result_summary(const json::parsed_json& result, bool annotation, int sign, summary_delta& out);

}  // namespace annot::host::store
