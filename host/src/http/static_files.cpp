// Static files: loaded once, served from memory with ETag/304, gzip variants and single byte ranges.
#include "http/static_files.hpp"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <charconv>
#include <fstream>
#include <stdexcept>

#include "http/errors.hpp"
#include "http/url.hpp"

namespace annot::host::http {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool compressible(std::string_view type) noexcept {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("image/svg+xml") || type.starts_with("application/wasm") ||
         type.starts_with("application/xml") || type == "font/ttf" || type == "font/otf" ||
         type == "application/vnd.ms-fontobject";
}

// A strong validator: two independent hashes and the length, so a collision needs all three to agree.
std::string content_tag(std::string_view data) {
  std::uint64_t fnv = 1469598103934665603ull;
  for (unsigned char c : data) {
    fnv ^= c;
    fnv *= 1099511628211ull;
  }
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  std::string out;
  auto hex = [&out](std::uint64_t v) {
    char buf[20];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, v, 16).ptr);
  };
  hex(fnv);
  out += '-';
  hex(crc);
  out += '-';
  hex(data.size());
  return out;
}

std::string gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string{};
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether Accept-Encoding allows gzip: "gzip" or "*" with a non-zero q, and gzip not refused.
bool accepts_gzip(std::string_view header) {
  bool star = false;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    std::string_view coding = trim(item.substr(0, item.find(';')));
    bool zero = false;
    if (const auto q = item.find(";"); q != std::string_view::npos) {
      std::string_view param = trim(item.substr(q + 1));
      if (param.starts_with("q=") || param.starts_with("Q=")) {
        param.remove_prefix(2);
        zero = !param.empty() && param.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) return !zero;
    if (coding == "*") star = !zero;
  }
  return star;
}

// Whether an If-None-Match list names tag (weak comparison, as RFC 9110 asks for this header).
bool etag_listed(std::string_view list, std::string_view tag) {
  if (trim(list) == "*") return true;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == tag) return true;
  }
  return false;
}

// Parses "bytes=a-b" (one range) against a length. nullopt: ignore the header (malformed or several
// ranges); a range with first > last: unsatisfiable.
struct byte_range {
  std::size_t first, last;
};
std::optional<byte_range> parse_range(std::string_view header, std::size_t length) {
  header = trim(header);
  if (!header.starts_with("bytes=")) return std::nullopt;
  header.remove_prefix(6);
  header = trim(header);
  if (header.find(',') != std::string_view::npos) return std::nullopt;
  const auto dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view a = trim(header.substr(0, dash)), b = trim(header.substr(dash + 1));
  auto number = [](std::string_view s, std::size_t& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  std::size_t first = 0, last = 0;
  if (a.empty()) {  // suffix: the last b bytes
    if (!number(b, last)) return std::nullopt;
    if (last == 0 || length == 0) return byte_range{1, 0};
    return byte_range{length - std::min(last, length), length - 1};
  }
  if (!number(a, first)) return std::nullopt;
  if (b.empty()) {
    last = length ? length - 1 : 0;
  } else {
    if (!number(b, last) || last < first) return std::nullopt;
    if (length) last = std::min(last, length - 1);
  }
  if (first >= length) return byte_range{1, 0};
  return byte_range{first, last};
}

// "..", "." segments, backslashes and NUL in the decoded path; encoded '/', '\' and NUL in the raw one.
bool is_traversal(std::string_view raw_path, std::string_view path) {
  const std::string raw = lower(raw_path);
  if (raw.find("%2f") != std::string::npos || raw.find("%5c") != std::string::npos ||
      raw.find("%00") != std::string::npos)
    return true;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return true;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto slash = path.find('/', pos);
    const std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg == ".." || seg == ".") return true;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return false;
}

}  // namespace

std::string_view static_files::mime_type(std::string_view path) noexcept {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string_view ext = path.substr(dot + 1);
  char buf[8];
  if (ext.size() >= sizeof buf) return "application/octet-stream";
  for (std::size_t i = 0; i < ext.size(); ++i)
    buf[i] = (ext[i] >= 'A' && ext[i] <= 'Z') ? char(ext[i] - 'A' + 'a') : ext[i];
  ext = std::string_view(buf, ext.size());
  static constexpr std::pair<std::string_view, std::string_view> table[] = {
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"wasm", "application/wasm"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"eot", "application/vnd.ms-fontobject"},
      {"txt", "text/plain; charset=utf-8"},
      {"xml", "application/xml"},
      {"csv", "text/csv; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"mp3", "audio/mpeg"},
      {"wav", "audio/wav"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"pdf", "application/pdf"},
  };
  for (const auto& [e, type] : table)
    if (e == ext) return type;
  return "application/octet-stream";
}

