#include "api/request_body.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "http/url.hpp"

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

template <class Json>
annot::result<Json> parse_json_object(std::string_view body) {
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
    if (std::find(json_fields.begin(), json_fields.end(), *name) != json_fields.end()) {
      Json parsed = Json::parse(*value, nullptr, false);
      if (!parsed.is_discarded()) {
        out[*name] = std::move(parsed);
        return;
      }
    }
    out[*name] = std::move(*value);
  });
  if (bad) return status(errc::invalid_argument, "malformed form body: bad percent escape");
  return out;
}

template annot::result<nlohmann::json> request_object<nlohmann::json>(
    const http::request&, std::initializer_list<std::string_view>);
template annot::result<nlohmann::ordered_json> request_object<nlohmann::ordered_json>(
    const http::request&, std::initializer_list<std::string_view>);

}  // namespace annot::host::api
