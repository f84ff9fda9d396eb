// A streamed response body between the handler that makes it and the socket. The handler appends and
// goes on; the connection's strand writes the bytes out as the client takes them. So a client that reads
// slowly, or not at all, no longer holds the handler's thread (an export on the offload pool) for as long
// as the server waits on it: 64 stalled downloads used to take every offload thread and stop every other
// export and import for the request timeout. Up to `memory_limit` bytes wait in memory, the rest in an
// unnamed scratch file (util::temp_folder()); a file sent whole (a stored export, an upload) is read
// from where it lies, not copied. Internal to host/src/http/; no Asio here.
// Threading: head(), append(), append_file() and finish() from the producing thread, one at a time;
// next() and fail() from the connection's strand. Shared by the two (std::shared_ptr).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace annot::host::http {

class response_spool {
 public:
  // content_length: the body's size when known (sent as Content-Length, checked by append and finish).
  response_spool(int code, header_map headers, std::optional<std::uint64_t> content_length = std::nullopt,
                 std::size_t memory_limit = std::size_t(1) << 20);
  ~response_spool();
  response_spool(const response_spool&) = delete;
  response_spool& operator=(const response_spool&) = delete;

  // Producer side. Each returns the spool's error once the strand failed it (the client left, a write
  // timed out): stop producing then. `wake` is set when the strand is idle and must be asked to drain.
  status append(std::string_view bytes, bool& wake);
  // `length` bytes of the open file `fd` from `offset`, read when they are written out; the spool owns
  // `fd` from now on (closed when sent or dropped), whatever this returns.
  status append_file(int fd, std::uint64_t offset, std::uint64_t length, bool& wake);
  // No more bytes: the strand ends the body once it wrote what is queued.
  status finish(bool& wake);

  // Strand side: the next bytes to write, valid until the next call. `idle` when nothing is queued (the
  // strand stops; the next append wakes it). The first piece carries the status and headers.
  struct piece {
    std::string_view data;
    bool first = false;
    bool last = false;
    bool idle = false;
    int code = 200;      // the status, in the first piece
    header_map headers;  // in the first piece only
    std::optional<std::uint64_t> content_length;  // in the first piece: sent as such, else chunked
  };
  result<piece> next();
  // The strand gave up (the client left, a write failed or timed out, the server stops): the producer's
  // next call returns `why`, and what is queued is dropped.
  void fail(status why);

 private:
  struct file_ref;  // an open descriptor, closed when the last piece reading it is gone
  struct queued {
    std::string bytes;                // in memory, or
    std::shared_ptr<file_ref> file;   // a region of a file
    std::uint64_t offset = 0, length = 0;
  };
  status spill(std::string_view bytes);  // under mutex_

  std::mutex mutex_;
  std::deque<queued> queue_;
  std::size_t memory_bytes_ = 0;  // bytes of the queue held in memory
  const std::size_t memory_limit_;
  std::shared_ptr<file_ref> spill_;  // the scratch file, opened at the first spill
  std::uint64_t spill_end_ = 0;      // its bytes still queued end here; emptied when the queue empties
  bool draining_ = false;            // the strand is writing or about to (a wake is on its way)
  bool finished_ = false, last_sent_ = false, head_sent_ = false;
  status failed_;
  int code_;
  header_map headers_;
  std::optional<std::uint64_t> content_length_;
  std::uint64_t appended_ = 0;  // bytes given so far
  std::string current_;  // what next() handed out last (strand only)
};

}  // namespace annot::host::http
