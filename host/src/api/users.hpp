// User and token routes: GET/POST /api/users, GET/PATCH/DELETE /api/users/{id},
// GET /api/current-user/whoami, GET /api/current-user/token, POST /api/current-user/reset-token,
// personal access tokens (GET/POST /api/token, POST /api/token/blacklist) and the public
// POST /api/token/refresh that exchanges one for a short-lived Bearer JWT.
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

// Everything but /api/token/refresh needs a signed-in user; creating and deleting users needs an
// admin (is_superuser or is_staff). /api/token/refresh is public: its body is the credential.
void add_user_routes(api_routes& routes);

}  // namespace annot::host::api
