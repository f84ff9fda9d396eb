// What the listener, the connections and the exchanges of one server share. Internal to
// host/src/http/: includes Asio.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/burst_counter.hpp"
#include "http/elastic_pool.hpp"
#include "http/proxies.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace annot::host::http {

namespace net = boost::asio;

class connection;

struct server_state {
  server_state(server_options opts, const router& r);

  server_options options;
  const router& routes;
  trusted_proxies proxies;
  std::shared_ptr<spdlog::logger> access_log;  // null when the access log is off

  std::atomic<bool> stopping{false};
  // Set when shutdown_timeout expired or the server is being destroyed: threads waiting for the
  // I/O threads (streamed bodies) give up instead of waiting forever.
  std::atomic<bool> aborted{false};

  // Live connections, so stop() can reach them. Touched once per connection, never per request.
  std::mutex connections_mutex;
  std::unordered_map<connection*, std::weak_ptr<connection>> connections;
  void add_connection(connection* c, std::weak_ptr<connection> w);
  void remove_connection(connection* c);

  // Called when a large request body is gone: gives what glibc's arenas hold free back to the system
  // (malloc_trim), on the offload pool, one trim at a time. Handling a 30 MB result frees hundreds of
  // MB in small blocks that the arenas would otherwise keep for the life of the server.
  void trim_heap_soon();
  std::atomic<bool> trim_pending{false};
  // The memory-heavy handlers (route_options::memory_heavy) in flight: the last of a burst trims.
  burst_counter heavy;

  // Declared last: destroyed first, while the members above are still alive for the destructors of
  // the handlers it still holds.
  elastic_pool offload;
  net::io_context ioc;
  net::strand<net::io_context::executor_type> control{net::make_strand(ioc)};
  net::steady_timer shutdown_timer{control};
  void on_all_connections_closed();
};

// True on the server's I/O threads: blocking there would stall every connection of that thread.
bool on_io_thread() noexcept;
void mark_io_thread() noexcept;

}  // namespace annot::host::http
