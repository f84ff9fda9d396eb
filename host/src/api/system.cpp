// Health and version routes, in Label Studio's shapes so its clients and probes work unchanged.
#include "api/system.hpp"

#include <annot/version.h>
#include <nlohmann/json.hpp>

#include "build_info.hpp"

namespace annot::host::api {

void add_system_routes(http::router& routes) {
  // Prepared once: /health is hit by load balancers and benchmarks.
  static const std::string health = R"({"status":"UP"})";
  routes.add(http::method::get, "/health",
             http::simple_handler([](http::request&) { return http::response::json(200, health); }));

  static const std::string version = nlohmann::json{
      {"release", build_info::compatible_label_studio},
      {"annot", {{"version", build_info::version}, {"sdk", ANNOT_SDK_VERSION_STRING}}},
  }.dump();
  auto version_handler = http::simple_handler([](http::request&) { return http::response::json(200, version); });
  routes.add(http::method::get, "/api/version", version_handler);
  routes.add(http::method::get, "/version", version_handler);
}

}  // namespace annot::host::api
