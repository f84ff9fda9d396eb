// Prediction routes: POST/GET /api/predictions, GET/PUT/PATCH/DELETE /api/predictions/{id},
// POST /api/projects/{id}/import/predictions and GET /api/projects/{id}/model-versions. Shorthand
// results (a dict, a string or a number) are expanded as Label Studio's prepare_prediction_result does.
#include <unordered_map>
#include <variant>

#include "api/drf_values.hpp"
#include "api/request_body.hpp"
#include "api/task_json.hpp"
#include "api/tasks_common.hpp"
#include "config/prediction_shorthand.hpp"

namespace annot::host::api {
namespace {

using namespace detail;

// Expands a shorthand prediction result in place (spec §2.3); lists are left as they are.
void expand_shorthand(task_api& api, const store::project& p, json& result) {
  if (result.is_array() || result.is_null()) return;
  if (auto model = api.configs.get(p)) config::expand_prediction_shorthand(*model, result);
}

std::optional<http::response> get_score(const json& b, std::optional<std::optional<double>>& out, bool coerce) {
  auto it = b.find("score");
  if (it == b.end()) return std::nullopt;
  if (it->is_null()) {
    out.emplace(std::nullopt);
  } else if (auto v = drf::as_float(*it)) {
    out.emplace(*v);
  } else if (coerce) {
    out.emplace(std::nullopt);  // Label Studio's import coerces with float(); a bad value becomes null
  } else {
    return field_error("score", "A valid number is required.");
  }
  return std::nullopt;
}

std::string one_prediction(const store::prediction& p) {
  std::string out;
  append_prediction(out, p);
  return out;
}

// Reads the optional fields shared by create and update into a patch.
std::optional<http::response> prediction_fields(const json& b, store::prediction_patch& patch) {
  if (auto bad = get_score(b, patch.score, false)) return bad;
  if (auto it = b.find("model_version"); it != b.end()) {
    // A null stored as "" (the column is text); numbers are taken as their text, as CharField does.
    auto s = drf::as_string(*it, true);
    if (!s) return field_error("model_version", "Not a valid string.");
    patch.model_version = std::move(*s);
  }
  if (auto bad = get_id(b, "cluster", patch.cluster)) return bad;
  if (auto it = b.find("neighbors"); it != b.end()) {
    if (it->is_null()) patch.neighbors.emplace(std::nullopt);
    else patch.neighbors.emplace(dump(*it));
  }
  if (auto it = b.find("mislabeling"); it != b.end()) {
    auto v = drf::as_float(*it);
    if (!v) return field_error("mislabeling", "A valid number is required.");
    patch.mislabeling = *v;
  }
  return std::nullopt;
}

// The "task" of a create or an update: a task's pk, which must exist (the 400s PrimaryKeyRelatedField gives).
std::variant<task_context, http::response> prediction_task(task_api& api, const json& value) {
  const std::optional<std::int64_t> pk = drf::as_pk(value);
  if (!pk)
    return field_error("task",
                       std::string("Incorrect type. Expected pk value, received ") + drf::python_type(value) + ".");
  auto loaded = load_task(api, *pk);
  if (auto* err = std::get_if<http::response>(&loaded); err && err->status == 404)
    return field_error("task", "Invalid pk \"" + std::to_string(*pk) + "\" - object does not exist.");
  return loaded;
}

void create_prediction(task_api& api, std::shared_ptr<http::exchange> ex) {
  auto body = parse_object(ex->req(), {"result", "neighbors"});
  if (body.error) return ex->respond(std::move(*body.error));
  json& b = body.value;
  // PredictionSerializer requires both (result is a plain JSONField there); one 400 names every one missing.
  nlohmann::json missing = nlohmann::json::object();
  require_field(b, "task", missing);
  require_field(b, "result", missing);
  if (auto bad = fields_error(missing)) return ex->respond(std::move(*bad));
  auto loaded = prediction_task(api, b["task"]);
  if (auto* err = std::get_if<http::response>(&loaded)) return ex->respond(std::move(*err));
  auto& tc = std::get<task_context>(loaded);
  const std::int64_t task_id = tc.task.id;
  store::prediction_patch fields;
  if (auto bad = prediction_fields(b, fields)) return ex->respond(std::move(*bad));
  json results = b["result"];
  expand_shorthand(api, tc.project, results);
  if (auto bad = check_results(api, tc.project, results, &tc.data, "result", false)) return ex->respond(std::move(*bad));
  store::new_prediction p;
  p.task_id = task_id;
  p.model_version.clear();  // Prediction.model_version defaults to "" (the import's default is "undefined")
  p.result = dump(results);
  if (fields.score) p.score = *fields.score;
  if (fields.model_version) p.model_version = *fields.model_version;
  if (fields.cluster) p.cluster = *fields.cluster;
  if (fields.neighbors) p.neighbors = *fields.neighbors;
  if (fields.mislabeling) p.mislabeling = *fields.mislabeling;
  if (auto it = b.find("model_run"); it != b.end() && it->is_number_integer()) p.model_run = it->get<std::int64_t>();
  submit_then<store::prediction>(
      api.ctx, std::move(ex), [p = std::move(p)](store::write_context& w) { return w.create_prediction(p); },
      [](store::prediction& p) { return json_response(201, one_prediction(p)); });
}

http::response list_predictions(task_api& api, http::request& req) {
  auto task = query_int(req, "task", 1);
  if (task.error) return *task.error;
  auto project = query_int(req, "project", 1);
  if (project.error) return *project.error;
  // task__project is Label Studio's other spelling of the project filter (filterset_fields).
  auto task_project = query_int(req, "task__project", 1);
  if (task_project.error) return *task_project.error;
  if (project.value && task_project.value && *project.value != *task_project.value)
    return json_response(200, "[]");  // both filters apply: no prediction is in two projects
  store::prediction_filter f;
  f.task_id = task.value;
  f.project_id = project.value ? project.value : task_project.value;
  if (auto mv = req.query("model_version")) f.model_version = *mv;
  auto ps = api.ctx.db.read()->list_predictions(f);
  if (!ps) return store_error(ps.error());
  return json_response(200, predictions_json(*ps));
}

http::response get_prediction(task_api& api, http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "Prediction " + std::string(req.param("id")) + " not found");
  auto p = api.ctx.db.read()->get_prediction(*id);
  if (!p) return p.error().code() == errc::not_found ? not_found("Prediction", *id) : store_error(p.error());
  return json_response(200, one_prediction(*p));
}

// PATCH changes the fields given; PUT (`full`) is the serializer's full update, so it requires what a
// create requires (task and result) and leaves the other fields as they are when absent, as Django REST
// framework does. A "task" other than the prediction's own moves it there.
void update_prediction(task_api& api, std::shared_ptr<http::exchange> ex, bool full) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "Prediction " + std::string(ex->req().param("id")) + " not found"));
  auto body = parse_object(ex->req(), {"result", "neighbors"});
  if (body.error) return ex->respond(std::move(*body.error));
  json& b = body.value;
  if (full) {
    nlohmann::json missing = nlohmann::json::object();
    require_field(b, "task", missing);
    require_field(b, "result", missing);
    if (auto bad = fields_error(missing)) return ex->respond(std::move(*bad));
  }
  store::prediction_patch patch;
  if (auto bad = prediction_fields(b, patch)) return ex->respond(std::move(*bad));
  auto task = b.find("task");
  auto result = b.find("result");
  if (task != b.end() || result != b.end()) {
    auto p = api.ctx.db.read()->get_prediction(*id);
    if (!p) return ex->respond(p.error().code() == errc::not_found ? not_found("Prediction", *id) : store_error(p.error()));
    auto loaded = task != b.end() ? prediction_task(api, *task) : load_task(api, p->task_id);
    if (auto* err = std::get_if<http::response>(&loaded)) return ex->respond(std::move(*err));
    auto& tc = std::get<task_context>(loaded);
    const bool moves = tc.task.id != p->task_id;
    // A moved prediction keeps its result only if that result fits the task it moves to.
    json kept = result == b.end() && moves ? parse_stored_json<json>(p->result, json::array()) : json();
    if (result != b.end() || moves) {
      json& checked = result != b.end() ? *result : kept;
      expand_shorthand(api, tc.project, checked);
      if (auto bad = check_results(api, tc.project, checked, &tc.data, "result", false))
        return ex->respond(std::move(*bad));
    }
    if (result != b.end()) patch.result = dump(*result);
    if (moves) patch.task_id = tc.task.id;
  }
  submit_then<store::prediction>(
      api.ctx, std::move(ex), [id = *id, patch](store::write_context& w) { return w.update_prediction(id, patch); },
      [](store::prediction& p) { return json_response(200, one_prediction(p)); });
}

