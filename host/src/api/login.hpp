// Browser sign-in: POST /user/login, POST /user/signup, GET/POST /user/logout (public routes).
// Login and signup accept JSON or form-encoded bodies; they set the HttpOnly session cookie and the
// csrftoken cookie, and answer JSON (the user) to JSON requests and a 302 to `next` (a local path)
// or /projects to form posts. Signup is refused (403) when api_settings::allow_signup is false.
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

void add_login_routes(api_routes& routes);

}  // namespace annot::host::api
