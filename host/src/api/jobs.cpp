// Routes of the job pool: list, inspect and cancel long-running work.
#include "api/jobs.hpp"

#include <charconv>

#include "http/errors.hpp"

namespace annot::host::api {
namespace {

std::optional<jobs::job_id> parse_id(std::string_view text) {
  jobs::job_id id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

http::response unknown_job(std::string_view text) {
  return http::error_response(404, "no job with id " + std::string(text));
}

}  // namespace

void add_job_routes(api_routes& routes) {
  jobs::job_runner& runner = routes.ctx().jobs;
  routes.add(http::method::get, "/api/jobs", api::authed_handler([&runner](http::request&, const auth::principal&) {
               auto all = runner.list();
               nlohmann::json out = nlohmann::json::array();
               for (auto& s : all) out.push_back(s.to_json());
               return http::response::json(200, out.dump());
             }));

  routes.add(http::method::get, "/api/jobs/{id}", api::authed_handler([&runner](http::request& req, const auth::principal&) {
               auto text = req.param("id");
               auto id = parse_id(text);
               if (!id) return unknown_job(text);
               auto snap = runner.get(*id);
               if (!snap) return unknown_job(text);
               return http::response::json(200, snap->to_json().dump());
             }));

  routes.add(http::method::post, "/api/jobs/{id}/cancel", api::authed_handler([&runner](http::request& req, const auth::principal&) {
               auto text = req.param("id");
               auto id = parse_id(text);
               if (!id) return unknown_job(text);
               auto snap = runner.get(*id);
               if (!snap) return unknown_job(text);
               if (snap->finished() || !runner.cancel(*id)) {
                 return http::error_response(409, "job " + std::string(text) + " already finished (" +
                                                      std::string(jobs::to_string(snap->state)) + ")");
               }
               return http::response::json(202, runner.get(*id)->to_json().dump());
             }));
}

}  // namespace annot::host::api
