// One HTTP/1.1 connection: read headers, route, read the body the route allows, run the handler,
// write the answer, repeat while keep-alive holds. All state changes happen on the strand.
#include "http/connection.hpp"
#include "http/response_spool.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <ctime>

#include "http/errors.hpp"
#include "http/exchange_impl.hpp"
#include "http/url.hpp"

namespace annot::host::http {

namespace {

constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t drain_limit = 8 * 1024 * 1024;
constexpr auto drain_time = std::chrono::seconds(2);
constexpr std::string_view crlf = "\r\n";
constexpr std::string_view last_chunk = "0\r\n\r\n";
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

method to_method(bhttp::verb v) noexcept {
  switch (v) {
    case bhttp::verb::get:
      return method::get;
    case bhttp::verb::head:
      return method::head;
    case bhttp::verb::post:
      return method::post;
    case bhttp::verb::put:
      return method::put;
    case bhttp::verb::patch:
      return method::patch;
    case bhttp::verb::delete_:
      return method::delete_;
    case bhttp::verb::options:
      return method::options;
    default:
      return method::unknown;
  }
}

// The Date header, formatted once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached = 0;
  thread_local char buf[40];
  thread_local std::size_t len = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached) {
    cached = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return {buf, len};
}

void append_number(std::string& out, std::size_t v, int base = 10) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, base);
  out.append(buf, r.ptr);
}

bool is_token_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool valid_header(std::string_view name, std::string_view value) noexcept {
  if (name.empty()) return false;
  for (char c : name)
    if (!is_token_char(c)) return false;
  for (char c : value)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool is_http_parse_error(const beast::error_code& ec) noexcept {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Splits the target into path (percent-decoded) and query; false when it is not a usable target.
bool split_target(request& req) {
  std::string_view t = req.target;
  // absolute-form ("http://host/path"), which proxies send and servers must accept
  if (t.starts_with("http://") || t.starts_with("https://")) {
    const auto authority = t.find("//") + 2;
    const auto slash = t.find('/', authority);
    t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
  }
  if (t.empty() || t.front() != '/') return false;
  if (const auto hash = t.find('#'); hash != std::string_view::npos) t = t.substr(0, hash);
  const auto q = t.find('?');
  const std::string_view raw_path = t.substr(0, q);
  req.query_string.assign(q == std::string_view::npos ? std::string_view{} : t.substr(q + 1));
  if (raw_path.find('%') == std::string_view::npos) {
    req.path.assign(raw_path);
    return true;
  }
  auto decoded = percent_decode(raw_path, false);
  if (!decoded || decoded->find('\0') != std::string::npos) return false;
  req.path = std::move(*decoded);
  return true;
}

}  // namespace

connection::connection(server_state& state, tcp::socket&& socket, strand_type strand)
    : state_(state), strand_(std::move(strand)), socket_(std::move(socket)), watchdog_(strand_) {
  beast::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (!ec) {
    auto addr = peer.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
      addr = net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6());
    remote_ = addr.to_string();
    peer_trusted_ = !state_.proxies.empty() && state_.proxies.contains(remote_);
  }
  // Small responses go out in one write; do not let Nagle hold back the next one.
  socket_.set_option(tcp::no_delay(true), ec);
}

connection::~connection() = default;  // membership_ leaves the server's list last

void connection::start() {
  state_.add_connection(this, weak_from_this());
  net::dispatch(strand_, [self = shared_from_this()] {
    if (self->state_.stopping.load()) return self->close_now();
    self->do_read_header();
  });
}

void connection::on_server_stop() {
  run_on_strand([self = shared_from_this()] {
    // Idle between requests: nothing to finish. Otherwise the current response ends with
    // "Connection: close" and finish_response() closes.
    if (self->phase_ == phase::reading_header && self->buffer_.size() == 0) self->close_now();
  });
}

// --- reading ---------------------------------------------------------------------------------------

void connection::do_read_header() {
  phase_ = phase::reading_header;
  // Decided per request, so a level change takes effect at once; a header error is logged too.
  log_this_ = state_.access_log && state_.access_log->should_log(spdlog::level::info);
  header_parser_.emplace();
  header_parser_->header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(state_.options.header_limit, UINT32_MAX)));
  // The body limit depends on the route, known only once the headers are in.
  header_parser_->body_limit(boost::none);
  set_deadline(buffer_.size() ? state_.options.request_timeout : state_.options.idle_timeout);
  bhttp::async_read_header(socket_, buffer_, *header_parser_,
                           beast::bind_front_handler(&connection::on_read_header, shared_from_this()));
}

