// Fast checks of JSON text before the store keeps it (simdjson): well-formed, the right kind, and
// the top-level keys of task data (for the project's data-column summary).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class element;
}

namespace annot::host::store::json {

class parsed_json;  // store/thread_json.hpp

enum class kind { invalid, object, array, other };

// Validates the whole document. Thread-safe (a parser per thread). For invalid text, `why` (may be
// null) says what is wrong in words a user can act on (a number out of range, a lone surrogate, or
// "is not valid JSON"). For an array, `elements` (may be null) gets its length.
kind check(std::string_view text, std::string* why = nullptr, std::size_t* elements = nullptr);
// The top-level keys of a JSON object, unescaped, in document order (duplicates kept once).
// False when `text` is not a well-formed object; `why` (may be null) then says what is wrong in
// words a user can act on ("must be a JSON object", a number out of range, a lone surrogate).
// `padding` as parsed_json's: readable, initialized bytes after the text, which spare it a copy.
bool object_keys(std::string_view text, std::vector<std::string>& keys, std::string* why = nullptr,
                 std::size_t padding = 0);
// For text parsed_json could not parse: what is wrong, in the words check() uses.
std::string why_unreadable(const parsed_json& parsed);
// The most keys any one object in the value has.
std::size_t widest_object(simdjson::dom::element value);

}  // namespace annot::host::store::json