void delete_prediction(task_api& api, std::shared_ptr<http::exchange> ex) {
  delete_by_id(api, std::move(ex), "Prediction", &store::write_context::delete_prediction);
}

void import_predictions(task_api& api, std::shared_ptr<http::exchange> ex) {
  auto pid = parse_id(ex->req().param("id"));
  if (!pid) return ex->respond(http::error_response(404, "Project " + std::string(ex->req().param("id")) + " not found"));
  auto parsed = parse_json_body<json>(ex->req().body);
  if (!parsed) return ex->respond(http::error_response(400, parsed.error().message()));
  json& body = *parsed;
  if (!body.is_array()) return ex->respond(http::error_response(400, "Expected a list of predictions"));
  std::vector<store::new_prediction> out;
  out.reserve(body.size());
  {
    auto r = api.ctx.db.read();
    auto p = r->get_project(*pid);
    if (!p) return ex->respond(p.error().code() == errc::not_found ? not_found("Project", *pid) : store_error(p.error()));
    // One read for every task named.
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < body.size(); ++i) {
      const json& item = body[i];
      const std::string at = "[" + std::to_string(i) + "]";
      if (!item.is_object()) return ex->respond(http::error_response(400, at + ": a prediction must be an object"));
      auto t = item.find("task");
      if (t == item.end() || !t->is_number_integer() || t->get<std::int64_t>() <= 0)
        return ex->respond(field_error(at + ".task", "This field is required (a task id)."));
      ids.push_back(t->get<std::int64_t>());
    }
    auto tasks = r->get_tasks(ids);
    if (!tasks) return ex->respond(store_error(tasks.error()));
    std::unordered_map<std::int64_t, const store::task*> by_id;
    for (const auto& t : *tasks) by_id[t.id] = &t;
    for (std::size_t i = 0; i < body.size(); ++i) {
      json& item = body[i];
      const std::string at = "[" + std::to_string(i) + "]";
      auto it = by_id.find(ids[i]);
      if (it == by_id.end() || it->second->project_id != *pid)
        return ex->respond(field_error(at + ".task", "task " + std::to_string(ids[i]) + " is not in project " +
                                                         std::to_string(*pid)));
      json results = item.contains("result") ? item["result"] : json::array();
      expand_shorthand(api, *p, results);
      const auto data = parse_stored_json<nlohmann::json>(it->second->data, nlohmann::json::value_t::discarded);
      if (auto bad = check_results(api, *p, results, data.is_discarded() ? nullptr : &data, at + ".result", false))
        return ex->respond(std::move(*bad));
      store::new_prediction np;
      np.task_id = ids[i];
      np.result = dump(results);
      std::optional<std::optional<double>> score;
      get_score(item, score, true);
      if (score) np.score = *score;
      if (auto mv = item.find("model_version"); mv != item.end() && mv->is_string()) np.model_version = mv->get<std::string>();
      out.push_back(std::move(np));
    }
  }
  submit_then<std::int64_t>(
      api.ctx, std::move(ex),
      [pid = *pid, out = std::move(out)](store::write_context& w) -> result<std::int64_t> {
        auto ids = w.create_predictions(out);
        if (!ids) return ids.error();
        // As on import: the project's model_version follows the last prediction when it was empty.
        if (!out.empty()) {
          auto p = w.get_project(pid);
          if (p && p->model_version.empty()) {
            store::project_fields f;
            f.model_version = out.back().model_version;
            if (auto u = w.update_project(pid, f); !u) return u.error();
          }
        }
        return std::int64_t(ids->size());
      },
      [](std::int64_t& n) { return json_response(201, "{\"created\":" + std::to_string(n) + "}"); });
}

