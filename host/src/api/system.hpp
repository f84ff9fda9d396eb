// Routes that describe the host itself: /health, /version, /api/version.
#pragma once

#include "http/router.hpp"

namespace annot::host::api {

void add_system_routes(http::router& routes);

}  // namespace annot::host::api
