// The host's own HTTP request/response types: what every handler sees. No Beast or Asio here, so
// handlers compile fast and never depend on the transport.
#pragma once

#include <annot/status.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace annot::host::http {

enum class method { get, head, post, put, patch, delete_, options, unknown };

std::string_view to_string(method m) noexcept;

// Header fields in arrival order; lookups ignore case. Repeated fields are kept.
class header_map {
 public:
  std::optional<std::string_view> get(std::string_view name) const;
  // Replaces every field of that name.
  void set(std::string name, std::string value);
  void add(std::string name, std::string value);
  bool contains(std::string_view name) const { return get(name).has_value(); }
  void erase(std::string_view name);

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Pulls a streamed request body in chunks. Only for routes with body_mode::streamed, whose handlers
// run on the offload pool: read() blocks that thread, never an I/O thread, until bytes arrive.
class body_source {
 public:
  virtual ~body_source() = default;
  // The next chunk, valid until the next call; an empty view at the end of the body. An error
  // status when the client went away, timed out or exceeded the route's body limit.
  virtual result<std::string_view> read() = 0;
};

// Pushes a response body in chunks (HTTP/1.1 chunked encoding). No call waits for the client: the
// bytes queue (a megabyte in memory, the rest in an unnamed scratch file in util::temp_folder()) while
// the connection writes them out, so a client that reads slowly or not at all holds no handler thread.
// A call returns an error once the connection failed (the client left, a write timed out): stop then.
class body_sink {
 public:
  virtual ~body_sink() = default;
  virtual status write(std::string_view chunk) = 0;
  // Sends `length` bytes of `file` from `offset`, read from the file as the client takes them (no copy
  // of them waits in memory or in a scratch file). The file is opened now: replacing or removing it
  // afterwards does not change what is sent.
  virtual status write_file(const std::filesystem::path& file, std::uint64_t offset, std::uint64_t length) = 0;
  // Ends the body. Dropping the sink without finish() aborts the connection: the client sees a
  // truncated transfer rather than a body that looks complete.
  virtual status finish() = 0;
};

struct request {
  method verb = method::unknown;
  std::string target;        // as sent: path and query, percent-encoded
  std::string path;          // percent-decoded path, without the query
  std::string query_string;  // raw, without '?'
  header_map headers;
  std::string body;          // the whole body, for routes with body_mode::buffered
  std::string remote_address;  // the client; X-Forwarded-For is honoured behind a trusted proxy
  std::string scheme = "http"; // X-Forwarded-Proto is honoured behind a trusted proxy
  std::vector<std::pair<std::string, std::string>> params;  // captures of the route pattern

  // A route capture ("{id}" in "/api/jobs/{id}"); empty when absent.
  std::string_view param(std::string_view name) const;
  // The last query parameter of that name, as Django's QueryDict.get gives it (Label Studio's clients
  // and scripts expect that), percent-decoded ('+' is a space).
  std::optional<std::string> query(std::string_view name) const;
  // Every value of a repeated query parameter ("ids[]=1&ids[]=2").
  std::vector<std::string> query_all(std::string_view name) const;
};

struct response {
  int status = 200;
  header_map headers;
  std::string body;
  // A body shared without copying (static files): when body_owner is set, body_view is sent
  // instead of body, and body_owner keeps the viewed bytes alive until they are written.
  std::shared_ptr<const void> body_owner;
  std::string_view body_view;

  // The bytes that go on the wire: body_view when body_owner is set, body otherwise.
  std::string_view payload() const noexcept { return body_owner ? body_view : std::string_view(body); }

  static response json(int status, std::string body);
  static response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static response empty(int status);
};

// One request and the way to answer it. A handler answers exactly once, from any thread, at once or
// later (after a job finishes, after a shared commit): the connection waits without holding an I/O
// thread. If the last reference is dropped without an answer, the client gets a 500.
class exchange {
 public:
  virtual ~exchange() = default;
  virtual request& req() = 0;
  virtual void respond(response r) = 0;
  // Starts a streamed response; the sink writes the body. Chunked, unless `content_length` is given:
  // then the body is sent with that Content-Length (a file's size, so clients show progress and can
  // resume), and a sink that ends with other than that many bytes cuts the connection. Call from a
  // non-I/O thread (a streamed or offloaded route, or a job). Instead of respond(), not in addition.
  virtual std::unique_ptr<body_sink> respond_streamed(int status, header_map headers,
                                                      std::optional<std::uint64_t> content_length = std::nullopt) = 0;
  // The body stream of a body_mode::streamed route; nullptr otherwise.
  virtual body_source* body() = 0;
};

}  // namespace annot::host::http
