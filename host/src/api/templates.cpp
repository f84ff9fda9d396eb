// GET /api/templates: serves the starter configs the plugins registered, in Label Studio's shape.
#include "api/templates.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace annot::host::api {

using json = nlohmann::json;

json templates_json(const plugins::registry& registry) {
  json templates = json::array();
  json groups = json::array();
  for (const plugins::starter_record& r : registry.starters()) {
    const annot::starter_config& s = r.starter;
    // Checked to be a JSON object at registration.
    json data = json::parse(s.sample_data, nullptr, false);
    templates.push_back(json{{"title", s.title},
                             {"group", s.group},
                             {"type", "plugin"},
                             {"details", s.description},
                             {"config", s.config},
                             {"plugin", r.plugin},
                             {"sample_task", json{{"data", std::move(data)}}}});
    if (std::find(groups.begin(), groups.end(), json(s.group)) == groups.end()) groups.push_back(s.group);
  }
  // Plugins load in folder order, which says nothing about what people label most: the usual
  // sections lead, in this order; any other group keeps its place after them.
  static const std::array<std::string_view, 4> leading = {"Computer Vision", "Natural Language Processing",
                                                          "Audio and Speech", "Conversational AI"};
  auto rank = [](const json& g) {
    auto it = std::find(leading.begin(), leading.end(), g.get_ref<const std::string&>());
    return static_cast<std::size_t>(it - leading.begin());
  };
  std::stable_sort(groups.begin(), groups.end(), [&](const json& a, const json& b) { return rank(a) < rank(b); });
  return json{{"templates", std::move(templates)}, {"groups", std::move(groups)}};
}

void add_template_routes(api_routes& routes) {
  // The registry is frozen before routes are built, so the answer never changes: render it once.
  auto body = std::make_shared<const std::string>(
      templates_json(routes.ctx().registry).dump(-1, ' ', false, json::error_handler_t::replace));
  routes.add(http::method::get, "/api/templates",
             [body](http::request&, const auth::principal&) { return http::response::json(200, *body); });
}

}  // namespace annot::host::api
