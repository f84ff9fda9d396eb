// The core plugin's shared declarations: one register function per tag family, attribute helpers.
#pragma once

#include <annot/registrar.hpp>
#include <initializer_list>
#include <optional>
#include <string>

namespace annot::plugins::core {

// One per file, each registering a family of tags.
annot::status register_layout_tags(annot::registrar& reg);   // View, Header, Style, Collapse, Panel, ...
annot::status register_value_tags(annot::registrar& reg);    // Label, Choice, Relation, Bucket, Shortcut
annot::status register_labels(annot::registrar& reg);        // Labels
annot::status register_choices(annot::registrar& reg);       // Choices, Taxonomy
annot::status register_inputs(annot::registrar& reg);        // TextArea, Number, Rating, DateTime
annot::status register_comparison(annot::registrar& reg);    // List, Ranker, Pairwise, Relations

// Attribute-table helpers, so each tag's table reads as a list.
annot::field_spec text(std::string name, std::string description, std::string default_value = {});
annot::field_spec flag(std::string name, std::string description, std::string default_value = "false");
annot::field_spec integer(std::string name, std::string description, std::string default_value = {},
                          std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt);
annot::field_spec number(std::string name, std::string description, std::string default_value = {},
                         std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt);
annot::field_spec one_of(std::string name, std::initializer_list<const char*> allowed, std::string description,
                         std::string default_value = {});
annot::field_spec color(std::string name, std::string description);
annot::field_spec css(std::string name, std::string description);
annot::field_spec tag_ref(std::string name, std::string description);
annot::field_spec required(annot::field_spec f);
annot::field_spec variable(annot::field_spec f);

// name, toName, required, requiredMessage, perRegion, perItem and the visibility attributes that
// every control has.
annot::field_table control_attributes(std::initializer_list<annot::field_spec> own);
// visibleWhen, whenTagName, whenLabelValue, whenChoiceValue.
void add_visibility(annot::field_table& table);

// "<Choices name="x">" for messages.
std::string describe(const annot::control_instance& c);
// Whether an attribute reads true (case-insensitive).
bool attribute_true(const annot::config_tag& tag, std::string_view name);

}  // namespace annot::plugins::core
