// Request authentication: which credential a request carries and whose it is; minting of personal
// access tokens, access JWTs and login sessions.
#include "auth/authenticator.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "store/secrets.hpp"
#include "store/time.hpp"

namespace annot::host::auth {
namespace {

constexpr std::string_view no_credentials = "Authentication credentials were not provided.";
constexpr std::string_view jwt_invalid = "Token is invalid or expired";
constexpr std::string_view key_setting = "auth.jwt_key";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "Token abc" -> ("token", "abc"); the scheme compared case-insensitively.
bool scheme_is(std::string_view value, std::string_view scheme, std::string_view& rest) {
  if (value.size() <= scheme.size() || value[scheme.size()] != ' ') return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return false;
  }
  rest = trim(value.substr(scheme.size() + 1));
  return true;
}

std::int64_t unix_seconds(store::timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_safe(http::method m) {
  return m == http::method::get || m == http::method::head || m == http::method::options;
}

// A signed claim as a positive integer (user ids), or 0.
std::int64_t int_claim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

std::string string_claim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

jwt_key load_or_create_key(store::store& db) {
  {
    auto lease = db.read();
    auto v = lease->get_setting(key_setting);
    if (!v) throw std::runtime_error("cannot read the JWT signing key: " + v.error().message());
    if (*v) {
      auto k = jwt_key::from_hex(**v);
      if (!k.valid()) throw std::runtime_error("the stored JWT signing key is malformed (settings " +
                                               std::string(key_setting) + ")");
      return k;
    }
  }
  // Get-or-set inside one write unit, so two processes opening the same database agree on one key.
  auto hex = db.run<std::string>([](store::write_context& w) -> result<std::string> {
    auto v = w.get_setting(key_setting);
    if (!v) return v.error();
    if (*v) return **v;
    std::string fresh = jwt_key::generate().to_hex();
    if (auto s = w.set_setting(key_setting, fresh); !s) return s;
    return fresh;
  });
  if (!hex) throw std::runtime_error("cannot store the JWT signing key: " + hex.error().message());
  auto k = jwt_key::from_hex(*hex);
  if (!k.valid()) throw std::runtime_error("the stored JWT signing key is malformed");
  return k;
}

}  // namespace

std::string_view to_string(credential c) noexcept {
  switch (c) {
    case credential::legacy_token:
      return "token";
    case credential::bearer_jwt:
      return "jwt";
    case credential::session:
      return "session";
  }
  return "?";
}

std::optional<std::string> cookie_value(const http::request& req, std::string_view name) {
  auto h = req.headers.get("Cookie");
  if (!h) return std::nullopt;
  std::string_view rest = *h;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view part = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(part.substr(0, eq)) != name) continue;
    std::string_view v = trim(part.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
  }
  return std::nullopt;
}

authenticator::authenticator(store::store& db, auth_options options)
    : db_(db), options_(std::move(options)), key_(load_or_create_key(db)) {}

result<store::token_owner> authenticator::find_token(store::token_kind kind, std::string_view key,
                                                     store::timestamp now) const {
  const auto ttl = options_.token_cache_ttl;
  auto& map = cache_[static_cast<std::size_t>(kind) % cache_.size()];
  // Read before the lookup's snapshot begins: a write committed after that changes it.
  const std::uint64_t generation = db_.credentials_generation();
  const auto clock = std::chrono::steady_clock::now();
  if (ttl.count() > 0) {
    std::shared_lock lock(cache_mutex_);
    auto it = map.find(key);
    if (it != map.end() && it->second.generation == generation && clock - it->second.fetched < ttl) {
      const auto& tok = it->second.owner.tok;
      if (!tok.expires_at || *tok.expires_at > now) return it->second.owner;
    }
  }
  result<store::token_owner> owner = [&] {
    auto lease = db_.read();
    return lease->find_token(kind, key, now);
  }();
  if (ttl.count() > 0 && owner) {
    std::unique_lock lock(cache_mutex_);
    // Bounded: a flood of distinct tokens empties the map rather than growing it.
    if (map.size() >= 4096) map.clear();
    map.insert_or_assign(std::string(key), cached_owner{*owner, generation, clock});
  }
  return owner;
}

