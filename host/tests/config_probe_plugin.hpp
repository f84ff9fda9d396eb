// A small data-type plugin for the config engine's tests: object tags with known geometry (a text
// "Doc", a picture "Pic", a "Series" with "Lane" children) and a tool control, written on the SDK the
// way object plugins are, so engine and core tests do not depend on the real object plugins.
#pragma once

#include <annot/plugin.h>

#include <cmath>
#include <memory>
#include <string>

#include "config/static_registrar.hpp"
#include "config/tag_catalog.hpp"

namespace annot::test::probe {

// UTF-16 code units of UTF-8 text: Label Studio's offsets are JavaScript string indices.
class doc_measure final : public annot::data_measure {
 public:
  annot::data_extent measure(const annot::object_instance&, annot::json_ref data) const noexcept override {
    if (!data.is_string()) return {};
    double units = 0;
    for (unsigned char c : data.as_string())
      if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
    return {.length = units};
  }
};

class pic_measure final : public annot::data_measure {
 public:
  annot::data_extent measure(const annot::object_instance& o, annot::json_ref data) const noexcept override {
    if (o.value_list && data.is_array()) return {.items = data.size()};
    return {};
  }
};

// {start, end}: 0 <= start < end (errors), end <= text length (rule break).
class span_validator final : public annot::result_validator {
 public:
  explicit span_validator(bool required) : required_(required) {}
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref s = r.value.get("start"), e = r.value.get("end");
    if (!required_ && !s.exists() && !e.exists()) return;
    if (!s.is_number() || !e.is_number()) return;  // value_fields reported it
    if (s.as_number() < 0) out.add(annot::severity::error, "value.start", "must be 0 or more");
    if (e.as_number() <= s.as_number()) out.add(annot::severity::error, "value.end", "must be greater than start");
    if (r.extent.length && e.as_number() > *r.extent.length)
      out.add(annot::severity::rule_break, "value.end",
              "is past the end of the text (" + std::to_string(static_cast<long>(*r.extent.length)) + " characters)");
  }

 private:
  bool required_;
};

// A percent box: width and height above 0 (a negative size is an error).
class box_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    for (const char* k : {"width", "height"}) {
      annot::json_ref v = r.value.get(k);
      if (v.is_number() && v.as_number() <= 0)
        out.add(annot::severity::error, std::string("value.") + k, "must be greater than 0");
    }
  }
};

inline annot::field_table span_fields(bool required) {
  return {{.name = "start", .type = annot::field_type::integer, .required = required, .min = 0},
          {.name = "end", .type = annot::field_type::integer, .required = required, .min = 0},
          {.name = "text", .type = annot::field_type::string}};
}

inline annot::field_table box_fields(bool required) {
  annot::field_table t;
  for (const char* k : {"x", "y", "width", "height"})
    t.push_back({.name = k, .type = annot::field_type::number, .required = required, .min = 0, .max = 100});
  t.push_back({.name = "rotation", .type = annot::field_type::number, .min = 0, .max = 360});
  return t;
}

inline annot::field_table object_attrs(bool value_list = false) {
  annot::field_table t{{.name = "name", .required = true, .description = "Tag name"},
                       {.name = "value", .required = !value_list, .description = "$key", .variable_allowed = true}};
  if (value_list) t.push_back({.name = "valueList", .description = "$key of a list", .variable_allowed = true});
  return t;
}

inline annot::status register_probe(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "Doc", .description = "A text",
                                            .attributes = object_attrs(),
                                            .data_types = {annot::data_type::str}},
                                    .measure = std::make_unique<doc_measure>()});
      !st.ok())
    return st;
  if (auto st = reg.add_region({.object_tag = "Doc", .result_type = "labels", .geometry = "char_span",
                                .value_fields = span_fields(true),
                                .validator = std::make_unique<span_validator>(true)});
      !st.ok())
    return st;
  if (auto st = reg.add_region({.object_tag = "Doc", .result_type = "*", .geometry = "char_span",
                                .value_fields = span_fields(false),
                                .validator = std::make_unique<span_validator>(false)});
      !st.ok())
    return st;
  if (auto st = reg.add_object_tag({.tag = {.name = "Pic", .description = "A picture",
                                            .attributes = object_attrs(true),
                                            .data_types = {annot::data_type::str, annot::data_type::list}},
                                    .value_attributes = {"value", "valueList"},
                                    .measure = std::make_unique<pic_measure>()});
      !st.ok())
    return st;
  for (const char* type : {"boxlabels", "labels"})
    if (auto st = reg.add_region({.object_tag = "Pic", .result_type = type, .geometry = "percent_box",
                                  .value_fields = box_fields(true), .validator = std::make_unique<box_validator>()});
        !st.ok())
      return st;
  if (auto st = reg.add_region({.object_tag = "Pic", .result_type = "*", .geometry = "percent_box",
                                .value_fields = box_fields(false), .validator = std::make_unique<box_validator>()});
      !st.ok())
    return st;
  if (auto st = reg.add_control_tag({.tag = {.name = "BoxLabels", .description = "Boxes with labels on a Pic",
                                             .attributes = {{.name = "name", .required = true},
                                                            {.name = "toName", .type = annot::field_type::name_list,
                                                             .required = true}},
                                             .children = {"Label"}},
                                     .result_types = {"boxlabels"},
                                     .payload_key = "boxlabels",
                                     .payload = annot::payload_kind::label_list,
                                     .targets = {"Pic"},
                                     .needs_region = true});
      !st.ok())
    return st;
  if (auto st = reg.add_object_tag({.tag = {.name = "Series", .description = "Time series",
                                            .attributes = object_attrs(),
                                            .children = {"Lane"},
                                            .data_types = {annot::data_type::dict, annot::data_type::list,
                                                           annot::data_type::str}}});
      !st.ok())
    return st;
  return reg.add_visual_tag({.tag = {.name = "Lane", .description = "A channel of a Series",
                                     .attributes = {{.name = "column"}},
                                     .child_only = true}});
}

inline int probe_register_thunk(annot_registrar* r) noexcept { return annot::detail::run_register(r, &register_probe); }

inline const annot_plugin_descriptor* probe_descriptor() {
  static const annot_plugin_descriptor d = {ANNOT_PLUGIN_MAGIC, sizeof(annot_plugin_descriptor),
                                            ANNOT_SDK_VERSION_MAJOR, ANNOT_SDK_VERSION_MINOR,
                                            ANNOT_SDK_VERSION_PATCH, 0, ANNOT_TOOLCHAIN_FINGERPRINT, "probe",
                                            ANNOT_PLUGIN_KIND_data_type, "1.0.0", "Test objects",
                                            &probe_register_thunk};
  return &d;
}

}  // namespace annot::test::probe
