// One HTTP/1.1 connection: reads requests, routes them, writes responses, keep-alive. Internal to
// host/src/http/ (includes Beast). Every member below runs on the connection's strand unless noted.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"
#include "http/server_state.hpp"

namespace annot::host::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class exchange_impl;
struct waiter;
class response_spool;

class connection : public std::enable_shared_from_this<connection> {
 public:
  using strand_type = net::strand<net::io_context::executor_type>;

  connection(server_state& state, tcp::socket&& socket, strand_type strand);
  ~connection();

  void start();
  // Any thread: close if idle, else close after the current response.
  void on_server_stop();

  // Any thread: runs f on the strand (at once when already on it).
  template <class F>
  void run_on_strand(F&& f) {
    if (strand_.running_in_this_thread())
      f();
    else
      net::post(strand_, std::forward<F>(f));
  }
  // From the exchange, any thread: the one answer to the current request.
  void deliver(response r);
  // From the body_source, via the strand: fills w with the next chunk of the request body.
  void read_body_chunk(std::shared_ptr<exchange_impl> ex, std::shared_ptr<waiter> w);
  // From the body_sink, via the strand: writes what the spool holds of a streamed (chunked) response,
  // piece by piece as the client takes it, until the spool is empty (the next append wakes it again).
  void drain_spool(std::shared_ptr<response_spool> spool);
  // From the body_sink, via the strand: a streamed response was dropped unfinished.
  void abort_stream();

  server_state& state() noexcept { return state_; }

 private:
  enum class phase { reading_header, reading_body, handling, writing, closing };

  void do_read_header();
  void on_read_header(beast::error_code ec, std::size_t);
  void on_read_body(std::shared_ptr<exchange_impl> ex, const handler* h, const route_options* opts,
                    beast::error_code ec, std::size_t);
  void on_body_chunk(std::shared_ptr<exchange_impl> ex, std::shared_ptr<waiter> w, beast::error_code ec);
  void read_body_some(std::shared_ptr<exchange_impl> ex, const handler* h, const route_options* opts);
  // After a read of a request body: adds its wait to body_waited_; true when the body has come slower
  // than server_options::min_upload_rate.
  bool body_too_slow(std::uint64_t bytes_so_far);
  std::string too_slow_message() const;
  // The 408's message when a body read passed request_timeout without a byte.
  std::string stalled_message() const;
  void grow_read_buffer();
  // Runs the handler: on the offload pool when `offload` (a memory-heavy route always), else here.
  void dispatch(std::shared_ptr<exchange_impl> ex, const handler* h, const route_options& opts, bool offload);
  template <class F>
  void write_continue(F&& next);

  void write_response(response r);
  void write_part(bool with_head);
  void on_write(beast::error_code ec, std::size_t);
  void on_spool_write(std::shared_ptr<response_spool> spool, bool last, beast::error_code ec, std::size_t);
  void finish_response();
  // An error found by the server itself (not a handler): answer and close the connection.
  void reply_and_close(int status, std::string_view detail);
  // content_length no_length: neither a length nor chunked (an HTTP/1.0 body ended by closing).
  static constexpr std::size_t no_length = static_cast<std::size_t>(-1);
  void serialize_head(int status, const header_map& headers, std::size_t content_length, bool chunked);

  void set_deadline(std::chrono::steady_clock::duration d);
  void clear_deadline();
  void arm_watchdog();
  void on_watchdog(beast::error_code ec);
  void do_close();  // graceful: send FIN, drain what the client still sends, then close
  void do_drain();
  void close_now();
  void fail(beast::error_code ec, const char* what);
  void log_access();

  server_state& state_;
  // Takes the connection off the server's list when destroyed. Declared before the Asio members, so
  // destroyed after them: the last reference to a connection can go on any thread (an exchange
  // answered from the store's completion thread), and the server destroys its io_context only once
  // the list is empty, so nothing of a connection may touch the io_context after leaving the list.
  struct membership {
    server_state& state;
    connection* self;
    ~membership() { state.remove_connection(self); }
  } membership_{state_, this};
  strand_type strand_;
  tcp::socket socket_;
  // A read of a request body is on its way; the watchdog then cancels it (the handler answers 408) instead of
  // closing the connection without a word. body_timed_out_: it did.
  bool body_read_pending_ = false;
  bool body_timed_out_ = false;
  net::steady_timer watchdog_;  // enforces deadline_; see set_deadline()
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool watchdog_armed_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;
  std::unique_ptr<char[]> chunk_buf_;  // streamed request bodies and draining, allocated on first use

  std::string remote_;  // the peer's address
  bool peer_trusted_ = false;
  phase phase_ = phase::reading_header;
  bool closed_ = false;

  // The current request.
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool http10_ = false;
  bool body_done_ = true;  // its body was read completely, so the connection can be reused
  // A request body: how long the server has waited on the client for it and, when streamed, how much
  // has come (min_upload_rate). Only the waits count: a handler slow to ask for the next chunk (a busy
  // store) is not the client's slowness.
  std::chrono::steady_clock::duration body_waited_{};
  std::chrono::steady_clock::time_point read_began_{};
  std::uint64_t body_bytes_ = 0;
  bool stream_started_ = false;
  bool sized_stream_ = false;  // the streamed response has a Content-Length: its bytes go unframed
  std::chrono::steady_clock::time_point started_;
  std::size_t bytes_sent_ = 0;
  int status_sent_ = 0;
  bool log_this_ = false;
  std::string log_method_, log_target_, log_remote_;  // filled only when the access log is on

  // The response being written; kept here so its body outlives the write.
  response out_;
  std::string_view out_left_;  // the part of out_'s payload still to write
  std::string head_buf_;  // status line and headers, reused across requests
  std::size_t drained_ = 0;
};

}  // namespace annot::host::http
