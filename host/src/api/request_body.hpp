// Request bodies read as Label Studio's views read them (Django REST framework's JSONParser,
// FormParser and MultiPartParser), for every route that takes an object: one reader, one set of
// messages.
#pragma once

#include <annot/status.hpp>
#include <initializer_list>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace annot::host::api {

// The body as an object, of nlohmann::json or ordered_json (routes that store the body's members
// keep their key order):
// - application/x-www-form-urlencoded: each field as a string (the last of a repeated name, as
//   QueryDict.get reads it); the values of `json_fields` (the fields DRF declares as JSONField) are
//   parsed as JSON when they are, as JSONField parses form input, and kept as strings otherwise, so
//   the field's own check names them. A form body that is a JSON object is read as JSON: `curl -d`
//   sends JSON under the form type unless told otherwise.
// - multipart/form-data: the plain fields as the form's, JSONFields parsed the same way; file parts
//   are left out.
// - anything else: JSON.
// An empty (or blank) body is {} (DRF's request.data). A body that is not an object, or not valid
// JSON, is invalid_argument with Label Studio's message.
// Any JSON body (a list of predictions, say), of nlohmann::json or ordered_json, parsed as request_object()
// parses a JSON object: invalid_argument "JSON parse error - the body ..." naming what is wrong.
template <class Json>
annot::result<Json> parse_json_body(std::string_view body);

// JSON text the store keeps (a result, a task's data), parsed the same way; `fallback` when it does not
// parse. nlohmann's own parser took seconds over a result of tens of MB.
template <class Json>
Json parse_stored_json(std::string_view text, Json fallback = Json());

template <class Json>
annot::result<Json> request_object(const http::request& req,
                                   std::initializer_list<std::string_view> json_fields = {});

// An answer's JSON text. Text that is not UTF-8 (a file name or CSV header in another encoding,
// kept before names were cleaned) is written with U+FFFD where nlohmann's dump() would throw.
template <class Json>
std::string text_of(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace annot::host::api
