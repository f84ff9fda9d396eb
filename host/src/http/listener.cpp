// The accept loop: one strand per accepted connection, a short back-off when accept() fails.
#include "http/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "http/connection.hpp"

namespace annot::host::http {

listener::listener(server_state& state, const std::string& address, std::uint16_t port)
    : state_(state), strand_(net::make_strand(state.ioc)), acceptor_(strand_), backoff_(strand_) {
  const std::string where = address + ":" + std::to_string(port);
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": '" + address + "' is not an IP address");
  const net::ip::tcp::endpoint endpoint(addr, port);
  auto check = [&](const char* step) {
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + step + " failed: " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open");
  // Lets a restarted server bind while old connections linger in TIME_WAIT; a port another process
  // listens on is still refused.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  check("setsockopt");
  acceptor_.bind(endpoint, ec);
  if (ec == net::error::address_in_use)
    throw std::runtime_error("cannot listen on " + where +
                             ": the port is already in use (another annot or another "
                             "program?); choose another port with --port");
  check("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  check("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  check("getsockname");
}

void listener::run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void listener::do_accept() {
  if (!acceptor_.is_open()) return;
  acceptor_.async_accept(
      net::make_strand(state_.ioc),
      [self = shared_from_this()](boost::system::error_code ec, net::ip::tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void listener::on_accept(boost::system::error_code ec, net::ip::tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: retrying at once would spin on the same error.
    spdlog::warn("http: accept failed: {}", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([self = shared_from_this()](boost::system::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  auto strand = *socket.get_executor().target<connection::strand_type>();
  std::make_shared<connection>(state_, std::move(socket), std::move(strand))->start();
  do_accept();
}

}  // namespace annot::host::http
