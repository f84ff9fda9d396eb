// Trusted proxy matching and X-Forwarded-For / X-Forwarded-Proto resolution.
#include "http/proxies.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

#include "http/url.hpp"

namespace annot::host::http {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "[::1]:443", "1.2.3.4:80" and "::1" all name an address; proxies differ in what they write.
std::string_view strip_port(std::string_view s) noexcept {
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    return close == std::string_view::npos ? s : s.substr(1, close - 1);
  }
  const auto colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos)
    return s.substr(0, colon);
  return s;
}

}  // namespace

std::optional<ip_bytes> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  ip_bytes ip;
  in_addr a4{};
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    ip.v4 = true;
    ip.b[10] = ip.b[11] = 0xff;
    std::memcpy(&ip.b[12], &a4, 4);
    return ip;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    std::memcpy(ip.b.data(), &a6, 16);
    // An IPv4-mapped IPv6 peer (dual-stack socket) is the IPv4 address.
    static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    ip.v4 = std::memcmp(ip.b.data(), mapped, 12) == 0;
    return ip;
  }
  return std::nullopt;
}

trusted_proxies::trusted_proxies(const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    std::string_view text = trim(entry);
    const auto slash = text.find('/');
    const auto ip = parse_ip(text.substr(0, slash));
    if (!ip) throw std::invalid_argument("trusted proxy is not an IP address or network: '" + entry + "'");
    unsigned prefix = 128;
    if (slash != std::string_view::npos) {
      const std::string_view bits = text.substr(slash + 1);
      unsigned value = 0;
      const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
      const unsigned max = ip->v4 ? 32 : 128;
      if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty() || value > max)
        throw std::invalid_argument("trusted proxy has a bad prefix length: '" + entry + "'");
      prefix = ip->v4 ? 96 + value : value;
    }
    nets_.push_back({*ip, prefix});
  }
}

bool trusted_proxies::contains(const ip_bytes& ip) const {
  for (const network& n : nets_) {
    unsigned bits = n.prefix;
    std::size_t i = 0;
    for (; bits >= 8; bits -= 8, ++i)
      if (ip.b[i] != n.addr.b[i]) goto next;
    if (bits > 0) {
      const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - bits));
      if ((ip.b[i] & mask) != (n.addr.b[i] & mask)) goto next;
    }
    return true;
  next:;
  }
  return false;
}

bool trusted_proxies::contains(std::string_view address) const {
  if (nets_.empty()) return false;
  const auto ip = parse_ip(strip_port(trim(address)));
  return ip && contains(*ip);
}

void trusted_proxies::apply(request& req, bool peer_trusted) const {
  if (!peer_trusted) return;
  if (const auto xff = req.headers.get("X-Forwarded-For")) {
    // Right to left: each trusted hop vouches for the one before it; the first untrusted one is the
    // client. When every hop is trusted, the leftmost is as far as we can see.
    std::string_view list = *xff;
    std::string_view client;
    while (!list.empty()) {
      const auto comma = list.rfind(',');
      const std::string_view hop =
          strip_port(trim(comma == std::string_view::npos ? list : list.substr(comma + 1)));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(0, comma);
      const auto ip = parse_ip(hop);
      if (!ip) break;  // garbage: stop believing the header here
      client = hop;
      if (!contains(*ip)) break;
    }
    if (!client.empty()) {
      const auto ip = parse_ip(client);
      if (ip && ip->v4 && client.find(':') != std::string_view::npos) {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &ip->b[12], buf, sizeof buf);
        req.remote_address = buf;
      } else {
        req.remote_address = std::string(client);
      }
    }
  }
  if (const auto proto = req.headers.get("X-Forwarded-Proto")) {
    // The first value is what the client used; later ones were appended by inner proxies.
    std::string_view first = trim(proto->substr(0, proto->find(',')));
    if (iequals(first, "https"))
      req.scheme = "https";
    else if (iequals(first, "http"))
      req.scheme = "http";
  }
}

}  // namespace annot::host::http
