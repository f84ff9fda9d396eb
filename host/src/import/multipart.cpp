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

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// An RFC 5987 extended value, `charset'language'percent-encoded`, as UTF-8; nullopt when it is
// malformed or its charset is neither UTF-8 nor Latin-1 (nor ASCII, a subset of both).
std::optional<std::string> extended_value(std::string_view v) {
  const auto q1 = v.find('\'');
  const auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::nullopt;
  const std::string charset = lower(v.substr(0, q1));
  const bool latin1 = charset == "iso-8859-1" || charset == "latin1";
  if (charset != "utf-8" && charset != "us-ascii" && !latin1) return std::nullopt;
  std::string out;
  for (std::size_t i = q2 + 1; i < v.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c == '%') {
      if (i + 2 >= v.size()) return std::nullopt;
      const int hi = hex_digit(v[i + 1]), lo = hex_digit(v[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<unsigned char>(hi * 16 + lo);
      i += 2;
    }
    if (latin1 && c >= 0x80) {
      out.push_back(char(0xC0 | (c >> 6)));
      out.push_back(char(0x80 | (c & 0x3F)));
    } else {
      out.push_back(char(c));
    }
  }
  return out;
}

}  // namespace

// RFC 7578 forbids filename* in form data, but some clients (older urllib3, for names beyond
// ASCII) send it, alone or beside a plain fallback; RFC 6266 has it win, as Django reads it.
std::optional<std::string> disposition_filename(std::string_view params) {
  if (auto extended = header_param(params, "filename*"))
    if (auto name = extended_value(*extended)) return name;
  return header_param(params, "filename");
}

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

// As Django's sanitize_file_name, which names Label Studio's uploads (old browsers send C:\fakepath\a.csv).
std::optional<std::string> file_base_name(std::string_view name) {
  if (auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
  if (out.empty() || out == "." || out == "..") return std::nullopt;
  return out;
}

result<std::optional<multipart_part>> multipart_reader::next_part() {
  // A file part whose name leaves no base name is neither a file nor a field: skipped, as Django
  // does (a browser's file input left empty sends filename="" and no content).
  for (;;) {
    auto part = next_part_headers();
    if (!part || !*part || !(*part)->filename) return part;
    if (auto base = file_base_name(*(*part)->filename)) {
      (*part)->filename = std::move(*base);
      return part;
    }
  }
}

result<std::optional<multipart_part>> multipart_reader::next_part_headers() {
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
      part.filename = disposition_filename(params);
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
