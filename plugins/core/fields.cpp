// Attribute-table helpers shared by the core plugin's tag families.
#include "core.hpp"

namespace annot::plugins::core {

annot::field_spec text(std::string name, std::string description, std::string default_value) {
  return {.name = std::move(name), .type = annot::field_type::string, .default_value = std::move(default_value),
          .description = std::move(description)};
}

annot::field_spec flag(std::string name, std::string description, std::string default_value) {
  return {.name = std::move(name), .type = annot::field_type::boolean, .default_value = std::move(default_value),
          .description = std::move(description)};
}

annot::field_spec integer(std::string name, std::string description, std::string default_value,
                          std::optional<double> min, std::optional<double> max) {
  return {.name = std::move(name), .type = annot::field_type::integer, .default_value = std::move(default_value),
          .description = std::move(description), .min = min, .max = max};
}

annot::field_spec number(std::string name, std::string description, std::string default_value,
                         std::optional<double> min, std::optional<double> max) {
  return {.name = std::move(name), .type = annot::field_type::number, .default_value = std::move(default_value),
          .description = std::move(description), .min = min, .max = max};
}

annot::field_spec one_of(std::string name, std::initializer_list<const char*> allowed, std::string description,
                         std::string default_value) {
  annot::field_spec f{.name = std::move(name), .type = annot::field_type::enumeration,
                      .default_value = std::move(default_value), .description = std::move(description)};
  for (const char* a : allowed) f.allowed.emplace_back(a);
  return f;
}

annot::field_spec color(std::string name, std::string description) {
  return {.name = std::move(name), .type = annot::field_type::color, .description = std::move(description)};
}

annot::field_spec css(std::string name, std::string description) {
  return {.name = std::move(name), .type = annot::field_type::css, .description = std::move(description)};
}

annot::field_spec tag_ref(std::string name, std::string description) {
  return {.name = std::move(name), .type = annot::field_type::name_ref, .description = std::move(description)};
}

annot::field_spec required(annot::field_spec f) {
  f.required = true;
  return f;
}

annot::field_spec variable(annot::field_spec f) {
  f.variable_allowed = true;
  return f;
}

void add_visibility(annot::field_table& t) {
  t.push_back(one_of("visibleWhen", {"region-selected", "no-region-selected", "choice-selected", "choice-unselected"},
                     "Show the tag only in this state"));
  t.push_back(tag_ref("whenTagName", "With visibleWhen: the control or object whose state counts"));
  t.push_back(text("whenLabelValue", "With visibleWhen=region-selected: only for regions with this label"));
  t.push_back(text("whenChoiceValue", "With visibleWhen=choice-selected: only when this choice is selected"));
}

annot::field_table control_attributes(std::initializer_list<annot::field_spec> own) {
  annot::field_table t{
      required(text("name", "Unique name of the control; results carry it as from_name")),
      required({.name = "toName", .type = annot::field_type::name_list,
                .description = "Name of the object tag(s) to label, comma-separated"}),
      flag("required", "The annotation cannot be submitted without a result of this control"),
      text("requiredMessage", "Message shown when a required control has no result"),
      flag("perRegion", "The result belongs to the selected region (it repeats the region's id and geometry)"),
      flag("perItem", "The result belongs to the current item of a multi-item object (adds item_index)"),
  };
  add_visibility(t);
  t.insert(t.end(), own.begin(), own.end());
  return t;
}

std::string describe(const annot::control_instance& c) {
  return "<" + c.tag.tag + (c.tag.name.empty() ? "" : " name=\"" + c.tag.name + "\"") + ">";
}

bool attribute_true(const annot::config_tag& tag, std::string_view name) {
  auto v = tag.attribute(name);
  return v && annot::iequals(*v, "true");
}

}  // namespace annot::plugins::core
