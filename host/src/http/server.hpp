// The HTTP server: accepts connections, parses requests, routes them and writes responses. No Beast
// or Asio in this header (pimpl), so the code that builds and runs a server compiles fast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"

namespace annot::host::http {

struct server_options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8080;     // 0: an ephemeral port, returned by server::start()
  unsigned io_threads = 0;       // 0: one per core
  // The pool for streamed and offloaded routes: this many threads at all times (at least 1), more
  // while that many handlers block at once (uploads from slow clients, exports, store work), up to the
  // max. A download's slow client holds no thread: its bytes wait in the response's spool.
  unsigned offload_threads = 4;
  unsigned offload_max_threads = 64;
  // Peers whose X-Forwarded-For / X-Forwarded-Proto are believed: IP addresses ("10.0.0.5") or
  // networks ("10.0.0.0/8", "fd00::/8").
  std::vector<std::string> trusted_proxies;
  std::chrono::seconds idle_timeout{60};     // a keep-alive connection with no request is closed
  std::chrono::seconds request_timeout{30};  // reading the headers, one read of a body, or writing a response
  std::size_t header_limit = 16 * 1024;      // request line + headers; larger gets 431
  // A request body that has come slower than min_upload_rate bytes a second on average over the
  // time the server waited for it, once that time passes min_upload_rate_after, is cut (408): a
  // streamed one (an upload) holds an offload thread while it arrives, and request_timeout is per
  // read, so clients trickling a byte at a time could otherwise take every thread and connection.
  std::size_t min_upload_rate = 1024;
  std::chrono::seconds min_upload_rate_after{60};
  // stop(): in-flight requests get this long to finish before the server closes everything.
  std::chrono::seconds shutdown_timeout{10};
  // One spdlog line per request (method, target, status, bytes, ms, remote) at info level, on the
  // logger with this name, or on the default logger when none is registered under it.
  bool access_log = true;
  std::string access_logger = "access";
};

// Thread-safety: start(), stop() and wait() may be called from any thread; stop() is idempotent.
// Lifetime: the router must outlive the server. Exchanges handed to handlers may be answered and
// dropped on any thread: wait() waits until the last one is dropped, up to shutdown_timeout; one
// still held after that must be dropped before the server is destroyed.
class server {
 public:
  server(server_options options, const router& routes);
  ~server();  // stop() and wait()
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds, listens and starts the I/O threads; returns the bound port. Throws std::runtime_error
  // naming the address and the reason when the port is taken or the address is invalid.
  std::uint16_t start();
  std::uint16_t port() const noexcept;
  // Stops accepting, closes idle connections, lets in-flight requests finish (each connection closes
  // after its current response), and closes whatever is left after shutdown_timeout. Non-blocking.
  void stop();
  // Blocks until the server has stopped and every I/O and offload thread has finished. Never from a
  // handler running on an I/O thread (std::logic_error): call stop() there.
  void wait();
  // start() if needed, then serve until SIGINT or SIGTERM (or stop()), then wait().
  void run_until_signal();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace annot::host::http
