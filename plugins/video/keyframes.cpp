// Keyframe-sequence and frame-range checks shared by the Video regions.
#include "keyframes.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace annot::plugins::video {
namespace {

std::string num(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// The editor's float arithmetic leaves boxes a hair past the frame's edge.
constexpr double percent_tolerance = 1e-6;

// Where a keyframe or range sits ("value.sequence", 3). Paths are built only when an issue is
// reported: a long track is checked without allocating.
struct element_path {
  std::string_view list;
  std::size_t index = 0;
  std::string operator()(std::string_view key = {}) const {
    std::string p = annot::path_index(list, index);
    return key.empty() ? p : annot::path_join(p, key);
  }
};

// A required numeric key of a keyframe or range; nullopt (after reporting) when unusable.
std::optional<double> number_at(annot::json_ref obj, std::string_view key, const element_path& where,
                                std::string_view what, annot::issue_sink& out) {
  annot::json_ref v = obj.get(key);
  if (!v.exists()) {
    out.add(annot::severity::error, where(key), "is missing; " + std::string(what));
    return std::nullopt;
  }
  if (!v.is_number() || !std::isfinite(v.as_number())) {
    out.add(annot::severity::error, where(key), "must be a number, got " + std::string(annot::to_string(v.kind())));
    return std::nullopt;
  }
  return v.as_number();
}

void check_frame_number(double f, const element_path& where, std::string_view key, annot::issue_sink& out) {
  if (std::floor(f) != f)
    out.add(annot::severity::rule_break, where(key), "is " + num(f) + "; frame numbers are whole numbers");
  else if (f < 1)
    out.add(annot::severity::rule_break, where(key), "is " + num(f) + "; frames are numbered from 1");
}

// One axis of a box: position and size in percent. Label Studio keeps boxes drawn upwards or
// leftwards with a negative size, so those are rule breaks here, not errors.
void check_axis(double pos, double size, bool unrotated, const element_path& where, std::string_view pos_key,
                std::string_view size_key, annot::issue_sink& out) {
  if (pos < -percent_tolerance || pos > 100 + percent_tolerance)
    out.add(annot::severity::rule_break, where(pos_key),
            "is " + num(pos) + "; box coordinates are percentages of the frame, from 0 to 100");
  if (size < 0)
    out.add(annot::severity::rule_break, where(size_key),
            "is " + num(size) + ": the box was drawn backwards; Label Studio keeps it, but sizes should be positive");
  else if (size == 0)
    out.add(annot::severity::rule_break, where(size_key), "is 0: the box is empty");
  else if (size > 100 + percent_tolerance)
    out.add(annot::severity::rule_break, where(size_key),
            "is " + num(size) + "; a box is at most 100 percent of the frame");
  // The far edge, only for unrotated boxes: a rotated box may legitimately reach past its x + width.
  double far = pos + size;
  if (unrotated && (far > 100 + percent_tolerance || far < -percent_tolerance))
    out.add(annot::severity::rule_break, where(size_key),
            "puts the box's edge at " + num(far) + " percent, outside the frame");
}

void check_keyframe(annot::json_ref kf, const element_path& where, std::optional<double>& previous_frame,
                    std::optional<double> frames_count, annot::issue_sink& out) {
  if (!kf.is_object()) {
    out.add(annot::severity::error, where(),
            "must be a keyframe object {frame, enabled, x, y, width, height, rotation, time}, got " +
                std::string(annot::to_string(kf.kind())));
    return;
  }
  if (auto frame = number_at(kf, "frame", where, "a keyframe needs its frame number", out)) {
    check_frame_number(*frame, where, "frame", out);
    if (previous_frame && *frame <= *previous_frame)
      out.add(annot::severity::rule_break, where("frame"),
              "is " + num(*frame) + ", not after the previous keyframe's frame " + num(*previous_frame) +
                  ": keyframes must be in increasing frame order");
    else if (frames_count && *frame > *frames_count)
      out.add(annot::severity::rule_break, where("frame"),
              "is " + num(*frame) + ", past the video's last frame (framesCount " + num(*frames_count) + ")");
    previous_frame = *frame;
  }
  annot::json_ref enabled = kf.get("enabled");
  if (enabled.exists() && !enabled.is_bool())
    out.add(annot::severity::error, where("enabled"),
            "must be true or false (false ends the visible span at this keyframe)");
  annot::json_ref rotation = kf.get("rotation");
  bool unrotated = true;
  if (rotation.exists()) {
    if (!rotation.is_number() || !std::isfinite(rotation.as_number())) {
      out.add(annot::severity::error, where("rotation"), "must be a number of degrees");
    } else {
      unrotated = rotation.as_number() == 0;
      if (std::abs(rotation.as_number()) > 360)
        out.add(annot::severity::rule_break, where("rotation"),
                "is " + num(rotation.as_number()) + "; rotation is in degrees, from -360 to 360");
    }
  }
  const char* what = "a keyframe needs the box's x, y, width and height";
  auto x = number_at(kf, "x", where, what, out);
  auto y = number_at(kf, "y", where, what, out);
  auto w = number_at(kf, "width", where, what, out);
  auto h = number_at(kf, "height", where, what, out);
  if (x && w) check_axis(*x, *w, unrotated, where, "x", "width", out);
  if (y && h) check_axis(*y, *h, unrotated, where, "y", "height", out);
  annot::json_ref time = kf.get("time");
  if (time.exists()) {
    if (!time.is_number() || !std::isfinite(time.as_number()))
      out.add(annot::severity::error, where("time"), "must be a number of seconds");
    else if (time.as_number() < 0)
      out.add(annot::severity::rule_break, where("time"),
              "is " + num(time.as_number()) + "; times are seconds from the start of the video");
  }
}

}  // namespace

void check_sequence(annot::json_ref sequence, annot::json_ref frames_count, annot::issue_sink& out) {
  try {
    if (!sequence.is_array()) return;  // absent or a wrong type: the host reported it from the value fields
    if (sequence.size() == 0) {
      out.add(annot::severity::error, "value.sequence", "has no keyframes; a box track needs at least one");
      return;
    }
    std::optional<double> count;
    if (frames_count.is_number() && frames_count.as_number() > 0) count = frames_count.as_number();
    std::optional<double> previous;
    for (std::size_t i = 0; i < sequence.size(); ++i)
      check_keyframe(sequence.at(i), {"value.sequence", i}, previous, count, out);
  } catch (...) {
    // Only allocation can throw here; validators must not.
  }
}

void check_ranges(annot::json_ref ranges, annot::issue_sink& out) {
  try {
    if (!ranges.is_array()) return;  // absent or a wrong type: the host reported it from the value fields
    if (ranges.size() == 0) {
      out.add(annot::severity::error, "value.ranges", "has no ranges; a timeline span needs at least one {start, end}");
      return;
    }
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      annot::json_ref r = ranges.at(i);
      element_path where{"value.ranges", i};
      if (!r.is_object()) {
        out.add(annot::severity::error, where(),
                "must be a frame range {start, end}, got " + std::string(annot::to_string(r.kind())));
        continue;
      }
      const char* what = "a frame range needs start and end frames";
      auto s = number_at(r, "start", where, what, out);
      auto e = number_at(r, "end", where, what, out);
      if (s) check_frame_number(*s, where, "start", out);
      if (e) check_frame_number(*e, where, "end", out);
      if (s && e && *e < *s)
        out.add(annot::severity::error, where("end"),
                "is frame " + num(*e) + ", before start frame " + num(*s) + ": a range cannot have a negative length");
    }
  } catch (...) {
  }
}

void check_label_list(annot::json_ref labels, std::string_view path, annot::issue_sink& out) {
  try {
    if (!labels.exists() || labels.is_null()) return;
    if (!labels.is_array()) {
      out.add(annot::severity::error, path,
              "must be a list of label strings, got " + std::string(annot::to_string(labels.kind())));
      return;
    }
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (!labels.at(i).is_string())
        out.add(annot::severity::error, annot::path_index(path, i),
                "must be a string (a label value), got " + std::string(annot::to_string(labels.at(i).kind())));
  } catch (...) {
  }
}

}  // namespace annot::plugins::video
