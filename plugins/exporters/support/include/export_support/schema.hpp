// Label Studio's parsed config ("schema") as the converter reads it (spec §1.2), and which formats
// Label Studio offers for it (§1.3, with Annot's Repeater rule from §4 row 3).
#pragma once

#include <annot/status.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export_support/json_text.hpp"

namespace annot::plugins::export_support {

struct schema_input {
  std::string type;        // "Image"
  std::string value;       // the data key without '$' ("image", "images[{{idx}}].url")
  std::string value_type;  // valueType attribute ("url"), empty when absent
  bool value_list = false; // came from valueList (multi-image "MIG")
};

struct schema_control {
  std::string name;  // control name as written (Repeater names keep "{{idx}}")
  std::string type;  // tag type as written in the schema ("RectangleLabels")
  std::vector<std::string> to_names;
  std::vector<schema_input> inputs;
  std::vector<std::string> labels;  // document order
  json labels_attrs;                // {label: {attribute: value}}, as given
  // A Repeater name ("text_{{idx}}"): its literal parts around each flag, a flag matching any run
  // of characters (the host's parser gives every flag ".*"); empty for a plain name.
  std::vector<std::string> name_parts;
};

// What schema::parse reads: everything, or only what label_studio_offers decides by (no labels nor
// labels_attrs, the bulk of a config with thousands of labels: the formats listing asks every format).
enum class schema_parts { all, shape };

// The schema of one export. Value type; built once per run.
class schema {
 public:
  // Parses the parsed-config JSON text ("{}" or empty text = no config).
  static annot::result<schema> parse(std::string_view parsed_config_json, schema_parts parts = schema_parts::all);
  // The same from a document (tests); an empty schema for anything but an object.
  static schema from_json(const json& parsed);

  const std::vector<schema_control>& controls() const noexcept { return controls_; }
  bool empty() const noexcept { return controls_.empty(); }
  // The control a result's from_name belongs to: exact name first, then a Repeater name's match.
  const schema_control* find(std::string_view from_name) const;
  // Every input value/valueList string, in order of first appearance (Label Studio keeps a set).
  const std::vector<std::string>& data_keys() const noexcept { return data_keys_; }
  // True when some control has this type.
  bool has_control(std::string_view type) const;
  bool has_input(std::string_view type) const;  // Text inputs with valueType="url" do not count
  bool multi_image() const noexcept { return mig_; }

 private:
  std::vector<schema_control> controls_;
  std::vector<std::string> data_keys_;
  bool mig_ = false;
};

// Label Studio's format enum order (§1.3), followed by Annot's SPACY. CSV_OLD and DOCLANG are not
// offered by Annot but keep their place for the order.
const std::vector<std::string>& label_studio_format_order();

// Whether Label Studio offers `format` for this schema (§1.3); the error message is the reason
// shown next to a disabled format. Formats this function does not know get success. Repeater
// configs ("{{idx}}" data keys) are refused for COCO/VOC/YOLO/YOLO_OBB (and their variants), which
// upstream offers but crashes on (§4 row 3).
annot::status label_studio_offers(const schema& s, std::string_view format);

}  // namespace annot::plugins::export_support