authenticator::outcome authenticator::from_token(std::string_view key, credential via) const {
  if (key.empty()) return {std::nullopt, 401, "Invalid token header. No credentials provided."};
  auto owner = find_token(store::token_kind::legacy, key, store::now());
  if (!owner) {
    if (owner.error().code() == errc::not_found) return {std::nullopt, 401, "Invalid token."};
    return {std::nullopt, 500, owner.error().message()};
  }
  return {principal{std::move(owner->owner), via, owner->tok.id}, 0, {}};
}

authenticator::outcome authenticator::from_bearer(std::string_view jwt) const {
  if (jwt.empty()) return {std::nullopt, 401, "Invalid token header. No credentials provided."};
  auto now = store::now();
  auto claims = jwt_verify(jwt, key_, unix_seconds(now));
  if (!claims) return {std::nullopt, 401, std::string(jwt_invalid)};
  if (string_claim(*claims, "token_type") != "access")
    return {std::nullopt, 401, "Given token not valid for any token type"};
  // The personal token it came from must still be valid and its user active: deleting or
  // deactivating a user, or revoking the token, ends its access tokens at once.
  std::string pat = string_claim(*claims, "pat");
  std::int64_t uid = int_claim(*claims, "user_id");
  if (pat.empty() || uid <= 0) return {std::nullopt, 401, std::string(jwt_invalid)};
  auto owner = find_token(store::token_kind::personal, pat, now);
  if (!owner) {
    if (owner.error().code() == errc::not_found) return {std::nullopt, 401, "User not found"};
    return {std::nullopt, 500, owner.error().message()};
  }
  if (owner->owner.id != uid) return {std::nullopt, 401, std::string(jwt_invalid)};
  return {principal{std::move(owner->owner), credential::bearer_jwt, 0}, 0, {}};
}

authenticator::outcome authenticator::from_session(const http::request& req, std::string_view secret) const {
  std::string digest = session_digest(secret);
  auto owner = find_token(store::token_kind::session, digest, store::now());
  if (!owner) {
    // An unknown or expired session is no login at all, as in Django.
    if (owner.error().code() == errc::not_found) return {std::nullopt, 401, std::string(no_credentials)};
    return {std::nullopt, 500, owner.error().message()};
  }
  if (!is_safe(req.verb)) {
    // Double submit, as Django does: the csrftoken cookie and the X-CSRFToken header must match,
    // and (stronger than Django) both must be this session's token, so a cookie planted by a
    // sibling subdomain does not help.
    auto cookie = cookie_value(req, options_.csrf_cookie);
    if (!cookie || cookie->empty()) return {std::nullopt, 403, "CSRF Failed: CSRF cookie not set."};
    auto header = req.headers.get("X-CSRFToken");
    if (!header) header = req.headers.get("X-CSRF-Token");
    if (!header || trim(*header).empty()) return {std::nullopt, 403, "CSRF Failed: CSRF token missing."};
    std::string expected = csrf_for(digest);
    if (!equal_secret(trim(*header), *cookie) || !equal_secret(*cookie, expected))
      return {std::nullopt, 403, "CSRF Failed: CSRF token incorrect."};
  }
  return {principal{std::move(owner->owner), credential::session, owner->tok.id}, 0, {}};
}

authenticator::outcome authenticator::authenticate(const http::request& req) const {
  // An explicit credential wins over the cookie; a bad one is refused, never ignored.
  if (auto h = req.headers.get("Authorization")) {
    std::string_view value = trim(*h), rest;
    if (scheme_is(value, "token", rest)) return from_token(rest, credential::legacy_token);
    if (scheme_is(value, "bearer", rest)) return from_bearer(rest);
    return {std::nullopt, 401, "Unsupported authorization scheme; use \"Token <key>\" or \"Bearer <access token>\"."};
  }
  if (auto h = req.headers.get("X-Api-Key")) return from_token(trim(*h), credential::legacy_token);
  if (auto secret = session_secret(req)) return from_session(req, *secret);
  return {std::nullopt, 401, std::string(no_credentials)};
}

