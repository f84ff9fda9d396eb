// Checking a result's value against a field table, and printing numbers in messages, the same way in
// every data-type plugin (so users read one wording whatever the tag).
#pragma once

#include <annot/registrar.hpp>
#include <string>

namespace annot::plugins::support {

// Checks a value against a field table as the host checks region_spec::value_fields: a missing
// required key or a wrong JSON type is an error; a number outside the row's min/max is a rule break.
// For regions whose keys are optional as a whole (per-region results that repeat a span only when
// they have one). Paths are "value.<key>".
void check_value_fields(const field_table& fields, json_ref value, issue_sink& out);

// The shortest text that reads back as `d` ("0.5", "1e+20").
std::string number_text(double d);

// "a number", "a string", ... for messages ("expects an integer, got a string").
std::string_view kind_article(json_kind k) noexcept;
std::string_view type_article(field_type t) noexcept;
// Whether a JSON value has a field row's type (integers may be written as 2.0).
bool type_fits(field_type t, json_ref v) noexcept;

}  // namespace annot::plugins::support
