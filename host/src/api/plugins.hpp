// GET /api/plugins (what loaded, what was refused and why) and GET /plugins/{name}/{*path} (each
// loaded plugin's ui/ files, served from memory).
#pragma once

#include <memory>

#include "http/router.hpp"
#include "plugins/registry.hpp"

namespace annot::host::api {

// `registry` must be frozen; the routes share its ownership. Both routes are public: the web shell
// reads them before anyone logs in.
void add_plugin_routes(http::router& routes, std::shared_ptr<const plugins::registry> registry);

}  // namespace annot::host::api
