// The video plugin's entry: declares the plugin and registers its three tag families.
#include <annot/plugin.h>

#include "video.hpp"

namespace annot::plugins::video {

annot::status register_video_starters(annot::registrar& reg);  // video_starters.cpp

annot::status register_video_plugin(annot::registrar& reg) {
  // The object first: its regions and the controls that target it refer to it.
  if (auto st = register_video(reg); !st) return st;
  if (auto st = register_video_rectangle(reg); !st) return st;
  if (auto st = register_timeline_labels(reg); !st) return st;
  return register_video_starters(reg);
}

}  // namespace annot::plugins::video

ANNOT_PLUGIN(video, data_type, "1.0.0", "Video, VideoRectangle (keyframe box tracks) and TimelineLabels (frame ranges)",
             annot::plugins::video::register_video_plugin)
