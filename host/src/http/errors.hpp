// Label Studio's error envelope and the one mapping from annot::errc to HTTP status for the whole host.
#pragma once

#include <annot/status.hpp>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace annot::host::http {

// The HTTP status for an error category (invalid_argument -> 400, not_found -> 404, ...); 200 for ok.
int http_status_of(annot::errc code) noexcept;

// The JSON body Label Studio sends on errors:
//   {"id":"<uuid4>","status_code":N,"version":"<LS version>","detail":"...","exc_info":null,
//    "validation_errors":{...}}
// validation_errors is present only when given; an array (or a string) is wrapped as
// {"non_field_errors":[...]} the way Django REST framework does.
std::string error_body(int status, std::string_view detail,
                       const nlohmann::json* validation_errors = nullptr);

// A response carrying error_body() with Content-Type application/json.
response error_response(int status, std::string_view detail,
                        const nlohmann::json* validation_errors = nullptr);

// The response for a failed status: http_status_of(code) and the status message as detail. A success
// status here is a bug in the caller and gives a 500 saying so.
response error_response(const annot::status& s);

// A random RFC 4122 version-4 UUID in its 36-character text form.
std::string make_uuid4();

}  // namespace annot::host::http
