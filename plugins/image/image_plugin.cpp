// The image plugin: Image, Pdf and the image tools with their region geometries and checks.
#include <annot/plugin.h>

#include "image_tags.hpp"

namespace annot::plugins::image {

status register_image_starters(registrar& reg);  // image_starters.cpp

status register_image(registrar& reg) {
  // Image first: its regions are registered by the tool files after it.
  for (auto fn : {&register_image_tag, &register_pdf_tag, &register_rectangle_tags, &register_polygon_tags,
                  &register_ellipse_tags, &register_keypoint_tags, &register_brush_tags, &register_vector_tags,
                  &register_bitmask_tags, &register_image_starters})
    if (auto st = fn(reg); !st) return st;
  return reg.add_ui_bundle(annot::ui_bundle{.module = "index.js", .styles = {"image.css"}});
}

}  // namespace annot::plugins::image

ANNOT_PLUGIN(image, data_type, "1.0.0", "Image and Pdf objects, the image tools and their region checks",
             annot::plugins::image::register_image)
