// The server: its shared state, start-up (bind, threads), graceful stop with a deadline, signals.
#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <mutex>
#include <optional>
#include <thread>

#include "http/connection.hpp"
#include "http/listener.hpp"
#include "http/server_state.hpp"

namespace annot::host::http {

namespace {

thread_local bool this_is_io_thread = false;

unsigned io_thread_count(const server_options& o) {
  if (o.io_threads > 0) return o.io_threads;
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

std::shared_ptr<spdlog::logger> resolve_access_log(const server_options& o) {
  if (!o.access_log) return nullptr;
  if (auto named = spdlog::get(o.access_logger)) return named;
  return spdlog::default_logger();
}

}  // namespace

bool on_io_thread() noexcept {
  return this_is_io_thread;
}
void mark_io_thread() noexcept {
  this_is_io_thread = true;
}

// --- server_state ----------------------------------------------------------------------------------

server_state::server_state(server_options opts, const router& r)
    : options(std::move(opts)),
      routes(r),
      proxies(options.trusted_proxies),
      access_log(resolve_access_log(options)),
      offload(std::max(1u, options.offload_threads),
              std::max(options.offload_threads, options.offload_max_threads)),
      ioc(static_cast<int>(io_thread_count(options))) {}

void server_state::add_connection(connection* c, std::weak_ptr<connection> w) {
  std::lock_guard lock(connections_mutex);
  connections.emplace(c, std::move(w));
}

void server_state::remove_connection(connection* c) {
  // All under the lock, the post included: the server's destructor takes the lock before it destroys
  // the io_context, which the last connection's post may wake the I/O threads to finish with while
  // this thread is still inside net::post.
  std::lock_guard lock(connections_mutex);
  connections.erase(c);
  // Once aborted the io_context is stopped or being destroyed: nothing may be posted to it.
  if (connections.empty() && stopping.load() && !aborted.load()) on_all_connections_closed();
}

void server_state::trim_heap_soon() {
#ifdef __GLIBC__
  if (stopping.load() || trim_pending.exchange(true)) return;
  offload.post([this] {
    trim_pending.store(false);
    ::malloc_trim(0);
  });
#endif
}

void server_state::on_all_connections_closed() {
  // The deadline timer is the last thing keeping the I/O threads busy; cancelling it lets them end.
  net::post(control, [this] { shutdown_timer.cancel(); });
}

// --- server ----------------------------------------------------------------------------------------

struct server::impl {
  impl(server_options o, const router& r) : state(std::make_unique<server_state>(std::move(o), r)) {}

  std::unique_ptr<server_state> state;
  std::shared_ptr<listener> acceptor;
  std::optional<net::signal_set> signals;
  std::vector<std::thread> threads;
  std::mutex mutex;  // start/stop/wait against each other
  std::mutex wait_mutex;
  bool started = false;
  std::uint16_t port = 0;
};

server::server(server_options options, const router& routes)
    : impl_(std::make_unique<impl>(std::move(options), routes)) {}

server::~server() {
  stop();
  wait();
  // Handlers still queued in the io_context are destroyed with it; their exchanges must not try to
  // answer through it.
  impl_->state->aborted = true;
  // A connection dropped on another thread may still be leaving the list (see remove_connection).
  std::lock_guard barrier(impl_->state->connections_mutex);
}

std::uint16_t server::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started) return impl_->port;
  server_state& st = *impl_->state;
  if (st.stopping.load()) throw std::runtime_error("cannot start a server that was stopped");
  impl_->acceptor = std::make_shared<listener>(st, st.options.address, st.options.port);
  impl_->port = impl_->acceptor->port();
  impl_->acceptor->run();
  const unsigned n = io_thread_count(st.options);
  impl_->threads.reserve(n);
  for (unsigned i = 0; i < n; ++i)
    impl_->threads.emplace_back([&st] {
      mark_io_thread();
      for (;;) {
        try {
          st.ioc.run();
          return;
        } catch (const std::exception& e) {
          // A handler that throws on an I/O thread must not take the server down.
          spdlog::error("http: exception on an I/O thread: {}", e.what());
        }
      }
    });
  impl_->started = true;
  spdlog::info("http: listening on {}:{} ({} I/O threads, {} to {} offload threads)", st.options.address,
               impl_->port, n, std::max(1u, st.options.offload_threads),
               std::max(st.options.offload_threads, st.options.offload_max_threads));
  return impl_->port;
}

std::uint16_t server::port() const noexcept {
  return impl_->port;
}

void server::stop() {
  std::lock_guard lock(impl_->mutex);
  server_state& st = *impl_->state;
  if (st.stopping.exchange(true)) return;
  if (!impl_->started) return;
  spdlog::info("http: stopping; in-flight requests have {}s to finish", st.options.shutdown_timeout.count());
  // The deadline first: while it is pending the I/O threads keep running, so the steps below cannot
  // leave them without work (and exiting) before the in-flight responses are written.
  net::post(st.control, [&st] {
    st.shutdown_timer.expires_after(st.options.shutdown_timeout);
    st.shutdown_timer.async_wait([&st](boost::system::error_code ec) {
      if (ec) return;  // cancelled: everything finished in time
      spdlog::warn("http: shutdown deadline passed; closing the remaining connections");
      st.aborted = true;
      st.ioc.stop();
    });
    std::lock_guard conn_lock(st.connections_mutex);
    if (st.connections.empty()) st.shutdown_timer.cancel();
  });
  impl_->acceptor->stop();
  net::post(st.control, [this] {
    if (impl_->signals) impl_->signals->cancel();
  });
  std::vector<std::shared_ptr<connection>> live;
  {
    std::lock_guard conn_lock(st.connections_mutex);
    for (auto& [ptr, weak] : st.connections)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->on_server_stop();
  live.clear();
}

void server::wait() {
  // An I/O thread would join itself.
  if (on_io_thread()) throw std::logic_error("http::server::wait() called on one of its I/O threads");
  std::lock_guard lock(impl_->wait_mutex);
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  // Handlers still running on the offload pool finish (a streamed read gives up once aborted).
  impl_->state->aborted = true;
  impl_->state->offload.join();
}

void server::run_until_signal() {
  start();
  server_state& st = *impl_->state;
  net::post(st.control, [this, &st] {
    if (st.stopping.load()) return;
    impl_->signals.emplace(st.control, SIGINT, SIGTERM);
    impl_->signals->async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      spdlog::info("http: received signal {}", signal);
      stop();
    });
  });
  wait();
}

}  // namespace annot::host::http
