// Accepts TCP connections and hands each to a new connection on its own strand. Internal to
// host/src/http/ (includes Asio).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/server_state.hpp"

namespace annot::host::http {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Opens, binds and listens; throws std::runtime_error naming the endpoint and the reason.
  listener(server_state& state, const std::string& address, std::uint16_t port);
  std::uint16_t port() const noexcept { return port_; }
  void run();
  // Any thread: stop accepting.
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, net::ip::tcp::socket socket);

  server_state& state_;
  net::strand<net::io_context::executor_type> strand_;
  net::ip::tcp::acceptor acceptor_;
  net::steady_timer backoff_;
  std::uint16_t port_ = 0;
};

}  // namespace annot::host::http
