// Parsing Label Studio's parsed config and the format-offering rules of spec §1.3.
#include "export_support/schema.hpp"

#include "export_support/task_view.hpp"

#include <algorithm>

namespace annot::plugins::export_support {
namespace {

// A string member's text, "" when absent or not a string.
std::string string_at(element object, std::string_view key) {
  const std::optional<element> v = find_member(object, key);
  return v && v->is_string() ? std::string(std::string_view(*v)) : std::string();
}

void strings_at(element object, std::string_view key, std::vector<std::string>& out) {
  const std::optional<element> list = find_member(object, key);
  if (!list || !list->is_array()) return;
  for (element e : simdjson::dom::array(*list))
    if (e.is_string()) out.emplace_back(std::string_view(e));
}

// `name` against a Repeater name's literal parts with anything between them, in full. No regex
// engine: std::regex recursed once per character and overflowed the stack on a 100 KB from_name.
// Leftmost matching of the middle parts is exact when every gap matches anything.
bool matches_parts(const std::vector<std::string>& parts, std::string_view name) {
  if (parts.size() < 2) return false;
  const std::string& head = parts.front();
  const std::string& tail = parts.back();
  if (name.size() < head.size() + tail.size() || !name.starts_with(head) || !name.ends_with(tail))
    return false;
  std::string_view gap = name.substr(head.size(), name.size() - head.size() - tail.size());
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    const std::size_t at = gap.find(parts[i]);
    if (at == std::string_view::npos) return false;
    gap.remove_prefix(at + parts[i].size());
  }
  return true;
}

}  // namespace

schema schema::from_json(const json& parsed) {
  annot::result<schema> s = parse(parsed.is_object() ? parsed.dump() : std::string());
  return s.ok() ? std::move(*s) : schema{};
}

annot::result<schema> schema::parse(std::string_view text, schema_parts parts) {
  if (text.empty()) return schema{};
  // Read in place through simdjson (task_view): nlohmann's parser looks each key of an ordered object
  // up by a linear search, quadratic in a config of thousands of labels (labels_attrs), and every
  // exporter's applies_to parses the config (20,000 labels: 5.2 s for the formats listing then).
  task_view view;
  if (!view.parse(text)) return annot::status(annot::errc::invalid_argument, "the parsed config is not valid JSON");
  if (!view.is_object()) return annot::status(annot::errc::invalid_argument, "the parsed config is not a JSON object");
  schema s;
  for_each_member(view.root(), [&](std::string_view name, element info) {
    if (!info.is_object()) return;
    schema_control c;
    c.name = name;
    c.type = string_at(info, "type");
    strings_at(info, "to_name", c.to_names);
    if (const std::optional<element> in = find_member(info, "inputs"); in && in->is_array()) {
      for (element i : simdjson::dom::array(*in)) {
        if (!i.is_object()) continue;
        schema_input input;
        input.type = string_at(i, "type");
        if (const std::optional<element> list = find_member(i, "valueList"); list && list->is_string()) {
          input.value = std::string_view(*list);
          input.value_list = true;
        } else {
          input.value = string_at(i, "value");
        }
        input.value_type = string_at(i, "valueType");
        c.inputs.push_back(std::move(input));
      }
    }
    if (parts == schema_parts::all) {
      strings_at(info, "labels", c.labels);
      const std::optional<element> attrs = find_member(info, "labels_attrs");
      c.labels_attrs = attrs && attrs->is_object() ? to_json(*attrs) : json::object();
    }
    if (const std::optional<element> r = find_member(info, "regex"); r && r->is_object()) {
      // Label Studio substitutes each key of "regex" ("{{idx}}") by its pattern in the name; the
      // rest of the name is literal here.
      std::vector<std::pair<std::string_view, bool>> keys;  // key, whether its pattern is a string
      for_each_member(*r, [&](std::string_view k, element v) { keys.emplace_back(k, v.is_string()); });
      std::vector<std::string> name_parts{std::string()};
      std::string_view rest = c.name;
      for (;;) {
        std::size_t best = std::string_view::npos, key_size = 0;
        for (const auto& [k, pattern] : keys) {
          const std::size_t at = k.empty() ? std::string_view::npos : rest.find(k);
          if (at < best && pattern) best = at, key_size = k.size();
        }
        if (best == std::string_view::npos) {
          name_parts.back() += rest;
          break;
        }
        name_parts.back() += rest.substr(0, best);
        name_parts.emplace_back();
        rest.remove_prefix(best + key_size);
      }
      if (name_parts.size() >= 2) c.name_parts = std::move(name_parts);
    }
    for (const auto& input : c.inputs) {
      if (input.value_list) s.mig_ = true;
      if (std::find(s.data_keys_.begin(), s.data_keys_.end(), input.value) == s.data_keys_.end())
        s.data_keys_.push_back(input.value);
    }
    s.controls_.push_back(std::move(c));
  });
  return s;
}

