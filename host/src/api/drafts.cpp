// Draft routes: /api/tasks/{id}/drafts, /api/tasks/{id}/annotations/{annotation_id}/drafts and
// /api/drafts/{id}. A draft is work in progress: its results must be well-formed (errors refused)
// but may still break the config's rules (required, choice counts).
#include <map>
#include <variant>

#include "api/task_json.hpp"
#include "api/tasks_common.hpp"

namespace annot::host::api {
namespace {

using namespace detail;

// A draft with the name of its user (none when it has none, or the user is gone).
struct named_draft {
  store::draft draft;
  std::optional<store::user_name> user;
};

result<named_draft> with_user(store::read_context& r, store::draft d) {
  std::optional<store::user_name> user;
  if (d.user_id) {
    auto u = r.get_user(*d.user_id);
    if (u)
      user = name_of(*u);
    else if (u.error().code() != errc::not_found)
      return u.error();
  }
  return named_draft{std::move(d), std::move(user)};
}

std::string draft_json(const named_draft& n) {
  std::string out;
  append_draft(out, n.draft, n.user ? &*n.user : nullptr);
  return out;
}

// Label Studio's AnnotationDraftListAPI filters by the task alone: every user's drafts of the task,
// on the annotation route as well (its annotation_id is no filter there). GET /api/tasks/{id} and
// /next keep showing the caller's own (the task serializer's get_drafts filters by user).
http::response list_drafts(task_api& api, http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "Task " + std::string(req.param("id")) + " not found");
  if (!req.param("annotation_id").empty() && !parse_id(req.param("annotation_id")))
    return http::error_response(404, "Annotation " + std::string(req.param("annotation_id")) + " not found");
  auto r = api.ctx.db.read();
  if (auto t = r->get_task(*id); !t)
    return t.error().code() == errc::not_found ? not_found("Task", *id) : store_error(t.error());
  auto ds = r->list_drafts(std::span(&*id, 1), std::nullopt);
  if (!ds) return store_error(ds.error());
  // Each user row once, however many drafts are theirs.
  std::map<std::int64_t, std::optional<store::user_name>> users;
  std::string out = "[";
  for (const auto& d : *ds) {
    const store::user_name* user = nullptr;
    if (d.user_id) {
      auto [it, fresh] = users.try_emplace(*d.user_id);
      if (fresh) {
        auto u = r->get_user(*d.user_id);
        if (u)
          it->second = name_of(*u);
        else if (u.error().code() != errc::not_found)
          return store_error(u.error());
      }
      if (it->second) user = &*it->second;
    }
    if (out.size() > 1) out += ',';
    append_draft(out, d, user);
  }
  out += ']';
  return json_response(200, std::move(out));
}

void create_draft(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who,
                  int attempt) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "Task " + std::string(ex->req().param("id")) + " not found"));
  auto body = parse_object(ex->req(), {"result"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  // AnnotationDraft.result has no default and no null: the serializer requires it.
  nlohmann::json missing = nlohmann::json::object();
  require_field(b, "result", missing);
  if (auto bad = fields_error(missing)) return ex->respond(std::move(*bad));
  auto loaded = load_task(api, *id);
  if (auto* err = std::get_if<http::response>(&loaded)) return ex->respond(std::move(*err));
  auto& tc = std::get<task_context>(loaded);
  store::new_draft d;
  d.task_id = *id;
  d.user_id = who.user.id;
  std::optional<std::optional<double>> lead_time;
  std::optional<bool> postponed;
  std::optional<std::optional<std::int64_t>> annotation;
  for (auto bad : {get_number(b, "lead_time", lead_time), get_bool(b, "was_postponed", postponed),
                   get_id(b, "annotation", annotation)})
    if (bad) return ex->respond(std::move(*bad));
  if (!ex->req().param("annotation_id").empty()) {
    auto aid = parse_id(ex->req().param("annotation_id"));
    if (!aid) return ex->respond(http::error_response(404, "Annotation " + std::string(ex->req().param("annotation_id")) + " not found"));
    annotation.emplace(*aid);
  }
  const json& results = b.at("result");
  if (auto bad = check_results(api, tc.project, results, &tc.data, "result", true)) return ex->respond(std::move(*bad));
  d.result = dump(results);
  if (lead_time) d.lead_time = *lead_time;
  d.was_postponed = postponed.value_or(false);
  if (annotation) d.annotation_id = *annotation;
  submit_checked<store::draft>(
      api.ctx, std::move(ex), tc.project, attempt,
      [&api, who](std::shared_ptr<http::exchange> ex, int attempt) {
        create_draft(api, std::move(ex), who, attempt);
      },
      [d = std::move(d)](store::write_context& w) -> result<store::draft> {
        if (d.annotation_id) {
          auto a = w.get_annotation(*d.annotation_id);
          if (!a)
            return status(errc::invalid_argument,
                          "annotation: annotation " + std::to_string(*d.annotation_id) + " does not exist");
          if (a->task_id != d.task_id)
            return status(errc::invalid_argument, "annotation: annotation " + std::to_string(a->id) + " belongs to another task");
        }
        return w.create_draft(d);
      },
      [me = name_of(who.user)](store::draft& d) {
        std::string out;
        append_draft(out, d, &me);
        return json_response(201, std::move(out));
      });
}

http::response get_draft(task_api& api, http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "Draft " + std::string(req.param("id")) + " not found");
  auto r = api.ctx.db.read();
  auto d = r->get_draft(*id);
  if (!d) return d.error().code() == errc::not_found ? not_found("Draft", *id) : store_error(d.error());
  auto named = with_user(*r, std::move(*d));
  if (!named) return store_error(named.error());
  return json_response(200, draft_json(*named));
}

