// Import routes (spec §3, §4.3): POST /api/projects/{id}/import (streamed body: JSON, multipart
// files, url= form), GET /api/projects/{id}/imports/{import_id}, POST /api/projects/{id}/reimport.
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

// Signed-in users only. Imports run on the offload pool (sync) or the job pool (?async=true).
void add_import_routes(api_routes& routes);

}  // namespace annot::host::api
