// A videorectangle region with two keyframes (frames 1 and 3 of 6, the second one ending the
// track), shared by the export tests of interpolate_key_frames.
#pragma once

#include <nlohmann/json.hpp>

namespace annot::host::testing {

inline nlohmann::json two_keyframe_video_box() {
  using nlohmann::json;
  return {{"id", "b1"},
          {"from_name", "box"},
          {"to_name", "video"},
          {"type", "videorectangle"},
          {"value",
           {{"framesCount", 6},
            {"duration", 0.25},
            {"sequence",
             {{{"frame", 1}, {"enabled", true}, {"x", 10}, {"y", 10}, {"width", 5}, {"height", 5},
               {"rotation", 0}, {"time", 0.04}},
              {{"frame", 3}, {"enabled", false}, {"x", 20}, {"y", 10}, {"width", 5}, {"height", 5},
               {"rotation", 0}, {"time", 0.12}}}}}}};
}

}  // namespace annot::host::testing