// PATCH changes the fields given; PUT (`full`) is the serializer's full update, which requires the
// result as a create does.
void patch_draft(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who, bool full,
                 int attempt) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "Draft " + std::string(ex->req().param("id")) + " not found"));
  auto body = parse_object(ex->req(), {"result"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  if (full) {
    nlohmann::json missing = nlohmann::json::object();
    require_field(b, "result", missing);
    if (auto bad = fields_error(missing)) return ex->respond(std::move(*bad));
  }
  store::draft_patch patch;
  for (auto bad : {get_number(b, "lead_time", patch.lead_time), get_bool(b, "was_postponed", patch.was_postponed)})
    if (bad) return ex->respond(std::move(*bad));
  std::optional<store::project> checked;  // the config the result was checked against
  if (auto it = b.find("result"); it != b.end()) {
    auto d = api.ctx.db.read()->get_draft(*id);
    if (!d) return ex->respond(d.error().code() == errc::not_found ? not_found("Draft", *id) : store_error(d.error()));
    auto loaded = load_task(api, d->task_id);
    if (auto* err = std::get_if<http::response>(&loaded)) return ex->respond(std::move(*err));
    auto& tc = std::get<task_context>(loaded);
    if (auto bad = check_results(api, tc.project, *it, &tc.data, "result", true)) return ex->respond(std::move(*bad));
    patch.result = dump(*it);
    checked = std::move(tc.project);
  }
  // The JSON is made after the commit, off the store's writer (a large result's copy held other saves up).
  auto unit = [id = *id, patch = std::move(patch)](store::write_context& w) -> result<named_draft> {
    auto d = w.update_draft(id, patch);
    if (!d) return d.error();
    return with_user(w, std::move(*d));
  };
  auto ok = [](named_draft& n) { return json_response(200, draft_json(n)); };
  if (!checked) return submit_then<named_draft>(api.ctx, std::move(ex), std::move(unit), std::move(ok));
  submit_checked<named_draft>(
      api.ctx, std::move(ex), *checked, attempt,
      [&api, who, full](std::shared_ptr<http::exchange> ex, int attempt) {
        patch_draft(api, std::move(ex), who, full, attempt);
      },
      std::move(unit), std::move(ok));
}

void delete_draft(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal&) {
  delete_by_id(api, std::move(ex), "Draft", &store::write_context::delete_draft);
}

}  // namespace

void add_draft_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  using http::method;
  const http::route_options big{.body_limit = 64 * 1024 * 1024};
  auto list =
      authed_handler([api](http::request& req, const auth::principal&) { return list_drafts(*api, req); });
  auto create = authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
    create_draft(*api, std::move(ex), who, 0);
  });
  routes.add(method::get, "/api/tasks/{id}/drafts", list);
  routes.add(method::post, "/api/tasks/{id}/drafts", create, big);
  routes.add(method::get, "/api/tasks/{id}/annotations/{annotation_id}/drafts", list);
  routes.add(method::post, "/api/tasks/{id}/annotations/{annotation_id}/drafts", create, big);
  routes.add(method::get, "/api/drafts/{id}",
             authed_handler([api](http::request& req, const auth::principal&) { return get_draft(*api, req); }));
  for (auto m : {method::patch, method::put})
    routes.add(m, "/api/drafts/{id}",
               authed_async_handler([api, full = m == method::put](std::shared_ptr<http::exchange> ex,
                                                                   const auth::principal& who) {
                 patch_draft(*api, std::move(ex), who, full, 0);
               }),
               big);
  routes.add(method::delete_, "/api/drafts/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               delete_draft(*api, std::move(ex), who);
             }));
}

}  // namespace annot::host::api
