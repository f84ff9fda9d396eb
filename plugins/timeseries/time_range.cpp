// The time-range validator and the row-count measure of TimeSeries.
#include "time_range.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace annot::plugins::timeseries {
namespace {

std::string num(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// A column of inline JSON data by name; the editor lower-cases column names, so case is ignored.
annot::json_ref column(annot::json_ref data, std::string_view name) {
  annot::json_ref exact = data.get(name);
  if (exact.exists()) return exact;
  for (std::size_t i = 0; i < data.size(); ++i)
    if (annot::iequals(data.member_name(i), name)) return data.member_value(i);
  return {};
}

// The series' time axis [first, last], when the task data is inline and numeric. The editor
// refuses a time column that is not sorted, so its ends are its first and last values.
struct time_axis {
  double first = 0;
  double last = 0;
  const char* what = "";
};

std::optional<time_axis> axis_of(const annot::result_view& r) {
  if (!r.object) return std::nullopt;
  auto time_column = r.object->tag.attribute("timeColumn");
  if (!time_column || time_column->empty()) {
    if (!r.extent.length || *r.extent.length < 1) return std::nullopt;
    return time_axis{0, *r.extent.length - 1, "row"};
  }
  if (!r.data.is_object()) return std::nullopt;
  annot::json_ref times = column(r.data, *time_column);
  if (!times.is_array() || times.size() == 0) return std::nullopt;
  annot::json_ref first = times.at(0), last = times.at(times.size() - 1);
  // Formatted times (timeFormat) are strings in the data; ranges then hold parsed or formatted times.
  if (!first.is_number() || !last.is_number()) return std::nullopt;
  return time_axis{first.as_number(), last.as_number(), "time"};
}

class time_range_validator final : public annot::result_validator {
 public:
  explicit time_range_validator(bool required) : required_(required) {}

  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    try {
      run(r, out);
    } catch (...) {
      // Only allocation can throw here; a validator must not.
    }
  }

 private:
  void run(const annot::result_view& r, annot::issue_sink& out) const {
    annot::json_ref start = r.value.get("start"), end = r.value.get("end"), instant = r.value.get("instant");
    if (!required_) {
      if (!start.exists() && !end.exists()) return;
      for (auto [key, ref] : {std::pair{"value.start", start}, std::pair{"value.end", end}})
        if (!ref.exists())
          out.add(annot::severity::error, key, "is missing; a range of <TimeSeries> needs start and end together");
    } else if (!instant.exists()) {
      out.add(annot::severity::rule_break, "value.instant",
              "is missing; Label Studio's SDK requires it: true for a single point in time, false for a range");
    }
    bool usable = true;
    for (auto [key, ref] : {std::pair{"value.start", start}, std::pair{"value.end", end}}) {
      if (!ref.exists()) {
        usable = false;
        continue;
      }
      bool ok = (ref.is_number() && std::isfinite(ref.as_number())) || (ref.is_string() && !ref.as_string().empty());
      if (!ok) {
        out.add(annot::severity::error, key,
                "must be a number in the units of the time column (or a time string when timeFormat is set), got " +
                    std::string(ref.is_string() ? "an empty string" : annot::to_string(ref.kind())));
        usable = false;
      }
    }
    if (!usable || !start.is_number() || !end.is_number()) return;
    double a = start.as_number(), b = end.as_number();
    if (b < a) {
      out.add(annot::severity::error, "value.end",
              "is " + num(b) + ", before start " + num(a) + ": a range cannot have a negative length");
      return;
    }
    if (instant.is_bool() && instant.as_bool() && a != b)
      out.add(annot::severity::rule_break, "value.end",
              "is " + num(b) + " but start is " + num(a) + "; an instant (instant: true) is one point, start equal to end");
    if (auto axis = axis_of(r)) {
      auto span = [&] {
        return " (the series runs from " + std::string(axis->what) + " " + num(axis->first) + " to " +
               num(axis->last) + ")";
      };
      if (a < axis->first)
        out.add(annot::severity::rule_break, "value.start", "is " + num(a) + ", before the start of the series" + span());
      if (b > axis->last)
        out.add(annot::severity::rule_break, "value.end", "is " + num(b) + ", past the end of the series" + span());
    }
  }

  bool required_;
};

}  // namespace

annot::field_table time_range_fields(bool required) {
  return {
      {.name = "start", .type = annot::field_type::any, .required = required,
       .description = "Start of the range in the time column's units (the row number without timeColumn); a time "
                      "string when timeFormat is set"},
      {.name = "end", .type = annot::field_type::any, .required = required,
       .description = "End of the range, inclusive, in the same units"},
      {.name = "instant", .type = annot::field_type::boolean,
       .description = "true: a single point in time (start equals end); false: a range"},
  };
}

std::unique_ptr<annot::result_validator> make_time_range_validator(bool geometry_required) {
  return std::make_unique<time_range_validator>(geometry_required);
}

annot::data_extent timeseries_measure::measure(const annot::object_instance& object,
                                               annot::json_ref data) const noexcept {
  auto time_column = object.tag.attribute("timeColumn");
  if (time_column && !time_column->empty()) return {};
  if (data.is_array()) return {.length = static_cast<double>(data.size())};
  if (!data.is_object()) return {};
  // {column: [values...]}: every column has one value per row.
  for (std::size_t i = 0; i < data.size(); ++i) {
    annot::json_ref col = data.member_value(i);
    if (col.is_array()) return {.length = static_cast<double>(col.size())};
  }
  return {};
}

}  // namespace annot::plugins::timeseries
