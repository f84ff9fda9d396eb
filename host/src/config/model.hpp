// The labeling-config model: a parsed config (elements with lines), its object and control tags bound
// to the registered specs, data keys, the sample task, and what compiling it found wrong.
#pragma once

#include <annot/regions.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/tag_catalog.hpp"

namespace annot::host::config {

// One problem found in a config. Errors refuse the config (HTTP 400); warnings are reported and the
// config is accepted.
struct config_issue {
  enum class level { error, warning };
  level severity = level::error;
  // Short stable id of the check, for tests and tooling: "xml", "schema", "duplicate_name",
  // "to_name", "unknown_tag", "parent", "target", "unknown_attribute", "attribute_value",
  // "required_attribute", "name_ref", "targets_count", "repeater", "sample_task", "plugin".
  std::string code;
  // The message. For the checks Label Studio's server makes, its exact text.
  std::string message;
  // Where: 1-based line (0 when not tied to a place), the tag as written, the attribute.
  std::uint32_t line = 0;
  std::string tag;
  std::string attribute;
  // More context when `message` is Label Studio's terse text (e.g. which names repeat); may be empty.
  std::string detail;
};

// "line 7, <Choices>, attribute toName: message (detail)": for logs and test output; without
// the line when the caller prints it already ("file:7: error: <Choices>, ...").
std::string describe(const config_issue& issue, bool with_line = true);

// One XML element, as written.
struct element {
  std::string tag;                      // as written
  const tag_entry* entry = nullptr;     // the registered tag; null when no plugin provides it
  std::uint32_t line = 0;
  std::uint32_t column = 0;             // 1-based
  std::vector<annot::tag_attribute> attributes;
  std::string text;                     // direct text and CDATA content
  std::int32_t parent = -1;
  std::vector<std::uint32_t> children;
  std::int32_t repeater = -1;           // nearest enclosing Repeater element
  std::int32_t object = -1;             // index into config_model::objects() when an object tag
  std::int32_t control = -1;            // index into config_model::controls() when a control tag

  // Exact-case attribute lookup (as Label Studio's server reads XML); nullptr when absent.
  const std::string* attr_exact(std::string_view name) const noexcept;
  // Case-insensitive lookup (as the editor reads attributes); nullptr when absent.
  const std::string* attr(std::string_view name) const noexcept;
};

// A name that may carry a Repeater index flag ("user_{{idx}}"): matches "user_0", "user_12".
struct name_pattern {
  std::string prefix;
  std::string suffix;
  bool templated = false;
  // Whether `name` matches; on a templated match, the index text goes to *index.
  bool match(std::string_view name, std::string* index = nullptr) const;
};

struct object_ref {
  annot::object_instance inst;
  const tag_entry* entry = nullptr;  // never null: only registered object tags become objects
  std::uint32_t element = 0;
  name_pattern pattern;
  std::string index_flag;  // the enclosing Repeater's flag, when inside one
};

struct control_target {
  std::string name;                 // the toName part, trimmed
  std::int32_t object = -1;         // index into objects(), -1 when it names no object
  // region_spec per result type of the control (parallel to spec.result_types); null when the
  // object registers none for that type.
  std::vector<const region_entry*> regions;
};

struct control_ref {
  annot::control_instance inst;
  const tag_entry* entry = nullptr;  // never null
  std::uint32_t element = 0;
  name_pattern pattern;
  std::string index_flag;
  std::vector<control_target> targets;
  const annot::control_tag_spec& spec() const noexcept { return *entry->control; }
};

// A task-data key the config reads (Label Studio's data_types, spec §1.1), in first-seen order.
struct data_key {
  std::string key;   // as in the config after '$': "text", "a.b", "images[{{idx}}].url"
  std::string tag;   // the tag as written ("Text"); Video wins for shared keys
  std::vector<annot::data_type> types;  // what the tag accepts (the tag's spec; {str} when unknown)
  std::uint32_t line = 0;
};

class config_model {
 public:
  const tag_catalog& catalog() const noexcept { return *catalog_; }
  const std::string& text() const noexcept { return text_; }
  const std::vector<element>& elements() const noexcept { return elements_; }
  const std::vector<object_ref>& objects() const noexcept { return objects_; }
  const std::vector<control_ref>& controls() const noexcept { return controls_; }
  const std::vector<data_key>& data_keys() const noexcept { return data_keys_; }
  // The trailing `<!-- {"data": ...} -->` comment as {"data", "annotations", "predictions"}.
  const std::optional<nlohmann::json>& sample_task() const noexcept { return sample_task_; }

  // The control named `name`, also through Repeater templates ("labels_3" matches "labels_{{idx}}",
  // the index going to *index); nullptr when none.
  const control_ref* find_control(std::string_view name, std::string* index = nullptr) const;
  const object_ref* find_object(std::string_view name, std::string* index = nullptr) const;
  // The first Relations-type control (result type "relation"), or nullptr.
  const control_ref* relations() const noexcept { return relations_ < 0 ? nullptr : &controls_[relations_]; }

 private:
  friend class model_builder;
  const tag_catalog* catalog_ = nullptr;
  std::string text_;
  std::vector<element> elements_;
  std::vector<object_ref> objects_;
  std::vector<control_ref> controls_;
  std::vector<data_key> data_keys_;
  std::optional<nlohmann::json> sample_task_;
  std::unordered_map<std::string, std::uint32_t> control_by_name_;
  std::unordered_map<std::string, std::uint32_t> object_by_name_;
  std::vector<std::uint32_t> templated_controls_;
  std::vector<std::uint32_t> templated_objects_;
  std::int32_t relations_ = -1;
};

struct compiled_config {
  // Null only when the XML could not be parsed.
  std::shared_ptr<const config_model> model;
  std::vector<config_issue> errors;
  std::vector<config_issue> warnings;
  bool ok() const noexcept { return model && errors.empty(); }
};

// Parses and checks a labeling config against the catalog: Label Studio's server checks (XML,
// schema, unique names, toName targets) and the registry's (unknown tags, targets a control cannot
// label, value tags outside their parent; attribute warnings). Never throws for bad input.
compiled_config compile_config(std::string_view xml, const tag_catalog& catalog);

}  // namespace annot::host::config
