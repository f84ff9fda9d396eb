// The handler-facing HTTP types: header_map, request accessors with percent-decoding, response helpers.
#include "http/message.hpp"

#include <algorithm>

#include "http/url.hpp"

namespace annot::host::http {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view to_string(method m) noexcept {
  switch (m) {
    case method::get:
      return "GET";
    case method::head:
      return "HEAD";
    case method::post:
      return "POST";
    case method::put:
      return "PUT";
    case method::patch:
      return "PATCH";
    case method::delete_:
      return "DELETE";
    case method::options:
      return "OPTIONS";
    case method::unknown:
      break;
  }
  return "UNKNOWN";
}

// --- header_map ------------------------------------------------------------------------------------

std::optional<std::string_view> header_map::get(std::string_view name) const {
  for (const auto& [n, v] : fields_)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

void header_map::set(std::string name, std::string value) {
  // Keep the first field's position (arrival order matters to nobody, but stability helps tests).
  auto it =
      std::find_if(fields_.begin(), fields_.end(), [&](const auto& f) { return iequals(f.first, name); });
  if (it == fields_.end()) {
    fields_.emplace_back(std::move(name), std::move(value));
    return;
  }
  it->second = std::move(value);
  fields_.erase(
      std::remove_if(std::next(it), fields_.end(), [&](const auto& f) { return iequals(f.first, name); }),
      fields_.end());
}

void header_map::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void header_map::erase(std::string_view name) {
  fields_.erase(
      std::remove_if(fields_.begin(), fields_.end(), [&](const auto& f) { return iequals(f.first, name); }),
      fields_.end());
}

// --- request ---------------------------------------------------------------------------------------

std::string_view request::param(std::string_view name) const {
  for (const auto& [n, v] : params)
    if (n == name) return v;
  return {};
}

std::optional<std::string> request::query(std::string_view name) const {
  std::optional<std::string> found;
  for_each_query_pair(query_string, [&](std::string_view n, std::string_view v) {
    // Names are compared decoded: "ids%5B%5D" and "ids[]" are the same parameter.
    auto decoded_name = percent_decode(n, true);
    if (!decoded_name || *decoded_name != name) return;
    // A malformed escape in the value is kept literally rather than dropping the parameter.
    auto decoded = percent_decode(v, true);
    found = decoded ? std::move(*decoded) : std::string(v);
  });
  return found;
}

std::vector<std::string> request::query_all(std::string_view name) const {
  std::vector<std::string> values;
  for_each_query_pair(query_string, [&](std::string_view n, std::string_view v) {
    auto decoded_name = percent_decode(n, true);
    if (!decoded_name || *decoded_name != name) return;
    auto decoded = percent_decode(v, true);
    values.push_back(decoded ? std::move(*decoded) : std::string(v));
  });
  return values;
}

// --- response --------------------------------------------------------------------------------------

response response::json(int status, std::string body) {
  response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

response response::text(int status, std::string body, std::string content_type) {
  response r;
  r.status = status;
  r.headers.add("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

response response::empty(int status) {
  response r;
  r.status = status;
  return r;
}

}  // namespace annot::host::http
