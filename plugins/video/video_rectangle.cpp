// VideoRectangle: box tracks on a Video, stored as keyframes in value.sequence.
#include <memory>

#include "keyframes.hpp"
#include "video.hpp"

namespace annot::plugins::video {
namespace {

using annot::field_type;

annot::field_table video_rectangle_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the control; results carry it in from_name"},
      {.name = "toName", .type = field_type::name_list, .required = true, .description = "Name of the <Video> to track boxes on"},
  };
}

// The keyframes, and the labels a sibling <Labels toName="video"> merges into the track's result.
// Those labels belong to another control, which a region validator cannot see, so only their form
// is checked here.
class videorectangle_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    check_sequence(r.value.get("sequence"), r.value.get("framesCount"), out);
    check_label_list(r.value.get("labels"), "value.labels", out);
  }
};

}  // namespace

annot::status register_video_rectangle(annot::registrar& reg) {
  if (auto st = reg.add_region(
          {.object_tag = "Video",
           .result_type = "videorectangle",
           .geometry = "keyframe_sequence",
           .description = "A box track: keyframes {frame, enabled, x, y, width, height, rotation, time} in increasing "
                          "frame order (frames from 1, box in percent of the frame); frames between keyframes are "
                          "interpolated and enabled=false ends a visible span",
           .value_fields = {{.name = "sequence", .type = field_type::array, .required = true,
                             .description = "The keyframes, in increasing frame order"},
                            {.name = "framesCount", .type = field_type::integer,
                             .description = "Frames in the video when the track was made", .min = 0},
                            {.name = "duration", .type = field_type::number,
                             .description = "Length of the video in seconds", .min = 0},
                            {.name = "labels", .type = field_type::array,
                             .description = "Labels merged from a <Labels> that targets the same Video"}},
           .validator = std::make_unique<videorectangle_validator>()});
      !st)
    return st;
  return reg.add_control_tag({.tag = {.name = "VideoRectangle",
                                      .description = "Tracks an object through a <Video> with boxes at keyframes; label "
                                                     "the track with a <Labels> on the same Video",
                                      .attributes = video_rectangle_attributes()},
                              .result_types = {"videorectangle"},
                              .payload = annot::payload_kind::none,
                              .targets = {"Video"},
                              .needs_region = true});
}

}  // namespace annot::plugins::video
