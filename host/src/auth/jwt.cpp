// HS256 JWTs on libsodium: base64url, signing and verification.
#include "auth/jwt.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace annot::host::auth {
namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

std::string hmac(std::string_view data, const jwt_key& key) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                         reinterpret_cast<const unsigned char*>(key.bytes.data()));
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

bool is_b64url_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

jwt_key jwt_key::generate() {
  ensure_sodium();
  jwt_key k;
  k.bytes.resize(32);
  randombytes_buf(k.bytes.data(), k.bytes.size());
  return k;
}

jwt_key jwt_key::from_hex(std::string_view hex) {
  ensure_sodium();
  jwt_key k;
  if (hex.size() != 64) return k;
  std::string out(32, '\0');
  std::size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(), nullptr,
                     &len, nullptr) != 0 ||
      len != 32)
    return k;
  k.bytes = std::move(out);
  return k;
}

std::string jwt_key::to_hex() const {
  ensure_sodium();
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.pop_back();
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  ensure_sodium();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  ensure_sodium();
  for (char c : text)
    if (!is_b64url_char(c)) return false;
  out.assign(text.size() * 3 / 4 + 3, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  out.resize(len);
  return true;
}

std::string jwt_sign(const nlohmann::json& claims, const jwt_key& key) {
  if (!key.valid()) throw std::logic_error("jwt_sign: no signing key");
  static const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  std::string out = header + "." + base64url_encode(claims.dump());
  std::string sig = base64url_encode(hmac(out, key));
  out += '.';
  out += sig;
  return out;
}

bool looks_like_jwt(std::string_view text) noexcept {
  int dots = 0;
  for (char c : text) {
    if (c == '.') ++dots;
    else if (!is_b64url_char(c)) return false;
  }
  return dots == 2 && text.front() != '.' && text.back() != '.';
}

result<nlohmann::json> jwt_verify(std::string_view token, const jwt_key& key, std::int64_t now_seconds) {
  if (!key.valid()) return status(errc::failed_precondition, "no JWT signing key");
  if (token.size() > 8192 || !looks_like_jwt(token)) return status(errc::invalid_argument, "not a JWT");
  auto d1 = token.find('.');
  auto d2 = token.find('.', d1 + 1);
  std::string header, payload, sig;
  if (!base64url_decode(token.substr(0, d1), header) || !base64url_decode(token.substr(d1 + 1, d2 - d1 - 1), payload) ||
      !base64url_decode(token.substr(d2 + 1), sig))
    return status(errc::invalid_argument, "malformed JWT encoding");
  auto h = nlohmann::json::parse(header, nullptr, false);
  if (!h.is_object() || !h.contains("alg") || h["alg"] != "HS256")
    return status(errc::invalid_argument, "unsupported JWT algorithm");
  // Verify before trusting anything in the payload.
  if (sig.size() != crypto_auth_hmacsha256_BYTES ||
      crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(sig.data()),
                                    reinterpret_cast<const unsigned char*>(token.data()), d2,
                                    reinterpret_cast<const unsigned char*>(key.bytes.data())) != 0)
    return status(errc::invalid_argument, "bad JWT signature");
  auto claims = nlohmann::json::parse(payload, nullptr, false);
  if (!claims.is_object()) return status(errc::invalid_argument, "JWT payload is not an object");
  if (auto it = claims.find("exp"); it != claims.end()) {
    if (!it->is_number()) return status(errc::invalid_argument, "JWT exp is not a number");
    if (it->get<double>() <= static_cast<double>(now_seconds)) return status(errc::invalid_argument, "JWT expired");
  }
  return claims;
}

}  // namespace annot::host::auth
