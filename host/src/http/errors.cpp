// Error envelope and status mapping: every error response of the host goes through here.
#include "http/errors.hpp"

#include <nlohmann/json.hpp>
#include <random>

#include "build_info.hpp"

namespace annot::host::http {

int http_status_of(annot::errc code) noexcept {
  switch (code) {
    case errc::ok:
      return 200;
    case errc::invalid_argument:
      return 400;
    case errc::not_found:
      return 404;
    case errc::already_exists:
      return 409;
    case errc::permission_denied:
      return 403;
    case errc::failed_precondition:
      return 409;
    case errc::unsupported:
      return 400;  // the request asks for something this kind cannot do
    case errc::io_error:
      return 500;
    case errc::cancelled:
      return 503;  // the server gave up on the work; the client may retry
    case errc::internal:
      return 500;
  }
  return 500;
}

std::string make_uuid4() {
  // One generator per thread: no lock, and seeded once from the OS.
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  unsigned char b[16];
  for (int i = 0; i < 16; i += 8) {
    const std::uint64_t v = gen();
    for (int j = 0; j < 8; ++j) b[i + j] = static_cast<unsigned char>(v >> (8 * j));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0x0f]);
  }
  return out;
}

std::string error_body(int status, std::string_view detail, const nlohmann::json* validation_errors) {
  nlohmann::json body = {
      {"id", make_uuid4()}, {"status_code", status}, {"version", build_info::compatible_label_studio},
      {"detail", detail},   {"exc_info", nullptr},
  };
  if (validation_errors) {
    if (validation_errors->is_object())
      body["validation_errors"] = *validation_errors;
    else if (validation_errors->is_array())
      body["validation_errors"] = {{"non_field_errors", *validation_errors}};
    else
      body["validation_errors"] = {{"non_field_errors", nlohmann::json::array({*validation_errors})}};
  }
  // Invalid UTF-8 in a detail (a path echoed back, say) must not turn an error into an exception.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

response error_response(int status, std::string_view detail, const nlohmann::json* validation_errors) {
  return response::json(status, error_body(status, detail, validation_errors));
}

response error_response(const annot::status& s) {
  if (s.ok()) return error_response(500, "internal error: an error response was built from a success status");
  return error_response(http_status_of(s.code()), s.message());
}

}  // namespace annot::host::http
