// Annotation routes: GET/POST /api/tasks/{id}/annotations, GET/PATCH/PUT/DELETE /api/annotations/{id} and
// POST /api/annotations/{id}/convert-to-draft.
// Every result is checked against the project's config before it is stored; the 201 is sent only
// after the write committed durably.
#include <algorithm>
#include <array>
#include <variant>

#include "api/drf_values.hpp"
#include "api/request_body.hpp"
#include "api/task_json.hpp"
#include "api/tasks_common.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

using namespace detail;

user_names names_of(store::read_context& r, std::span<const store::annotation> as) {
  user_names users;
  for (const auto& a : as) {
    if (!a.completed_by || users.count(*a.completed_by)) continue;
    auto u = r.get_user(*a.completed_by);
    users[*a.completed_by] = u ? created_username(*u) : std::string();
  }
  return users;
}

std::string one_annotation(store::read_context& r, const store::annotation& a) {
  auto users = names_of(r, std::span(&a, 1));
  std::string out;
  append_annotation(out, a, &users);
  return out;
}

// A written annotation with the names its JSON shows, read in the write unit. The JSON is made after the
// commit, off the store's writer: a large result's escaping held every other save up.
struct written_annotation {
  store::annotation a;
  user_names users;
};

std::string annotation_json(const written_annotation& w) {
  std::string out;
  append_annotation(out, w.a, &w.users);
  return out;
}

// Label Studio's ActionType (tasks/choices.py): the values Annotation.last_action takes.
constexpr std::array<std::string_view, 10> last_actions = {
    "prediction", "propagated_annotation", "imported",      "submitted", "updated", "skipped", "accepted",
    "rejected",   "fixed_and_accepted",    "deleted_review"};

// last_action as Django REST framework's ChoiceField reads it: null, or one of the choices (str() of the
// value, so 7 is "7" and refused).
std::optional<http::response> optional_last_action(const json& b,
                                                   std::optional<std::optional<std::string>>& out) {
  auto it = b.find("last_action");
  if (it == b.end()) return std::nullopt;
  if (it->is_null()) {
    out.emplace(std::nullopt);
    return std::nullopt;
  }
  std::string v = it->is_boolean() ? (it->get<bool>() ? "True" : "False")
                                   : drf::as_string(*it, false).value_or(it->dump());
  if (std::find(last_actions.begin(), last_actions.end(), v) == last_actions.end())
    return field_error("last_action", "\"" + v + "\" is not a valid choice.");
  out.emplace(std::move(v));
  return std::nullopt;
}

http::response list_annotations(task_api& api, http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "Task " + std::string(req.param("id")) + " not found");
  auto r = api.ctx.db.read();
  if (auto t = r->get_task(*id); !t)
    return t.error().code() == errc::not_found ? not_found("Task", *id) : store_error(t.error());
  auto anns = r->list_annotations(std::span(&*id, 1));
  if (!anns) return store_error(anns.error());
  // Skips are not annotations to this list (upstream filters was_cancelled=False); the task's own JSON
  // has them all.
  std::erase_if(*anns, [](const store::annotation& a) { return a.was_cancelled; });
  auto users = names_of(*r, *anns);
  return json_response(200, annotations_json(*anns, &users));
}

