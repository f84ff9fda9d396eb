// HS256 JSON Web Tokens (RFC 7519) signed with libsodium's HMAC-SHA256: the personal access tokens
// and the short-lived access tokens of POST /api/token/refresh, shaped like djangorestframework-
// simplejwt's ({"token_type", "exp", "iat", "jti", "user_id"}) so Label Studio clients accept them.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace annot::host::auth {

// The signing key: 32 random bytes. Value type; copy freely.
struct jwt_key {
  std::string bytes;  // exactly 32 bytes when valid
  bool valid() const noexcept { return bytes.size() == 32; }
  static jwt_key generate();
  // From / to the lower-case hex kept in the store's settings table; an invalid key for bad text.
  static jwt_key from_hex(std::string_view hex);
  std::string to_hex() const;
};

// base64url without padding (RFC 4648 §5), as JWTs use it. decode: nullopt-like empty+false.
std::string base64url_encode(std::string_view bytes);
bool base64url_decode(std::string_view text, std::string& out);

// header.payload.signature with {"alg":"HS256","typ":"JWT"}. claims must be a JSON object.
std::string jwt_sign(const nlohmann::json& claims, const jwt_key& key);

// Checks the form, the algorithm (HS256 only: "none" and others are refused), the signature (in
// constant time) and, when the claims have one, "exp" against now_seconds (Unix time). Returns the
// claims, or invalid_argument naming what is wrong ("Token is invalid or expired" style messages
// are the caller's choice).
result<nlohmann::json> jwt_verify(std::string_view token, const jwt_key& key, std::int64_t now_seconds);

// Whether text has the shape of a JWT (three base64url parts): lets a caller tell a JWT from a
// legacy 40-hex token without verifying it.
bool looks_like_jwt(std::string_view text) noexcept;

}  // namespace annot::host::auth
