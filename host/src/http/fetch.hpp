// A small HTTP/HTTPS client for url= imports: GET one URL, body streamed to a callback, with an SSRF
// guard (loopback, private, link-local and other non-public addresses refused unless allowed) and,
// over https, peer verification against the system CA store with a host-name check. No Beast here:
// the client is the fetch module (host/src/fetch/, lib/annot/annot_fetch.so), loaded at the first call.
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
  // PEM file of the CAs trusted for https instead of the system store (tests, private PKI). Empty:
  // OpenSSL's default paths, which honour SSL_CERT_FILE and SSL_CERT_DIR.
  std::string ca_file;
};

struct fetch_info {
  int status = 0;
  std::string content_type;
  std::string final_url;  // after redirects
  std::uint64_t bytes = 0;
};

// GETs `url` (http:// or https://), following at most max_redirects redirects, and hands the body
// of a 2xx answer to `on_body` chunk by chunk. Every hop is resolved, checked by the guard and
// connected to the checked address. https verifies the server's chain and that its certificate
// names the URL's host (sent as SNI). Errors: invalid_argument (bad URL, scheme, a refused address,
// a refused certificate, a non-2xx status, named in the message), io_error (network),
// internal (the fetch module cannot be loaded: a broken installation, named in the message).
// Blocks the calling thread: never call it on an I/O thread.
result<fetch_info> fetch_url(std::string_view url, const fetch_options& options,
                             const std::function<status(std::string_view)>& on_body);

}  // namespace annot::host::http
