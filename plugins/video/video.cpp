// Video: the object tag, its attribute checks, and the regions <Labels> and other controls have on it.
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "keyframes.hpp"
#include "video.hpp"

namespace annot::plugins::video {
namespace {

using annot::field_type;

std::string num(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// A numeric attribute; nullopt when absent, a "$key" reference, or not a number.
std::optional<double> number_attribute(const annot::config_tag& tag, std::string_view name) {
  auto v = tag.attribute(name);
  if (!v) return std::nullopt;
  std::string_view s = *v;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

// What Label Studio's SDK flags on <Video> (LabelInterface.validate) and what the editor silently
// replaces; all warnings, since the server accepts them.
class video_checker final : public annot::tag_checker {
 public:
  void check(const annot::config_tag& tag, annot::issue_sink& out) const noexcept override {
    try {
      auto fps = number_attribute(tag, "frameRate");
      if (fps && *fps <= 0)
        out.add(annot::severity::rule_break, "frameRate",
                "frameRate=\"" + num(*fps) + "\" is not a frame rate; the editor falls back to 24 frames per second");
      auto speed = number_attribute(tag, "defaultPlaybackSpeed");
      auto min_speed = number_attribute(tag, "minPlaybackSpeed");
      if (speed && *speed > 10)
        out.add(annot::severity::rule_break, "defaultPlaybackSpeed",
                "defaultPlaybackSpeed=\"" + num(*speed) + "\" is above 10, which Label Studio's SDK refuses");
      if (speed && min_speed && *min_speed > *speed)
        out.add(annot::severity::rule_break, "minPlaybackSpeed",
                "minPlaybackSpeed=\"" + num(*min_speed) + "\" is above defaultPlaybackSpeed=\"" + num(*speed) +
                    "\"; the editor starts at the minimum instead");
    } catch (...) {
    }
  }
};

annot::field_table video_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element; results name it in to_name"},
      {.name = "value", .required = true, .description = "Task-data key holding the video URL, e.g. $video",
       .variable_allowed = true},
      {.name = "frameRate", .type = field_type::number, .default_value = "24",
       .description = "Frames per second; keyframe times are frame / frameRate. May be a task-data key such as $fps",
       .variable_allowed = true},
      {.name = "sync", .description = "Sync group: objects with the same value play, pause and seek together"},
      {.name = "muted", .type = field_type::boolean, .default_value = "false", .description = "Start muted"},
      {.name = "height", .type = field_type::number, .default_value = "600",
       .description = "Height of the player in pixels", .min = 0},
      {.name = "timelineHeight", .type = field_type::number, .default_value = "64",
       .description = "Height of the timeline with regions, in pixels", .min = 0},
      {.name = "defaultPlaybackSpeed", .type = field_type::number, .default_value = "1",
       .description = "Playback speed when the video loads (Label Studio's SDK allows at most 10)", .min = 0},
      {.name = "minPlaybackSpeed", .type = field_type::number, .default_value = "0.25",
       .description = "Lowest playback speed the player allows", .min = 0},
      {.name = "hotkey", .description = "Key that plays or pauses the video"},
  };
}

annot::field_table region_fields() {
  return {
      {.name = "sequence", .type = field_type::array,
       .description = "Keyframes of a box track: [{frame, enabled, x, y, width, height, rotation, time}]"},
      {.name = "ranges", .type = field_type::array, .description = "Frame ranges of a timeline span: [{start, end}]"},
      {.name = "framesCount", .type = field_type::integer, .description = "Frames in the video when the region was made",
       .min = 0},
      {.name = "duration", .type = field_type::number, .description = "Length of the video in seconds", .min = 0},
  };
}

// A region on Video is a box track (sequence) or a timeline span (ranges); results of other controls
// on such a region repeat its geometry.
class video_region_validator final : public annot::result_validator {
 public:
  explicit video_region_validator(bool required) : required_(required) {}

  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref sequence = r.value.get("sequence"), ranges = r.value.get("ranges");
    if (required_ && !sequence.exists() && !ranges.exists())
      out.add(annot::severity::error, "value",
              "has neither sequence nor ranges; a region on <Video> is a box track (sequence of keyframes) or a "
              "timeline span (ranges of frames)");
    check_sequence(sequence, r.value.get("framesCount"), out);
    check_ranges(ranges, out);
  }

 private:
  bool required_;
};

}  // namespace

annot::status register_video(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "Video",
                                            .description = "Plays a video; regions are box tracks or frame ranges",
                                            .attributes = video_attributes(),
                                            .data_types = {annot::data_type::str},
                                            .checker = std::make_unique<video_checker>()}});
      !st)
    return st;
  if (auto st = reg.add_region({.object_tag = "Video",
                                .result_type = "labels",
                                .geometry = "video_region",
                                .description = "<Labels> on a Video region: the box track's keyframes (sequence) or "
                                               "the timeline span's frame ranges (ranges)",
                                .value_fields = region_fields(),
                                .validator = std::make_unique<video_region_validator>(true)});
      !st)
    return st;
  return reg.add_region({.object_tag = "Video",
                         .result_type = "*",
                         .geometry = "optional_video_region",
                         .description = "Other controls' results; per-region ones repeat the region's sequence or ranges",
                         .value_fields = region_fields(),
                         .validator = std::make_unique<video_region_validator>(false)});
}

}  // namespace annot::plugins::video
