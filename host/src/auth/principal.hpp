// Who is making a request, once authenticated: the user and the credential they used.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/model.hpp"

namespace annot::host::auth {

enum class credential {
  legacy_token,  // "Authorization: Token <key>" or "X-Api-Key: <key>"
  bearer_jwt,    // "Authorization: Bearer <jwt>" from POST /api/token/refresh
  session        // the browser's login cookie (writes also need the CSRF token)
};
std::string_view to_string(credential c) noexcept;

struct principal {
  store::user user;
  credential via = credential::legacy_token;
  std::int64_t token_id = 0;  // the store token that authenticated (0 for a JWT: it has no row)

  bool is_admin() const noexcept { return user.is_superuser || user.is_staff; }
};

}  // namespace annot::host::auth
