// Files as response bodies, with Range (file_response.hpp).
#include "api/file_response.hpp"

#include <charconv>
#include <cstdio>
#include <memory>
#include <string>

#include "http/errors.hpp"

namespace annot::host::api {
namespace {

// Bodies up to this size are answered in one piece; larger ones are read by the connection.
constexpr std::uint64_t inline_limit = 4 << 20;

// "bytes=a-b" / "bytes=a-" / "bytes=-n" against a size: [first, last], or nullopt when unsatisfiable.
// Several ranges are answered with the first one only.
struct byte_range {
  std::uint64_t first = 0, last = 0;
};
enum class range_kind { none, ok, unsatisfiable };

range_kind parse_range(std::string_view header, std::uint64_t size, byte_range& out) {
  if (header.rfind("bytes=", 0) != 0) return range_kind::none;
  header.remove_prefix(6);
  header = header.substr(0, header.find(','));
  auto dash = header.find('-');
  if (dash == std::string_view::npos) return range_kind::none;
  auto num = [](std::string_view s, std::uint64_t& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
  };
  std::string_view a = header.substr(0, dash), b = header.substr(dash + 1);
  std::uint64_t x = 0, y = 0;
  if (a.empty()) {
    if (!num(b, y)) return range_kind::none;
    if (y == 0 || size == 0) return range_kind::unsatisfiable;
    out.first = y >= size ? 0 : size - y;
    out.last = size - 1;
    return range_kind::ok;
  }
  if (!num(a, x)) return range_kind::none;
  if (x >= size) return range_kind::unsatisfiable;
  if (b.empty()) {
    y = size - 1;
  } else {
    if (!num(b, y) || y < x) return range_kind::none;
    if (y >= size) y = size - 1;
  }
  out.first = x;
  out.last = y;
  return range_kind::ok;
}

}  // namespace

void respond_with_file(http::exchange& ex, const std::filesystem::path& file, http::header_map headers) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return ex.respond(http::error_response(404, "Not found."));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(f, &std::fclose);
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return ex.respond(http::error_response(404, "Not found."));
  const http::request& req = ex.req();
  headers.set("Accept-Ranges", "bytes");
  byte_range range{0, size == 0 ? 0 : size - 1};
  int code = 200;
  if (auto h = req.headers.get("Range")) {
    switch (parse_range(*h, size, range)) {
      case range_kind::none:
        range = {0, size == 0 ? 0 : size - 1};
        break;
      case range_kind::unsatisfiable: {
        auto r = http::error_response(416, "requested range not satisfiable: the file has " + std::to_string(size) + " bytes");
        r.headers.set("Content-Range", "bytes */" + std::to_string(size));
        return ex.respond(std::move(r));
      }
      case range_kind::ok:
        code = 206;
        headers.set("Content-Range",
                    "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(size));
        break;
    }
  }
  const std::uint64_t length = size == 0 ? 0 : range.last - range.first + 1;
  const bool head = req.verb == http::method::head;
  if (length <= inline_limit && !head) {
    if (std::fseek(f, long(range.first), SEEK_SET) != 0) return ex.respond(http::error_response(500, "cannot read the file"));
    http::response r;
    r.status = code;
    r.headers = std::move(headers);
    r.body.resize(length);
    if (length && std::fread(r.body.data(), 1, length, f) != length)
      return ex.respond(http::error_response(500, "cannot read the file"));
    return ex.respond(std::move(r));
  }
  // HEAD goes this way too, so its Content-Length is the file's (the connection sends no body).
  auto sink = ex.respond_streamed(code, std::move(headers), length);
  // Read by the connection as the client takes it; a failure drops the sink, which cuts the transfer.
  // (HEAD too: the body must add up to its Content-Length, though the connection sends none of it.)
  if (sink->write_file(file, range.first, length).ok()) (void)sink->finish();
}

}  // namespace annot::host::api
