// Project routes (spec §4.2): GET/POST /api/projects, GET/PATCH/PUT/DELETE /api/projects/{id},
// POST /api/projects/{id}/validate (strict config check) and GET /api/projects/{id}/summary.
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

// Signed-in users only. Config-bearing writes run off the I/O threads (configs can be megabytes and
// plugin checks are not free); their store writes answer from the commit callback.
void add_project_routes(api_routes& routes);

}  // namespace annot::host::api
