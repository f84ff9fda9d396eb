// The labeling stream: GET /api/projects/{id}/next hands the caller the next task (sequential,
// uniform or uncertainty sampling per the project) and locks it for them for
// api_settings::task_lock_ttl, so two annotators do not get the same task. ?view=V keeps the stream
// to a data-manager tab: its filters and its ordering.
#include "api/task_json.hpp"
#include "api/tasks_common.hpp"
#include "store/query.hpp"
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
  // view=V: the data manager's tab ("label all" from a tab). Its filters decide which tasks the
  // stream hands out and its ordering their order, as the tab shows them; the ordered ids come
  // from a reader (the data manager's cached selection), the writer takes the first available.
  auto view_param = query_int(ex->req(), "view", 1);
  if (view_param.error) return ex->respond(std::move(*view_param.error));
  if (view_param.value) {
    auto reader = api.ctx.db.read();
    auto v = reader->get_view(*view_param.value);
    if (!v) return ex->respond(v.error().code() == errc::not_found ? not_found("View", *view_param.value)
                                                                   : store_error(v.error()));
    if (v->project_id != *pid)
      return ex->respond(http::error_response(400, "view " + std::to_string(v->id) + " belongs to project " +
                                                       std::to_string(v->project_id) + ", not to project " +
                                                       std::to_string(*pid)));
    auto q = store::parse_dm_query(*pid, v->data);
    if (!q) return ex->respond(http::error_response(400, "view " + std::to_string(v->id) + ": " + q.error().message()));
    auto ids = reader->select_task_ids(*q);
    if (!ids) return ex->respond(store_error(ids.error()));
    r.candidates = std::move(*ids);
  }
  // Taking the task and its lock is one write; the task's JSON is read in the same unit so it
  // matches what was locked.
  submit_then<std::optional<std::string>>(
      api.ctx, std::move(ex),
      [&api, r = std::move(r)](store::write_context& w) -> result<std::optional<std::string>> {
        if (auto p = w.get_project(r.project_id); !p) return p.error();
        auto t = w.next_task(r, store::now());
        if (!t) return t.error();
        if (!*t) return std::optional<std::string>();
        auto body = dm_task_json(api, w, **t, r.user_id);
        if (!body) return body.error();
        return std::optional<std::string>(std::move(*body));
      },
      [pid = *pid](std::optional<std::string>& body) {
        if (!body)
          return http::error_response(404,
                                      "There are no more tasks to label in project " + std::to_string(pid));
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
