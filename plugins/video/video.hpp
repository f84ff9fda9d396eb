// The video plugin's tag families, one register function per file.
#pragma once

#include <annot/registrar.hpp>

namespace annot::plugins::video {

// <Video>: the object, its attribute checks, and its regions for <Labels> and other controls.
annot::status register_video(annot::registrar& reg);
// <VideoRectangle>: the box-tracking control and the (Video, videorectangle) keyframe region.
annot::status register_video_rectangle(annot::registrar& reg);
// <TimelineLabels>: the frame-range control and the (Video, timelinelabels) region.
annot::status register_timeline_labels(annot::registrar& reg);

}  // namespace annot::plugins::video
