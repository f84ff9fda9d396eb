// <Ellipse> and <EllipseLabels>: ellipses given by their centre and radii, in percent of an Image.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_ellipse_tags(registrar& reg) {
  field_table rows = style_attributes("0.6", "#f48a42", "#f48a42", "1");
  rows.push_back({.name = "canRotate", .type = field_type::boolean, .default_value = "true",
                  .description = "Show the rotation handle"});
  append(rows, smart_attributes());
  return add_tool_family(reg, {.tool = "Ellipse",
                               .labels = "EllipseLabels",
                               .shape = geometry::ellipse,
                               .tool_description = "Draws ellipses on an Image without a label",
                               .labels_description = "Draws labelled ellipses on an Image",
                               .tool_rows = std::move(rows)});
}

}  // namespace annot::plugins::image
