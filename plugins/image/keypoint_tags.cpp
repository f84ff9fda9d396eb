// <KeyPoint> and <KeyPointLabels>: single points on an Image, with a size in percent.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_keypoint_tags(registrar& reg) {
  field_table rows = style_attributes("0.9", "#8bad00", "#8bad00", "1");
  rows.push_back(snap_attribute());
  append(rows, smart_attributes());
  return add_tool_family(reg, {.tool = "KeyPoint",
                               .labels = "KeyPointLabels",
                               .shape = geometry::keypoint,
                               .tool_description = "Places key points on an Image without a label",
                               .labels_description = "Places labelled key points on an Image",
                               .tool_rows = std::move(rows)});
}

}  // namespace annot::plugins::image
