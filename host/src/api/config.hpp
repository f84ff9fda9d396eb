// Labeling-config routes: POST /api/projects/validate/ and GET /api/config/tags.
#pragma once

#include "config/tag_catalog.hpp"
#include "http/router.hpp"

namespace annot::host::api {

// Adds both routes. The catalog must be frozen and outlive the router.
void add_config_routes(http::router& routes, const config::tag_catalog& catalog);

// POST /api/projects/validate/ {"label_config": "<View>...</View>"} (public, no project):
// 204 when clean, 200 {"warnings": [...]} when accepted with warnings, 400 {"label_config": [...],
// "errors": [...], "warnings": [...]} when refused (Label Studio's body, with located details added).
http::response validate_config(const config::tag_catalog& catalog, const http::request& req);

}  // namespace annot::host::api
