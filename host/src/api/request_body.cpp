#include "api/request_body.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "http/url.hpp"
#include "import/multipart.hpp"
#include "store/json_check.hpp"

namespace annot::host::api {
namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool is_form(const http::request& req) {
  auto ct = req.headers.get("Content-Type").value_or("");
  std::string lower(ct);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("application/x-www-form-urlencoded") != std::string::npos;
}

// A form field's value: JSON for the JSONFields when it parses, else the text.
template <class Json>
void put_field(Json& out, std::string name, std::string value,
               std::initializer_list<std::string_view> json_fields) {
  if (std::find(json_fields.begin(), json_fields.end(), name) != json_fields.end()) {
    Json parsed = Json::parse(value, nullptr, false);
    if (!parsed.is_discarded()) {
      out[name] = std::move(parsed);
      return;
    }
  }
  out[name] = std::move(value);
}

// multipart/form-data (DRF's MultiPartParser, what `curl -F` and requests' files= send): the plain
// fields; file parts have no place in an object and are left out.
template <class Json>
annot::result<Json> multipart_object(std::string_view body, std::string boundary,
                                     std::initializer_list<std::string_view> json_fields) {
  bool given = false;
  imports::multipart_reader reader(std::move(boundary), [&]() -> annot::result<std::string_view> {
    if (given) return std::string_view{};
    given = true;
    return body;
  });
  Json out = Json::object();
  for (;;) {
    auto part = reader.next_part();
    if (!part) return status(errc::invalid_argument, "malformed multipart body: " + part.error().message());
    if (!*part) break;
    std::string value;
    for (;;) {
      auto chunk = reader.read();
      if (!chunk)
        return status(errc::invalid_argument, "malformed multipart body: " + chunk.error().message());
      if (chunk->empty()) break;
      value.append(*chunk);
    }
    if (!(*part)->filename) put_field(out, std::move((*part)->name), std::move(value), json_fields);
  }
  return out;
}

template <class Json>
annot::result<Json> parse_json_object(std::string_view body) {
  // The store's check first: nlohmann reads an integer beyond 64 bits as a double and 1e400 as
  // infinity, which would be kept changed (or as null) without a word. Those are refused as the
  // import refuses them, naming why, as is a lone surrogate.
  std::string why;
  if (store::json::check(body, &why) == store::json::kind::invalid)
    return status(errc::invalid_argument, "JSON parse error - the body " + why);
  // nlohmann's ordered_json finds each key of an object by a scan: a body holding an object of
  // 80,000 keys took 12 s of a thread. No Label Studio object comes near the limit (task data,
  // results and settings have tens of keys); a body that could hold one is looked at.
  constexpr std::size_t kMostKeys = 10000;
  if (body.size() > 5 * kMostKeys && store::json::widest_object(body) > kMostKeys)
    return status(errc::invalid_argument,
                  "the body holds an object of more than " + std::to_string(kMostKeys) + " keys");
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded())
    return status(errc::invalid_argument, "JSON parse error - the body is not valid JSON");
  if (!j.is_object())
    return status(errc::invalid_argument, std::string("Invalid data. Expected a dictionary, but got ") +
                                              (j.is_array() ? "list" : j.type_name()) + ".");
  return j;
}

}  // namespace

template <class Json>
annot::result<Json> request_object(const http::request& req,
                                   std::initializer_list<std::string_view> json_fields) {
  if (blank(req.body)) return Json::object();
  if (auto boundary = imports::multipart_boundary(req.headers.get("Content-Type").value_or("")))
    return multipart_object<Json>(req.body, std::move(*boundary), json_fields);
  if (!is_form(req)) return parse_json_object<Json>(req.body);
  const auto first = req.body.find_first_not_of(" \t\r\n");
  if (req.body[first] == '{') {
    if (auto j = parse_json_object<Json>(req.body)) return j;
  }
  Json out = Json::object();
  bool bad = false;
  http::for_each_query_pair(req.body, [&](std::string_view n, std::string_view v) {
    auto name = http::percent_decode(n, true);
    auto value = http::percent_decode(v, true);
    if (!name || !value) {
      bad = true;
      return;
    }
    put_field(out, std::move(*name), std::move(*value), json_fields);
  });
  if (bad) return status(errc::invalid_argument, "malformed form body: bad percent escape");
  return out;
}

template annot::result<nlohmann::json> request_object<nlohmann::json>(
    const http::request&, std::initializer_list<std::string_view>);
template annot::result<nlohmann::ordered_json> request_object<nlohmann::ordered_json>(
    const http::request&, std::initializer_list<std::string_view>);

}  // namespace annot::host::api
