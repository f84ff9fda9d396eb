// Lower case beyond ASCII, for case-insensitive matching: SQLite's lower() and LIKE fold only A-Z,
// while Label Studio's `icontains` on PostgreSQL folds every letter ("Ärger" finds "ärger").
#pragma once

#include <string>
#include <string_view>

namespace annot::host::util {

// Each code point of UTF-8 `text` mapped to its simple lower case (one code point for one, as
// towlower in glibc's built-in C.UTF-8 locale maps them, so character counts stay the same); bytes
// that are not valid UTF-8 are copied unchanged. Thread-safe.
std::string unicode_lower(std::string_view text);

}  // namespace annot::host::util
