// Video geometry: keyframe sequences of box tracks and frame ranges of timeline spans.
#pragma once

#include <annot/regions.hpp>
#include <string_view>

namespace annot::plugins::video {

// value.sequence: [{frame, enabled, x, y, width, height, rotation, time}, ...], keyframes only, in
// increasing frame order; frames are 1-based and x/y/width/height are percentages of the frame.
// `frames_count` (value.framesCount), when known, bounds the frames. Reports under "value.sequence".
void check_sequence(annot::json_ref sequence, annot::json_ref frames_count, annot::issue_sink& out);

// value.ranges: [{start, end}, ...] in frames, 1-based, end inclusive. Reports under "value.ranges".
void check_ranges(annot::json_ref ranges, annot::issue_sink& out);

// Box tracks may carry value.labels merged from a sibling <Labels>: a list of strings.
void check_label_list(annot::json_ref labels, std::string_view path, annot::issue_sink& out);

}  // namespace annot::plugins::video
