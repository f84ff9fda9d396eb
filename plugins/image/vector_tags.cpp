// <Vector> and <VectorLabels>: paths of vertex objects on an Image, open or closed.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {
namespace {

void check_vector_tag(const config_tag& tag, issue_sink& out) {
  auto lo = number_attribute(tag, "minPoints"), hi = number_attribute(tag, "maxPoints");
  if (lo && hi && *lo > *hi)
    out.add(severity::rule_break, "minPoints",
            "minPoints (" + number_text(*lo) + ") is more than maxPoints (" + number_text(*hi) + "): no path can satisfy both");
}

}  // namespace

status register_vector_tags(registrar& reg) {
  field_table rows = style_attributes("0.6", "transparent", "#f48a42", "3");
  append(rows, {{.name = "pointSize", .type = field_type::enumeration, .default_value = "small",
                 .allowed = {"small", "medium", "large"}, .description = "Size of the vertex handles"},
                {.name = "pointStyle", .type = field_type::enumeration, .default_value = "circle",
                 .allowed = {"rectangle", "circle"}, .description = "Shape of the vertex handles"},
                snap_attribute(),
                {.name = "closable", .type = field_type::boolean, .default_value = "false",
                 .description = "Allow closed shapes"},
                {.name = "curves", .type = field_type::boolean, .default_value = "false",
                 .description = "Allow Bezier curves"},
                {.name = "skeleton", .type = field_type::boolean, .default_value = "false",
                 .description = "Allow branching paths (skeletons)"},
                {.name = "minPoints", .type = field_type::integer, .default_value = "none", .allowed = {"none"},
                 .description = "Fewest points a path may have", .min = 1},
                {.name = "maxPoints", .type = field_type::integer, .default_value = "none", .allowed = {"none"},
                 .description = "Most points a path may have", .min = 1},
                {.name = "pointSizeEnabled", .type = field_type::number, .default_value = "5",
                 .description = "Point size in pixels while the shape is selected", .min = 0},
                {.name = "pointSizeDisabled", .type = field_type::number, .default_value = "3",
                 .description = "Point size in pixels while the shape is not selected", .min = 0}});
  append(rows, smart_attributes());
  return add_tool_family(reg, {.tool = "Vector",
                               .labels = "VectorLabels",
                               .shape = geometry::vector,
                               .tool_description = "Draws paths (lines, polylines, skeletons) on an Image without a label",
                               .labels_description = "Draws labelled paths on an Image",
                               .tool_rows = std::move(rows),
                               .checker = &check_vector_tag});
}

}  // namespace annot::plugins::image
