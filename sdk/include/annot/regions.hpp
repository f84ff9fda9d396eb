/* Regions and result validation: what a plugin's validators see and return.
 *
 * A result item ({id, from_name, to_name, type, value, ...}) is checked in three layers. The host
 * checks the envelope (an object, from_name/to_name/type consistent with the config, relations) and
 * the declarative parts (the control's payload key and label list, the region's value_fields). Then
 * it runs the control's validator (control_tag_spec::validator, payload rules such as Rating's range)
 * and the region validator registered for (object tag, result type) (region_spec, the geometry: a
 * percent box on Image, a character span on Text, seconds on Audio).
 *
 * Data crosses as views, never as a JSON library's types: the host parses a request once and hands
 * validators json_ref handles into its own document, so no validator re-parses JSON. The config
 * model a validator sees (control_instance, object_instance) is built once per config.
 *
 * Threading: the host calls validators from any thread, several at once, for the life of the
 * process. Validators are const, keep no per-call state, and must not throw (they are noexcept).
 * Since: SDK 1.1
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "annot/fields.hpp"

namespace annot {

// ---------------------------------------------------------------------------------------------
// JSON views
// ---------------------------------------------------------------------------------------------

/** The JSON type of a json_ref; `missing` when the ref points at nothing (an absent key).
 *  `integer` is a number written without fraction or exponent. Since: SDK 1.1 */
enum class json_kind : std::uint8_t { missing, null, boolean, integer, number, string, array, object };

/** Read access to the host's parsed JSON document; implemented by the host. Plugins use it only
 *  through json_ref. `node` is an opaque pointer into the host's document.
 *  Lifetime: owned by the host; valid while the json_ref that carries it is.
 *  Threading: const and safe to call from several threads at once. Since: SDK 1.1 */
class json_access {
 public:
  virtual json_kind kind(const void* node) const noexcept = 0;
  virtual bool boolean(const void* node) const noexcept = 0;
  /** integer or number as double; NaN for other kinds. */
  virtual double number(const void* node) const noexcept = 0;
  /** integer kinds; a number is truncated; 0 for other kinds. */
  virtual std::int64_t integer(const void* node) const noexcept = 0;
  virtual std::string_view string(const void* node) const noexcept = 0;
  /** Elements of an array or members of an object; 0 for other kinds. */
  virtual std::size_t size(const void* node) const noexcept = 0;
  virtual const void* element(const void* node, std::size_t index) const noexcept = 0;
  virtual const void* member(const void* node, std::string_view key) const noexcept = 0;
  /** The index-th member of an object (in the host's member order). */
  virtual std::string_view member_name(const void* node, std::size_t index) const noexcept = 0;
  virtual const void* member_value(const void* node, std::size_t index) const noexcept = 0;
  /** The node as compact JSON text. May allocate; not noexcept. */
  virtual std::string dump(const void* node) const = 0;

 protected:
  ~json_access() = default;
};

/** A read-only handle to one JSON value in a document the host parsed: two pointers, cheap to copy.
 *  Lookups never fail: a missing key, an index past the end, or a lookup on the wrong kind gives a
 *  `missing` ref, so chains like `r.value.get("points").at(2).at(0).as_number()` are safe.
 *  Lifetime: valid only during the validator call that received it; do not keep it.
 *  Threading: as json_access. Since: SDK 1.1 */
class json_ref {
 public:
  constexpr json_ref() noexcept = default;
  json_ref(const json_access* access, const void* node) noexcept : access_(access), node_(node) {}

  json_kind kind() const noexcept { return node_ ? access_->kind(node_) : json_kind::missing; }
  bool exists() const noexcept { return node_ != nullptr; }
  bool is_null() const noexcept { return kind() == json_kind::null; }
  bool is_bool() const noexcept { return kind() == json_kind::boolean; }
  /** integer or number */
  bool is_number() const noexcept {
    auto k = kind();
    return k == json_kind::integer || k == json_kind::number;
  }
  bool is_integer() const noexcept { return kind() == json_kind::integer; }
  bool is_string() const noexcept { return kind() == json_kind::string; }
  bool is_array() const noexcept { return kind() == json_kind::array; }
  bool is_object() const noexcept { return kind() == json_kind::object; }

