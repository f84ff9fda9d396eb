// Shared pieces of the image plugin: attribute rows common to the image tools, the region geometries
// and their checks, and the validator adaptors the tag files register.
#pragma once

#include <annot/registrar.hpp>
#include <annot_plugin_support/validators.hpp>
#include <annot_plugin_support/value_fields.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace annot::plugins::image {

// ---- Validators -------------------------------------------------------------------------------

// Shared with the other data-type plugins (plugins/support/).
using support::check_value_fields;
using support::function_checker;
using support::function_validator;
using support::number_text;

// ---- Attribute rows ---------------------------------------------------------------------------

// name + toName, as every image tool has them.
field_table tool_attributes();
// The rows of the *Labels tools: choice, maxUsages, showInline, value (dynamic labels).
field_table labels_attributes();
// Shape styling: opacity, fillColor, strokeColor, strokeWidth, fillOpacity, with these defaults.
field_table style_attributes(std::string_view opacity, std::string_view fill, std::string_view stroke,
                             std::string_view stroke_width);
// smart / smartOnly (interactive pre-annotation tools).
field_table smart_attributes();
// pixel snapping.
field_spec snap_attribute();
// Appends `rows` to `to`, skipping names already there (case-insensitively).
void append(field_table& to, const field_table& rows);

// ---- Region geometries ------------------------------------------------------------------------

// The geometries a result can have on an Image.
enum class geometry { rectangle, ellipse, keypoint, polygon, brush, vector, bitmask };

// Short id for region_spec::geometry ("percent_box", ...), and a name for messages ("rectangle").
std::string_view geometry_id(geometry g) noexcept;
std::string_view geometry_name(geometry g) noexcept;
// The value keys of a geometry (x, y, width, height...): types, required, percent ranges.
const field_table& geometry_fields(geometry g);

// Which geometry a value carries, judging by its keys; nullopt when it has none (a classification
// result). Used for results whose geometry depends on the tool that drew the region ("labels",
// per-region Choices/TextArea).
std::optional<geometry> detect_geometry(json_ref value) noexcept;

// What value_fields cannot say: finite numbers, sizes above 0, polygon points, a decodable brush
// mask of the image's size, vector vertices, a PNG bitmask. Keys of the wrong type are skipped (the
// field check reports them).
void check_geometry(geometry g, const result_view& r, issue_sink& out);

// The item-level keys every Image result may carry: original_width/original_height (positive
// numbers) and image_rotation. item_index is the host's (bounded by data_extent::items).
void check_image_item(const result_view& r, issue_sink& out);

// Registers the region of one tool's result type on Image: its geometry's value_fields plus
// check_image_item and check_geometry.
status add_tool_region(registrar& reg, std::string result_type, geometry g, std::string description);

// ---- Tool tags --------------------------------------------------------------------------------

// One image tool in its two forms: the bare tool (<Rectangle>, result type "rectangle", no labels)
// and the labelled one (<RectangleLabels>, result type and payload key "rectanglelabels", <Label>
// children, dynamic labels). Both target Image only and need a region there.
struct tool_family {
  std::string tool;    // "Rectangle"; empty when the family has only the labelled tag
  std::string labels;  // "RectangleLabels"
  geometry shape = geometry::rectangle;
  std::string tool_description;
  std::string labels_description;
  // Attribute rows after name/toName: for the tool, and the extra rows of the labelled tag (the
  // labelled tag also gets the tool's rows and labels_attributes()).
  field_table tool_rows;
  field_table labels_rows;
  // Config-time checks of both tags; may be null.
  function_checker::fn_type checker = nullptr;
};

// Registers the family's control tags and their (Image, type) regions.
status add_tool_family(registrar& reg, const tool_family& family);

// ---- Small helpers ----------------------------------------------------------------------------

// Case-insensitive attribute of a control, parsed as a number; nullopt when absent or not a number.
std::optional<double> number_attribute(const config_tag& tag, std::string_view name) noexcept;
// "12", "0.5", "1e-05": shortest round-trip text of a number, for messages.

}  // namespace annot::plugins::image
