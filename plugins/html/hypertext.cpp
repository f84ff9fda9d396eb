// HyperText and HyperTextLabels: attribute tables (Label Studio 1.22 editor), XPath-span regions.
#include "hypertext.hpp"

#include <annot_plugin_support/validators.hpp>
#include <memory>
#include <string>

#include "html_text.hpp"
#include "xpath_span.hpp"

namespace annot::plugins::html {
namespace {

using annot::field_type;

annot::field_table hypertext_attributes() {
  return {
      {.name = "name", .description = "Name of the element; results name it in to_name. Optional when the tag only shows markup"},
      {.name = "value", .required = true, .description = "The HTML to show: a task-data reference such as $html, or inline markup",
       .variable_allowed = true},
      {.name = "valueType", .type = field_type::enumeration, .default_value = "text", .allowed = {"text", "url"},
       .description = "text: the data holds the HTML itself; url: the data holds a URL the browser loads"},
      {.name = "inline", .type = field_type::boolean, .default_value = "false",
       .description = "Embed the HTML in the page instead of an iframe"},
      {.name = "saveTextResult", .type = field_type::enumeration, .allowed = {"yes", "no"},
       .description = "Store the selected text in each region's value.text (default: yes unless valueType=url)"},
      {.name = "encoding", .type = field_type::enumeration, .default_value = "none",
       .allowed = {"none", "base64", "base64unicode"}, .description = "How the data is encoded"},
      {.name = "selectionEnabled", .type = field_type::boolean, .default_value = "true",
       .description = "Allow selecting text to create regions"},
      {.name = "clickableLinks", .type = field_type::boolean, .default_value = "false",
       .description = "Allow opening the links in the markup"},
      {.name = "highlightColor", .type = field_type::color,
       .description = "Colour of region highlights; defaults to the label's colour"},
      {.name = "showLabels", .type = field_type::boolean,
       .description = "Show label names next to regions; unset follows the editor settings"},
      {.name = "granularity", .type = field_type::enumeration, .allowed = {"symbol", "word", "sentence", "paragraph"},
       .description = "What a selection snaps to"},
      {.name = "resolveUrls", .type = field_type::boolean, .default_value = "true",
       .description = "Resolve cloud-storage URIs (s3://, gs://...) inside content loaded with valueType=url"},
  };
}

annot::field_table hypertext_labels_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the control; results carry it in from_name"},
      {.name = "toName", .type = field_type::name_list, .required = true,
       .description = "Name of the <HyperText> to label"},
      {.name = "choice", .type = field_type::enumeration, .default_value = "single", .allowed = {"single", "multiple"},
       .description = "Whether a region gets one label or several"},
      {.name = "maxUsages", .type = field_type::integer, .description = "How many times each label may be used per task",
       .min = 0},
      {.name = "showInline", .type = field_type::boolean, .default_value = "true",
       .description = "Show the labels on one line"},
      {.name = "opacity", .type = field_type::number, .default_value = "0.6", .description = "Opacity of highlights",
       .min = 0, .max = 1},
      {.name = "fillColor", .type = field_type::color, .description = "Fill colour of highlights"},
      {.name = "strokeColor", .type = field_type::color, .default_value = "#f48a42", .description = "Outline colour"},
      {.name = "strokeWidth", .type = field_type::number, .default_value = "1", .description = "Outline width in pixels",
       .min = 0},
      {.name = "fillOpacity", .type = field_type::number, .description = "Opacity of the fill", .min = 0, .max = 1},
      {.name = "allowEmpty", .type = field_type::boolean, .default_value = "false",
       .description = "Allow regions without a label"},
      {.name = "value", .description = "Task-data key holding the labels, for labels loaded from the task ($key)",
       .variable_allowed = true},
  };
}

// The keys of an XPath span; `required` for the labeling types, optional for per-region results.
annot::field_table xpath_span_fields(bool required) {
  annot::field_table fields{
      {.name = "start", .type = field_type::string, .required = required,
       .description = "XPath of the node where the span starts, e.g. /div[1]/p[2]/text()[1]"},
      {.name = "end", .type = field_type::string, .required = required, .description = "XPath of the node where it ends"},
      {.name = "startOffset", .type = field_type::integer, .description = "Character offset within the start node",
       .min = 0},
      {.name = "endOffset", .type = field_type::integer, .description = "Character offset within the end node (exclusive)",
       .min = 0},
      {.name = "globalOffsets", .type = field_type::object,
       .description = "{start, end}: character positions in the document's displayed text"},
  };
  // Per-region results leave `text` to their control: a TextArea's is a list of strings.
  if (required)
    fields.push_back({.name = "text", .type = field_type::string, .description = "The selected text (saveTextResult)"});
  return fields;
}

annot::region_spec xpath_region(std::string result_type, bool required, std::string description) {
  return {.object_tag = "HyperText",
          .result_type = std::move(result_type),
          .geometry = required ? "xpath_span" : "optional_xpath_span",
          .description = std::move(description),
          .value_fields = xpath_span_fields(required),
          .validator = make_xpath_span_validator(required)};
}

}  // namespace

annot::status register_hypertext(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({
          .tag = {.name = "HyperText",
                  .description = "Shows an HTML document whose text can be labeled with XPath spans",
                  .attributes = hypertext_attributes(),
                  .data_types = {annot::data_type::str}},
          .measure = std::make_unique<hypertext_measure>()});
      !st)
    return st;
  if (auto st = reg.add_region(xpath_region(
          "hypertextlabels", true, "A span between two nodes of the document: XPaths plus offsets within them"));
      !st)
    return st;
  if (auto st = reg.add_region(xpath_region("labels", true, "<Labels> on HyperText: the same XPath span")); !st)
    return st;
  if (auto st = reg.add_region(xpath_region(
          "*", false, "Other controls' results; per-region ones repeat their region's XPath span"));
      !st)
    return st;
  return reg.add_control_tag({
      .tag = {.name = "HyperTextLabels",
              .description = "Labels for spans of a <HyperText> document",
              .attributes = hypertext_labels_attributes(),
              .children = {"Label"},
              .data_types = {annot::data_type::str, annot::data_type::list}},
      .result_types = {"hypertextlabels"},
      .payload_key = "hypertextlabels",
      .payload = annot::payload_kind::label_list,
      .targets = {"HyperText"},
      .needs_region = true,
      .dynamic_labels = true,
      .validator = std::make_unique<annot::plugins::support::single_choice_validator>("hypertextlabels")});
}

}  // namespace annot::plugins::html
