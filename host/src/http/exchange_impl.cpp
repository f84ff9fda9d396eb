// Exchange, streamed request body and chunked response body: the hand-offs between handler threads
// and a connection's strand.
#include "http/exchange_impl.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/errors.hpp"
#include "http/response_spool.hpp"

namespace annot::host::http {

using namespace std::chrono_literals;

// --- waiter ----------------------------------------------------------------------------------------

void waiter::arm() {
  std::lock_guard lock(m);
  ready = false;
  data = {};
}

void waiter::signal(status s, std::string_view d) {
  {
    std::lock_guard lock(m);
    result = std::move(s);
    data = d;
    ready = true;
  }
  cv.notify_one();
}

status waiter::wait(const std::atomic<bool>& aborted) {
  std::unique_lock lock(m);
  // Wake up now and then: if the server was torn down, nobody will ever signal.
  while (!cv.wait_for(lock, 100ms, [&] { return ready; })) {
    if (aborted.load()) return status(errc::cancelled, "the server is shutting down");
  }
  return result;
}

// --- the chunked response body ---------------------------------------------------------------------

namespace {

class chunked_sink final : public body_sink {
 public:
  chunked_sink(std::shared_ptr<exchange_impl> ex, int status, header_map headers,
               std::optional<std::uint64_t> content_length)
      : ex_(std::move(ex)), spool_(std::make_shared<response_spool>(status, std::move(headers), content_length)) {}
  explicit chunked_sink(status refused) : refused_(std::move(refused)) {}

  ~chunked_sink() override {
    if (ex_ && !finished_ && !ex_->conn().state().aborted.load()) {
      // The producer gave up halfway: cut the connection so the client cannot mistake a truncated
      // body for a complete one.
      spool_->fail(status(errc::cancelled, "the response was dropped unfinished"));
      auto conn = ex_->conn().shared_from_this();
      conn->run_on_strand([conn] { conn->abort_stream(); });
    }
  }

  // Neither call waits for the client: the bytes wait in the spool (spilling to a scratch file past a
  // megabyte) while the connection's strand writes them out.
  status write(std::string_view chunk) override {
    std::lock_guard lock(mutex_);
    if (!refused_.ok()) return refused_;
    if (finished_) return status(errc::failed_precondition, "write() after finish()");
    bool wake = false;
    status s = spool_->append(chunk, wake);
    return woken(std::move(s), wake);
  }

  status write_file(const std::filesystem::path& file, std::uint64_t offset, std::uint64_t length) override {
    std::lock_guard lock(mutex_);
    if (!refused_.ok()) return refused_;
    if (finished_) return status(errc::failed_precondition, "write_file() after finish()");
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return status(errc::io_error, "cannot open " + file.string() + ": " + std::strerror(errno));
    bool wake = false;
    status s = spool_->append_file(fd, offset, length, wake);
    return woken(std::move(s), wake);
  }

  status finish() override {
    std::lock_guard lock(mutex_);
    if (!refused_.ok()) return refused_;
    if (finished_) return status::success();
    bool wake = false;
    status s = spool_->finish(wake);
    if (!s.ok()) return refused_ = std::move(s);  // not finished: dropping the sink cuts the body
    finished_ = true;
    return woken(std::move(s), wake);
  }

 private:
  // Asks the strand to drain when the spool says it is idle; keeps the first error for later calls.
  status woken(status s, bool wake) {
    if (!s.ok()) return refused_ = std::move(s);
    if (wake) {
      auto conn = ex_->conn().shared_from_this();
      conn->run_on_strand([conn, spool = spool_]() mutable { conn->drain_spool(std::move(spool)); });
    }
    return s;
  }

  std::shared_ptr<exchange_impl> ex_;
  std::shared_ptr<response_spool> spool_;
  std::mutex mutex_;
  bool finished_ = false;
  status refused_;
};

}  // namespace

// --- exchange --------------------------------------------------------------------------------------

exchange_impl::~exchange_impl() {
  if (req_.body.size() >= large_body) {
    std::string().swap(req_.body);  // gone before the trim
    conn_->state().trim_heap_soon();
  }
  if (answered_.load() || conn_->state().aborted.load()) return;
  spdlog::error("http: handler for {} {} dropped the request without answering", to_string(req_.verb),
                req_.target);
  conn_->deliver(error_response(500, "the request handler finished without answering"));
}

void exchange_impl::respond(response r) {
  if (!try_answer()) {
    spdlog::warn("http: second answer to {} {} ignored", to_string(req_.verb), req_.target);
    return;
  }
  conn_->deliver(std::move(r));
}

std::unique_ptr<body_sink> exchange_impl::respond_streamed(int status, header_map headers,
                                                          std::optional<std::uint64_t> content_length) {
  if (!try_answer()) {
    spdlog::warn("http: second answer to {} {} ignored", to_string(req_.verb), req_.target);
    return std::make_unique<chunked_sink>(
        annot::status(errc::failed_precondition, "this request was already answered"));
  }
  if (on_io_thread()) {
    // The sink blocks until each chunk is written; on an I/O thread that would wait for itself.
    spdlog::error("http: respond_streamed() called on an I/O thread for {} {}", to_string(req_.verb),
                  req_.target);
    conn_->deliver(error_response(500, "streamed response started on an I/O thread"));
    return std::make_unique<chunked_sink>(
        annot::status(errc::failed_precondition, "respond_streamed() must not be called on an I/O thread"));
  }
  return std::make_unique<chunked_sink>(shared_from_this(), status, std::move(headers), content_length);
}

result<std::string_view> exchange_impl::source::read() {
  if (eof_) return std::string_view{};
  if (ex_.answered())
    return status(errc::failed_precondition, "the request was answered; its body can no longer be read");
  if (on_io_thread())
    return status(errc::failed_precondition, "body_source::read() must not be called on an I/O thread");
  if (!waiter_) waiter_ = std::make_shared<waiter>();
  waiter_->arm();
  auto self = ex_.shared_from_this();
  auto conn = ex_.conn_;
  conn->run_on_strand(
      [conn, self, w = waiter_]() mutable { conn->read_body_chunk(std::move(self), std::move(w)); });
  status s = waiter_->wait(conn->state().aborted);
  if (!s.ok()) return s;
  if (waiter_->data.empty()) eof_ = true;
  return waiter_->data;
}

}  // namespace annot::host::http
