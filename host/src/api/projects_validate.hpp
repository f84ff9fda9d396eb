// Label Studio's project-aware config checks (spec §7.2, Project.validate_config): a new labeling
// config must not orphan the annotations and drafts a project already has.
#pragma once

#include <annot/status.hpp>
#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "store/model.hpp"

namespace annot::host::api {

// Checks `parsed` (the new config's parsed_label_config) and `model` against the project's counters
// and summary. Returns invalid_argument with Label Studio's message when the config would orphan
// annotation results ("Created annotations are incompatible with provided labeling schema, ...",
// "There are N annotation(s) created with tag ..."), and, when strict (POST
// /api/projects/{id}/validate), labels still used by annotations or drafts ("These labels still
// exist in annotations or drafts: ..."). PATCH is non-strict: removed labels are only logged.
status check_config_against_project(const store::project& p, const store::project_summary& summary,
                                    const config::config_model& model, const nlohmann::ordered_json& parsed,
                                    bool strict);

// Label Studio's config_essential_data_has_changed: a control was added, changed type or inputs,
// or lost labels. Both arguments are parsed_label_config objects.
bool config_essential_data_has_changed(const nlohmann::ordered_json& new_parsed,
                                       const nlohmann::ordered_json& old_parsed);

}  // namespace annot::host::api
