// Checks values against annot::field_spec tables: XML attribute text, and JSON values of region keys.
#pragma once

#include <annot/fields.hpp>
#include <annot/regions.hpp>
#include <string>
#include <string_view>

namespace annot::host::config {

// The field named `name` (ignoring case), or nullptr.
const annot::field_spec* find_field(const annot::field_table& table, std::string_view name) noexcept;

// Empty when `text` is acceptable for the field; otherwise what was expected, e.g.
// "expects a number, got 'abc'". name_ref/name_list/css/any/string are not checked here.
std::string check_attribute_text(const annot::field_spec& field, std::string_view text);

// For a region value key: empty when the JSON type fits `field.type`, else "expects a number, got
// a string". Range problems are reported separately by check_json_range().
std::string check_json_type(const annot::field_spec& field, annot::json_ref value);
// Empty when a number is within [min, max]; else "is 120, above the maximum 100".
std::string check_json_range(const annot::field_spec& field, annot::json_ref value);

// "a number", "one of: a, b", ... for messages and listings.
std::string describe_type(const annot::field_spec& field);
std::string_view type_name(annot::field_type t) noexcept;

// CSS colour syntax: #rgb(a), #rrggbb(aa), rgb()/rgba()/hsl()/hsla(), or a CSS colour name.
bool is_css_color(std::string_view text) noexcept;

}  // namespace annot::host::config
