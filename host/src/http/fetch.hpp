// A small HTTP client for url= imports: GET one URL, body streamed to a callback, with an SSRF guard
// (loopback, private, link-local and other non-public addresses refused unless allowed). No Beast
// in this header.
#pragma once

#include <annot/status.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace annot::host::http {

struct fetch_options {
  bool allow_private = false;           // allow loopback/private/link-local destinations
  std::uint64_t max_bytes = 1ull << 32;  // larger bodies fail with resource_exhausted
  std::chrono::seconds timeout{60};     // for each connect/read step
  int max_redirects = 5;
};

struct fetch_info {
  int status = 0;
  std::string content_type;
  std::string final_url;  // after redirects
  std::uint64_t bytes = 0;
};

// Whether an IPv4/IPv6 address text is public (not loopback, private, link-local, CGNAT,
// multicast, unspecified, ...).
bool is_public_address(std::string_view address);

// GETs `url` (http:// only; https:// when built with TLS support), following redirects, and hands the
// body of a 2xx answer to `on_body` chunk by chunk. Errors: invalid_argument (bad URL, scheme, a
// refused address, a non-2xx status, named in the message), io_error (network).
// Blocks the calling thread: never call it on an I/O thread.
result<fetch_info> fetch_url(std::string_view url, const fetch_options& options,
                             const std::function<status(std::string_view)>& on_body);

}  // namespace annot::host::http
