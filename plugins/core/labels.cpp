// Labels: the generic region-labelling control; its geometry comes from the object it targets.
#include "core.hpp"

namespace annot::plugins::core {

namespace {

// The host checked that value.labels is a list of the control's labels; this adds the choice rule.
class labels_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    auto choice = r.control->tag.attribute("choice");
    annot::json_ref labels = r.value.get("labels");
    if (choice && *choice == "single" && labels.size() > 1)
      out.add(annot::severity::rule_break, "value.labels",
              describe(*r.control) + " takes one label per region (choice=\"single\"), got " +
                  std::to_string(labels.size()));
  }
};

annot::field_table labels_attributes() {
  return control_attributes({
      one_of("choice", {"single", "multiple"}, "How many labels one region may carry", "single"),
      integer("maxUsages", "How many regions may use each label", {}, 0),
      flag("showInline", "Show labels in a row", "true"),
      number("opacity", "Opacity of regions", "0.6", 0, 1),
      number("fillOpacity", "Opacity of region fill", {}, 0, 1),
      color("fillColor", "Region fill colour"),
      color("strokeColor", "Region outline colour"),
      number("strokeWidth", "Region outline width in pixels", "1", 0),
      variable(text("value", "\"$key\" of task data holding the labels (dynamic labels)")),
      flag("allowEmpty", "Regions may carry no label"),
      one_of("granularity", {"symbol", "word", "sentence", "paragraph"}, "Text selection snaps to this unit"),
      text("hotkey", "Key that activates the control"),
  });
}

}  // namespace

annot::status register_labels(annot::registrar& reg) {
  return reg.add_control_tag({
      .tag = {.name = "Labels",
              .description = "Labels a region of the object it targets; the region's shape depends on the object "
                             "(a span on Text, seconds on Audio, the tool geometry on Image)",
              .attributes = labels_attributes(),
              .children = {"Label"},
              .data_types = {annot::data_type::str, annot::data_type::list}},
      .result_types = {"labels"},
      .payload_key = "labels",
      .payload = annot::payload_kind::label_list,
      .needs_region = true,
      .dynamic_labels = true,
      .validator = std::make_unique<labels_validator>(),
  });
}

}  // namespace annot::plugins::core