void static_files::add_file(std::string url_path, std::string content, std::string_view content_type) {
  auto f = std::make_shared<file>();
  f->content_type = content_type.empty() ? std::string(mime_type(url_path)) : std::string(content_type);
  const std::string tag = content_tag(content);
  f->etag = "\"" + tag + "\"";
  if (compressible(f->content_type) && content.size() > 256) {
    std::string gz = gzip(content);
    // Only worth a second representation when it saves something real.
    if (!gz.empty() && gz.size() + 64 < content.size()) {
      f->gzip_body = std::move(gz);
      f->gzip_etag = "\"" + tag + "-gz\"";
    }
  }
  f->body = std::move(content);
  f->cache_control = options_.cache_control;
  // A directory's index.html answers for the directory itself ("/static/" and "/static").
  constexpr std::string_view index = "/index.html";
  if (url_path.ends_with(index)) {
    const std::string dir = url_path.substr(0, url_path.size() - index.size() + 1);
    files_[dir] = f;
    if (dir.size() > 1) files_[dir.substr(0, dir.size() - 1)] = f;
  }
  files_[std::move(url_path)] = std::move(f);
}

void static_files::add_directory(std::string url_prefix, const fs::path& dir) {
  while (!url_prefix.empty() && url_prefix.back() == '/') url_prefix.pop_back();
  if (!url_prefix.empty() && url_prefix.front() != '/') url_prefix.insert(url_prefix.begin(), '/');
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("static files: '" + dir.string() + "' is not a directory");
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) throw std::runtime_error("static files: cannot read '" + dir.string() + "': " + ec.message());
  std::size_t count = 0;
  for (; it != end; it.increment(ec)) {
    if (ec) throw std::runtime_error("static files: cannot read '" + dir.string() + "': " + ec.message());
    const fs::path& p = it->path();
    if (p.filename().string().starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const auto size = it->file_size(ec);
    if (ec || size > options_.max_file_size) {
      spdlog::warn("static files: skipping '{}' ({})", p.string(), ec ? ec.message() : "too large");
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::string content(size, '\0');
    if (!in.read(content.data(), static_cast<std::streamsize>(size)))
      throw std::runtime_error("static files: cannot read '" + p.string() + "'");
    add_file(url_prefix + "/" + fs::relative(p, dir).generic_string(), std::move(content));
    ++count;
  }
  spdlog::debug("static files: {} files from '{}' at '{}/'", count, dir.string(), url_prefix);
}

const static_files::file* static_files::find(std::string_view url_path) const {
  const auto it = files_.find(url_path);
  return it == files_.end() ? nullptr : it->second.get();
}

response static_files::serve(const request& req, std::string_view url_path) const {
  const std::string_view raw = std::string_view(req.target).substr(0, req.target.find('?'));
  if (is_traversal(raw, url_path)) return error_response(400, "path traversal refused");
  const auto it = files_.find(url_path);
  if (it == files_.end()) return error_response(404, "not found: " + std::string(url_path));
  const std::shared_ptr<const file>& f = it->second;

  const auto range_header = req.headers.get("Range");
  const bool has_gzip = !f->gzip_body.empty();
  // Ranges address the identity bytes; a range request never gets the gzip variant.
  const bool use_gzip =
      has_gzip && !range_header && accepts_gzip(req.headers.get("Accept-Encoding").value_or(""));
  const std::string& etag = use_gzip ? f->gzip_etag : f->etag;

  response r;
  r.headers.add("ETag", etag);
  r.headers.add("Cache-Control", f->cache_control);
  if (has_gzip) r.headers.add("Vary", "Accept-Encoding");
  if (const auto inm = req.headers.get("If-None-Match")) {
    if (etag_listed(*inm, f->etag) || (has_gzip && etag_listed(*inm, f->gzip_etag))) {
      r.status = 304;
      return r;
    }
  }
  r.headers.add("Content-Type", f->content_type);
  r.headers.add("Accept-Ranges", "bytes");
  r.body_owner = f;
  if (use_gzip) {
    r.headers.add("Content-Encoding", "gzip");
    r.body_view = f->gzip_body;
    return r;
  }
  r.body_view = f->body;
  if (range_header) {
    // If-Range: the range holds only for the representation the client already has part of.
    const auto if_range = req.headers.get("If-Range");
    if (!if_range || trim(*if_range) == f->etag) {
      if (const auto range = parse_range(*range_header, f->body.size())) {
        if (range->first > range->last) {
          response bad = error_response(416, "range not satisfiable: " + std::string(*range_header));
          bad.headers.add("Content-Range", "bytes */" + std::to_string(f->body.size()));
          return bad;
        }
        r.status = 206;
        r.headers.add("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                           std::to_string(range->last) + "/" +
                                           std::to_string(f->body.size()));
        r.body_view = std::string_view(f->body).substr(range->first, range->last - range->first + 1);
      }
    }
  }
  return r;
}

handler static_files::make_handler(std::shared_ptr<const static_files> files) {
  return [files = std::move(files)](std::shared_ptr<exchange> ex) {
    const request& req = ex->req();
    ex->respond(files->serve(req, req.path));
  };
}

}  // namespace annot::host::http
