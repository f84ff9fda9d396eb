// <Image>: the image object (one image, or a list with valueList), and the regions every control
// has on it whatever tool drew them: Labels on a tool's region, per-region classification results.
#include <memory>

#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {
namespace {

// A valueList Image shows a list: results say which image with item_index, bounded by its length.
class image_measure final : public data_measure {
 public:
  data_extent measure(const object_instance& object, json_ref data) const noexcept override {
    if (object.value_list && data.is_array()) return {.items = data.size()};
    return {};
  }
};

// Labels on Image: the region another tool drew, plus the labels. The geometry is that tool's,
// read from the keys of the value; there must be one.
void check_labels_region(const result_view& r, issue_sink& out) {
  check_image_item(r, out);
  auto g = detect_geometry(r.value);
  if (!g) {
    out.add(severity::error, "value",
            "has no region geometry; labels on an image go with the region of a tool: a rectangle (x, y, width, "
            "height), an ellipse (x, y, radiusX, radiusY), a keypoint (x, y), a polygon (points), a brush mask (rle), "
            "a vector (vertices) or a bitmask (imageDataURL)");
    return;
  }
  check_value_fields(geometry_fields(*g), r.value, out);
  check_geometry(*g, r, out);
}

// Any other result on an Image (Choices, TextArea, Rating... per region or for the whole image):
// when it repeats a region's geometry, that geometry must be sound.
void check_any_region(const result_view& r, issue_sink& out) {
  check_image_item(r, out);
  auto g = detect_geometry(r.value);
  if (!g) return;
  check_value_fields(geometry_fields(*g), r.value, out);
  check_geometry(*g, r, out);
}

field_table image_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element"},
      {.name = "value", .description = "Task data field with the image URL, as \"$key\"", .variable_allowed = true},
      {.name = "valueList",
       .description = "Task data field with a list of image URLs, as \"$key\"; results then carry item_index",
       .variable_allowed = true},
      {.name = "smoothing", .type = field_type::boolean,
       .description = "Smooth the image when zoomed (the user's setting when absent)"},
      {.name = "width", .default_value = "100%", .description = "Image width (CSS)"},
      {.name = "height", .description = "Image height (CSS)"},
      {.name = "maxWidth", .default_value = "750px", .description = "Maximum image width (CSS)"},
      {.name = "maxHeight", .default_value = "calc(100vh - 194px)", .description = "Maximum image height (CSS)"},
      {.name = "resize", .type = field_type::number, .description = "Resize factor of the displayed image", .min = 0},
      {.name = "zoom", .type = field_type::boolean, .default_value = "true",
       .description = "Zoom the image with the mouse wheel"},
      {.name = "negativeZoom", .type = field_type::boolean, .default_value = "false",
       .description = "Allow zooming out below the fitted size"},
      {.name = "zoomBy", .type = field_type::number, .default_value = "1.1", .description = "Zoom step factor",
       .min = 0},
      {.name = "grid", .type = field_type::boolean, .default_value = "false", .description = "Show a grid"},
      {.name = "gridSize", .type = field_type::integer, .default_value = "30", .description = "Grid cell size, in pixels",
       .min = 1},
      {.name = "gridColor", .type = field_type::color, .default_value = "#EEEEF4", .description = "Grid colour"},
      {.name = "zoomControl", .type = field_type::boolean, .default_value = "true",
       .description = "Show zoom buttons in the toolbar"},
      {.name = "brightnessControl", .type = field_type::boolean, .default_value = "false",
       .description = "Show a brightness control in the toolbar"},
      {.name = "contrastControl", .type = field_type::boolean, .default_value = "false",
       .description = "Show a contrast control in the toolbar"},
      {.name = "rotateControl", .type = field_type::boolean, .default_value = "false",
       .description = "Show rotate buttons in the toolbar"},
      {.name = "crosshair", .type = field_type::boolean, .default_value = "false",
       .description = "Show a crosshair cursor"},
      {.name = "selectionControl", .type = field_type::boolean, .default_value = "true",
       .description = "Show the selection tool in the toolbar"},
      {.name = "showLabels", .type = field_type::boolean, .default_value = "false",
       .description = "Show region labels on the image"},
      {.name = "horizontalAlignment", .type = field_type::enumeration, .default_value = "left",
       .allowed = {"left", "center", "right"}, .description = "Horizontal alignment of the image"},
      {.name = "verticalAlignment", .type = field_type::enumeration, .default_value = "top",
       .allowed = {"top", "center", "bottom"}, .description = "Vertical alignment of the image"},
      {.name = "defaultZoom", .type = field_type::enumeration, .default_value = "fit",
       .allowed = {"auto", "original", "fit"}, .description = "Initial zoom of the image"},
      {.name = "crossOrigin", .type = field_type::enumeration, .default_value = "none",
       .allowed = {"none", "anonymous", "use-credentials"},
       .description = "CORS mode of the image request (as the img element's crossOrigin)"},
  };
}

}  // namespace

status register_image_tag(registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "Image",
                                            .description = "Shows an image, or a list of images with valueList; "
                                                           "regions are in percent of the original image",
                                            .attributes = image_attributes(),
                                            .data_types = {data_type::str, data_type::list}},
                                    // valueList first, as Label Studio's SDK reads it (the server's schema refuses both at once).
                                    .value_attributes = {"valueList", "value"},
                                    .measure = std::make_unique<image_measure>()});
      !st)
    return st;

  if (auto st = reg.add_region({.object_tag = "Image",
                                .result_type = "labels",
                                .geometry = "image_tool",
                                .description = "Labels on the region of an image tool: that tool's geometry (rectangle, "
                                               "ellipse, keypoint, polygon, brush, vector or bitmask) plus labels",
                                .validator = std::make_unique<function_validator>(&check_labels_region)});
      !st)
    return st;

  return reg.add_region({.object_tag = "Image",
                         .result_type = "*",
                         .geometry = "image_tool_optional",
                         .description = "Any other result on an image (Choices, TextArea, Rating... for the whole "
                                        "image or per region): the region's geometry when it repeats one",
                         .validator = std::make_unique<function_validator>(&check_any_region)});
}

}  // namespace annot::plugins::image