  bool as_bool() const noexcept { return node_ && access_->boolean(node_); }
  /** NaN unless is_number(). */
  double as_number() const noexcept {
    return node_ ? access_->number(node_) : std::numeric_limits<double>::quiet_NaN();
  }
  std::int64_t as_integer() const noexcept { return node_ ? access_->integer(node_) : 0; }
  /** Empty unless is_string(). The view lives as long as the document. */
  std::string_view as_string() const noexcept { return node_ ? access_->string(node_) : std::string_view{}; }

  std::size_t size() const noexcept { return node_ ? access_->size(node_) : 0; }
  /** Array element; missing when out of range or not an array. */
  json_ref at(std::size_t index) const noexcept {
    return node_ ? json_ref(access_, access_->element(node_, index)) : json_ref{};
  }
  /** Object member; missing when absent or not an object. */
  json_ref get(std::string_view key) const noexcept {
    return node_ ? json_ref(access_, access_->member(node_, key)) : json_ref{};
  }
  std::string_view member_name(std::size_t index) const noexcept {
    return node_ ? access_->member_name(node_, index) : std::string_view{};
  }
  json_ref member_value(std::size_t index) const noexcept {
    return node_ ? json_ref(access_, access_->member_value(node_, index)) : json_ref{};
  }
  /** Compact JSON text; empty for a missing ref. */
  std::string dump() const { return node_ ? access_->dump(node_) : std::string{}; }

 private:
  const json_access* access_ = nullptr;
  const void* node_ = nullptr;
};

