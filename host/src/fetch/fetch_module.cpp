// The fetch module: url= downloads with Beast, resolve, check every address, connect to a checked one
// (over TLS for https, verified against the trusted CAs and the URL's host name), stream the body.
// A module of its own so that OpenSSL is loaded at the first download, not by every command: libssl
// and libcrypto cost ~1 ms of each start (annot --version 3.1 -> 2.1 ms; their ~5,000 symbol relocations).
#include "http/fetch_module.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

namespace annot::host::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct parsed_url {
  std::string scheme, host, port, target;
};

result<parsed_url> parse_url(std::string_view url) {
  parsed_url out;
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return status(errc::invalid_argument, "not a URL: " + std::string(url));
  out.scheme = std::string(url.substr(0, sep));
  for (auto& c : out.scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https")
    return status(errc::invalid_argument,
                  "URL scheme '" + out.scheme + "' is not allowed: use http or https");
  std::string_view rest = url.substr(sep + 3);
  auto path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? std::string_view("/") : rest.substr(path_at);
  if (auto hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  if (path.empty() || path.front() != '/')
    out.target = "/" + std::string(path);
  else
    out.target = std::string(path);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return status(errc::invalid_argument, "bad IPv6 host in " + std::string(url));
    out.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return status(errc::invalid_argument, "no host in URL " + std::string(url));
  out.port = port.empty() ? (out.scheme == "https" ? "443" : "80") : std::string(port);
  unsigned p = 0;
  auto [end, ec] = std::from_chars(out.port.data(), out.port.data() + out.port.size(), p);
  if (ec != std::errc() || end != out.port.data() + out.port.size() || p == 0 || p > 65535)
    return status(errc::invalid_argument, "bad port in URL " + std::string(url));
  return out;
}

bool public_v4(const asio::ip::address_v4& a) {
  auto b = a.to_bytes();
  if (b[0] == 0 || b[0] == 10 || b[0] == 127) return false;                // this network, private, loopback
  if (b[0] == 169 && b[1] == 254) return false;                            // link-local
  if (b[0] == 172 && (b[1] & 0xF0) == 16) return false;                    // private
  if (b[0] == 192 && b[1] == 168) return false;                            // private
  if (b[0] == 100 && (b[1] & 0xC0) == 64) return false;                    // carrier-grade NAT
  if (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) return false;  // IETF, TEST-NET-1
  if (b[0] == 198 && (b[1] & 0xFE) == 18) return false;                    // benchmarking
  if (b[0] >= 224) return false;                                           // multicast, reserved, broadcast
  return true;
}

bool public_address(const asio::ip::address& a) {
  if (a.is_v4()) return public_v4(a.to_v4());
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return public_v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
  if (v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || v6.is_site_local() ||
      v6.is_multicast())
    return false;
  auto b = v6.to_bytes();
  if ((b[0] & 0xFE) == 0xFC) return false;  // unique local fc00::/7
  return true;
}

using error_code = boost::system::error_code;

// Runs one asynchronous operation to completion on the private io_context (the timeouts of
// tcp_stream need the asynchronous forms).
template <class Start>
error_code run_op(asio::io_context& io, Start&& start) {
  error_code ec;
  start([&ec](error_code e, auto&&...) { ec = e; });
  io.run();
  io.restart();
  return ec;
}

// What one request/response exchange ended with: a redirect to follow, or the streamed body.
struct hop_result {
  std::optional<std::string> redirect;
  fetch_info info;
};

template <class Stream>
result<hop_result> exchange(asio::io_context& io, Stream& stream, beast::tcp_stream& lowest,
                            const parsed_url& u, const std::string& url, const fetch_options& options,
                            const std::function<status(std::string_view)>& on_body) {
  const bool default_port = u.port == (u.scheme == "https" ? "443" : "80");
  const bool v6 = u.host.find(':') != std::string::npos;
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, u.target, 11);
  req.set(bhttp::field::host, (v6 ? "[" + u.host + "]" : u.host) + (default_port ? "" : ":" + u.port));
  req.set(bhttp::field::user_agent, "annot-import");
  req.set(bhttp::field::accept, "*/*");
  lowest.expires_after(options.timeout);
  if (auto ec = run_op(io, [&](auto h) { bhttp::async_write(stream, req, h); }))
    return status(errc::io_error, "cannot send the request to " + u.host + ": " + ec.message());

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);
  lowest.expires_after(options.timeout);
  if (auto ec = run_op(io, [&](auto h) { bhttp::async_read_header(stream, buffer, parser, h); }))
    return status(errc::io_error, "cannot read the answer of " + u.host + ": " + ec.message());
  const auto& head = parser.get();
  const int code = static_cast<int>(head.result_int());
  hop_result out;
  if (code >= 300 && code < 400 && head.count(bhttp::field::location)) {
    auto location = head[bhttp::field::location];
    std::string loc(location.data(), location.size());
    if (loc.rfind("http://", 0) != 0 && loc.rfind("https://", 0) != 0) {
      // A relative redirect: same scheme and authority.
      loc = u.scheme + "://" + (v6 ? "[" + u.host + "]" : u.host) + ":" + u.port +
            (loc.empty() || loc.front() != '/' ? "/" : "") + loc;
    }
    out.redirect = std::move(loc);
    return out;
  }
  if (code < 200 || code >= 300)
    return status(errc::invalid_argument,
                  "downloading " + url + " failed with HTTP status " + std::to_string(code));
  fetch_info& info = out.info;
  info.status = code;
  auto type = head[bhttp::field::content_type];
  info.content_type.assign(type.data(), type.size());
  info.final_url = url;
  std::vector<char> chunk(64 * 1024);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    lowest.expires_after(options.timeout);
    auto ec = run_op(io, [&](auto h) { bhttp::async_read(stream, buffer, parser, h); });
    if (ec == bhttp::error::need_buffer) ec = {};
    // A TLS peer that closes without close_notify ends a body delimited by the connection's end.
    if (ec == asio::ssl::error::stream_truncated && parser.need_eof()) {
      ec = {};
      parser.put_eof(ec);
    }
    if (ec) return status(errc::io_error, "reading " + url + ": " + ec.message());
    std::size_t n = chunk.size() - parser.get().body().size;
    if (n == 0) continue;
    info.bytes += n;
    if (info.bytes > options.max_bytes)
      return status(errc::invalid_argument,
                    "the file at " + url + " is larger than " + std::to_string(options.max_bytes) + " bytes");
    if (auto s = on_body(std::string_view(chunk.data(), n)); !s) return s;
  }
  return out;
}

