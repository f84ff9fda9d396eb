// Time ranges on a TimeSeries: {start, end, instant} in the time column's units, and the data measure.
#pragma once

#include <annot/tags.hpp>
#include <memory>

namespace annot::plugins::timeseries {

// The value keys of a time range; `required` for the labeling types, optional for per-region results.
annot::field_table time_range_fields(bool required);

// Checks a time range: numbers (or time strings with timeFormat), end not before start, instant
// consistent, and within the series' time axis when the task data is inline JSON. With
// `geometry_required` false the range is checked only when the result repeats it.
std::unique_ptr<annot::result_validator> make_time_range_validator(bool geometry_required);

// TimeSeries' data_measure: with no timeColumn the time axis is the row number, so extent.length is
// the number of rows of inline JSON data ({column: [...]} or a list of rows); unknown otherwise (a
// URL, or a time column, whose bounds the validator reads from the data).
class timeseries_measure final : public annot::data_measure {
 public:
  annot::data_extent measure(const annot::object_instance& object, annot::json_ref data) const noexcept override;
};

}  // namespace annot::plugins::timeseries
