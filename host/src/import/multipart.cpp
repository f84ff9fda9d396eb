// Streaming multipart/form-data (RFC 7578): delimiter search over a sliding buffer.
#include "import/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace annot::host::imports {
namespace {

status bad(std::string m) { return status(errc::invalid_argument, "multipart body: " + std::move(m)); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A parameter of a header value: `name="value"` or `name=value` (case-insensitive name).
std::optional<std::string> header_param(std::string_view value, std::string_view name) {
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t semi = value.find(';', i);
    // Quoted values may hold ';': find the end honouring quotes.
    std::size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string key = lower(trim(value.substr(i, eq - i)));
    std::size_t v = eq + 1;
    std::string out;
    if (v < value.size() && value[v] == '"') {
      ++v;
      while (v < value.size() && value[v] != '"') {
        if (value[v] == '\\' && v + 1 < value.size()) ++v;
        out.push_back(value[v++]);
      }
      semi = value.find(';', v);
    } else {
      out = std::string(trim(value.substr(v, semi == std::string_view::npos ? std::string_view::npos : semi - v)));
    }
    if (key == name) return out;
    if (semi == std::string_view::npos) break;
    i = semi + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data" || semi == std::string_view::npos)
    return std::nullopt;
  auto b = header_param(content_type.substr(semi + 1), "boundary");
  if (!b || b->empty() || b->size() > 200) return std::nullopt;
  return b;
}

multipart_reader::multipart_reader(std::string boundary, chunk_reader source)
    : delimiter_("\r\n--" + boundary), source_(std::move(source)) {}

status multipart_reader::fill() {
  if (source_done_) return bad("it ends before its closing boundary");
  if (pos_ > 0 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  auto chunk = source_();
  if (!chunk) return chunk.error();
  if (chunk->empty()) {
    source_done_ = true;
    return bad("it ends before its closing boundary");
  }
  buf_.append(*chunk);
  return status::success();
}

result<std::optional<multipart_part>> multipart_reader::next_part() {
  if (finished_) return std::optional<multipart_part>();
  if (!started_) {
    // The first delimiter has no leading CRLF; a preamble before it is ignored.
    const std::string first = delimiter_.substr(2);
    for (;;) {
      auto at = buf_.find(first, pos_);
      if (at != std::string::npos) {
        pos_ = at + first.size();
        break;
      }
      if (buf_.size() > 64 * 1024) return bad("no boundary in its first 64 KiB");
      if (auto s = fill(); !s) return s;
    }
    started_ = true;
  } else {
    // Skip the rest of the current part, up to and including its delimiter.
    while (in_part_) {
      auto r = read();
      if (!r) return r.error();
      if (r->empty()) break;
    }
  }
  // After a delimiter: "--" ends the body, CRLF starts a part.
  while (buf_.size() - pos_ < 2)
    if (auto s = fill(); !s) return s;
  if (buf_.compare(pos_, 2, "--") == 0) {
    finished_ = true;
    return std::optional<multipart_part>();
  }
  // Transport padding, then CRLF.
  for (;;) {
    auto eol = buf_.find("\r\n", pos_);
    if (eol != std::string::npos) {
      pos_ = eol + 2;
      break;
    }
    if (auto s = fill(); !s) return s;
  }
  // Headers up to the blank line.
  std::size_t end;
  bool no_headers = false;
  for (;;) {
    if (buf_.size() - pos_ >= 2 && buf_.compare(pos_, 2, "\r\n") == 0) {
      end = pos_;
      no_headers = true;
      break;
    }
    end = buf_.find("\r\n\r\n", pos_);
    if (end != std::string::npos) break;
    if (buf_.size() - pos_ > 16 * 1024) return bad("a part's headers exceed 16 KiB");
    if (auto s = fill(); !s) return s;
  }
  multipart_part part;
  std::string_view headers(buf_.data() + pos_, end - pos_);
  while (!headers.empty()) {
    auto eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      auto semi = value.find(';');
      std::string_view params = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
      part.name = header_param(params, "name").value_or("");
      part.filename = header_param(params, "filename");
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  pos_ = end + (no_headers ? 2 : 4);
  in_part_ = true;
  return std::optional<multipart_part>(std::move(part));
}

result<std::string_view> multipart_reader::read() {
  if (!in_part_) return std::string_view{};
  for (;;) {
    auto at = buf_.find(delimiter_, pos_);
    if (at != std::string::npos) {
      if (at == pos_) {
        // The part ends here.
        pos_ = at + delimiter_.size();
        in_part_ = false;
        return std::string_view{};
      }
      out_.assign(buf_, pos_, at - pos_);
      pos_ = at;
      return std::string_view(out_);
    }
    // Hand out what cannot be the start of a delimiter.
    const std::size_t avail = buf_.size() - pos_;
    if (avail > delimiter_.size()) {
      const std::size_t n = avail - delimiter_.size();
      out_.assign(buf_, pos_, n);
      pos_ += n;
      return std::string_view(out_);
    }
    if (auto s = fill(); !s) return s;
  }
}

}  // namespace annot::host::imports
