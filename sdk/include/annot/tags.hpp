/* Tag specs: what a data-type plugin registers so that labeling configs using its tags are accepted,
 * checked and documented.
 *
 * Three kinds of tag, as in Label Studio:
 *  - object tags show task data (Image, Text, Audio...): object_tag_spec, registrar::add_object_tag;
 *  - control tags produce results (Labels, Choices, RectangleLabels...): control_tag_spec,
 *    registrar::add_control_tag;
 *  - visual tags lay out the page (View, Header, Style...) or are value children of another tag
 *    (Label, Choice, Channel...): visual_tag_spec, registrar::add_visual_tag.
 * Every tag name has exactly one owner; names are compared without regard to case, as the editor
 * does. The geometry a control's result has on an object is registered separately, by the object's
 * owner, as a region_spec (regions.hpp).
 *
 * Specs are plain aggregates (build them with designated initializers) holding owned validators;
 * they are moved into the host at registration, on the start-up thread, and read concurrently
 * afterwards. Since: SDK 1.1
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annot/fields.hpp"
#include "annot/regions.hpp"

namespace annot {

/** A task-data type, as Label Studio's server names them when it checks task data against the
 *  config (spec §3.4): str, int, float, list, dict, NoneType. A JSON boolean counts as int, as in
 *  Python. Since: SDK 1.1 */
enum class data_type { str, int_, float_, list, dict, none };

/** The Python name of a data_type ("str", "int", ...), as it appears in Label Studio's messages.
 *  Since: SDK 1.1 */
inline std::string_view to_string(data_type t) noexcept {
  switch (t) {
    case data_type::str: return "str";
    case data_type::int_: return "int";
    case data_type::float_: return "float";
    case data_type::list: return "list";
    case data_type::dict: return "dict";
    case data_type::none: return "NoneType";
  }
  return "unknown";
}

/** Optional config-time checks of one tag beyond its attribute table: attribute combinations and
 *  values the editor or Label Studio's SDK would flag (e.g. Video's defaultPlaybackSpeed above 10,
 *  perItem together with perRegion). Reported through issue_sink with the attribute name as `path`
 *  ("" for the tag itself): severity::rule_break becomes a config warning, severity::error refuses
 *  the config; use error only for what the editor cannot render at all.
 *  Ownership: held by the tag's spec; owned by the host after registration.
 *  Threading: called from several threads at once; const, stateless, never throws. Since: SDK 1.1 */
class tag_checker {
 public:
  virtual ~tag_checker() = default;
  virtual void check(const config_tag& tag, issue_sink& issues) const noexcept = 0;
};

/** What every tag spec has. Since: SDK 1.1 */
struct tag_info {
  /** The tag as users write it ("RectangleLabels"). Unique across all plugins, ignoring case. */
  std::string name;
  /** One sentence for GET /api/config/tags. */
  std::string description;
  /** The attributes the tag understands. Attributes not listed are kept and reported as warnings
   *  ("unknown attribute"); listed ones are checked against their type (warnings too: Label
   *  Studio's server accepts any attribute value). */
  field_table attributes;
  /** Tags that belong inside this one and must not appear elsewhere, e.g. {"Label"} for Labels,
   *  {"Choice"} for Choices and Taxonomy, {"Channel", "MultiChannel"} for TimeSeries,
   *  {"Bucket"} for Ranker. Together with `child_only` on the child's spec this gives the
   *  "Label outside its parent" error. */
  std::vector<std::string> children;
  /** This tag must have an ancestor whose spec lists it in `children` (Label, Choice, Channel...);
   *  elsewhere the config is refused. */
  bool child_only = false;
  /** When the tag has `name` and `value="$key"`, the task-data types `key` may hold (Label
   *  Studio's `_DATA_TYPES`, spec §3.4), in the order its messages list them. Empty means {str}. */
  std::vector<data_type> data_types;
  /** Optional extra config-time checks; may be null. */
  std::unique_ptr<tag_checker> checker;
};

/** Measures the task data an object shows, once per task, for range checks (see data_extent).
 *  Ownership: held by the object's spec; owned by the host after registration.
 *  Threading: called from several threads at once; const, stateless, never throws. Since: SDK 1.1 */
class data_measure {
 public:
  virtual ~data_measure() = default;
  /** `data` is the value the object's `value` attribute resolves to in the task (missing when the
   *  task lacks it). Return an empty extent when unknown (remote data, unexpected type). */
  virtual data_extent measure(const object_instance& object, json_ref data) const noexcept = 0;
};

/** An object tag: displays task data named by `value="$key"`. Since: SDK 1.1 */
struct object_tag_spec {
  tag_info tag;
  /** Attributes that hold the data reference; a tag with `name` and one of them is an object
   *  (Label Studio's rule). Image adds "valueList". */
  std::vector<std::string> value_attributes = {"value"};
  /** Optional: measures task data for validators (text length, number of items). */
  std::unique_ptr<data_measure> measure;
};

/** How the host checks the payload key of a control's results. Since: SDK 1.1 */
enum class payload_kind {
  /** The result carries no payload of its own (Rectangle, Polygon: geometry only). */
  none,
  /** value[payload_key] must be a list of strings (error otherwise), each one a label of the
   *  control (rule break otherwise) unless the control takes dynamic labels: Labels,
   *  RectangleLabels, HyperTextLabels... */
  label_list,
  /** value[payload_key] must be present (error otherwise); the control's validator checks the rest
   *  (Choices, TextArea, Rating, Number, Ranker...). */
  custom
};

/** A control tag: has `name` and `toName` and produces results of `result_types`. Since: SDK 1.1 */
struct control_tag_spec {
  tag_info tag;
  /** The result `type`s this control's results carry; the first is the one it writes
   *  ("rectanglelabels"). Usually the lower-cased tag name. */
  std::vector<std::string> result_types;
  /** The key of value that holds the control's payload ("labels", "choices", "text", "rating");
   *  empty for geometry-only tools. */
  std::string payload_key;
  payload_kind payload = payload_kind::custom;
  /** The object tags it may target; empty means any object tag. */
  std::vector<std::string> targets;
  /** Number of toName parts required (0: toName may be absent, e.g. Relations) and allowed
   *  (0: unbounded). Pairwise: 2 and 2. */
  std::uint32_t min_targets = 1;
  std::uint32_t max_targets = 0;
  /** Its results are regions on the object, so every target must have a region_spec for
   *  result_types[0] (or "*"); otherwise the config is refused ("cannot label"). Labels: true;
   *  Choices: false (classification fits any object). */
  bool needs_region = false;
  /** Its results may name the control itself in to_name (Pairwise). */
  bool self_target = false;
  /** It accepts value="$key": labels come from task data (Labels, Choices, Taxonomy...). */
  bool dynamic_labels = false;
  /** Optional payload checks beyond `payload`, run after the host's own; may be null. */
  std::unique_ptr<result_validator> validator;
};

/** A visual tag: layout (View, Header, Style, Repeater...) or a value child of another tag
 *  (Label, Choice, Channel: set tag.child_only). Since: SDK 1.1 */
struct visual_tag_spec {
  tag_info tag;
};

}  // namespace annot
