// Turns a request's credentials into a principal: legacy API tokens, Bearer JWTs and login cookies.
// Every route that is not public goes through authenticate() (see api/api_routes.hpp). Also mints
// the credentials the login and token routes hand out (personal access tokens, access JWTs, login
// sessions); those routes store them through the store.
#pragma once

#include <annot/status.hpp>
#include <array>
#include <chrono>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/jwt.hpp"
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
  // Lifetime of a personal access token (Label Studio's default: 73,000 days).
  std::chrono::seconds personal_token_ttl{std::chrono::hours(24 * 73000)};
  // How long a token lookup is reused without asking the database again. Writes through this
  // process's store (token reset or revocation, user deactivation or deletion) end it at once;
  // this bound is for writes by other processes (`annot user ...`). Zero: no cache.
  std::chrono::milliseconds token_cache_ttl{1000};
};

// A personal access token: the JWT the user keeps, and what the store keeps (its id, never the JWT).
struct minted_personal_token {
  std::string jwt;
  std::string jti;
  store::timestamp expires_at{};
};

// A browser login session: the cookie's secret goes to the browser, only its digest to the store.
struct minted_session {
  std::string secret;  // the session cookie's value
  std::string digest;  // store key (tokens.kind = session)
  std::string csrf;    // the csrftoken cookie's value, bound to this session
  store::timestamp expires_at{};
};

// Threading: authenticate() and the mint/issue functions are safe from any thread at once (they
// read the store through a lease; the signing key is fixed at construction).
// Lifetime: must not outlive the store.
class authenticator {
 public:
  // Loads the JWT signing key from the store's settings ("auth.jwt_key"), generating and storing it
  // the first time (a blocking write: construct before serving, never on an I/O thread). Throws
  // std::runtime_error when the store can neither give nor keep one.
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

  // ---- personal access tokens and access JWTs (Since the token routes) ------------------------
  // A new personal access token for the user (a refresh JWT); the caller stores it with
  // create_token(user, token_kind::personal, jti, expires_at, label).
  minted_personal_token mint_personal_token(std::int64_t user_id) const;
  // POST /api/token/refresh: checks the personal token (signature, type, expiry, not revoked, its
  // user active) and returns a short-lived access JWT. 401 detail on refusal.
  result<std::string> refresh_access_token(std::string_view personal_token) const;
  // The jti of a personal token whose signature is good (for revocation); invalid_argument otherwise.
  result<std::string> personal_token_id(std::string_view personal_token) const;

  // ---- login sessions ---------------------------------------------------------------------------
  minted_session mint_session() const;
  // The store key (digest) of a session cookie value.
  static std::string session_digest(std::string_view secret);
  // The session cookie's value in a request, if any.
  std::optional<std::string> session_secret(const http::request& req) const;
  // Set-Cookie values that start the session / clear both cookies. secure: add "Secure" (HTTPS).
  std::vector<std::string> session_cookies(const minted_session& s, bool secure) const;
  std::vector<std::string> clearing_cookies(bool secure) const;

 private:
  outcome from_token(std::string_view key, credential via) const;
  outcome from_bearer(std::string_view jwt) const;
  outcome from_session(const http::request& req, std::string_view secret) const;
  std::string csrf_for(std::string_view digest) const;
  // The store's find_token through the cache (positive answers only).
  result<store::token_owner> find_token(store::token_kind kind, std::string_view key, store::timestamp now) const;

  store::store& db_;
  auth_options options_;
  jwt_key key_;

  // One map per token kind, looked up by the key without copying it.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct cached_owner {
    store::token_owner owner;
    std::uint64_t generation = 0;  // the store's credentials generation read before the lookup
    std::chrono::steady_clock::time_point fetched;
  };
  using owner_map = std::unordered_map<std::string, cached_owner, text_hash, std::equal_to<>>;
  mutable std::shared_mutex cache_mutex_;
  mutable std::array<owner_map, 3> cache_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"); nullopt when absent.
std::optional<std::string> cookie_value(const http::request& req, std::string_view name);

}  // namespace annot::host::auth
