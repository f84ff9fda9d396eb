// Routes of the job pool: GET /api/jobs, GET /api/jobs/{id}, POST /api/jobs/{id}/cancel.
#pragma once

#include "http/router.hpp"
#include "jobs/job_runner.hpp"

namespace annot::host::api {

void add_job_routes(http::router& routes, jobs::job_runner& runner);

}  // namespace annot::host::api