void connection::on_read_header(beast::error_code ec, std::size_t) {
  started_ = std::chrono::steady_clock::now();
  if (ec) {
    if (ec == bhttp::error::header_limit)
      return reply_and_close(431, "the request line and headers exceed " +
                                      std::to_string(state_.options.header_limit) + " bytes");
    if (is_http_parse_error(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
      return reply_and_close(400, "malformed HTTP request: " + ec.message());
    return fail(ec, "read header");
  }
  clear_deadline();
  phase_ = phase::handling;
  auto& msg = header_parser_->get();
  keep_alive_ = msg.keep_alive();
  head_request_ = msg.method() == bhttp::verb::head;
  http10_ = msg.version() < 11;
  body_done_ = header_parser_->is_done();
  stream_started_ = false;
  bytes_sent_ = 0;
  status_sent_ = 0;

  auto ex = std::make_shared<exchange_impl>(shared_from_this());
  request& req = ex->req_;
  req.verb = to_method(msg.method());
  req.target.assign(msg.target().data(), msg.target().size());
  req.remote_address = remote_;
  if (log_this_) {
    log_method_.assign(msg.method_string().data(), msg.method_string().size());
    log_target_ = req.target;
  }
  if (!split_target(req)) {
    ex->try_answer();
    return reply_and_close(400, "malformed request target");
  }
  for (const auto& field : msg) req.headers.add(std::string(field.name_string()), std::string(field.value()));
  if (peer_trusted_) state_.proxies.apply(req, true);
  if (log_this_) log_remote_ = req.remote_address;

  auto found = state_.routes.match(req.verb, req.path);
  if (!found.target) {
    ex->try_answer();
    if (!found.path_known) return write_response(error_response(404, "not found: " + req.path));
    response r =
        error_response(405, "method " + std::string(msg.method_string()) + " not allowed on " + req.path);
    std::string allow;
    for (method m : {method::get, method::head, method::post, method::put, method::patch, method::delete_,
                     method::options}) {
      if (!(found.allowed_methods & (1u << static_cast<unsigned>(m)))) continue;
      if (!allow.empty()) allow += ", ";
      allow += to_string(m);
    }
    r.headers.set("Allow", std::move(allow));
    return write_response(std::move(r));
  }
  req.params = std::move(found.params);
  const route_options& opts = *found.options;
  if (const auto length = header_parser_->content_length(); length && *length > opts.body_limit) {
    ex->try_answer();
    return write_response(error_response(413, "request body of " + std::to_string(*length) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(opts.body_limit) + " bytes for this route"));
  }
  const bool expect_continue = !body_done_ && iequals(msg[bhttp::field::expect], "100-continue");

  if (opts.body == body_mode::streamed) {
    stream_parser_.emplace(std::move(*header_parser_));
    stream_parser_->body_limit(opts.body_limit);
    body_waited_ = {};
    body_bytes_ = 0;
    header_parser_.reset();
    ex->make_streamed();
    phase_ = phase::handling;
    if (expect_continue)
      return write_continue(
          [this, ex, h = found.target, o = &opts]() mutable { dispatch(std::move(ex), h, *o, true); });
    return dispatch(std::move(ex), found.target, opts, true);
  }
  if (body_done_) {
    phase_ = phase::handling;
    return dispatch(std::move(ex), found.target, opts, opts.offload);
  }
  body_parser_.emplace(std::move(*header_parser_));
  body_parser_->body_limit(opts.body_limit);
  header_parser_.reset();
  phase_ = phase::reading_body;
  body_waited_ = {};
  auto read_body = [this, ex = std::move(ex), h = found.target, o = &opts]() mutable {
    read_body_some(std::move(ex), h, o);
  };
  if (expect_continue) return write_continue(std::move(read_body));
  read_body();
}

// A buffered body is read a part at a time, each read with its own deadline: one deadline for the
// whole body cut a 64 MB annotation sent over a slow link (it needs more than request_timeout) and
// the save was lost. What stops a client that trickles is min_upload_rate, as for streamed bodies.
void connection::read_body_some(std::shared_ptr<exchange_impl> ex, const handler* h,
                                const route_options* opts) {
  grow_read_buffer();
  set_deadline(state_.options.request_timeout);
  read_began_ = std::chrono::steady_clock::now();
  body_read_pending_ = true;
  bhttp::async_read_some(
      socket_, buffer_, *body_parser_,
      [self = shared_from_this(), ex = std::move(ex), h, opts](beast::error_code ec, std::size_t n) mutable {
        self->body_read_pending_ = false;
        if (ec || self->body_parser_->is_done()) return self->on_read_body(std::move(ex), h, opts, ec, n);
        self->clear_deadline();
        if (self->body_too_slow(self->body_parser_->get().body().size())) {
          ex->try_answer();
          self->phase_ = phase::handling;
          return self->reply_and_close(408, self->too_slow_message());
        }
        self->read_body_some(std::move(ex), h, opts);
      });
}

bool connection::body_too_slow(std::uint64_t bytes_so_far) {
  body_waited_ += std::chrono::steady_clock::now() - read_began_;
  const double seconds = std::chrono::duration<double>(body_waited_).count();
  return body_waited_ >= state_.options.min_upload_rate_after &&
         double(bytes_so_far) < seconds * double(state_.options.min_upload_rate);
}

std::string connection::stalled_message() const {
  return "no byte of the request body arrived for " +
         std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(state_.options.request_timeout).count()) +
         " s";
}

std::string connection::too_slow_message() const {
  return "the request body arrives slower than " + std::to_string(state_.options.min_upload_rate) +
         " bytes a second";
}

template <class F>
void connection::write_continue(F&& next) {
  set_deadline(state_.options.request_timeout);
  net::async_write(
      socket_, net::buffer(continue_line.data(), continue_line.size()),
      [self = shared_from_this(), next = std::forward<F>(next)](beast::error_code ec, std::size_t) mutable {
        if (ec) return self->fail(ec, "write 100-continue");
        self->clear_deadline();
        next();
      });
}

void connection::on_read_body(std::shared_ptr<exchange_impl> ex, const handler* h, const route_options* opts,
                              beast::error_code ec, std::size_t) {
  clear_deadline();
  if (ec) {
    ex->try_answer();
    phase_ = phase::handling;
    keep_alive_ = false;
    if (ec == bhttp::error::body_limit)
      return write_response(error_response(413, "request body exceeds the limit of this route"));
    if (is_http_parse_error(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
      return reply_and_close(400, "malformed request body: " + ec.message());
    if (body_timed_out_) return reply_and_close(408, stalled_message());
    return fail(ec, "read body");
  }
  body_done_ = true;
  ex->req_.body = std::move(body_parser_->get().body());
  body_parser_.reset();
  phase_ = phase::handling;
  // Parsing and checking a large body takes a while (a 60 MB annotation ~0.5 s): not on an I/O
  // thread, where it held every other request of that thread back.
  constexpr std::size_t kLargeBody = std::size_t(1) << 20;
  const bool large = ex->req_.body.size() >= kLargeBody;
  dispatch(std::move(ex), h, *opts, opts->offload || large);
}

void connection::dispatch(std::shared_ptr<exchange_impl> ex, const handler* h, const route_options& opts,
                          bool offload) {
  auto call = [](const handler& target, std::shared_ptr<exchange_impl> ex) {
    try {
      target(ex);
    } catch (const std::exception& e) {
      if (ex->try_answer()) ex->conn().deliver(error_response(500, e.what()));
    } catch (...) {
      if (ex->try_answer()) ex->conn().deliver(error_response(500, "unknown error in the request handler"));
    }
  };
  if (opts.memory_heavy) {
    // Counted on the thread that runs it: a burst's last one gives the heap back once it is done.
    state_.offload.post([call, h, ex = std::move(ex), state = &state_]() mutable {
      state->heavy.started();
      call(*h, std::move(ex));
      if (state->heavy.finished()) state->trim_heap_soon();
    });
  } else if (offload) {
    state_.offload.post([call, h, ex = std::move(ex)]() mutable { call(*h, std::move(ex)); });
  } else {
    call(*h, std::move(ex));
  }
}

void connection::read_body_chunk(std::shared_ptr<exchange_impl> ex, std::shared_ptr<waiter> w) {
  if (closed_ || !stream_parser_ || phase_ != phase::handling)
    return w->signal(status(errc::io_error, "the connection is closed"));
  if (stream_parser_->is_done()) {
    body_done_ = true;
    return w->signal(status::success());
  }
  if (!chunk_buf_) chunk_buf_ = std::make_unique<char[]>(chunk_size);
  grow_read_buffer();
  auto& body = stream_parser_->get().body();
  body.data = chunk_buf_.get();
  body.size = chunk_size;
  body.more = true;
  set_deadline(state_.options.request_timeout);
  read_began_ = std::chrono::steady_clock::now();
  body_read_pending_ = true;
  bhttp::async_read_some(socket_, buffer_, *stream_parser_,
                         [self = shared_from_this(), ex = std::move(ex), w = std::move(w)](
                             beast::error_code ec, std::size_t) mutable {
                           self->body_read_pending_ = false;
                           self->on_body_chunk(std::move(ex), std::move(w), ec);
                         });
}

void connection::on_body_chunk(std::shared_ptr<exchange_impl> ex, std::shared_ptr<waiter> w,
                               beast::error_code ec) {
  clear_deadline();
  if (ec == bhttp::error::need_buffer) ec = {};
  if (ec) {
    keep_alive_ = false;
    if (ec == bhttp::error::body_limit) {
      if (ex->try_answer())
        write_response(error_response(413, "request body exceeds the limit of this route"));
      return w->signal(status(errc::invalid_argument, "the request body exceeds the limit of this route"));
    }
    if (is_http_parse_error(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      if (ex->try_answer()) write_response(error_response(400, "malformed request body: " + ec.message()));
      return w->signal(status(errc::invalid_argument, "malformed request body: " + ec.message()));
    }
    if (body_timed_out_) {
      const std::string why = stalled_message();
      if (ex->try_answer()) write_response(error_response(408, why));
      return w->signal(status(errc::invalid_argument, why));
    }
    fail(ec, "read body chunk");
    return w->signal(status(errc::io_error, "reading the request body failed: " + ec.message()));
  }
  const std::size_t n = chunk_size - stream_parser_->get().body().size;
  body_bytes_ += n;
  if (body_too_slow(body_bytes_) && !stream_parser_->is_done()) {
    keep_alive_ = false;
    const std::string why = too_slow_message();
    if (ex->try_answer()) write_response(error_response(408, why));
    return w->signal(status(errc::invalid_argument, why));
  }
  if (n == 0 && !stream_parser_->is_done()) return read_body_chunk(std::move(ex), std::move(w));
  if (stream_parser_->is_done()) body_done_ = true;
  w->signal(status::success(), std::string_view(chunk_buf_.get(), n));
}

void connection::grow_read_buffer() {
  // Beast reads into the free space of buffer_, at least 512 bytes: sized for headers, that would
  // mean one system call per 512 bytes of body.
  if (buffer_.capacity() < chunk_size) buffer_.reserve(chunk_size);
}

// --- writing ---------------------------------------------------------------------------------------

void connection::deliver(response r) {
  if (strand_.running_in_this_thread()) return write_response(std::move(r));
  net::post(strand_,
            [self = shared_from_this(), r = std::move(r)]() mutable { self->write_response(std::move(r)); });
}

void connection::serialize_head(int status, const header_map& headers, std::size_t content_length,
                                bool chunked) {
  if (!body_done_ || state_.stopping.load()) keep_alive_ = false;
  head_buf_.clear();
  head_buf_ += "HTTP/1.1 ";
  append_number(head_buf_, static_cast<std::size_t>(status));
  head_buf_ += ' ';
  head_buf_ += bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(status)));
  head_buf_ += "\r\nDate: ";
  head_buf_ += http_date();
  head_buf_ += crlf;
  for (const auto& [name, value] : headers) {
    // Framing is ours to decide.
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection"))
      continue;
    if (!valid_header(name, value)) {
      spdlog::warn("http: dropped invalid response header '{}'", name);
      continue;
    }
    head_buf_ += name;
    head_buf_ += ": ";
    head_buf_ += value;
    head_buf_ += crlf;
  }
  if (chunked) {
    head_buf_ += "Transfer-Encoding: chunked\r\n";
  } else if (status >= 200 && status != 204 && status != 304 && content_length != no_length) {
    head_buf_ += "Content-Length: ";
    append_number(head_buf_, content_length);
    head_buf_ += crlf;
  }
  if (!keep_alive_)
    head_buf_ += "Connection: close\r\n";
  else if (http10_)
    head_buf_ += "Connection: keep-alive\r\n";
  head_buf_ += crlf;
}

void connection::write_response(response r) {
  if (closed_ || phase_ != phase::handling) return;  // the connection died while the handler worked
  phase_ = phase::writing;
  out_ = std::move(r);
  const std::string_view payload = out_.payload();
  serialize_head(out_.status, out_.headers, payload.size(), false);
  const bool with_body = !head_request_ && out_.status >= 200 && out_.status != 204 && out_.status != 304;
  status_sent_ = out_.status;
  bytes_sent_ = with_body ? payload.size() : 0;
  out_left_ = with_body ? payload : std::string_view{};
  write_part(true);
}

// The head, then the payload a part at a time, each part with its own deadline: one deadline for
// the whole of a large answer (a 100 MB task list) cut it for a client on a slow link.
void connection::write_part(bool with_head) {
  constexpr std::size_t part_size = 256 * 1024;
  const std::string_view part = out_left_.substr(0, part_size);
  out_left_.remove_prefix(part.size());
  const std::array<net::const_buffer, 2> buffers{with_head ? net::buffer(head_buf_) : net::const_buffer{},
                                                 net::buffer(part.data(), part.size())};
  set_deadline(state_.options.request_timeout);
  net::async_write(socket_, buffers, beast::bind_front_handler(&connection::on_write, shared_from_this()));
}

void connection::on_write(beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "write");
  if (!out_left_.empty()) return write_part(false);
  finish_response();
}

void connection::drain_spool(std::shared_ptr<response_spool> spool) {
  if (closed_) return spool->fail(status(errc::io_error, "the client closed the connection"));
  auto next = spool->next();
  if (!next) {
    // The spool could not read its own bytes back: the body is cut, and the client must see it cut.
    spdlog::warn("http: a streamed response to {} failed: {}", remote_, next.error().message());
    return close_now();
  }
  response_spool::piece& part = *next;
  if (part.idle) return;
  if (part.first) {
    if (phase_ != phase::handling)
      return spool->fail(status(errc::io_error, "the connection is not expecting a response"));
    phase_ = phase::writing;
    stream_started_ = true;
    status_sent_ = part.code;
    sized_stream_ = part.content_length.has_value();
    // HTTP/1.0 has no chunked encoding: a body of unknown length is ended by closing the connection.
    if (http10_ && !sized_stream_) keep_alive_ = false;
    serialize_head(part.code, part.headers, sized_stream_ ? std::size_t(*part.content_length) : no_length,
                   !http10_ && !sized_stream_);
  } else {
    head_buf_.clear();
  }
  const bool raw = http10_ || sized_stream_;
  std::string_view data = head_request_ ? std::string_view{} : part.data;
  std::string_view tail;
  if (!head_request_ && !raw) {
    if (part.last) {
      head_buf_ += last_chunk;
    } else if (!data.empty()) {  // an empty chunk would end the body: the head alone goes out
      append_number(head_buf_, data.size(), 16);
      head_buf_ += crlf;
      tail = crlf;
    }
  }
  bytes_sent_ += data.size();
  const std::array<net::const_buffer, 3> buffers{
      net::buffer(head_buf_), net::buffer(data.data(), data.size()), net::buffer(tail.data(), tail.size())};
  set_deadline(state_.options.request_timeout);
  net::async_write(socket_, buffers,
                   beast::bind_front_handler(&connection::on_spool_write, shared_from_this(), std::move(spool),
                                             part.last));
}

void connection::on_spool_write(std::shared_ptr<response_spool> spool, bool last, beast::error_code ec,
                                std::size_t) {
  if (ec) {
    fail(ec, "write chunk");
    return spool->fail(status(errc::io_error, "writing the response failed: " + ec.message()));
  }
  clear_deadline();
  if (last) return finish_response();
  drain_spool(std::move(spool));
}

void connection::abort_stream() {
  if (closed_ || phase_ == phase::reading_header) return;
  spdlog::warn("http: a streamed response to {} was dropped unfinished; closing the connection", remote_);
  close_now();
}

void connection::finish_response() {
  if (log_this_) {
    log_access();
    log_method_.clear();
    log_target_.clear();
    log_remote_.clear();
  }
  out_ = response{};
  stream_parser_.reset();
  if (keep_alive_ && !state_.stopping.load()) return do_read_header();
  do_close();
}

void connection::reply_and_close(int status, std::string_view detail) {
  keep_alive_ = false;
  head_request_ = false;  // the request (if any was parsed) cannot be trusted; answer plainly
  http10_ = false;
  body_done_ = false;  // whatever follows on this connection cannot be trusted
  phase_ = phase::handling;
  write_response(error_response(status, detail));
}

void connection::log_access() {
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  // Empty when the request line itself was malformed.
  const std::string_view none = "-";
  state_.access_log->info("method={} target={} status={} bytes={} ms={:.3f} remote={}",
                          log_method_.empty() ? none : std::string_view(log_method_),
                          log_target_.empty() ? none : std::string_view(log_target_), status_sent_,
                          bytes_sent_, ms,
                          log_remote_.empty() ? std::string_view(remote_) : std::string_view(log_remote_));
}

// --- closing ---------------------------------------------------------------------------------------

void connection::do_close() {
  phase_ = phase::closing;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec || body_done_) return close_now();
  // Read and discard what the client still sends (an unread body), so closing does not reset the
  // connection before the client read our answer.
  drained_ = 0;
  set_deadline(drain_time);
  do_drain();
}

