// Request authentication: which credential a request carries and whose it is.
#include "auth/authenticator.hpp"

#include "store/time.hpp"

namespace annot::host::auth {
namespace {

constexpr std::string_view no_credentials = "Authentication credentials were not provided.";

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

authenticator::authenticator(store::store& db, auth_options options) : db_(db), options_(std::move(options)) {}

authenticator::outcome authenticator::from_token(std::string_view key, credential via) const {
  if (key.empty()) return {std::nullopt, 401, "Invalid token header. No credentials provided."};
  auto lease = db_.read();
  auto owner = lease->find_token(store::token_kind::legacy, key, store::now());
  if (!owner) {
    if (owner.error().code() == errc::not_found) return {std::nullopt, 401, "Invalid token."};
    return {std::nullopt, 500, owner.error().message()};
  }
  return {principal{std::move(owner->owner), via, owner->tok.id}, 0, {}};
}

authenticator::outcome authenticator::authenticate(const http::request& req) const {
  if (auto h = req.headers.get("Authorization")) {
    std::string_view value = trim(*h), rest;
    if (scheme_is(value, "token", rest)) return from_token(rest, credential::legacy_token);
    return {std::nullopt, 401, "Unsupported authorization scheme; use \"Token <key>\"."};
  }
  if (auto h = req.headers.get("X-Api-Key")) return from_token(trim(*h), credential::legacy_token);
  return {std::nullopt, 401, std::string(no_credentials)};
}

}  // namespace annot::host::auth
