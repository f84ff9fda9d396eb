#include "api/request_body.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "http/url.hpp"
#include "import/multipart.hpp"
#include "store/json_check.hpp"
#include "store/thread_json.hpp"

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

// nlohmann's type_name() of what the element would be.
const char* nlohmann_type_name(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

// The value of a simdjson element as nlohmann holds it after its own parse: non-negative integers as
// unsigned, negative ones as integers, the rest as doubles; an object's repeated key keeps its first place
// and its last value.
template <class Json>
Json to_nlohmann(simdjson::dom::element e) {
  using type = simdjson::dom::element_type;
  switch (e.type()) {
    case type::OBJECT: {
      Json out = Json::object();
      if (simdjson::dom::object object; !e.get_object().get(object)) {
        // ordered_json's object is a vector of pairs with a const key: growing it copies every member
        // already in (a whole subtree each), so it is given its size first.
        auto& members = out.template get_ref<typename Json::object_t&>();
        if constexpr (requires { members.reserve(std::size_t(1)); }) members.reserve(object.size());
        for (auto field : object) out[std::string(field.key)] = to_nlohmann<Json>(field.value);
      }
      return out;
    }
    case type::ARRAY: {
      Json out = Json::array();
      if (simdjson::dom::array array; !e.get_array().get(array)) {
        out.template get_ref<typename Json::array_t&>().reserve(array.size());
        for (auto child : array) out.push_back(to_nlohmann<Json>(child));
      }
      return out;
    }
    case type::STRING:
      return Json(std::string(e.get_string().value_unsafe()));
    case type::INT64: {
      const std::int64_t v = e.get_int64().value_unsafe();
      if (v >= 0) return Json(static_cast<std::uint64_t>(v));
      return Json(v);
    }
    case type::UINT64:
      return Json(e.get_uint64().value_unsafe());
    case type::DOUBLE:
      return Json(e.get_double().value_unsafe());
    case type::BOOL:
      return Json(e.get_bool().value_unsafe());
    case type::NULL_VALUE:
      break;
  }
  return Json(nullptr);
}

template <class Json>
annot::result<Json> parse_json_object(std::string_view body) {
  // nlohmann's ordered_json finds each key of an object by a scan: a body holding an object of 80,000
  // keys took 12 s of a thread. No Label Studio object comes near the limit (task data, results and
  // settings have tens of keys); a body that could hold one is measured.
  constexpr std::size_t kMostKeys = 10000;
  store::json::parsed_json parsed(body);
  if (parsed.root().error())
    return status(errc::invalid_argument, "JSON parse error - the body " + store::json::why_unreadable(parsed));
  const simdjson::dom::element root = parsed.root().value_unsafe();
  if (!root.is_object())
    return status(errc::invalid_argument, std::string("Invalid data. Expected a dictionary, but got ") +
                                              (root.is_array() ? "list" : nlohmann_type_name(root)) + ".");
  if (body.size() > 5 * kMostKeys && store::json::widest_object(root) > kMostKeys)
    return status(errc::invalid_argument,
                  "the body holds an object of more than " + std::to_string(kMostKeys) + " keys");
  return to_nlohmann<Json>(root);
}

}  // namespace

// Parsed once, by the store's checker: nlohmann would read an integer beyond 64 bits as a double and
// 1e400 as infinity, which would be kept changed (or as null) without a word; those are refused as the
// import refuses them, naming why, as is a lone surrogate. The tree is then built from simdjson's:
// nlohmann's own parse of a 60 MB result took three times as long and as much memory again.
template <class Json>
annot::result<Json> parse_json_body(std::string_view body) {
  store::json::parsed_json parsed(body);
  if (parsed.root().error())
    return status(errc::invalid_argument, "JSON parse error - the body " + store::json::why_unreadable(parsed));
  return to_nlohmann<Json>(parsed.root().value_unsafe());
}

template <class Json>
Json parse_stored_json(std::string_view text, Json fallback) {
  store::json::parsed_json parsed(text);
  if (parsed.root().error()) return fallback;
  return to_nlohmann<Json>(parsed.root().value_unsafe());
}

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

template annot::result<nlohmann::json> parse_json_body<nlohmann::json>(std::string_view);
template annot::result<nlohmann::ordered_json> parse_json_body<nlohmann::ordered_json>(std::string_view);
template nlohmann::json parse_stored_json<nlohmann::json>(std::string_view, nlohmann::json);
template nlohmann::ordered_json parse_stored_json<nlohmann::ordered_json>(std::string_view, nlohmann::ordered_json);
template annot::result<nlohmann::json> request_object<nlohmann::json>(
    const http::request&, std::initializer_list<std::string_view>);
template annot::result<nlohmann::ordered_json> request_object<nlohmann::ordered_json>(
    const http::request&, std::initializer_list<std::string_view>);

}  // namespace annot::host::api
