// A tiny blocking HTTP/1.1 client over a plain POSIX socket, for tests: no Beast, so it checks the
// server's wire format independently. Raw bytes can be sent to exercise malformed requests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace annot::test {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
  int status = 0;
  std::string reason;
  header_list headers;
  std::string body;
  bool chunked = false;
  std::vector<std::size_t> chunk_sizes;  // sizes of the chunks as received, for chunked bodies

  // The first header of that name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
    return std::nullopt;
  }
};

class http_client {
 public:
  // Connects to host:port; every read or write gives up after timeout (the test fails, never hangs).
  explicit http_client(std::uint16_t port, std::string host = "127.0.0.1",
                       std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : host_(std::move(host)), port_(port), timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1)
      throw std::runtime_error("bad IPv4 address " + host_);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const int e = errno;
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("connect to " + host_ + ":" + std::to_string(port) + ": " + std::strerror(e));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~http_client() { close(); }
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const noexcept { return fd_; }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

  // Sends a request with Host and (when there is a body, or for POST/PUT/PATCH) Content-Length,
  // then reads the answer.
  http_response request(std::string_view method, std::string_view target, std::string_view body = {},
                        const header_list& headers = {}) {
    send(format_request(method, target, body, headers));
    return read_response(method == "HEAD");
  }
  http_response get(std::string_view target, const header_list& headers = {}) {
    return request("GET", target, {}, headers);
  }

  std::string format_request(std::string_view method, std::string_view target, std::string_view body,
                             const header_list& headers) const {
    std::string out;
    out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    out.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
    bool has_length = false;
    for (const auto& [n, v] : headers) {
      out.append(n).append(": ").append(v).append("\r\n");
      if (strcasecmp(n.c_str(), "Content-Length") == 0 || strcasecmp(n.c_str(), "Transfer-Encoding") == 0)
        has_length = true;
    }
    if (!has_length && (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH"))
      out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    out.append("\r\n").append(body);
    return out;
  }

  // Writes every byte (raw: malformed requests, pipelining, bodies in pieces).
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      if (!wait_for(POLLOUT)) throw std::runtime_error("send: timed out");
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads one response. head: the response to a HEAD request (no body whatever the headers say).
  // Interim 1xx responses are returned as they are; call again for the final one.
  http_response read_response(bool head = false) {
    http_response r;
    const std::string head_text = read_until("\r\n\r\n");
    std::string_view text = head_text;
    const auto line_end = text.find("\r\n");
    const std::string_view status_line = text.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1."))
      throw std::runtime_error("bad status line: " + std::string(status_line));
    r.status = std::stoi(std::string(status_line.substr(9, 3)));
    if (status_line.size() > 13) r.reason = std::string(status_line.substr(13));
    text.remove_prefix(line_end + 2);
    while (!text.empty()) {
      const auto end = text.find("\r\n");
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 2);
      if (line.empty()) break;
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) throw std::runtime_error("bad header line: " + std::string(line));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    if (head || r.status < 200 || r.status == 204 || r.status == 304) return r;
    const auto te = r.header("Transfer-Encoding");
    if (te && te->find("chunked") != std::string::npos) {
      r.chunked = true;
      for (;;) {
        const std::string size_line = read_until("\r\n");
        const std::size_t size = std::stoul(size_line, nullptr, 16);
        if (size == 0) {
          read_until("\r\n");  // no trailers from our server: the empty line
          break;
        }
        r.chunk_sizes.push_back(size);
        r.body += read_exact(size);
        if (read_exact(2) != "\r\n") throw std::runtime_error("chunk not followed by CRLF");
      }
    } else if (const auto cl = r.header("Content-Length")) {
      r.body = read_exact(std::stoul(*cl));
    } else {
      r.body = read_all();
    }
    return r;
  }

  // Everything until the server closes the connection.
  std::string read_all() {
    std::string out = std::move(buf_);
    buf_.clear();
    char tmp[65536];
    for (;;) {
      const ssize_t n = read_some(tmp, sizeof tmp);
      if (n <= 0) break;
      out.append(tmp, static_cast<std::size_t>(n));
    }
    return out;
  }

  // True when the server closed the connection (EOF or reset) within the wait, with nothing unread.
  bool closed_by_peer(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    if (!buf_.empty()) return false;
    const auto saved = timeout_;
    timeout_ = wait;
    char c;
    ssize_t n = -2;
    try {
      n = read_some(&c, 1);
    } catch (const std::exception&) {
      timeout_ = saved;
      return false;  // timed out: still open
    }
    timeout_ = saved;
    if (n == 1) buf_.push_back(c);
    return n <= 0;
  }

 private:
  bool wait_for(short events) {
    pollfd p{fd_, events, 0};
    for (;;) {
      const int rc = ::poll(&p, 1, static_cast<int>(timeout_.count()));
      if (rc < 0 && errno == EINTR) continue;
      return rc > 0;
    }
  }

  // >0 bytes, 0 at EOF, -1 on a reset; throws on a timeout.
  ssize_t read_some(char* out, std::size_t size) {
    if (fd_ < 0) throw std::runtime_error("read on a closed client");
    if (!wait_for(POLLIN)) throw std::runtime_error("read: timed out");
    for (;;) {
      const ssize_t n = ::recv(fd_, out, size, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == ECONNRESET) return -1;
      if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
      return n;
    }
  }

  void fill() {
    char tmp[65536];
    const ssize_t n = read_some(tmp, sizeof tmp);
    if (n <= 0) throw std::runtime_error("the server closed the connection");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }

  std::string read_until(std::string_view delim) {
    std::size_t pos;
    while ((pos = buf_.find(delim)) == std::string::npos) fill();
    std::string out = buf_.substr(0, pos + delim.size());
    buf_.erase(0, pos + delim.size());
    return out;
  }

  std::string read_exact(std::size_t n) {
    while (buf_.size() < n) fill();
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
  }

  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buf_;
};

// One request on a fresh connection.
inline http_response http_request(std::uint16_t port, std::string_view method, std::string_view target,
                                  std::string_view body = {}, const header_list& headers = {}) {
  http_client c(port);
  return c.request(method, target, body, headers);
}

}  // namespace annot::test
