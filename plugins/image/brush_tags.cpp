// <Brush>, <BrushLabels> and <MagicWand>: pixel masks on an Image, stored as rle-pack RGBA bytes.
#include <memory>

#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_brush_tags(registrar& reg) {
  field_table rows = {{.name = "strokeWidth", .type = field_type::number, .default_value = "15",
                       .description = "Initial brush size, in pixels", .min = 0}};
  append(rows, smart_attributes());
  if (auto st = add_tool_family(reg, {.tool = "Brush",
                                      .labels = "BrushLabels",
                                      .shape = geometry::brush,
                                      .tool_description = "Paints masks on an Image without a label",
                                      .labels_description = "Paints labelled masks on an Image (segmentation)",
                                      .tool_rows = std::move(rows)});
      !st)
    return st;

  // The magic wand flood-fills a mask; the editor saves it as a brush region. Results seen in the
  // wild carry type "magicwand" as well as "brushlabels".
  field_table wand = tool_attributes();
  append(wand, {{.name = "opacity", .type = field_type::number, .default_value = "0.6",
                 .description = "Opacity of the mask while it is drawn, from 0 to 1", .min = 0, .max = 1},
                {.name = "blurradius", .type = field_type::number, .default_value = "5",
                 .description = "Radius of the blur that smooths the mask's edges", .min = 0},
                {.name = "defaultthreshold", .type = field_type::number, .default_value = "15",
                 .description = "Colour distance selected by a click without dragging", .min = 0}});
  if (auto st = reg.add_control_tag({.tag = {.name = "MagicWand",
                                             .description = "Selects a mask on an Image by flood fill from a click",
                                             .attributes = std::move(wand)},
                                     .result_types = {"magicwand", "brushlabels"},
                                     .payload = payload_kind::none,
                                     .targets = {"Image"},
                                     .needs_region = true});
      !st)
    return st;
  return add_tool_region(reg, "magicwand", geometry::brush, "A brush mask selected with <MagicWand>");
}

}  // namespace annot::plugins::image
