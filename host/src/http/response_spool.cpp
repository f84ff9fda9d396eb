// The bytes of a streamed response on their way from its handler to the socket.
#include "http/response_spool.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/scratch_file.hpp"

namespace annot::host::http {

namespace {
constexpr std::size_t read_block = std::size_t(256) << 10;  // a file region goes out in pieces this large
}

struct response_spool::file_ref {
  int fd;
  explicit file_ref(int f) : fd(f) {}
  ~file_ref() {
    if (fd >= 0) ::close(fd);
  }
};

response_spool::response_spool(int code, header_map headers, std::optional<std::uint64_t> content_length,
                               std::size_t memory_limit)
    : memory_limit_(memory_limit), code_(code), headers_(std::move(headers)), content_length_(content_length) {}

namespace {
status past_length(std::uint64_t length) {
  return status(errc::failed_precondition,
                "the response body is longer than its Content-Length of " + std::to_string(length));
}
}  // namespace

response_spool::~response_spool() = default;

status response_spool::spill(std::string_view bytes) {
  if (!spill_) {
    int fd = util::open_unnamed_file(util::temp_folder());
    if (fd < 0)
      return status(errc::io_error, "cannot make a scratch file for a slow client's response in " +
                                        util::temp_folder().string() + ": " + std::strerror(errno));
    spill_ = std::make_shared<file_ref>(fd);
  }
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::pwrite(spill_->fd, bytes.data() + done, bytes.size() - done, off_t(spill_end_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return status(errc::io_error, std::string("cannot spool a slow client's response: ") +
                                        (n < 0 ? std::strerror(errno) : "nothing written"));
    done += std::size_t(n);
  }
  // Consecutive spilled bytes make one region.
  if (!queue_.empty() && queue_.back().file == spill_ && queue_.back().offset + queue_.back().length == spill_end_)
    queue_.back().length += bytes.size();
  else
    queue_.push_back({{}, spill_, spill_end_, bytes.size()});
  spill_end_ += bytes.size();
  return status::success();
}

status response_spool::append(std::string_view bytes, bool& wake) {
  wake = false;
  std::lock_guard lock(mutex_);
  if (!failed_.ok()) return failed_;
  if (finished_) return status(errc::failed_precondition, "append() after finish()");
  if (bytes.empty()) return status::success();
  if (content_length_ && appended_ + bytes.size() > *content_length_) return failed_ = past_length(*content_length_);
  appended_ += bytes.size();
  // Once bytes wait in the file, later ones follow them there, so the order holds.
  const bool behind_file = !queue_.empty() && queue_.back().file == spill_ && spill_;
  if (behind_file || memory_bytes_ + bytes.size() > memory_limit_) {
    if (status s = spill(bytes); !s.ok()) return failed_ = s;
  } else {
    queue_.push_back({std::string(bytes), nullptr, 0, 0});
    memory_bytes_ += bytes.size();
  }
  wake = !draining_;
  draining_ = true;
  return status::success();
}

status response_spool::append_file(int fd, std::uint64_t offset, std::uint64_t length, bool& wake) {
  auto file = std::make_shared<file_ref>(fd);
  wake = false;
  std::lock_guard lock(mutex_);
  if (!failed_.ok()) return failed_;
  if (finished_) return status(errc::failed_precondition, "append_file() after finish()");
  if (length == 0) return status::success();
  if (content_length_ && appended_ + length > *content_length_) return failed_ = past_length(*content_length_);
  appended_ += length;
  queue_.push_back({{}, std::move(file), offset, length});
  wake = !draining_;
  draining_ = true;
  return status::success();
}

status response_spool::finish(bool& wake) {
  wake = false;
  std::lock_guard lock(mutex_);
  if (!failed_.ok()) return failed_;
  if (content_length_ && appended_ != *content_length_)
    return failed_ = status(errc::failed_precondition, "the response body has " + std::to_string(appended_) +
                                                           " bytes of its Content-Length of " +
                                                           std::to_string(*content_length_));
  finished_ = true;
  wake = !draining_;
  draining_ = true;
  return status::success();
}

result<response_spool::piece> response_spool::next() {
  piece p;
  std::shared_ptr<file_ref> file;
  std::uint64_t offset = 0;
  std::size_t length = 0;
  {
    std::lock_guard lock(mutex_);
    if (!failed_.ok()) return failed_;
    if (!head_sent_) {
      head_sent_ = p.first = true;
      p.code = code_;
      p.headers = std::move(headers_);
      p.content_length = content_length_;
    }
    if (queue_.empty()) {
      // The scratch file's bytes are all out: it starts again from its beginning.
      if (spill_ && spill_end_ > 0) {
        if (::ftruncate(spill_->fd, 0) != 0) {}  // only space: the next spill overwrites it anyway
        spill_end_ = 0;
      }
      if (finished_ && !last_sent_) {
        last_sent_ = p.last = true;
        return p;
      }
      if (p.first) return p;  // the head goes out at once, before the first bytes
      draining_ = false;
      p.idle = true;
      return p;
    }
    queued& q = queue_.front();
    if (!q.file) {
      current_ = std::move(q.bytes);
      memory_bytes_ -= current_.size();
      queue_.pop_front();
      p.data = current_;
      return p;
    }
    file = q.file;
    offset = q.offset;
    length = std::size_t(std::min<std::uint64_t>(q.length, read_block));
    q.offset += length;
    q.length -= length;
    if (q.length == 0) queue_.pop_front();
  }
  // The region is fixed once queued: read outside the lock while the producer goes on.
  current_.resize(length);
  for (std::size_t done = 0; done < length;) {
    ssize_t n = ::pread(file->fd, current_.data() + done, length - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status why(errc::io_error, std::string("cannot read a response's bytes back: ") +
                                     (n < 0 ? std::strerror(errno) : "the file is shorter than it was"));
      fail(why);
      return why;
    }
    done += std::size_t(n);
  }
  p.data = current_;
  return p;
}

void response_spool::fail(status why) {
  std::lock_guard lock(mutex_);
  if (failed_.ok()) failed_ = std::move(why);
  queue_.clear();
  memory_bytes_ = 0;
  spill_.reset();
  draining_ = false;
}

}  // namespace annot::host::http
