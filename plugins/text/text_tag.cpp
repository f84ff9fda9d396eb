// <Text>: plain text shown from task data; Labels on it are character spans counted in code
// points, as Label Studio's editor saves them.
#include <charconv>
#include <memory>

#include "text_common.hpp"
#include "text_tags.hpp"

namespace annot::plugins::text {
namespace {

// The length of the text the editor shows, in code points; unknown for remote text
// (valueType="url") and for values the editor turns into text in its own way (floats, lists).
class text_measure final : public data_measure {
 public:
  data_extent measure(const object_instance& object, json_ref data) const noexcept override {
    try {
      if (attribute_or(object.tag, "valueType", "text") == "url") return {};
      std::string_view encoding = attribute_or(object.tag, "encoding", "none");
      if (data.is_string()) return {.length = length_of(data.as_string(), encoding)};
      if (data.is_integer()) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, data.as_integer());
        return {.length = static_cast<double>(r.ptr - buf)};
      }
      // value="Some literal text": no task data involved.
      if (!data.exists() && object.data_key.empty() && object.value.find('$') == std::string::npos)
        return {.length = length_of(object.value, encoding)};
    } catch (...) {
    }
    return {};
  }

 private:
  static std::optional<double> length_of(std::string_view text, std::string_view encoding) {
    if (encoding == "base64" || encoding == "base64unicode") {
      auto decoded = base64_decode(text);
      if (!decoded) return std::nullopt;
      // atob() gives one character per byte; base64unicode decodes those bytes as UTF-8.
      return static_cast<double>(encoding == "base64" ? decoded->size() : code_point_length(*decoded));
    }
    return static_cast<double>(code_point_length(text));
  }
};

void check_labels_span(const result_view& r, issue_sink& out) { check_char_span(r, out); }

// Per-region results on Text (Choices, TextArea... with perRegion) repeat the span when they have
// one; classification of the whole text has none.
void check_any_span(const result_view& r, issue_sink& out) {
  if (!r.value.get("start").exists() && !r.value.get("end").exists()) return;
  check_value_fields(char_span_fields(false), r.value, out);
  check_char_span(r, out);
}

field_table text_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element"},
      {.name = "value", .required = true, .description = "Task data field with the text (or its URL), as \"$key\"",
       .variable_allowed = true},
      {.name = "valueType", .type = field_type::enumeration, .default_value = "text", .allowed = {"text", "url"},
       .description = "Whether the task holds the text itself or a URL to fetch it from"},
      {.name = "saveTextResult", .type = field_type::enumeration, .allowed = {"none", "no", "yes"},
       .description = "Store the labelled text in results; yes for inline text, no for URLs by default"},
      {.name = "selectionEnabled", .type = field_type::boolean, .default_value = "true",
       .description = "Allow selecting text"},
      {.name = "clickableLinks", .type = field_type::boolean, .default_value = "false",
       .description = "Let annotators open links in the text"},
      {.name = "highlightColor", .type = field_type::color,
       .description = "Colour of highlights (the label's colour when absent)"},
      {.name = "showLabels", .type = field_type::boolean, .description = "Show labels next to regions"},
      {.name = "encoding", .type = field_type::enumeration, .default_value = "none",
       .allowed = {"none", "base64", "base64unicode"}, .description = "Decode the value from base64 first"},
      {.name = "granularity", .type = field_type::enumeration, .default_value = "symbol",
       .allowed = {"symbol", "word", "sentence", "paragraph"}, .description = "Unit that selections snap to"},
  };
}

}  // namespace

status register_text_tag(registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "Text",
                                            .description = "Shows plain text; Labels on it mark character spans",
                                            .attributes = text_attributes(),
                                            .data_types = {data_type::str, data_type::int_, data_type::float_,
                                                           data_type::list}},
                                    .measure = std::make_unique<text_measure>()});
      !st)
    return st;
  if (auto st = reg.add_region(
          {.object_tag = "Text",
           .result_type = "labels",
           .geometry = "char_span",
           .description = "Character span {start, end, text?}: offsets in code points, end exclusive",
           .value_fields = char_span_fields(),
           .validator = std::make_unique<function_validator>(&check_labels_span)});
      !st)
    return st;
  return reg.add_region({.object_tag = "Text",
                         .result_type = "*",
                         .geometry = "char_span_optional",
                         .description = "Any other result on Text (per-region Choices, TextArea...): the span "
                                        "{start, end} when it repeats one",
                         .validator = std::make_unique<function_validator>(&check_any_span)});
}

}  // namespace annot::plugins::text
