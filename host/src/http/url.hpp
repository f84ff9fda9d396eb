// Percent-decoding and query-string splitting shared by the request types, the server and the
// static file handler. No Beast here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace annot::host::http {

// Decodes %XX escapes; with plus_is_space, '+' becomes ' ' (query strings, not paths). nullopt when
// an escape is malformed ("%zz", a '%' near the end), so callers can answer 400 instead of guessing.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Calls f(name, value) with the raw (still encoded) pieces of "a=1&b=2&c"; a piece without '='
// has an empty value. Empty pieces ("a=1&&b=2") are skipped.
template <class F>
void for_each_query_pair(std::string_view query, F&& f) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    if (eq == std::string_view::npos)
      f(piece, std::string_view{});
    else
      f(piece.substr(0, eq), piece.substr(eq + 1));
  }
}

// ASCII case-insensitive equality, for header names and tokens.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace annot::host::http
