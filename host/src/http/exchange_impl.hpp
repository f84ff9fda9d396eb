// The exchange handed to handlers, with its streamed request body (body_source) and chunked response
// (body_sink). Internal to host/src/http/.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "http/connection.hpp"
#include "http/message.hpp"

namespace annot::host::http {

// A one-slot rendezvous between a handler thread and the strand. Shared, so a late signal after the
// waiting side gave up (server aborted) touches live memory.
struct waiter {
  std::mutex m;
  std::condition_variable cv;
  bool ready = false;
  status result;
  std::string_view data;

  void arm();
  void signal(status s, std::string_view d = {});
  // Blocks until signalled, or until the server aborts (cancelled).
  status wait(const std::atomic<bool>& aborted);
};

class exchange_impl final : public exchange, public std::enable_shared_from_this<exchange_impl> {
 public:
  // A buffered body at least this large has the heap trimmed once the exchange is gone.
  static constexpr std::size_t large_body = std::size_t(8) << 20;

  explicit exchange_impl(std::shared_ptr<connection> conn) : conn_(std::move(conn)) {}
  ~exchange_impl() override;

  request& req() override { return req_; }
  void respond(response r) override;
  std::unique_ptr<body_sink> respond_streamed(int status, header_map headers,
                                              std::optional<std::uint64_t> content_length = std::nullopt) override;
  body_source* body() override { return streamed_ ? &source_ : nullptr; }

  // Claims the one answer; false when it was already given.
  bool try_answer() noexcept { return !answered_.exchange(true); }
  bool answered() const noexcept { return answered_.load(); }
  connection& conn() noexcept { return *conn_; }
  void make_streamed() noexcept { streamed_ = true; }

  request req_;

 private:
  class source final : public body_source {
   public:
    explicit source(exchange_impl& ex) : ex_(ex) {}
    result<std::string_view> read() override;

   private:
    exchange_impl& ex_;
    std::shared_ptr<waiter> waiter_;  // made on the first read: most exchanges never stream
    bool eof_ = false;
  };

  std::shared_ptr<connection> conn_;
  std::atomic<bool> answered_{false};
  bool streamed_ = false;
  source source_{*this};
};

}  // namespace annot::host::http
