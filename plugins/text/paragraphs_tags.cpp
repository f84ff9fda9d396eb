// <Paragraphs> and <ParagraphLabels>: a list of {author, text} items; spans run from a paragraph
// index and offset to another (the editor writes the indices as strings).
#include <memory>

#include "text_common.hpp"
#include "text_tags.hpp"

namespace annot::plugins::text {
namespace {

// Number of paragraphs, when the task holds them (valueType="json", the default).
class paragraphs_measure final : public data_measure {
 public:
  data_extent measure(const object_instance& object, json_ref data) const noexcept override {
    if (attribute_or(object.tag, "valueType", "json") == "url") return {};
    if (data.is_array()) return {.length = static_cast<double>(data.size())};
    return {};
  }
};

void check_span(const result_view& r, issue_sink& out) { check_paragraph_span(r, out); }

void check_any_span(const result_view& r, issue_sink& out) {
  if (!r.value.get("start").exists() && !r.value.get("end").exists()) return;
  check_value_fields(paragraph_span_fields(false), r.value, out);
  check_paragraph_span(r, out);
}

field_table paragraphs_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element"},
      {.name = "value", .required = true,
       .description = "Task data field with the paragraphs (a list of objects), as \"$key\"", .variable_allowed = true},
      {.name = "valueType", .type = field_type::enumeration, .default_value = "json", .allowed = {"json", "url"},
       .description = "Whether the task holds the paragraphs or a URL to a JSON file with them"},
      {.name = "audioUrl", .description = "Audio to play the phrases from, as a URL or \"$key\"",
       .variable_allowed = true},
      {.name = "sync", .description = "Name of the sync group shared with an Audio or Video tag"},
      {.name = "showPlayer", .type = field_type::boolean, .default_value = "false",
       .description = "Show an audio player above the paragraphs"},
      {.name = "saveTextResult", .type = field_type::enumeration, .default_value = "yes",
       .allowed = {"none", "no", "yes"}, .description = "Store the labelled text in results"},
      {.name = "layout", .type = field_type::enumeration, .default_value = "none", .allowed = {"none", "dialogue"},
       .description = "Show paragraphs as a dialogue"},
      {.name = "nameKey", .default_value = "author", .description = "Key of a paragraph's author"},
      {.name = "textKey", .default_value = "text", .description = "Key of a paragraph's text"},
      {.name = "contextScroll", .type = field_type::boolean, .default_value = "false",
       .description = "Scroll along with the audio"},
      {.name = "highlightColor", .type = field_type::color, .description = "Colour of highlights"},
      {.name = "showLabels", .type = field_type::boolean, .default_value = "false",
       .description = "Show labels next to regions"},
  };
}

}  // namespace

status register_paragraphs_tags(registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "Paragraphs",
                                            .description = "Shows a list of paragraphs (dialogue, transcript) from "
                                                           "task data; ParagraphLabels marks spans across them",
                                            .attributes = paragraphs_attributes(),
                                            .data_types = {data_type::list, data_type::str}},
                                    .measure = std::make_unique<paragraphs_measure>()});
      !st)
    return st;

  field_table rows = control_attributes();
  for (auto& row : labels_attributes()) rows.push_back(std::move(row));
  if (auto st = reg.add_control_tag({.tag = {.name = "ParagraphLabels",
                                             .description = "Labels spans of text across Paragraphs",
                                             .attributes = std::move(rows),
                                             .children = {"Label"},
                                             .data_types = {data_type::str, data_type::list}},
                                     .result_types = {"paragraphlabels"},
                                     .payload_key = "paragraphlabels",
                                     .payload = payload_kind::label_list,
                                     .targets = {"Paragraphs"},
                                     .needs_region = true,
                                     .dynamic_labels = true});
      !st)
    return st;

  for (const char* type : {"paragraphlabels", "labels"}) {
    if (auto st = reg.add_region({.object_tag = "Paragraphs",
                                  .result_type = type,
                                  .geometry = "paragraph_span",
                                  .description = "Span {start, end, startOffset, endOffset, text?}: paragraph indices "
                                                 "(strings or numbers, end inclusive) and offsets in their text",
                                  .value_fields = paragraph_span_fields(),
                                  .validator = std::make_unique<function_validator>(&check_span)});
        !st)
      return st;
  }
  return reg.add_region({.object_tag = "Paragraphs",
                         .result_type = "*",
                         .geometry = "paragraph_span_optional",
                         .description = "Any other result on Paragraphs (per-region Choices, TextArea...): the span "
                                        "when it repeats one",
                         .validator = std::make_unique<function_validator>(&check_any_span)});
}

}  // namespace annot::plugins::text
