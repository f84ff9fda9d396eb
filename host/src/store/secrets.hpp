// Password hashes and random identifiers in the formats the store keeps (libsodium).
#pragma once

#include <annot/status.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace annot::host::store {

// crypto_pwhash_str (Argon2id, interactive limits): salted and slow on purpose (~0.1 s, 64 MiB),
// so call it before submitting a write unit, never inside one.
result<std::string> hash_password(std::string_view password);
// False for a wrong password and for an empty or malformed hash.
bool verify_password(std::string_view hash, std::string_view password);
// `bytes` random bytes as lower-case hex (Label Studio's legacy API token: 20 bytes, 40 hex digits).
std::string random_hex(std::size_t bytes);
// A random (version 4) UUID: "0f8fad5b-d9cb-469f-a165-70867728950e".
std::string new_uuid();
// A time-ordered (version 7) UUID: 48 bits of Unix milliseconds, then random bits. Successive ids
// sort after each other, so an index on them grows at its end instead of touching random pages.
std::string new_uuid_v7();

}  // namespace annot::host::store
