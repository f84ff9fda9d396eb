// Shared pieces of the text plugin: validator adaptors, UTF-16 lengths (the unit of Label Studio's
// offsets), and the checks of character and paragraph spans.
#pragma once

#include <annot/registrar.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace annot::plugins::text {

// A result_validator that calls a plain function: no state, so it is safe from many threads.
class function_validator final : public result_validator {
 public:
  using fn_type = void (*)(const result_view&, issue_sink&);
  explicit function_validator(fn_type fn) noexcept : fn_(fn) {}
  void check(const result_view& r, issue_sink& out) const noexcept override;

 private:
  fn_type fn_;
};

// A tag_checker that calls a plain function.
class function_checker final : public tag_checker {
 public:
  using fn_type = void (*)(const config_tag&, issue_sink&);
  explicit function_checker(fn_type fn) noexcept : fn_(fn) {}
  void check(const config_tag& tag, issue_sink& out) const noexcept override;

 private:
  fn_type fn_;
};

// Length of UTF-8 text in UTF-16 code units, as JavaScript counts string indices: one per code
// point, two for code points above U+FFFF. Bytes that are not valid UTF-8 count one each.
std::size_t utf16_length(std::string_view utf8) noexcept;

// Decodes standard or URL-safe base64 (padding optional); nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

// The value keys of a character span {start, end, text?} and of a paragraph span
// {start, end, startOffset?, endOffset?, text?}. With `with_text` false, without "text": per-region
// results repeat the span but may use "text" for themselves (TextArea's list of lines).
const field_table& char_span_fields(bool with_text = true);
const field_table& paragraph_span_fields(bool with_text = true);

// Checks a value against a field table as the host checks region_spec::value_fields (missing
// required key or wrong JSON type: error; number outside min/max: rule break). For regions whose
// keys are optional as a whole (per-region results that repeat the span only when they have one).
void check_value_fields(const field_table& fields, json_ref value, issue_sink& out);

// What value_fields cannot say about a character span: 0 <= start < end, and end within the text
// when its length is known (extent.length, UTF-16 code units).
void check_char_span(const result_view& r, issue_sink& out);
// ... and about a paragraph span: start/end are paragraph indices (numbers or digit strings),
// start <= end < number of paragraphs, offsets 0 or more and within their paragraph's text.
void check_paragraph_span(const result_view& r, issue_sink& out);

// The value of an attribute, ignoring case; `fallback` when absent.
std::string_view attribute_or(const config_tag& tag, std::string_view name, std::string_view fallback) noexcept;

// The rows every control has: name, toName; and the rows of a *Labels control.
field_table control_attributes();
field_table labels_attributes();

std::string number_text(double d);

}  // namespace annot::plugins::text
