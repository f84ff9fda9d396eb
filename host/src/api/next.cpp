// The labeling stream: GET /api/projects/{id}/next hands the caller the next task (sequential,
// uniform or uncertainty sampling per the project) and locks it for them for
// api_settings::task_lock_ttl, so two annotators do not get the same task.
#include "api/task_json.hpp"
#include "api/tasks_common.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

using namespace detail;

void next_task(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who) {
  auto pid = parse_id(ex->req().param("id"));
  if (!pid) return ex->respond(http::error_response(404, "Project " + std::string(ex->req().param("id")) + " not found"));
  store::next_task_request r;
  r.project_id = *pid;
  r.user_id = who.user.id;
  r.lock_ttl = api.ctx.settings.task_lock_ttl;
  // Taking the task and its lock is one write; the task's JSON is read in the same unit so it
  // matches what was locked.
  submit_then<std::optional<std::string>>(
      api.ctx, std::move(ex),
      [r](store::write_context& w) -> result<std::optional<std::string>> {
        if (auto p = w.get_project(r.project_id); !p) return p.error();
        auto t = w.next_task(r, store::now());
        if (!t) return t.error();
        if (!*t) return std::optional<std::string>();
        auto body = dm_task_json(w, **t, r.user_id);
        if (!body) return body.error();
        return std::optional<std::string>(std::move(*body));
      },
      [pid = *pid](std::optional<std::string>& body) {
        if (!body) return http::error_response(404, "There are no more tasks to label in project " + std::to_string(pid));
        return json_response(200, std::move(*body));
      });
}

}  // namespace

void add_next_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  routes.add(http::method::get, "/api/projects/{id}/next",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               next_task(*api, std::move(ex), who);
             }));
}

}  // namespace annot::host::api
