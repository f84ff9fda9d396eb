// Value tags that live inside a control: Label, Choice, Relation, Bucket, Shortcut.
#include "core.hpp"

namespace annot::plugins::core {

annot::status register_value_tags(annot::registrar& reg) {
  annot::visual_tag_spec specs[] = {
      {.tag = {.name = "Label",
               .description = "One label of a Labels-type control",
               .attributes = {required(text("value", "The label's text")),
                              text("alias", "What results carry instead of value"),
                              color("background", "Colour of regions with this label"),
                              color("selectedColor", "Colour of the label while selected"),
                              text("hotkey", "Key that selects the label"),
                              integer("maxUsages", "How many regions may carry this label", {}, 0),
                              text("hint", "Tooltip text"),
                              text("html", "HTML shown instead of the value"),
                              text("category", "Category id used by some exports"),
                              flag("selected", "Preselected"),
                              one_of("granularity", {"symbol", "word", "sentence", "paragraph"},
                                     "Text selection snaps to this unit"),
                              flag("showAlias", "Show the alias next to the value"),
                              css("aliasStyle", "CSS of the alias"),
                              css("style", "Inline CSS"),
                              text("model_index", "Index used by ML backends")},
               .child_only = true}},
      {.tag = {.name = "Choice",
               .description = "One choice of Choices or one node of Taxonomy (may nest)",
               .attributes = {required(text("value", "The choice's text")),
                              text("alias", "What results carry instead of value"),
                              flag("selected", "Preselected"),
                              text("hotkey", "Key that selects the choice"),
                              text("html", "HTML shown instead of the value"),
                              text("hint", "Tooltip text"),
                              css("style", "Inline CSS"),
                              color("background", "Colour"),
                              color("selectedColor", "Colour while selected")},
               .child_only = true}},
      {.tag = {.name = "Relation",
               .description = "One label a relation between two regions may carry",
               .attributes = {required(text("value", "The relation label")),
                              color("background", "Colour of the relation"),
                              text("alias", "What results carry instead of value"),
                              text("hotkey", "Key that selects the label")},
               .child_only = true}},
      {.tag = {.name = "Bucket",
               .description = "A named bucket of a Ranker; results list item ids per bucket name",
               .attributes = {required(text("name", "Bucket name; the key of the ranker result")),
                              text("title", "Title shown above the bucket"),
                              flag("default", "Items start in this bucket"),
                              css("style", "Inline CSS")},
               .child_only = true}},
      {.tag = {.name = "Shortcut",
               .description = "A text snippet a TextArea inserts on a hotkey",
               .attributes = {required(text("value", "Text to insert")),
                              text("alias", "Text shown on the button"),
                              text("hotkey", "Key that inserts the text"),
                              color("background", "Button colour")},
               .child_only = true}},
  };
  for (auto& s : specs)
    if (auto st = reg.add_visual_tag(std::move(s)); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::core
