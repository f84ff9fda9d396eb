// Turns a request's credentials into a principal: legacy API tokens, Bearer JWTs and login cookies.
// Every route that is not public goes through authenticate() (see api/api_routes.hpp).
#pragma once

#include <annot/status.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "auth/principal.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace annot::host::auth {

struct auth_options {
  // Lifetime of the Bearer JWTs handed out by POST /api/token/refresh.
  std::chrono::seconds access_token_ttl{std::chrono::minutes(5)};
  // Lifetime of a browser login session (the cookie).
  std::chrono::seconds session_ttl{std::chrono::hours(24 * 14)};
  std::string session_cookie = "sessionid";
  std::string csrf_cookie = "csrftoken";
};

// Threading: authenticate() is safe from any thread at once (it reads the store through a lease).
// Lifetime: must not outlive the store.
class authenticator {
 public:
  authenticator(store::store& db, auth_options options);

  // The principal, or the refusal: 401 with Label Studio's detail ("Authentication credentials were
  // not provided.", "Invalid token.", ...). Cookie-authenticated requests with an unsafe method also
  // need a CSRF token matching the cookie's (403 otherwise).
  struct outcome {
    std::optional<principal> who;
    int http_status = 401;  // when !who
    std::string detail;     // when !who
  };
  outcome authenticate(const http::request& req) const;

  const auth_options& options() const noexcept { return options_; }
  store::store& db() const noexcept { return db_; }

 private:
  outcome from_token(std::string_view key, credential via) const;

  store::store& db_;
  auth_options options_;
};

}  // namespace annot::host::auth
