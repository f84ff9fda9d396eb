// GET /api/templates: the starter-config gallery of the project-creation page, from what the
// data-type plugins registered (registrar::add_starter_config).
#pragma once

#include <nlohmann/json.hpp>

#include "api/api_routes.hpp"
#include "plugins/registry.hpp"

namespace annot::host::api {

// {"templates": [{title, group, details, config, plugin, sample_task: {data}}...], "groups": [...]}:
// templates in registry order; groups: the usual sections first (Computer Vision, Natural Language
// Processing, Audio and Speech, Conversational AI), then the others in order of first appearance. Label Studio's shape, plus
// sample_task (the data the create page previews the config on) and plugin.
nlohmann::json templates_json(const plugins::registry& registry);

// Adds GET /api/templates (signed-in users: it is not on the public list).
void add_template_routes(api_routes& routes);

}  // namespace annot::host::api
