// Shared pieces of the text plugin: validator adaptors, lengths in code points (the unit of Label Studio's
// offsets), and the checks of character and paragraph spans.
#pragma once

#include <annot/registrar.hpp>
#include <annot_plugin_support/validators.hpp>
#include <annot_plugin_support/value_fields.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace annot::plugins::text {

// Shared with the other data-type plugins (plugins/support/).
using support::check_value_fields;
using support::function_checker;
using support::function_validator;
using support::number_text;

// Length of UTF-8 text in code points, the unit of Label Studio's span offsets: its editor converts
// a selection's JavaScript (UTF-16) indices to code points before saving (selection-tools.js,
// fixCodePointsInRange), so that Python reads them as str indices. Bytes that are not valid UTF-8
// count one each.
std::size_t code_point_length(std::string_view utf8) noexcept;

// Decodes standard or URL-safe base64 (padding optional); nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

// The value keys of a character span {start, end, text?} and of a paragraph span
// {start, end, startOffset?, endOffset?, text?}. With `with_text` false, without "text": per-region
// results repeat the span but may use "text" for themselves (TextArea's list of lines).
const field_table& char_span_fields(bool with_text = true);
const field_table& paragraph_span_fields(bool with_text = true);

// What value_fields cannot say about a character span: 0 <= start < end, and end within the text
// when its length is known (extent.length, code points).
void check_char_span(const result_view& r, issue_sink& out);
// ... and about a paragraph span: start/end are paragraph indices (numbers or digit strings),
// start <= end < number of paragraphs, offsets 0 or more and within their paragraph's text.
void check_paragraph_span(const result_view& r, issue_sink& out);

// The value of an attribute, ignoring case; `fallback` when absent.
std::string_view attribute_or(const config_tag& tag, std::string_view name, std::string_view fallback) noexcept;

// The rows every control has: name, toName; and the rows of a *Labels control.
field_table control_attributes();
field_table labels_attributes();


}  // namespace annot::plugins::text