http::response model_versions(task_api& api, http::request& req) {
  auto pid = parse_id(req.param("id"));
  if (!pid) return http::error_response(404, "Project " + std::string(req.param("id")) + " not found");
  auto r = api.ctx.db.read();
  if (auto p = r->get_project(*pid); !p)
    return p.error().code() == errc::not_found ? not_found("Project", *pid) : store_error(p.error());
  auto versions = r->model_versions(*pid);
  if (!versions) return store_error(versions.error());
  // {model_version: prediction count}, most used first.
  json out = json::object();
  for (const auto& v : *versions) out[v.model_version] = v.count;
  return json_response(200, dump(out));
}

}  // namespace

void add_prediction_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  using http::method;
  const http::route_options big{.body_limit = 64 * 1024 * 1024};
  auto update = [api](bool full) {
    return authed_async_handler([api, full](std::shared_ptr<http::exchange> ex, const auth::principal&) {
      update_prediction(*api, std::move(ex), full);
    });
  };
  routes.add(method::post, "/api/predictions",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               create_prediction(*api, std::move(ex));
             }),
             big);
  routes.add(method::get, "/api/predictions",
             authed_handler([api](http::request& req, const auth::principal&) { return list_predictions(*api, req); }));
  routes.add(method::get, "/api/predictions/{id}",
             authed_handler([api](http::request& req, const auth::principal&) { return get_prediction(*api, req); }));
  routes.add(method::patch, "/api/predictions/{id}", update(false), big);
  routes.add(method::put, "/api/predictions/{id}", update(true), big);
  routes.add(method::delete_, "/api/predictions/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               delete_prediction(*api, std::move(ex));
             }));
  routes.add(method::post, "/api/projects/{id}/import/predictions",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               import_predictions(*api, std::move(ex));
             }),
             http::route_options{.body_limit = 256 * 1024 * 1024, .offload = true});
  routes.add(method::get, "/api/projects/{id}/model-versions",
             authed_handler([api](http::request& req, const auth::principal&) { return model_versions(*api, req); }));
}

}  // namespace annot::host::api
