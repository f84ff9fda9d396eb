// Routes of the job pool: GET /api/jobs, GET /api/jobs/{id}, POST /api/jobs/{id}/cancel.
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

// Signed-in users only.
void add_job_routes(api_routes& routes);

}  // namespace annot::host::api