const schema_control* schema::find(std::string_view from_name) const {
  for (const auto& c : controls_)
    if (c.name == from_name) return &c;
  for (const auto& c : controls_)
    if (matches_parts(c.name_parts, from_name)) return &c;
  return nullptr;
}

bool schema::has_control(std::string_view type) const {
  return std::any_of(controls_.begin(), controls_.end(), [&](const schema_control& c) { return c.type == type; });
}

bool schema::has_input(std::string_view type) const {
  for (const auto& c : controls_)
    for (const auto& i : c.inputs)
      if (i.type == type && !(i.type == "Text" && i.value_type == "url")) return true;
  return false;
}

const std::vector<std::string>& label_studio_format_order() {
  static const std::vector<std::string> order = {
      "JSON", "JSON_MIN", "CSV", "TSV", "CONLL2003", "COCO", "VOC", "BRUSH_TO_NUMPY", "BRUSH_TO_PNG",
      "ASR_MANIFEST", "YOLO", "YOLO_OBB", "CSV_OLD", "YOLO_WITH_IMAGES", "COCO_WITH_IMAGES",
      "YOLO_OBB_WITH_IMAGES", "BRUSH_TO_COCO", "DOCLANG", "SPACY"};
  return order;
}

annot::status label_studio_offers(const schema& s, std::string_view f) {
  auto no = [](std::string why) { return annot::status(annot::errc::failed_precondition, std::move(why)); };
  bool any_config_format = f == "JSON" || f == "JSON_MIN" || f == "CSV" || f == "TSV";
  if (any_config_format) return {};
  const auto& keys = s.data_keys();
  if (keys.size() > 1)
    return no("the config shows more than one data key (" + keys[0] + ", " + keys[1] +
              "...); this format reads a single object");

  bool coco_yolo = f == "COCO" || f == "COCO_WITH_IMAGES" || f == "YOLO" || f == "YOLO_WITH_IMAGES";
  bool obb = f == "YOLO_OBB" || f == "YOLO_OBB_WITH_IMAGES";
  bool image_format = coco_yolo || obb || f == "VOC";
  if (image_format && !keys.empty() && keys[0].find("{{") != std::string::npos)
    return no("the data key '" + keys[0] + "' is repeated by a Repeater; this format needs one image per task");

  bool image = s.has_input("Image");
  bool rect_labels = s.has_control("RectangleLabels"), poly_labels = s.has_control("PolygonLabels"),
       kp_labels = s.has_control("KeyPointLabels"), labels = s.has_control("Labels"),
       rect = s.has_control("Rectangle");
  if (f == "CONLL2003") {
    if (!(s.has_input("Text") && labels)) return no("needs a Text object with a Labels control");
    return {};
  }
  if (f == "VOC") {
    if (s.multi_image()) return no("not available for multi-image (valueList) configs");
    if (!(image && (rect_labels || (rect && labels))))
      return no("needs an Image object with RectangleLabels (or Rectangle and Labels)");
    return {};
  }
  if (coco_yolo || obb) {
    if (coco_yolo && kp_labels && !rect_labels)
      return no("KeyPointLabels without RectangleLabels cannot be written in this format");
    if (s.multi_image()) return no("not available for multi-image (valueList) configs");
    bool fits = (image && (rect_labels || poly_labels || kp_labels)) || (rect && labels) ||
                (poly_labels && labels) || (kp_labels && labels);
    if (!fits)
      return no("needs an Image object with RectangleLabels, PolygonLabels or KeyPointLabels");
    if (obb && s.has_input("Video") && s.has_control("TimelineLabels"))
      return no("not available for video timeline configs");
    return {};
  }
  if (f == "BRUSH_TO_NUMPY" || f == "BRUSH_TO_PNG" || f == "BRUSH_TO_COCO") {
    if (!(image && (s.has_control("BrushLabels") || (s.has_control("Brush") && labels))))
      return no("needs an Image object with BrushLabels (or Brush and Labels)");
    return {};
  }
  if (f == "ASR_MANIFEST") {
    if (!((s.has_input("Audio") || s.has_input("AudioPlus")) && s.has_control("TextArea")))
      return no("needs an Audio object with a TextArea control");
    return {};
  }
  if (f == "SPACY") {
    if (!(s.has_input("Text") && labels)) return no("needs a Text object with a Labels control");
    return {};
  }
  return {};
}

}  // namespace annot::plugins::export_support
