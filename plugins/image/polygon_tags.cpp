// <Polygon> and <PolygonLabels>: closed outlines of [x, y] percent points on an Image.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_polygon_tags(registrar& reg) {
  field_table rows = style_attributes("0.6", "transparent", "#f48a42", "3");
  rows.push_back({.name = "pointSize", .type = field_type::enumeration, .default_value = "small",
                  .allowed = {"small", "medium", "large"}, .description = "Size of the vertex handles"});
  rows.push_back({.name = "pointStyle", .type = field_type::enumeration, .default_value = "circle",
                  .allowed = {"rectangle", "circle"}, .description = "Shape of the vertex handles"});
  rows.push_back(snap_attribute());
  append(rows, smart_attributes());
  return add_tool_family(reg, {.tool = "Polygon",
                               .labels = "PolygonLabels",
                               .shape = geometry::polygon,
                               .tool_description = "Draws polygons on an Image without a label",
                               .labels_description = "Draws labelled polygons on an Image (segmentation)",
                               .tool_rows = std::move(rows)});
}

}  // namespace annot::plugins::image