// Resolves the host and keeps its addresses if every one passes the guard: a name with one
// private address among public ones is refused too, since a later resolution could pick it.
result<std::vector<tcp::endpoint>> checked_endpoints(asio::io_context& io, const parsed_url& u,
                                                     const std::string& url, const fetch_options& options) {
  tcp::resolver resolver(io);
  error_code ec;
  auto found = resolver.resolve(u.host, u.port, ec);
  if (ec) return status(errc::invalid_argument, "cannot resolve " + u.host + ": " + ec.message());
  std::vector<tcp::endpoint> allowed;
  for (const auto& e : found) {
    if (!options.allow_private && !public_address(e.endpoint().address()))
      return status(errc::invalid_argument, "URL " + url +
                                                " points at a private, loopback or link-local address (" +
                                                e.endpoint().address().to_string() +
                                                "); the administrator has not allowed such imports");
    allowed.push_back(e.endpoint());
  }
  if (allowed.empty()) return status(errc::invalid_argument, "cannot resolve " + u.host);
  return allowed;
}

// The client TLS context: peer verification on, trusting options.ca_file or the system store.
result<std::unique_ptr<asio::ssl::context>> client_tls_context(const fetch_options& options) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  if (options.ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(options.ca_file, ec);
  if (ec)
    return status(errc::internal, "cannot load the trusted CA certificates" +
                                      (options.ca_file.empty() ? std::string() : " from " + options.ca_file) +
                                      ": " + ec.message());
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

// fetch_url (http/fetch.hpp) as the module gives it.
result<fetch_info> download(std::string_view url_text, const fetch_options& options,
                            const std::function<status(std::string_view)>& on_body) {
  std::string url(url_text);
  std::unique_ptr<asio::ssl::context> tls;  // made at the first https hop, kept for the others
  for (int hop = 0; hop <= options.max_redirects; ++hop) {
    auto u = parse_url(url);
    if (!u) return u.error();
    asio::io_context io;
    auto endpoints = checked_endpoints(io, *u, url, options);
    if (!endpoints) return endpoints.error();

    result<hop_result> done = status(errc::internal, "unreachable");
    if (u->scheme == "http") {
      beast::tcp_stream stream(io);
      stream.expires_after(options.timeout);
      // Connect to the addresses we checked, not to a fresh resolution of the name.
      if (auto ec = run_op(io, [&](auto h) { stream.async_connect(*endpoints, h); }))
        return status(errc::io_error, "cannot connect to " + u->host + ":" + u->port + ": " + ec.message());
      done = exchange(io, stream, stream, *u, url, options, on_body);
      error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    } else {
      if (!tls) {
        auto made = client_tls_context(options);
        if (!made) return made.error();
        tls = std::move(*made);
      }
      beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
      SSL* ssl = stream.native_handle();
      error_code ip_ec;
      asio::ip::make_address(u->host, ip_ec);
      const bool is_ip = !ip_ec;
      // The certificate must name the URL's host: OpenSSL checks it during the handshake.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int named = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, u->host.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, u->host.c_str(), u->host.size());
      // SNI carries names only, never addresses (RFC 6066).
      if (named != 1 || (!is_ip && SSL_set_tlsext_host_name(ssl, u->host.c_str()) != 1))
        return status(errc::invalid_argument, "cannot verify TLS for host " + u->host);
      auto& lowest = beast::get_lowest_layer(stream);
      lowest.expires_after(options.timeout);
      if (auto ec = run_op(io, [&](auto h) { lowest.async_connect(*endpoints, h); }))
        return status(errc::io_error, "cannot connect to " + u->host + ":" + u->port + ": " + ec.message());
      lowest.expires_after(options.timeout);
      if (auto ec = run_op(io, [&](auto h) { stream.async_handshake(asio::ssl::stream_base::client, h); })) {
        const long verified = SSL_get_verify_result(ssl);
        if (verified != X509_V_OK)
          return status(errc::invalid_argument, "the TLS certificate of " + u->host + " was refused (" +
                                                    X509_verify_cert_error_string(verified) + ")");
        if (ec.category() == asio::error::get_ssl_category())
          return status(errc::invalid_argument,
                        "TLS handshake with " + u->host + ":" + u->port + " failed: " + ec.message());
        return status(errc::io_error,
                      "TLS handshake with " + u->host + ":" + u->port + " failed: " + ec.message());
      }
      done = exchange(io, stream, lowest, *u, url, options, on_body);
      // No close_notify round trip: the body is complete, and a slow peer must not hold the import.
      error_code ignored;
      lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    if (!done) return done.error();
    if (!done->redirect) return std::move(done->info);
    url = std::move(*done->redirect);
  }
  return status(errc::invalid_argument, "too many redirects from " + std::string(url_text));
}

// No exception leaves the module: an allocation failure or a Beast error thrown becomes a status.
result<fetch_info> guarded_download(std::string_view url, const fetch_options& options,
                                    const std::function<status(std::string_view)>& on_body) {
  try {
    return download(url, options, on_body);
  } catch (const std::exception& e) {
    return status(errc::io_error, "downloading " + std::string(url) + " failed: " + e.what());
  } catch (...) {
    return status(errc::internal, "downloading " + std::string(url) + " failed");
  }
}

}  // namespace

}  // namespace annot::host::http

extern "C" __attribute__((visibility("default"))) annot::host::http::fetch_url_fn annot_fetch_module_entry() {
  return &annot::host::http::guarded_download;
}
