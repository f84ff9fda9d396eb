// <Bitmask> and <BitmaskLabels>: pixel masks on an Image, stored as a PNG data URL the image's size.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_bitmask_tags(registrar& reg) {
  field_table rows = {{.name = "strokeWidth", .type = field_type::number, .default_value = "15",
                       .description = "Initial brush size, in pixels", .min = 0}};
  append(rows, smart_attributes());
  return add_tool_family(reg, {.tool = "Bitmask",
                               .labels = "BitmaskLabels",
                               .shape = geometry::bitmask,
                               .tool_description = "Paints pixel masks on an Image without a label",
                               .labels_description = "Paints labelled pixel masks on an Image (set smoothing=\"false\" "
                                                     "on the Image to see single pixels)",
                               .tool_rows = std::move(rows)});
}

}  // namespace annot::plugins::image
