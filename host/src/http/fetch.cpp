// url= downloads with Beast: resolve, check every address, connect to a checked one, stream the body.
#include "http/fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
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
    return status(errc::invalid_argument, "URL scheme '" + out.scheme + "' is not allowed: use http or https");
  std::string_view rest = url.substr(sep + 3);
  auto path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? std::string_view("/") : rest.substr(path_at);
  if (auto hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  if (path.empty() || path.front() != '/') out.target = "/" + std::string(path);
  else out.target = std::string(path);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return status(errc::invalid_argument, "bad IPv6 host in " + std::string(url));
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
  if (v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || v6.is_site_local() || v6.is_multicast())
    return false;
  auto b = v6.to_bytes();
  if ((b[0] & 0xFE) == 0xFC) return false;  // unique local fc00::/7
  return true;
}

}  // namespace

bool is_public_address(std::string_view address) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(std::string(address), ec);
  return !ec && public_address(a);
}

result<fetch_info> fetch_url(std::string_view url_text, const fetch_options& options,
                             const std::function<status(std::string_view)>& on_body) {
  std::string url(url_text);
  for (int hop = 0; hop <= options.max_redirects; ++hop) {
    auto u = parse_url(url);
    if (!u) return u.error();
    if (u->scheme == "https")
      return status(errc::invalid_argument, "https downloads are not supported by this build; use an http URL or upload "
                                            "the file");
    asio::io_context io;
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    auto found = resolver.resolve(u->host, u->port, ec);
    if (ec) return status(errc::invalid_argument, "cannot resolve " + u->host + ": " + ec.message());
    std::vector<tcp::endpoint> allowed;
    for (const auto& e : found) {
      if (options.allow_private || public_address(e.endpoint().address())) {
        allowed.push_back(e.endpoint());
      } else {
        return status(errc::invalid_argument, "URL " + url + " points at a private, loopback or link-local address (" +
                                                  e.endpoint().address().to_string() +
                                                  "); the administrator has not allowed such imports");
      }
    }
    if (allowed.empty()) return status(errc::invalid_argument, "cannot resolve " + u->host);

    beast::tcp_stream stream(io);
    stream.expires_after(options.timeout);
    // Connect to the addresses we checked, not to a fresh resolution of the name.
    stream.async_connect(allowed, [&](boost::system::error_code e, const tcp::endpoint&) { ec = e; });
    io.run();
    io.restart();
    if (ec) return status(errc::io_error, "cannot connect to " + u->host + ":" + u->port + ": " + ec.message());

    bhttp::request<bhttp::empty_body> req(bhttp::verb::get, u->target, 11);
    req.set(bhttp::field::host, u->host + ((u->port == "80") ? "" : ":" + u->port));
    req.set(bhttp::field::user_agent, "annot-import");
    req.set(bhttp::field::accept, "*/*");
    stream.expires_after(options.timeout);
    bhttp::async_write(stream, req, [&](boost::system::error_code e, std::size_t) { ec = e; });
    io.run();
    io.restart();
    if (ec) return status(errc::io_error, "cannot send the request to " + u->host + ": " + ec.message());

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);
    stream.expires_after(options.timeout);
    bhttp::async_read_header(stream, buffer, parser, [&](boost::system::error_code e, std::size_t) { ec = e; });
    io.run();
    io.restart();
    if (ec) return status(errc::io_error, "cannot read the answer of " + u->host + ": " + ec.message());
    const auto& head = parser.get();
    const int code = static_cast<int>(head.result_int());
    if (code >= 300 && code < 400 && head.count(bhttp::field::location)) {
      auto location = head[bhttp::field::location];
      std::string loc(location.data(), location.size());
      if (loc.rfind("http://", 0) != 0 && loc.rfind("https://", 0) != 0) {
        // A relative redirect: same scheme and authority.
        loc = u->scheme + "://" + u->host + ":" + u->port + (loc.empty() || loc.front() != '/' ? "/" : "") + loc;
      }
      url = std::move(loc);
      continue;
    }
    if (code < 200 || code >= 300)
      return status(errc::invalid_argument, "downloading " + url + " failed with HTTP status " + std::to_string(code));
    fetch_info info;
    info.status = code;
    auto type = head[bhttp::field::content_type];
    info.content_type.assign(type.data(), type.size());
    info.final_url = url;
    std::vector<char> chunk(64 * 1024);
    status body_status = status::success();
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      stream.expires_after(options.timeout);
      bhttp::async_read(stream, buffer, parser, [&](boost::system::error_code e, std::size_t) { ec = e; });
      io.run();
      io.restart();
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) return status(errc::io_error, "reading " + url + ": " + ec.message());
      std::size_t n = chunk.size() - parser.get().body().size;
      if (n == 0) continue;
      info.bytes += n;
      if (info.bytes > options.max_bytes)
        return status(errc::invalid_argument, "the file at " + url + " is larger than " +
                                                    std::to_string(options.max_bytes) + " bytes");
      if (auto s = on_body(std::string_view(chunk.data(), n)); !s) return s;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return info;
  }
  return status(errc::invalid_argument, "too many redirects from " + std::string(url_text));
}

}  // namespace annot::host::http
