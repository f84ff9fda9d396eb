// TimeSeries with its value children Channel and MultiChannel, and the regions other controls have on it.
#include <memory>
#include <string>

#include "time_range.hpp"
#include "timeseries.hpp"

namespace annot::plugins::timeseries {
namespace {

using annot::field_type;

annot::field_spec text(std::string name, std::string description, std::string default_value = {}) {
  return {.name = std::move(name), .default_value = std::move(default_value), .description = std::move(description)};
}

annot::field_spec flag(std::string name, std::string default_value, std::string description) {
  return {.name = std::move(name), .type = field_type::boolean, .default_value = std::move(default_value),
          .description = std::move(description)};
}

// Settings the editor reads that Label Studio's server and SDK accept anyway: warnings.
class timeseries_checker final : public annot::tag_checker {
 public:
  void check(const annot::config_tag& tag, annot::issue_sink& out) const noexcept override {
    auto time_format = tag.attribute("timeFormat");
    auto time_column = tag.attribute("timeColumn");
    if (time_format && !time_format->empty() && (!time_column || time_column->empty()))
      out.add(annot::severity::rule_break, "timeFormat",
              "timeFormat parses the time column, but there is no timeColumn: time is the row number");
  }
};

annot::field_table timeseries_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element; results name it in to_name"},
      {.name = "value", .required = true,
       .description = "Task-data key: a CSV/TSV URL (valueType=url) or inline {column: [values]} (valueType=json)",
       .variable_allowed = true},
      {.name = "valueType", .type = field_type::enumeration, .default_value = "url", .allowed = {"url", "json"},
       .description = "url: the data is a CSV/TSV URL; json: the data holds the columns"},
      text("sync", "Sync group: objects with the same value play, pause and seek together"),
      {.name = "cursorColor", .type = field_type::color, .description = "Colour of the playback cursor when synced"},
      text("timeColumn", "Column (name, or index in a headless CSV) with the times; without it, time is the row number"),
      text("timeFormat", "strftime pattern to parse the time column, e.g. %Y-%m-%d %H:%M:%S"),
      text("timeDisplayFormat", "How times are shown: strftime for dates, d3-format for numbers"),
      text("durationDisplayFormat", "How the length of a selection is shown", ".0f"),
      text("sep", "Separator of the CSV file", ","),
      text("overviewChannels", "Comma-separated channels (names or indexes) shown in the overview"),
      text("overviewWidth", "Initial width of the overview window, in percent", "25%"),
      flag("fixedScale", "false", "Scale the y-axis to all values instead of the visible ones"),
      flag("multiAxis", "false", "Show the channels in one view with several axes"),
      text("hotkey", "Key that plays or pauses the series when synced"),
  };
}

annot::field_table channel_attributes() {
  return {
      {.name = "column", .required = true, .description = "Column with the channel's values: its name, or index in a headless CSV"},
      text("legend", "Name shown for the channel"),
      text("units", "Units shown with the values"),
      text("displayFormat", "d3-format pattern for the values, e.g. ,.2f", ".1f"),
      {.name = "interpolation", .type = field_type::enumeration, .default_value = "curveStep",
       .allowed = {"curvebasis", "curveBasis", "curveBasisOpen", "curveBundle", "curveCardinal", "curveCardinalOpen",
                   "curveCatmullRom", "curveCatmullRomOpen", "curveLinear", "curveMonotoneX", "curveMonotoneY",
                   "curveNatural", "curveRadial", "curveStep", "curveStepAfter", "curveStepBefore"},
       .description = "How the line joins the values (a d3 curve)"},
      {.name = "height", .type = field_type::number, .default_value = "200", .description = "Height of the plot in pixels",
       .min = 0},
      {.name = "strokeColor", .type = field_type::color, .default_value = "#1f77b4", .description = "Colour of the line"},
      {.name = "strokeWidth", .type = field_type::number, .default_value = "1", .description = "Width of the line",
       .min = 0},
      {.name = "markerColor", .type = field_type::color, .default_value = "#1f77b4", .description = "Colour of the markers"},
      {.name = "markerSize", .type = field_type::number, .default_value = "0",
       .description = "Size of the markers on the values; 0 draws none", .min = 0},
      text("markerSymbol", "Shape of the markers (a d3 symbol: circle, cross, diamond, square, star, triangle, wye)",
           "circle"),
      text("timeRange", "Range of the time axis, \"min,max\""),
      text("dataRange", "Range of the value axis, \"min,max\""),
      flag("showAxis", "true", "Show the axes"),
      flag("showYAxis", "true", "Show the value axis (inside a MultiChannel)"),
      {.name = "fixedScale", .type = field_type::boolean,
       .description = "Scale the value axis to all values; overrides the TimeSeries' fixedScale"},
  };
}

annot::field_table multichannel_attributes() {
  return {
      {.name = "height", .type = field_type::number, .default_value = "200", .description = "Height of the plot in pixels",
       .min = 0},
      flag("showAxis", "true", "Show the axes"),
      flag("showYAxis", "true", "Show the value axis"),
      {.name = "fixedScale", .type = field_type::boolean,
       .description = "Use one scale for all its channels; inherits the TimeSeries' fixedScale when unset"},
  };
}

}  // namespace

annot::status register_timeseries(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "TimeSeries",
                                            .description = "Plots time series channels; regions are time ranges",
                                            .attributes = timeseries_attributes(),
                                            .children = {"Channel", "MultiChannel"},
                                            .data_types = {annot::data_type::dict, annot::data_type::list,
                                                           annot::data_type::str},
                                            .checker = std::make_unique<timeseries_checker>()},
                                    .measure = std::make_unique<timeseries_measure>()});
      !st)
    return st;
  if (auto st = reg.add_visual_tag({.tag = {.name = "Channel",
                                            .description = "One plotted column of the enclosing <TimeSeries>",
                                            .attributes = channel_attributes(),
                                            .child_only = true}});
      !st)
    return st;
  if (auto st = reg.add_visual_tag({.tag = {.name = "MultiChannel",
                                            .description = "Several <Channel>s of a <TimeSeries> drawn on one plot",
                                            .attributes = multichannel_attributes(),
                                            .children = {"Channel"},
                                            .child_only = true}});
      !st)
    return st;
  if (auto st = reg.add_region({.object_tag = "TimeSeries",
                                .result_type = "labels",
                                .geometry = "time_range",
                                .description = "<Labels> on TimeSeries: the same time range",
                                .value_fields = time_range_fields(true),
                                .validator = make_time_range_validator(true)});
      !st)
    return st;
  return reg.add_region({.object_tag = "TimeSeries",
                         .result_type = "*",
                         .geometry = "optional_time_range",
                         .description = "Other controls' results; per-region ones repeat their region's time range",
                         .value_fields = time_range_fields(false),
                         .validator = make_time_range_validator(false)});
}

}  // namespace annot::plugins::timeseries
