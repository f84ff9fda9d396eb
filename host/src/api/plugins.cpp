// The plugin routes: the registry's listing as JSON, and each plugin's UI files from memory.
#include "api/plugins.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "http/errors.hpp"
#include "plugins/report.hpp"

namespace annot::host::api {

void add_plugin_routes(http::router& routes, std::shared_ptr<const plugins::registry> registry) {
  if (!registry || !registry->frozen()) {
    throw std::logic_error("add_plugin_routes: the plugin registry must be loaded and frozen first");
  }

  // The registry never changes after loading: render the listing once and share the bytes.
  auto listing = std::make_shared<const std::string>(plugins::plugins_json(*registry).dump());
  routes.add(http::method::get, "/api/plugins", http::simple_handler([listing](http::request&) {
               http::response r = http::response::json(200, {});
               r.body_owner = listing;
               r.body_view = *listing;
               return r;
             }));

  routes.add(
      http::method::get, "/plugins/{name}/{*path}",
      http::simple_handler([registry = std::move(registry)](http::request& req) {
        const std::string_view name = req.param("name");
        const plugins::ui_record* ui = registry->ui_bundles().find(name);
        if (!ui) {
          // Sample media of starter configs, served even without an editor UI.
          if (const http::static_files* samples = registry->sample_files(name)) return samples->serve(req, req.path);
          auto plugin = registry->plugin(name);
          if (!plugin.ok()) return http::error_response(plugin.error());
          return http::error_response(404, "plugin '" + std::string(name) + "' registered no UI bundle");
        }
        if (!ui->files) {
          return http::error_response(404, "plugin '" + std::string(name) +
                                               "' was linked in without a folder; it serves no UI files");
        }
        return ui->files->serve(req, req.path);
      }));
}

}  // namespace annot::host::api
