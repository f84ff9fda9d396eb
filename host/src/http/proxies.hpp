// Trusted reverse proxies: which peers may set X-Forwarded-For / X-Forwarded-Proto. Beast-free.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace annot::host::http {

// An IPv4 or IPv6 address as 16 bytes (IPv4 stored IPv4-mapped), parsed without a resolver.
struct ip_bytes {
  std::array<std::uint8_t, 16> b{};
  bool v4 = false;
};
std::optional<ip_bytes> parse_ip(std::string_view text);

class trusted_proxies {
 public:
  // Entries are addresses or CIDR networks; throws std::invalid_argument naming a bad entry.
  explicit trusted_proxies(const std::vector<std::string>& entries);
  bool empty() const noexcept { return nets_.empty(); }
  bool contains(std::string_view address) const;
  bool contains(const ip_bytes& ip) const;

  // The client address and scheme of a request that came from `peer`: X-Forwarded-For is walked from
  // the right, skipping trusted proxies, and its first untrusted hop is the client. Headers from an
  // untrusted peer are ignored.
  void apply(request& req, bool peer_trusted) const;

 private:
  struct network {
    ip_bytes addr;
    unsigned prefix;  // in bits of the 16-byte form
  };
  std::vector<network> nets_;
};

}  // namespace annot::host::http
