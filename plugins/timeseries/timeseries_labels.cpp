// TimeSeriesLabels: labeled time ranges on a TimeSeries.
#include <annot_plugin_support/validators.hpp>
#include <memory>
#include <string>

#include "time_range.hpp"
#include "timeseries.hpp"

namespace annot::plugins::timeseries {
namespace {

using annot::field_type;

annot::field_table timeseries_labels_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the control; results carry it in from_name"},
      {.name = "toName", .type = field_type::name_list, .required = true, .description = "Name of the <TimeSeries> to label"},
      {.name = "choice", .type = field_type::enumeration, .default_value = "single", .allowed = {"single", "multiple"},
       .description = "Whether a range gets one label or several"},
      {.name = "maxUsages", .type = field_type::integer, .description = "How many times each label may be used per task",
       .min = 0},
      {.name = "showInline", .type = field_type::boolean, .default_value = "true",
       .description = "Show the labels on one line"},
      {.name = "opacity", .type = field_type::number, .default_value = "0.9", .description = "Opacity of ranges",
       .min = 0, .max = 1},
      {.name = "fillColor", .type = field_type::color, .description = "Fill colour of ranges"},
      {.name = "strokeColor", .type = field_type::color, .default_value = "#f48a42", .description = "Outline colour"},
      {.name = "strokeWidth", .type = field_type::number, .default_value = "1", .description = "Outline width in pixels",
       .min = 0},
      {.name = "fillOpacity", .type = field_type::number, .description = "Opacity of the fill", .min = 0, .max = 1},
      {.name = "allowEmpty", .type = field_type::boolean, .default_value = "false",
       .description = "Allow ranges without a label"},
      {.name = "value", .description = "Task-data key holding the labels, for labels loaded from the task ($key)",
       .variable_allowed = true},
  };
}

}  // namespace

annot::status register_timeseries_labels(annot::registrar& reg) {
  if (auto st = reg.add_region({.object_tag = "TimeSeries",
                                .result_type = "timeserieslabels",
                                .geometry = "time_range",
                                .description = "A range {start, end, instant} in the time column's units (the row "
                                               "number without timeColumn), end inclusive; instant marks one point",
                                .value_fields = time_range_fields(true),
                                .validator = make_time_range_validator(true)});
      !st)
    return st;
  return reg.add_control_tag({.tag = {.name = "TimeSeriesLabels",
                                      .description = "Labels time ranges of a <TimeSeries>",
                                      .attributes = timeseries_labels_attributes(),
                                      .children = {"Label"},
                                      .data_types = {annot::data_type::str, annot::data_type::list}},
                              .result_types = {"timeserieslabels"},
                              .payload_key = "timeserieslabels",
                              .payload = annot::payload_kind::label_list,
                              .targets = {"TimeSeries"},
                              .needs_region = true,
                              .dynamic_labels = true,
                              .validator = std::make_unique<annot::plugins::support::single_choice_validator>("timeserieslabels")});
}

}  // namespace annot::plugins::timeseries
