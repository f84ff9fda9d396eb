// The config routes: validate a labeling config without a project; list every registered tag.
#include "api/config.hpp"

#include <annot/version.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "api/request_body.hpp"
#include "config/catalog_json.hpp"
#include "config/model.hpp"
#include "http/errors.hpp"

namespace annot::host::api {

using json = nlohmann::json;

namespace {

// Django REST framework's field errors, as Label Studio's serializer answers them.
http::response field_error(std::string message) {
  return http::response::json(400, json{{"label_config", json::array({std::move(message)})}}.dump());
}

}  // namespace

http::response validate_config(const config::tag_catalog& catalog, const http::request& req) {
  auto parsed = request_object<json>(req);
  if (!parsed) return http::error_response(400, parsed.error().message());
  const json& body = *parsed;
  auto it = body.find("label_config");
  if (it == body.end()) return field_error("This field is required.");
  if (it->is_null()) return field_error("This field may not be null.");
  if (!it->is_string()) return field_error("Not a valid string.");
  const std::string& xml = it->get_ref<const std::string&>();
  if (xml.find_first_not_of(" \t\r\n") == std::string::npos) return field_error("This field may not be blank.");

  config::compiled_config c = config::compile_config(xml, catalog);
  json warnings = json::array();
  for (const auto& w : c.warnings) warnings.push_back(config::issue_json(w));
  if (!c.errors.empty()) {
    json messages = json::array(), errors = json::array();
    for (const auto& e : c.errors) {
      messages.push_back(e.message);
      errors.push_back(config::issue_json(e));
    }
    return http::response::json(
        400, json{{"label_config", std::move(messages)}, {"errors", std::move(errors)}, {"warnings", std::move(warnings)}}
                 .dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (warnings.empty()) return http::response::empty(204);
  return http::response::json(200, json{{"warnings", std::move(warnings)}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

void add_config_routes(http::router& routes, const config::tag_catalog& catalog) {
  const config::tag_catalog* cat = &catalog;
  http::route_options big;
  big.body_limit = 16 * 1024 * 1024;  // configs with thousands of choices run to megabytes
  big.offload = true;                 // plugin checkers and large configs stay off the I/O threads
  routes.add(http::method::post, "/api/projects/validate",
             http::simple_handler([cat](http::request& req) { return validate_config(*cat, req); }), big);
  // The catalog is frozen before routes are built, so its JSON is computed once.
  json tags = config::catalog_json(catalog);
  tags["sdk_version"] = ANNOT_SDK_VERSION_STRING;
  auto text = std::make_shared<const std::string>(tags.dump(-1, ' ', false, json::error_handler_t::replace));
  routes.add(http::method::get, "/api/config/tags",
             http::simple_handler([text](http::request&) { return http::response::json(200, *text); }));
}

}  // namespace annot::host::api