/** The name of a json_kind as used in messages ("number", "array"...). Since: SDK 1.1 */
inline std::string_view to_string(json_kind k) noexcept {
  switch (k) {
    case json_kind::missing: return "missing";
    case json_kind::null: return "null";
    case json_kind::boolean: return "boolean";
    case json_kind::integer: return "integer";
    case json_kind::number: return "number";
    case json_kind::string: return "string";
    case json_kind::array: return "array";
    case json_kind::object: return "object";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// The config model, as validators see it
// ---------------------------------------------------------------------------------------------

/** One XML attribute as written. Since: SDK 1.1 */
struct tag_attribute {
  std::string name;
  std::string value;
};

/** Case-insensitive ASCII comparison, the way Label Studio's editor matches tag and attribute
 *  names. Since: SDK 1.1 */
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/** One tag of a parsed config (after Repeater expansion).
 *  Lifetime: owned by the host's config model, which outlives every validator call that sees it.
 *  Since: SDK 1.1 */
struct config_tag {
  /** The registered spelling of the tag ("TextArea", even when the config wrote "Textarea"). */
  std::string tag;
  /** The `name` attribute; empty when absent. */
  std::string name;
  /** 1-based line in the config text. */
  std::uint32_t line = 0;
  /** Attributes as written, in document order. */
  std::vector<tag_attribute> attributes;

  /** An attribute's value by name, ignoring case; nullopt when absent. */
  std::optional<std::string_view> attribute(std::string_view attr) const noexcept {
    for (const auto& a : attributes)
      if (iequals(a.name, attr)) return std::string_view(a.value);
    return std::nullopt;
  }
};

/** One label of a control: a Label, Choice or Relation child. Since: SDK 1.1 */
struct label_def {
  /** What results carry: the `alias` attribute when present, else `value`. */
  std::string value;
  /** For nested Choice tags (Taxonomy, nested Choices): index in label_set::items of the enclosing
   *  Choice; -1 at the top level. */
  std::int32_t parent = -1;
  std::uint32_t line = 0;
};

/** A control's labels in document order, with a sorted index for fast lookup (a config may hold
 *  thousands of Choice tags). Value type; built by the host. Since: SDK 1.1 */
struct label_set {
  std::vector<label_def> items;
  /** Indices into items, sorted by value (then by index). Filled by build_index(). */
  std::vector<std::uint32_t> sorted;

  /** (Re)builds `sorted`; call after filling items. */
  void build_index() {
    sorted.resize(items.size());
    for (std::uint32_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [this](std::uint32_t a, std::uint32_t b) { return items[a].value < items[b].value; });
  }
  /** The indices (into items) of every label with that value, in document order. */
  std::pair<const std::uint32_t*, const std::uint32_t*> equal_range(std::string_view value) const noexcept {
    auto r = std::equal_range(sorted.data(), sorted.data() + sorted.size(), value, less_{this});
    return {r.first, r.second};
  }
  bool contains(std::string_view value) const noexcept {
    auto r = equal_range(value);
    return r.first != r.second;
  }
  /** The first label with that value in document order, or nullptr. */
  const label_def* find(std::string_view value) const noexcept {
    auto r = equal_range(value);
    return r.first == r.second ? nullptr : &items[*r.first];
  }

 private:
  struct less_ {
    const label_set* s;
    bool operator()(std::uint32_t i, std::string_view v) const noexcept { return s->items[i].value < v; }
    bool operator()(std::string_view v, std::uint32_t i) const noexcept { return v < s->items[i].value; }
  };
};

/** An object tag of the config (Image, Text, ...). Lifetime: as config_tag. Since: SDK 1.1 */
struct object_instance {
  config_tag tag;
  /** The `value` (or `valueList`) attribute as written: "$image", "$images[{{idx}}].url" expanded. */
  std::string value;
  /** The task-data path it references without the '$' ("image", "a.b", "arr[0]"); empty when the
   *  value is not a "$..." reference. */
  std::string data_key;
  /** The value came from `valueList` (a list of items; results carry item_index). */
  bool value_list = false;
};

/** A control tag of the config (Labels, Choices, RectangleLabels...). Lifetime: as config_tag.
 *  Since: SDK 1.1 */
struct control_instance {
  config_tag tag;
  /** The toName parts, split at commas and trimmed. */
  std::vector<std::string> to_names;
  /** The Label / Choice / Relation descendants (nearest control ancestor wins). */
  label_set labels;
  /** `value="$key"`: the labels come from task data, so results are not checked against `labels`. */
  bool dynamic_labels = false;
  /** Every descendant whose tag the control's spec lists in tag_info::children, other than the
   *  label tags already in `labels` (Label, Choice, Relation): Bucket, Shortcut..., in document
   *  order. */
  std::vector<config_tag> children;
};

/** What the host knows about the task data an object shows, measured by the object's
 *  data_measure (tags.hpp) once per task and object. Empty when the task is not known or the data
 *  is remote (valueType="url"). Since: SDK 1.1 */
struct data_extent {
  /** Size in the unit of the object's spans: code points of a Text (Label Studio's editor saves
   *  offsets in code points, converting from JavaScript's UTF-16 indices), paragraphs of
   *  Paragraphs, ... */
  std::optional<double> length;
  /** Number of items of a valueList object (bounds item_index). */
  std::optional<std::size_t> items;
};

// ---------------------------------------------------------------------------------------------
// Validators
// ---------------------------------------------------------------------------------------------

/** How bad an issue is. Since: SDK 1.1
 *  - error: no consumer can use the result (not an object, missing or non-numeric geometry,
 *    negative sizes, an undecodable brush RLE). Always refused.
 *  - rule_break: well-formed but disagrees with the config (a label not in the config, geometry
 *    outside 0-100). Refused by the live API unless the project relaxes it; kept with a warning on
 *    import, as Label Studio stores such results. */
enum class severity { error, rule_break };

/** Where validators report issues; implemented by the host.
 *  `path` is a JSON path relative to the result item, in the form "value.points[2][0]" (members
 *  joined by '.', array indices in brackets; "" for the item itself); the host prefixes the item's
 *  position ("result[3].value.points[2][0]"). `message` is one sentence saying what is wrong and
 *  what was expected; do not repeat the path in it.
 *  Threading: one sink per validation call; not shared between threads. Since: SDK 1.1 */
class issue_sink {
 public:
  virtual void add(severity level, std::string_view path, std::string_view message) noexcept = 0;

 protected:
  ~issue_sink() = default;
};

/** The region ids of the result list being validated (result items' `id`s), for checks that refer
 *  to other results (relations, parentID). Implemented by the host. Since: SDK 1.1 */
class region_index {
 public:
  virtual bool contains(std::string_view id) const noexcept = 0;

 protected:
  ~region_index() = default;
};

/** Everything a validator gets for one result item.
 *  Lifetime: valid only during the check() call. Since: SDK 1.1 */
struct result_view {
  /** The whole result item (to read original_width, item_index, ...). */
  json_ref item;
  /** item["value"]; the host calls validators only when it is an object. */
  json_ref value;
  /** item["type"]. */
  std::string_view type;
  /** The control named by from_name; never null. */
  const control_instance* control = nullptr;
  /** The object named by to_name; null when to_name names the control itself (Pairwise). */
  const object_instance* object = nullptr;
  /** The task data `object` shows (its `value` resolved in the task); missing when the task is
   *  not known or lacks it. */
  json_ref data;
  /** The measured task data of `object`, when known. */
  data_extent extent;
  /** The ids of the result list; never null. */
  const region_index* regions = nullptr;
};

/** Checks one result item and reports issues; never throws.
 *  Ownership: registered as std::unique_ptr inside a spec; the host owns it afterwards and never
 *  destroys it before the plugin's library is unloaded (plugins are never unloaded).
 *  Threading: check() is called from several threads at once; keep it const and stateless.
 *  Since: SDK 1.1 */
class result_validator {
 public:
  virtual ~result_validator() = default;
  virtual void check(const result_view& result, issue_sink& issues) const noexcept = 0;
};

/** The geometry a result type has on one object tag, and its validator, keyed by
 *  (object_tag, result_type). An object plugin registers one per result type it supports on its
 *  own tags, including the generic controls' types: ("Text", "labels") is a character span,
 *  ("Audio", "labels") a span in seconds with a channel, ("Image", "rectanglelabels") a percent box.
 *  result_type "*" is the fallback for every other result type on that object (e.g. the optional
 *  region geometry that per-region Choices/TextArea results repeat).
 *  A control with control_tag_spec::needs_region = true may only target objects that have a
 *  region_spec for its result type (or "*"): that is how the host refuses `Labels` on a `Table`.
 *  Ownership: passed by value to registrar::add_region; the host keeps it. Since: SDK 1.1 */
struct region_spec {
  /** The object tag, as registered by its owner (the registering plugin must own it). */
  std::string object_tag;
  /** The result `type` ("labels", "rectanglelabels"), or "*". */
  std::string result_type;
  /** Short id of the geometry: "percent_box", "char_span", "seconds_span", "xpath_span", ... */
  std::string geometry;
  /** One sentence for GET /api/config/tags. */
  std::string description;
  /** The geometry keys of `value` (x, y, width, height / start, end ...). The host checks that each
   *  required key is present and that every present key has the declared JSON type (errors), and
   *  numeric min/max (rule breaks). Keys not listed are kept and not checked. A key that is also
   *  the payload_key of the result's control is left to the control (per-region TextArea on a text
   *  span writes "text" as a list where the span keeps a string). */
  field_table value_fields;
  /** Further checks (ranges, ordering, decodability); may be null. */
  std::unique_ptr<result_validator> validator;
};

/** Builds "base.key" for issue paths. Since: SDK 1.1 */
inline std::string path_join(std::string_view base, std::string_view key) {
  std::string p(base);
  if (!p.empty()) p += '.';
  p += key;
  return p;
}
/** Builds "base[index]" for issue paths. Since: SDK 1.1 */
inline std::string path_index(std::string_view base, std::size_t index) {
  std::string p(base);
  p += '[';
  p += std::to_string(index);
  p += ']';
  return p;
}

}  // namespace annot
