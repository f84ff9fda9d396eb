// nlohmann::ordered_json read from text in linear time. ordered_json keeps an object's members in a
// vector and its parser looks each new key up by a linear search, which is quadratic in objects of
// thousands of members: the parsed label config of a 20,000-label project (its labels_attrs) took
// ~0.5 s to read for every GET of the project.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace annot::host::util {

// The value nlohmann::ordered_json::parse(text, nullptr, false) gives: the same values, members in
// order, a repeated key in its first place with its last value; a discarded value for text that is not
// JSON. Large objects get a hash index of their keys while they are read.
nlohmann::ordered_json parse_ordered_json(std::string_view text);

}  // namespace annot::host::util