void create_annotation(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who,
                       int attempt) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "Task " + std::string(ex->req().param("id")) + " not found"));
  auto body = parse_object(ex->req(), {"result"});
  if (body.error) return ex->respond(std::move(*body.error));
  json& b = body.value;
  auto loaded = load_task(api, *id);
  if (auto* err = std::get_if<http::response>(&loaded)) return ex->respond(std::move(*err));
  auto& tc = std::get<task_context>(loaded);

  store::new_annotation a;
  a.task_id = *id;
  a.completed_by = who.user.id;
  json results = json::array();
  // Label Studio's perform_create names the caller as updated_by only when a result is sent, whoever
  // completed_by names; without one updated_by stays empty.
  a.updated_by = std::optional<std::int64_t>();
  if (auto it = b.find("result"); it != b.end() && !it->is_null()) {
    results = std::move(*it);  // a large result is not copied (read again only by a new attempt's parse)
    a.updated_by = std::optional<std::int64_t>(who.user.id);
  }
  std::optional<bool> cancelled, ground_truth;
  std::optional<std::optional<double>> lead_time;
  std::optional<std::optional<std::int64_t>> draft_id, parent_prediction, parent_annotation, completed_by;
  std::optional<std::optional<std::string>> last_action;
  for (auto bad :
       {get_bool(b, "was_cancelled", cancelled), get_bool(b, "ground_truth", ground_truth),
        get_number(b, "lead_time", lead_time), get_id(b, "draft_id", draft_id),
        get_id(b, "parent_prediction", parent_prediction), get_id(b, "parent_annotation", parent_annotation),
        get_id(b, "completed_by", completed_by), optional_last_action(b, last_action)})
    if (bad) return ex->respond(std::move(*bad));
  // Label Studio's data manager sends a skip as ?was_cancelled=1 (perform_create reads it from the query
  // with bool_from_request), and the query wins over the body.
  if (ex->req().query("was_cancelled")) {
    auto q = query_bool(ex->req(), "was_cancelled", false);
    if (!q) return ex->respond(http::error_response(400, q.error().message()));
    cancelled = *q;
  }
  if (cancelled.value_or(false) && tc.task.allow_skip == false)
    return ex->respond(field_error("was_cancelled", "This task cannot be skipped."));
  if (auto it = b.find("unique_id"); it != b.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().empty() || it->get_ref<const std::string&>().size() > 128)
      return ex->respond(field_error("unique_id", "Must be a non-empty string of at most 128 characters."));
    a.unique_id = it->get<std::string>();
  }
  // What the annotation starts from (the editor pre-fills it): its unchanged items keep their rule breaks.
  json kept;
  std::optional<store::timestamp> draft_created;
  {
    auto r = api.ctx.db.read();
    // Only the caller's own draft of this task may be consumed (upstream: PermissionDenied); one that is
    // gone already is ignored, and the annotation is saved.
    if (draft_id && *draft_id) {
      if (auto d = r->get_draft(**draft_id)) {
        if (d->task_id != *id || d->user_id != who.user.id)
          return ex->respond(
              http::error_response(403, "You have no permission to draft id:" + std::to_string(**draft_id)));
        draft_created = d->created_at;
      }
    }
    if (parent_prediction && *parent_prediction) {
      if (auto pr = r->get_prediction(**parent_prediction); pr && pr->task_id == *id)
        kept = parse_stored_json<json>(pr->result);
    } else if (parent_annotation && *parent_annotation) {
      if (auto pa = r->get_annotation(**parent_annotation); pa && pa->task_id == *id)
        kept = parse_stored_json<json>(pa->result);
    }
  }
  if (auto bad = check_results(api, tc.project, results, &tc.data, "result", false, &kept))
    return ex->respond(std::move(*bad));
  a.result = dump(results);
  a.was_cancelled = cancelled.value_or(false);
  a.ground_truth = ground_truth.value_or(false);
  if (lead_time) a.lead_time = *lead_time;
  if (draft_id) a.draft_id = *draft_id;
  if (parent_prediction) a.parent_prediction = *parent_prediction;
  if (parent_annotation) a.parent_annotation = *parent_annotation;
  if (completed_by) a.completed_by = *completed_by;
  if (last_action) a.last_action = *last_action;
  if (auto it = b.find("draft_created_at"); it != b.end() && it->is_string())
    a.draft_created_at = store::parse_iso8601(it->get<std::string>());
  if (!a.draft_created_at) a.draft_created_at = draft_created;  // when the work began

  submit_checked<written_annotation>(
      api.ctx, std::move(ex), tc.project, attempt,
      [&api, who](std::shared_ptr<http::exchange> ex, int attempt) {
        create_annotation(api, std::move(ex), who, attempt);
      },
      [a = std::move(a), check_user = completed_by && *completed_by, caller = who.user.id,
       caller_name = created_username(who.user)](store::write_context& w) -> result<written_annotation> {
        // The caller exists; a completed_by from the body must name a user.
        if (check_user) {
          if (auto u = w.get_user(*a.completed_by); !u)
            return status(errc::invalid_argument, "completed_by: user " + std::to_string(*a.completed_by) + " does not exist");
        }
        auto created = w.create_annotation(a);
        if (!created) return created.error();
        // The caller's own annotation: their name is known, the writer reads no user row.
        user_names users = created->completed_by == caller ? user_names{{caller, caller_name}}
                                                           : names_of(w, std::span(&*created, 1));
        return written_annotation{std::move(*created), std::move(users)};
      },
      [](written_annotation& w) { return json_response(201, annotation_json(w)); });
}

