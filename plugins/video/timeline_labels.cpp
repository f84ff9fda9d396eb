// TimelineLabels: labeled frame ranges on a Video's timeline, stored in value.ranges.
#include <annot_plugin_support/validators.hpp>
#include <memory>
#include <string>

#include "keyframes.hpp"
#include "video.hpp"

namespace annot::plugins::video {
namespace {

using annot::field_type;

annot::field_table timeline_labels_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the control; results carry it in from_name"},
      {.name = "toName", .type = field_type::name_list, .required = true, .description = "Name of the <Video> to label"},
      {.name = "choice", .type = field_type::enumeration, .default_value = "single", .allowed = {"single", "multiple"},
       .description = "Whether a span gets one label or several"},
      {.name = "maxUsages", .type = field_type::integer, .description = "How many times each label may be used per task",
       .min = 0},
      {.name = "showInline", .type = field_type::boolean, .default_value = "true",
       .description = "Show the labels on one line"},
      {.name = "opacity", .type = field_type::number, .description = "Opacity of spans", .min = 0, .max = 1},
      {.name = "fillColor", .type = field_type::color, .description = "Fill colour of spans"},
      {.name = "strokeColor", .type = field_type::color, .description = "Outline colour of spans"},
      {.name = "strokeWidth", .type = field_type::number, .description = "Outline width in pixels", .min = 0},
      {.name = "fillOpacity", .type = field_type::number, .description = "Opacity of the fill", .min = 0, .max = 1},
      {.name = "allowEmpty", .type = field_type::boolean, .default_value = "false",
       .description = "Allow spans without a label"},
      {.name = "value", .description = "Task-data key holding the labels, for labels loaded from the task ($key)",
       .variable_allowed = true},
  };
}

class ranges_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    check_ranges(r.value.get("ranges"), out);
  }
};

}  // namespace

annot::status register_timeline_labels(annot::registrar& reg) {
  if (auto st = reg.add_region({.object_tag = "Video",
                                .result_type = "timelinelabels",
                                .geometry = "frame_ranges",
                                .description = "Spans of the timeline: ranges [{start, end}] of frames, from 1, end "
                                               "inclusive (start = end labels one frame)",
                                .value_fields = {{.name = "ranges", .type = field_type::array, .required = true,
                                                  .description = "The frame ranges, [{start, end}]"}},
                                .validator = std::make_unique<ranges_validator>()});
      !st)
    return st;
  return reg.add_control_tag({.tag = {.name = "TimelineLabels",
                                      .description = "Labels spans of frames on a <Video>'s timeline",
                                      .attributes = timeline_labels_attributes(),
                                      .children = {"Label"},
                                      .data_types = {annot::data_type::str, annot::data_type::list}},
                              .result_types = {"timelinelabels"},
                              .payload_key = "timelinelabels",
                              .payload = annot::payload_kind::label_list,
                              .targets = {"Video"},
                              .needs_region = true,
                              .dynamic_labels = true,
                              .validator = std::make_unique<annot::plugins::support::single_choice_validator>("timelinelabels")});
}

}  // namespace annot::plugins::video
