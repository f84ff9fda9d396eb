/* annot::field_spec: declarative tables of named settings (tag attributes, region value keys, and
 * later exporter and connector options).
 *
 * A plugin describes each setting once (name, type, required, default, allowed values, description)
 * and the host does the checking before plugin code sees anything, and prints the table for users
 * (GET /api/config/tags). Plain data: the host copies it at registration.
 * Since: SDK 1.1
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace annot {

/** What a field's value must look like.
 *  For XML attributes the value is text and the type says how that text must read; for region
 *  value keys (region_spec::value_fields) it is the JSON type of the key's value.
 *  Since: SDK 1.1 */
enum class field_type {
  string,       ///< any text (JSON: a string)
  boolean,      ///< "true" / "false", any case (JSON: true / false)
  integer,      ///< a whole number, e.g. "5" (JSON: an integer)
  number,       ///< a number, e.g. "0.5" (JSON: any number)
  enumeration,  ///< one of `allowed` (case-sensitive); JSON: a string from `allowed`
  color,        ///< a CSS colour: #rgb, #rrggbb(aa), rgb()/rgba()/hsl()/hsla(), or a colour name
  css,          ///< CSS declarations or rules; not checked
  name_ref,     ///< the name of another tag in the config
  name_list,    ///< comma-separated tag names (toName="a,b")
  array,        ///< region value keys only: a JSON array
  object,       ///< region value keys only: a JSON object
  any           ///< anything; not checked
};

/** One setting. Aggregate; build it with designated initializers:
 *
 *    {.name = "strokeWidth", .type = annot::field_type::number, .default_value = "1",
 *     .description = "Width of the region's outline, in pixels", .min = 0}
 *
 *  Name matching: XML attribute names are compared without regard to case, as Label Studio's
 *  editor does (`showInline` and `showinline` are the same attribute); value keys are exact.
 *  Since: SDK 1.1 */
struct field_spec {
  /** The name as documented (camelCase as in Label Studio's docs, e.g. "toName"). */
  std::string name;
  field_type type = field_type::string;
  /** Must be present. A missing required attribute is a config warning (Label Studio's server
   *  refuses only the few its schema lists, and the host applies those itself); a missing required
   *  region value key is a result error. */
  bool required = false;
  /** The default, as text; empty when there is none. Documentation only: the host does not
   *  inject defaults into configs or results. */
  std::string default_value;
  /** For enumeration: the allowed values. For other types: extra literal values that are accepted
   *  as well (e.g. "auto" for a number). */
  std::vector<std::string> allowed;
  /** One sentence for users and plugin authors. */
  std::string description;
  /** Inclusive bounds for integer and number fields. */
  std::optional<double> min;
  std::optional<double> max;
  /** The value may also be a task-data reference "$key" (e.g. frameRate="$fps"), which is then
   *  not checked against the type. */
  bool variable_allowed = false;
};

/** A tag's attributes, a region's value keys, or an exporter's options, in display order.
 *  Since: SDK 1.1 */
using field_table = std::vector<field_spec>;

}  // namespace annot