http::response get_annotation(task_api& api, http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "Annotation " + std::string(req.param("id")) + " not found");
  auto r = api.ctx.db.read();
  auto a = r->get_annotation(*id);
  if (!a) return a.error().code() == errc::not_found ? not_found("Annotation", *id) : store_error(a.error());
  return json_response(200, one_annotation(*r, *a));
}

// The annotation's updated_at an If-Match header names ("2021-03-09T22:16:08.728353Z", quoted or not, W/
// allowed); nothing without one or for "*".
std::optional<std::string> if_match_time(const http::request& req) {
  std::optional<std::string_view> h = req.headers.get("If-Match");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v == "*") return std::nullopt;
  return std::string(v);
}

// An update's answer: the annotation, or the updated_at it has when an If-Match named another (a 412).
struct patch_outcome {
  written_annotation written;
  std::optional<std::string> changed_at;
};

void patch_annotation(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who,
                      int attempt) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "Annotation " + std::string(ex->req().param("id")) + " not found"));
  // Two tabs or two people updating one annotation: the second update would silently replace the first. A
  // client that sends If-Match with the updated_at it loaded gets a 412 instead when the annotation changed
  // since (checked in the write unit, so no update slips between). Label Studio has no such check; without
  // the header nothing changes.
  std::optional<std::string> expected = if_match_time(ex->req());
  auto body = parse_object(ex->req(), {"result"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  store::annotation_patch patch;
  patch.updated_by = std::optional<std::int64_t>(who.user.id);
  for (auto bad :
       {get_bool(b, "was_cancelled", patch.was_cancelled), get_bool(b, "ground_truth", patch.ground_truth),
        get_number(b, "lead_time", patch.lead_time), get_id(b, "completed_by", patch.completed_by),
        optional_last_action(b, patch.last_action)})
    if (bad) return ex->respond(std::move(*bad));
  if (patch.was_cancelled.value_or(false)) {
    auto r = api.ctx.db.read();
    auto a = r->get_annotation(*id);
    if (!a)
      return ex->respond(a.error().code() == errc::not_found ? not_found("Annotation", *id)
                                                             : store_error(a.error()));
    auto t = r->get_task(a->task_id);
    if (!t) return ex->respond(store_error(t.error()));
    if (!a->was_cancelled && t->allow_skip == false)
      return ex->respond(field_error("was_cancelled", "This task cannot be skipped."));
  }
  std::optional<store::project> checked;  // the config the result was checked against
  if (auto it = b.find("result"); it != b.end()) {
    std::int64_t task_id = 0;
    json kept;  // the stored result: its unchanged items keep their rule breaks
    {
      auto a = api.ctx.db.read()->get_annotation(*id);
      if (!a) return ex->respond(a.error().code() == errc::not_found ? not_found("Annotation", *id) : store_error(a.error()));
      task_id = a->task_id;
      kept = parse_stored_json<json>(a->result);
    }
    auto loaded = load_task(api, task_id);
    if (auto* err = std::get_if<http::response>(&loaded)) return ex->respond(std::move(*err));
    auto& tc = std::get<task_context>(loaded);
    if (auto bad = check_results(api, tc.project, *it, &tc.data, "result", false, &kept))
      return ex->respond(std::move(*bad));
    patch.result = dump(*it);
    checked = std::move(tc.project);
  }
  auto unit = [id = *id, patch = std::move(patch),
               expected](store::write_context& w) -> result<patch_outcome> {
    if (expected) {
      auto current = w.get_annotation(id);
      if (!current) return current.error();
      std::string at;
      append_json_time(at, current->updated_at);
      at = at.substr(1, at.size() - 2);  // the JSON string's text
      if (at != *expected) return patch_outcome{{}, std::move(at)};
    }
    if (patch.completed_by && *patch.completed_by) {
      if (auto u = w.get_user(**patch.completed_by); !u)
        return status(errc::invalid_argument,
                      "completed_by: user " + std::to_string(**patch.completed_by) + " does not exist");
    }
    auto a = w.update_annotation(id, patch);
    if (!a) return a.error();
    user_names users = names_of(w, std::span(&*a, 1));
    return patch_outcome{written_annotation{std::move(*a), std::move(users)}, std::nullopt};
  };
  auto ok = [expected](patch_outcome& o) {
    if (o.changed_at)
      return http::error_response(412, "The annotation was changed since " + *expected +
                                           " (If-Match): it was updated at " + *o.changed_at +
                                           ". Reload it, or send the update without If-Match to replace it.");
    return json_response(200, annotation_json(o.written));
  };
  if (!checked) return submit_then<patch_outcome>(api.ctx, std::move(ex), std::move(unit), std::move(ok));
  submit_checked<patch_outcome>(
      api.ctx, std::move(ex), *checked, attempt,
      [&api, who](std::shared_ptr<http::exchange> ex, int attempt) {
        patch_annotation(api, std::move(ex), who, attempt);
      },
      std::move(unit), std::move(ok));
}

void delete_annotation(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal&) {
  delete_by_id(api, std::move(ex), "Annotation", &store::write_context::delete_annotation);
}

// POST /api/annotations/{id}/convert-to-draft: the annotation becomes the caller's draft of its task
// (its result and lead time, bound to no annotation) and is deleted, in one write unit, as Label
// Studio's AnnotationConvertAPI does. 201 with the draft.
void convert_to_draft(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who) {
  auto id = parse_id(ex->req().param("id"));
  if (!id)
    return ex->respond(
        http::error_response(404, "Annotation " + std::string(ex->req().param("id")) + " not found"));
  submit_then<store::draft>(
      api.ctx, std::move(ex),
      [id = *id, user = who.user.id](store::write_context& w) -> result<store::draft> {
        auto a = w.get_annotation(id);
        if (!a) return a.error();
        store::new_draft d;
        d.task_id = a->task_id;
        d.user_id = user;
        d.result = a->result;
        d.lead_time = a->lead_time;
        auto draft = w.create_draft(d);
        if (!draft) return draft.error();
        if (auto s = w.delete_annotation(id); !s.ok()) return s;
        return draft;
      },
      [me = name_of(who.user)](store::draft& d) {
        std::string out;
        append_draft(out, d, &me);
        return json_response(201, std::move(out));
      });
}

}  // namespace

void add_annotation_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  using http::method;
  const http::route_options big{.body_limit = 64 * 1024 * 1024};
  routes.add(method::get, "/api/tasks/{id}/annotations",
             authed_handler([api](http::request& req, const auth::principal&) { return list_annotations(*api, req); }));
  routes.add(method::post, "/api/tasks/{id}/annotations",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               create_annotation(*api, std::move(ex), who, 0);
             }),
             big);
  routes.add(method::get, "/api/annotations/{id}",
             authed_handler([api](http::request& req, const auth::principal&) { return get_annotation(*api, req); }));
  // PUT updates as PATCH does (Label Studio's views take both).
  for (auto m : {method::patch, method::put})
    routes.add(m, "/api/annotations/{id}",
               authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
                 patch_annotation(*api, std::move(ex), who, 0);
               }),
               big);
  routes.add(method::post, "/api/annotations/{id}/convert-to-draft",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               convert_to_draft(*api, std::move(ex), who);
             }));
  routes.add(method::delete_, "/api/annotations/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               delete_annotation(*api, std::move(ex), who);
             }));
}

}  // namespace annot::host::api