void connection::do_drain() {
  if (!chunk_buf_) chunk_buf_ = std::make_unique<char[]>(chunk_size);
  socket_.async_read_some(net::buffer(chunk_buf_.get(), chunk_size),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > drain_limit) return self->close_now();
                            self->do_drain();
                          });
}

void connection::close_now() {
  if (closed_) return;
  closed_ = true;
  phase_ = phase::closing;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  watchdog_.cancel();
}

// One timer per connection, re-armed when it fires: moving the deadline on every read and write is
// a store, not a timer syscall. A deadline earlier than the armed wait moves the wait (it would
// otherwise be enforced only then: a body stalled after a keep-alive wait held its connection for
// idle_timeout, a drain for request_timeout). No wait is armed more than request_timeout ahead, so
// the usual deadlines (request_timeout and longer) never come earlier than the armed wait, and
// only the rare shorter ones (the drain's) move it.
void connection::set_deadline(std::chrono::steady_clock::duration d) {
  deadline_ = std::chrono::steady_clock::now() + d;
  if (closed_ || (watchdog_armed_ && watchdog_.expiry() <= deadline_)) return;
  arm_watchdog();
}

void connection::arm_watchdog() {
  watchdog_armed_ = true;
  // expires_at() cancels a wait still pending; its handler sees operation_aborted and leaves this one be.
  const auto horizon =
      std::max<std::chrono::steady_clock::duration>(state_.options.request_timeout, std::chrono::seconds(1));
  watchdog_.expires_at(std::min(deadline_, std::chrono::steady_clock::now() + horizon));
  watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_watchdog(ec); });
}

void connection::clear_deadline() {
  deadline_ = std::chrono::steady_clock::time_point::max();
}

void connection::on_watchdog(beast::error_code ec) {
  // Aborted: the wait was moved (another is pending) or the connection closed.
  if (ec == net::error::operation_aborted) return;
  watchdog_armed_ = false;
  if (closed_ || deadline_ == std::chrono::steady_clock::time_point::max()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now >= deadline_) {
    spdlog::debug("http: connection from {} timed out", remote_);
    if (body_read_pending_ && !body_timed_out_) {
      // The client stopped sending its body: the read is cancelled and answered with a 408.
      body_timed_out_ = true;
      beast::error_code ignored;
      socket_.cancel(ignored);
      return;
    }
    return close_now();
  }
  arm_watchdog();
}

void connection::fail(beast::error_code ec, const char* what) {
  if (ec != net::error::operation_aborted && ec != bhttp::error::end_of_stream && ec != net::error::eof &&
      ec != beast::error::timeout)
    spdlog::debug("http: {} from {}: {}", what, remote_, ec.message());
  close_now();
}

}  // namespace annot::host::http
