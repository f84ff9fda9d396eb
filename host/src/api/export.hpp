// The export routes: GET /api/projects/{id}/export (a streamed file or zip) and
// GET /api/projects/{id}/export/formats (Label Studio's listing with a reason on disabled entries).
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

void add_export_routes(api_routes& routes);

}  // namespace annot::host::api
