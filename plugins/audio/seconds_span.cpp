// The segment validator for Audio: seconds, ordering, the audio's length, the channel.
#include "seconds_span.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace annot::plugins::audio {
namespace {

std::string num(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// original_length is rounded by the browser's decoder; a segment may end a hair past it.
constexpr double length_tolerance = 1e-3;

class seconds_span_validator final : public annot::result_validator {
 public:
  explicit seconds_span_validator(bool required) : required_(required) {}

  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    try {
      run(r, out);
    } catch (...) {
      // Only allocation can throw here; a validator must not.
    }
  }

 private:
  void run(const annot::result_view& r, annot::issue_sink& out) const {
    annot::json_ref start = r.value.get("start"), end = r.value.get("end");
    annot::json_ref length = r.item.get("original_length");
    if (length.exists() && !length.is_null() && !length.is_number())
      out.add(annot::severity::error, "original_length",
              "must be a number, the length of the audio in seconds, got " + std::string(annot::to_string(length.kind())));
    if (!required_) {
      if (!start.exists() && !end.exists()) {
        if (r.value.get("channel").exists())
          out.add(annot::severity::error, "value.channel",
                  "a channel without the segment's start and end cannot be placed");
        return;
      }
      for (auto [key, ref] : {std::pair{"value.start", start}, std::pair{"value.end", end}})
        if (!ref.exists())
          out.add(annot::severity::error, key, "is missing; a segment of <Audio> needs start and end together");
    }
    // Wrong JSON types and negative times were reported by the host from the value fields.
    if (!start.is_number() || !end.is_number()) return;
    double a = start.as_number(), b = end.as_number();
    if (!std::isfinite(a) || !std::isfinite(b)) {
      out.add(annot::severity::error, std::isfinite(a) ? "value.end" : "value.start", "must be a finite number of seconds");
      return;
    }
    if (b < a) {
      out.add(annot::severity::error, "value.end",
              "is " + num(b) + " s, before start " + num(a) + " s: a segment cannot have a negative length");
      return;
    }
    if (b == a) out.add(annot::severity::rule_break, "value.end", "equals start: the segment is empty");
    if (length.is_number() && length.as_number() > 0 && b > length.as_number() + length_tolerance)
      out.add(annot::severity::rule_break, a > length.as_number() ? "value.start" : "value.end",
              "is " + num(a > length.as_number() ? a : b) + " s, past the end of the audio (original_length " +
                  num(length.as_number()) + " s)");
  }

  bool required_;
};

}  // namespace

annot::field_table seconds_span_fields(bool required) {
  return {
      {.name = "start", .type = annot::field_type::number, .required = required,
       .description = "Start of the segment, in seconds from the beginning of the audio", .min = 0},
      {.name = "end", .type = annot::field_type::number, .required = required,
       .description = "End of the segment, in seconds", .min = 0},
      {.name = "channel", .type = annot::field_type::integer,
       .description = "The audio channel the segment is on (splitchannels), from 0", .min = 0},
  };
}

std::unique_ptr<annot::result_validator> make_seconds_span_validator(bool geometry_required) {
  return std::make_unique<seconds_span_validator>(geometry_required);
}

}  // namespace annot::plugins::audio
