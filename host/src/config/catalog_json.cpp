// catalog_json: the registered tags, attribute tables and regions as JSON.
#include "config/catalog_json.hpp"

#include "config/fields.hpp"

namespace annot::host::config {

using json = nlohmann::json;

json fields_json(const annot::field_table& table) {
  json out = json::array();
  for (const auto& f : table) {
    json j = {{"name", f.name},
              {"type", type_name(f.type)},
              {"required", f.required},
              {"default", f.default_value.empty() ? json() : json(f.default_value)},
              {"description", f.description}};
    if (!f.allowed.empty()) j["allowed"] = f.allowed;
    if (f.min) j["min"] = *f.min;
    if (f.max) j["max"] = *f.max;
    if (f.variable_allowed) j["variable_allowed"] = true;
    out.push_back(std::move(j));
  }
  return out;
}

json issue_json(const config_issue& i) {
  json j = {{"code", i.code}, {"message", i.message}};
  j["line"] = i.line ? json(i.line) : json();
  j["tag"] = i.tag.empty() ? json() : json(i.tag);
  j["attribute"] = i.attribute.empty() ? json() : json(i.attribute);
  if (!i.detail.empty()) j["detail"] = i.detail;
  return j;
}

namespace {

std::string_view payload_name(annot::payload_kind k) {
  switch (k) {
    case annot::payload_kind::none: return "none";
    case annot::payload_kind::label_list: return "label_list";
    case annot::payload_kind::custom: return "custom";
  }
  return "unknown";
}

}  // namespace

json catalog_json(const tag_catalog& catalog) {
  json tags = json::array();
  for (const tag_entry* e : catalog.tags()) {
    const annot::tag_info& info = e->info();
    json t = {{"name", info.name},
              {"role", to_string(e->role)},
              {"owner", e->owner},
              {"description", info.description},
              {"attributes", fields_json(info.attributes)},
              {"children", info.children},
              {"child_only", info.child_only}};
    json parents = json::array();
    if (info.child_only)
      for (const tag_entry* p : catalog.parents_of(info.name)) parents.push_back(p->name());
    if (info.child_only) t["parents"] = std::move(parents);
    json types = json::array();
    for (auto d : info.data_types.empty() ? std::vector<annot::data_type>{annot::data_type::str} : info.data_types)
      types.push_back(annot::to_string(d));
    t["data_types"] = std::move(types);
    if (e->role == tag_role::object) {
      t["value_attributes"] = e->object->value_attributes;
      json regions = json::array();
      for (const region_entry* r : catalog.regions_of(info.name))
        regions.push_back({{"result_type", r->spec.result_type},
                           {"geometry", r->spec.geometry},
                           {"description", r->spec.description},
                           {"value_fields", fields_json(r->spec.value_fields)}});
      t["regions"] = std::move(regions);
    } else if (e->role == tag_role::control) {
      const annot::control_tag_spec& c = *e->control;
      t["result_types"] = c.result_types;
      t["payload_key"] = c.payload_key.empty() ? json() : json(c.payload_key);
      t["payload"] = payload_name(c.payload);
      t["targets"] = c.targets;  // empty: any object tag
      t["min_targets"] = c.min_targets;
      t["max_targets"] = c.max_targets ? json(c.max_targets) : json();
      t["needs_region"] = c.needs_region;
      t["self_target"] = c.self_target;
      t["dynamic_labels"] = c.dynamic_labels;
    }
    tags.push_back(std::move(t));
  }
  return {{"tags", std::move(tags)}};
}

}  // namespace annot::host::config