minted_personal_token authenticator::mint_personal_token(std::int64_t user_id) const {
  auto now = store::now();
  minted_personal_token t;
  t.jti = store::random_hex(16);
  t.expires_at = now + std::chrono::duration_cast<std::chrono::microseconds>(options_.personal_token_ttl);
  nlohmann::json claims = {{"token_type", "refresh"},
                           {"exp", unix_seconds(t.expires_at)},
                           {"iat", unix_seconds(now)},
                           {"jti", t.jti},
                           {"user_id", user_id}};
  t.jwt = jwt_sign(claims, key_);
  return t;
}

result<std::string> authenticator::personal_token_id(std::string_view personal_token) const {
  // Expired tokens can still be revoked: verify with the clock at 0.
  auto claims = jwt_verify(trim(personal_token), key_, 0);
  if (!claims || string_claim(*claims, "token_type") != "refresh")
    return status(errc::invalid_argument, std::string(jwt_invalid));
  std::string jti = string_claim(*claims, "jti");
  if (jti.empty()) return status(errc::invalid_argument, std::string(jwt_invalid));
  return jti;
}

result<std::string> authenticator::refresh_access_token(std::string_view personal_token) const {
  auto now = store::now();
  auto claims = jwt_verify(trim(personal_token), key_, unix_seconds(now));
  if (!claims || string_claim(*claims, "token_type") != "refresh")
    return status(errc::invalid_argument, std::string(jwt_invalid));
  std::string jti = string_claim(*claims, "jti");
  std::int64_t uid = int_claim(*claims, "user_id");
  if (jti.empty() || uid <= 0) return status(errc::invalid_argument, std::string(jwt_invalid));
  auto lease = db_.read();
  auto owner = lease->find_token(store::token_kind::personal, jti, now);
  if (!owner) {
    if (owner.error().code() == errc::not_found) return status(errc::invalid_argument, std::string(jwt_invalid));
    return owner.error();
  }
  if (owner->owner.id != uid) return status(errc::invalid_argument, std::string(jwt_invalid));
  auto exp = now + std::chrono::duration_cast<std::chrono::microseconds>(options_.access_token_ttl);
  // An access token never outlives the personal token it came from.
  if (owner->tok.expires_at && *owner->tok.expires_at < exp) exp = *owner->tok.expires_at;
  nlohmann::json access = {{"token_type", "access"},
                           {"exp", unix_seconds(exp)},
                           {"iat", unix_seconds(now)},
                           {"jti", store::random_hex(16)},
                           {"user_id", uid},
                           {"pat", jti}};
  return jwt_sign(access, key_);
}

std::string authenticator::session_digest(std::string_view secret) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return std::string(hex);
}

std::string authenticator::csrf_for(std::string_view digest) const {
  std::string msg = "csrf:";
  msg += digest;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                         reinterpret_cast<const unsigned char*>(key_.bytes.data()));
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex);
}

minted_session authenticator::mint_session() const {
  minted_session s;
  s.secret = store::random_hex(32);
  s.digest = session_digest(s.secret);
  s.csrf = csrf_for(s.digest);
  s.expires_at = store::now() + std::chrono::duration_cast<std::chrono::microseconds>(options_.session_ttl);
  return s;
}

std::optional<std::string> authenticator::session_secret(const http::request& req) const {
  auto v = cookie_value(req, options_.session_cookie);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

std::vector<std::string> authenticator::session_cookies(const minted_session& s, bool secure) const {
  std::string tail = "; Path=/; SameSite=Lax; Max-Age=" + std::to_string(options_.session_ttl.count());
  if (secure) tail += "; Secure";
  return {options_.session_cookie + "=" + s.secret + tail + "; HttpOnly", options_.csrf_cookie + "=" + s.csrf + tail};
}

std::vector<std::string> authenticator::clearing_cookies(bool secure) const {
  std::string tail = "; Path=/; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  if (secure) tail += "; Secure";
  return {options_.session_cookie + "=" + tail + "; HttpOnly", options_.csrf_cookie + "=" + tail};
}

}  // namespace annot::host::auth
