// The tag catalog as JSON: every registered tag with its owner, attribute table, children, targets
// and regions (GET /api/config/tags, and for plugin authors).
#pragma once

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "config/tag_catalog.hpp"

namespace annot::host::config {

// {"tags": [{"name", "role", "owner", "description", "attributes": [...], "children", "child_only",
//  "data_types", ...role-specific keys}]}, tags sorted by name.
nlohmann::json catalog_json(const tag_catalog& catalog);

// One field table as JSON: [{"name", "type", "required", "default", "allowed", "description", "min",
// "max", "variable_allowed"}].
nlohmann::json fields_json(const annot::field_table& table);

// A config issue as JSON: {"code", "message", "line", "tag", "attribute", "detail"}.
nlohmann::json issue_json(const config_issue& issue);

}  // namespace annot::host::config
