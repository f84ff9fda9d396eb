// Layout (visual) tags: View, Header, Style, Collapse + Panel, Filter, Markdown, Repeater, Dialog, PagedView.
#include "core.hpp"

namespace annot::plugins::core {

namespace {

annot::field_table view_attributes() {
  annot::field_table t{
      one_of("display", {"block", "inline"}, "How the view is laid out", "block"),
      css("style", "Inline CSS of the view"),
      text("className", "CSS class name"),
      text("idAttr", "Unique HTML id of the view"),
  };
  add_visibility(t);
  return t;
}

}  // namespace

annot::status register_layout_tags(annot::registrar& reg) {
  annot::field_table header{
      variable(text("value", "The text; \"$key\" reads it from the task (the element text may be used instead)")),
      integer("size", "Heading level (1 largest)", "4", 1, 10),
      css("style", "Inline CSS"),
      flag("underline", "Underline the header"),
      text("name", "A name, when the header shows task data"),
  };
  add_visibility(header);
  annot::field_table markdown{
      variable(text("value", "Markdown text, or \"$key\" to read it from the task")),
      css("style", "Inline CSS"),
      text("className", "CSS class name"),
      text("idAttr", "Unique HTML id"),
      text("name", "A name, when the text comes from task data"),
  };
  add_visibility(markdown);

  annot::visual_tag_spec specs[] = {
      {.tag = {.name = "View", .description = "A container for layout: groups tags, shows them conditionally",
               .attributes = view_attributes()}},
      {.tag = {.name = "Header", .description = "A heading, static or from task data",
               .attributes = std::move(header),
               .data_types = {annot::data_type::str, annot::data_type::int_, annot::data_type::float_}}},
      {.tag = {.name = "Style", .description = "CSS for the labeling interface, as the element's text"}},
      {.tag = {.name = "Collapse", .description = "An accordion of Panel children",
               .attributes = {flag("accordion", "Only one panel open at a time", "true"),
                              flag("bordered", "Draw a border around the panels")},
               .children = {"Panel"}}},
      {.tag = {.name = "Panel", .description = "One section of a Collapse",
               .attributes = {required(text("value", "The panel's title"))},
               .child_only = true}},
      {.tag = {.name = "Filter", .description = "A quick filter over the labels or choices of a control",
               .attributes = {text("name", "Name of the filter"),
                              {.name = "toName", .type = annot::field_type::name_list,
                               .description = "The control whose labels are filtered"},
                              integer("minlength", "Characters typed before filtering starts", "3", 0),
                              text("placeholder", "Placeholder text", "Quick Filter"),
                              text("hotkey", "Key that focuses the filter"),
                              css("style", "Inline CSS"),
                              flag("cleanup", "Clear the filter after a label is chosen", "true"),
                              flag("caseSensitive", "Match letter case")}}},
      {.tag = {.name = "Markdown", .description = "Formatted text, static or from task data",
               .attributes = std::move(markdown), .data_types = {annot::data_type::str}}},
      {.tag = {.name = "Repeater", .description = "Repeats its children once per item of a task-data list",
               .attributes = {required(variable(text("on", "\"$key\" of the list to repeat over"))),
                              text("indexFlag", "Placeholder replaced by the item index in attributes", "{{idx}}"),
                              one_of("mode", {"pagination"}, "Show one item at a time")}}},
      {.tag = {.name = "Dialog", .description = "A chat-like dialog display (legacy)",
               .attributes = {text("name", "Name of the dialog"),
                              variable(text("value", "\"$key\" of the dialog data"))}}},
      {.tag = {.name = "PagedView", .description = "Shows its children one page at a time",
               .attributes = {text("name", "Name of the view")}}},
  };
  for (auto& s : specs)
    if (auto st = reg.add_visual_tag(std::move(s)); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::core
