// <Rectangle> and <RectangleLabels>: percent boxes on an Image, rotated around their top-left corner.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_rectangle_tags(registrar& reg) {
  field_table rows = style_attributes("0.6", "#f48a42", "#f48a42", "1");
  rows.push_back({.name = "canRotate", .type = field_type::boolean, .default_value = "true",
                  .description = "Show the rotation handle"});
  append(rows, smart_attributes());
  return add_tool_family(reg, {.tool = "Rectangle",
                               .labels = "RectangleLabels",
                               .shape = geometry::rectangle,
                               .tool_description = "Draws bounding boxes on an Image without a label",
                               .labels_description = "Draws labelled bounding boxes on an Image",
                               .tool_rows = std::move(rows)});
}

}  // namespace annot::plugins::image
