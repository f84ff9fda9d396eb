// The data manager: GET /api/dm/columns, tabs (/api/dm/views CRUD, reset, order) and actions
// (GET/POST /api/dm/actions) on selectedItems. Bulk deletes run a bounded number of tasks per write
// unit and queue the next chunk after each commit, so other writers interleave.
#include <variant>

#include "api/drf_values.hpp"
#include "api/task_json.hpp"
#include "api/tasks_common.hpp"

namespace annot::host::api {
namespace {

using namespace detail;

constexpr std::int64_t action_chunk = 1000;  // tasks per write unit of a bulk action

std::string value_type_name(store::value_type t) {
  switch (t) {
    case store::value_type::number: return "Number";
    case store::value_type::datetime: return "Datetime";
    case store::value_type::boolean: return "Boolean";
    case store::value_type::list: return "List";
    case store::value_type::string: break;
  }
  return "String";
}

// The project named by ?project=, or the error response.
std::variant<store::project, http::response> project_param(task_api& api, const http::request& req) {
  auto pid = query_int(req, "project", 1);
  if (pid.error) return std::move(*pid.error);
  if (!pid.value) return field_error("project", "This field is required.");
  auto p = api.ctx.db.read()->get_project(*pid.value);
  if (!p) return p.error().code() == errc::not_found ? not_found("Project", *pid.value) : store_error(p.error());
  return std::move(*p);
}

http::response columns(task_api& api, http::request& req) {
  auto p = project_param(api, req);
  if (auto* err = std::get_if<http::response>(&p)) return std::move(*err);
  const auto& project = std::get<store::project>(p);
  // Data columns: the config's keys (typed by their object tag), then keys only tasks have.
  std::vector<std::pair<std::string, std::string>> data_cols;
  auto types = json::parse(project.data_types, nullptr, false);
  if (types.is_object())
    for (auto& [k, v] : types.items()) data_cols.emplace_back(k, v.is_string() ? v.get<std::string>() : "String");
  if (auto summary = api.ctx.db.read()->get_project_summary(project.id)) {
    for (const auto& [k, n] : summary->all_data_columns) {
      bool known = false;
      for (const auto& d : data_cols) known = known || d.first == k;
      if (!known) data_cols.emplace_back(k, "Unknown");
    }
  }
  json cols = json::array();
  for (const auto& c : store::task_columns()) {
    if (c.id == "comments") continue;  // an alias of comment_count for filters
    cols.push_back({{"id", c.id},
                    {"title", c.title},
                    {"type", value_type_name(c.type)},
                    {"target", "tasks"},
                    {"orderable", c.orderable},
                    {"visibility_defaults", {{"explore", true}, {"labeling", false}}}});
  }
  json children = json::array();
  for (const auto& [k, t] : data_cols) children.push_back(k);
  cols.push_back({{"id", "data"}, {"title", "data"}, {"type", "List"}, {"target", "tasks"}, {"children", children}});
  for (const auto& [k, t] : data_cols) {
    cols.push_back({{"id", k},
                    {"title", k},
                    {"type", t},
                    {"target", "tasks"},
                    {"parent", "data"},
                    {"visibility_defaults", {{"explore", true}, {"labeling", true}}}});
  }
  return json_response(200, dump(json{{"columns", std::move(cols)}}));
}

void append_view(std::string& out, const store::view& v) {
  out += "{\"id\":" + std::to_string(v.id);
  out += ",\"data\":";
  out += v.data.empty() ? std::string("{}") : v.data;
  out += ",\"order\":" + std::to_string(v.order);
  out += ",\"user\":";
  out += v.user_id ? std::to_string(*v.user_id) : std::string("null");
  out += ",\"project\":" + std::to_string(v.project_id);
  out += ",\"created_at\":";
  append_json_time(out, v.created_at);
  out += ",\"updated_at\":";
  append_json_time(out, v.updated_at);
  out += '}';
}

std::string view_json(const store::view& v) {
  std::string out;
  append_view(out, v);
  return out;
}

// A view's data must be an object whose filters and ordering the data manager understands.
std::optional<http::response> check_view_data(std::int64_t project_id, const json& data) {
  if (!data.is_object()) return field_error("data", "Expected a dictionary of items.");
  auto q = store::parse_dm_query(project_id, dump(data));
  if (!q) return field_error("data", q.error().message());
  return std::nullopt;
}

http::response list_views(task_api& api, http::request& req) {
  auto p = project_param(api, req);
  if (auto* err = std::get_if<http::response>(&p)) return std::move(*err);
  auto views = api.ctx.db.read()->list_views(std::get<store::project>(p).id);
  if (!views) return store_error(views.error());
  std::string out = "[";
  for (std::size_t i = 0; i < views->size(); ++i) {
    if (i) out += ',';
    append_view(out, (*views)[i]);
  }
  out += ']';
  return json_response(200, std::move(out));
}

void create_view(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who) {
  auto body = parse_object(ex->req(), {"data", "ids"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  auto proj = b.find("project");
  const std::optional<std::int64_t> pid = proj == b.end() ? std::nullopt : drf::as_pk(*proj);
  if (!pid) return ex->respond(field_error("project", "This field is required (a project id)."));
  store::new_view v;
  v.project_id = *pid;
  v.user_id = who.user.id;
  json data = json::object();
  if (auto d = b.find("data"); d != b.end()) data = *d;
  if (auto bad = check_view_data(v.project_id, data)) return ex->respond(std::move(*bad));
  v.data = dump(data);
  if (auto o = b.find("order"); o != b.end() && !o->is_null()) {
    auto n = drf::as_int(*o);
    if (!n) return ex->respond(field_error("order", "A valid integer is required."));
    v.order = *n;
  }
  submit_then<store::view>(
      api.ctx, std::move(ex),
      [v = std::move(v)](store::write_context& w) -> result<store::view> {
        if (auto p = w.get_project(v.project_id); !p)
          return status(errc::invalid_argument, "project: Invalid pk \"" + std::to_string(v.project_id) + "\" - object does not exist.");
        return w.create_view(v);
      },
      [](store::view& v) { return json_response(201, view_json(v)); });
}

http::response get_view(task_api& api, http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "View " + std::string(req.param("id")) + " not found");
  auto v = api.ctx.db.read()->get_view(*id);
  if (!v) return v.error().code() == errc::not_found ? not_found("View", *id) : store_error(v.error());
  return json_response(200, view_json(*v));
}

void update_view(task_api& api, std::shared_ptr<http::exchange> ex, bool replace) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "View " + std::string(ex->req().param("id")) + " not found"));
  auto body = parse_object(ex->req(), {"data", "ids"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  auto current = api.ctx.db.read()->get_view(*id);
  if (!current)
    return ex->respond(current.error().code() == errc::not_found ? not_found("View", *id) : store_error(current.error()));
  store::view_patch patch;
  if (auto d = b.find("data"); d != b.end()) {
    if (auto bad = check_view_data(current->project_id, *d)) return ex->respond(std::move(*bad));
    // Label Studio keeps a view's filters, ordering and selection apart from its data, and an update
    // that does not name them keeps them (ViewSerializer.update): renaming a tab leaves its filters.
    json merged = *d;
    if (merged.is_object()) {
      const json was = json::parse(current->data, nullptr, false);
      for (const char* kept : {"filters", "ordering", "selectedItems"})
        if (!merged.contains(kept) && was.is_object() && was.contains(kept)) merged[kept] = was[kept];
    }
    patch.data = dump(merged);
  } else if (replace) {
    return ex->respond(field_error("data", "This field is required."));
  }
  if (auto o = b.find("order"); o != b.end() && !o->is_null()) {
    auto n = drf::as_int(*o);
    if (!n) return ex->respond(field_error("order", "A valid integer is required."));
    patch.order = *n;
  }
  submit_then<store::view>(
      api.ctx, std::move(ex), [id = *id, patch](store::write_context& w) { return w.update_view(id, patch); },
      [](store::view& v) { return json_response(200, view_json(v)); });
}

void delete_view(task_api& api, std::shared_ptr<http::exchange> ex) {
  delete_by_id(api, std::move(ex), "View", &store::write_context::delete_view);
}

void reset_views(task_api& api, std::shared_ptr<http::exchange> ex) {
  auto p = project_param(api, ex->req());
  if (auto* err = std::get_if<http::response>(&p)) return ex->respond(std::move(*err));
  api.ctx.db.submit([pid = std::get<store::project>(p).id](store::write_context& w) { return w.delete_project_views(pid); },
                    [ex = std::move(ex)](const status& s) {
                      ex->respond(s.ok() ? http::response::empty(204) : store_error(s));
                    });
}

void order_views(task_api& api, std::shared_ptr<http::exchange> ex) {
  auto body = parse_object(ex->req(), {"data", "ids"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  auto proj = b.find("project");
  const std::optional<std::int64_t> pid = proj == b.end() ? std::nullopt : drf::as_pk(*proj);
  if (!pid) return ex->respond(field_error("project", "This field is required (a project id)."));
  auto ids_it = b.find("ids");
  if (ids_it == b.end() || !ids_it->is_array()) return ex->respond(field_error("ids", "Expected a list of view ids."));
  std::vector<std::int64_t> ids;
  for (const auto& v : *ids_it) {
    auto id = drf::as_pk(v);
    if (!id) return ex->respond(field_error("ids", "Expected a list of view ids."));
    ids.push_back(*id);
  }
  api.ctx.db.submit(
      [pid = *pid, ids](store::write_context& w) { return w.reorder_views(pid, ids); },
      [ex = std::move(ex)](const status& s) {
        ex->respond(s.ok() ? json_response(200, "{\"detail\":\"Views reordered\"}") : store_error(s));
      });
}

// ---- actions ------------------------------------------------------------------------------------

struct action_info {
  const char* id;
  const char* title;
  const char* noun;  // what it counts in its answer
  int order;
  bool dialog;
};

constexpr action_info actions[] = {
    {"delete_tasks", "Delete tasks", "tasks", 100, true},
    {"delete_tasks_annotations", "Delete annotations", "annotations", 101, true},
    {"delete_tasks_predictions", "Delete predictions", "predictions", 102, true},
    {"delete_tasks_drafts", "Delete drafts", "drafts", 103, true},
};

const action_info* find_action(std::string_view id) {
  for (const auto& a : actions)
    if (id == a.id) return &a;
  return nullptr;
}

http::response list_actions(task_api& api, http::request& req) {
  if (req.query("project")) {
    auto p = project_param(api, req);
    if (auto* err = std::get_if<http::response>(&p)) return std::move(*err);
  }
  json out = json::array();
  for (const auto& a : actions) {
    json item = {{"id", a.id}, {"title", a.title}, {"order", a.order}, {"permission", "tasks.delete"},
                 {"experimental", false}, {"hidden", false}};
    if (a.dialog)
      item["dialog"] = {{"text", std::string("You are going to delete the selected ") + a.noun +
                                     ". Please confirm your action."},
                        {"type", "confirm"}};
    out.push_back(std::move(item));
  }
  return json_response(200, dump(out));
}

// Runs one bulk delete chunk by chunk: each chunk is a unit; the next is queued from the previous
// one's commit callback.
struct chunked_action : std::enable_shared_from_this<chunked_action> {
  api_context* ctx = nullptr;
  std::shared_ptr<http::exchange> ex;
  const action_info* action = nullptr;
  store::task_selection selection;
  std::optional<std::int64_t> annotator;  // delete_tasks_annotations: only this user's
  bool drafts_pass = false;               // delete_tasks_annotations' second pass: drafts left on tasks
  std::int64_t processed = 0;

  result<std::int64_t> run_chunk(store::write_context& w) const {
    std::string_view id = action->id;
    if (id == "delete_tasks") return w.delete_tasks(selection, action_chunk);
    if (id == "delete_tasks_annotations")
      return drafts_pass ? w.delete_drafts(selection, action_chunk, annotator)
                         : w.delete_annotations(selection, action_chunk, annotator);
    if (id == "delete_tasks_predictions") return w.delete_predictions(selection, action_chunk);
    return w.delete_drafts(selection, action_chunk);
  }

  void step() {
    auto self = shared_from_this();
    ctx->db.submit<std::int64_t>([self](store::write_context& w) { return self->run_chunk(w); },
                                 [self](result<std::int64_t> n) {
                                   if (!n) return self->ex->respond(store_error(n.error()));
                                   if (!self->drafts_pass) self->processed += *n;
                                   if (*n > 0) return self->step();
                                   // Label Studio removes the tasks' drafts with their annotations,
                                   // task-level ones too.
                                   if (std::string_view(self->action->id) == "delete_tasks_annotations" &&
                                       !self->drafts_pass) {
                                     self->drafts_pass = true;
                                     return self->step();
                                   }
                                   self->finish();
                                 });
  }

  void finish() {
    json out = {{"processed_items", processed}};
    if (std::string_view(action->id) == "delete_tasks") out["reload"] = true;
    else out["detail"] = "Deleted " + std::to_string(processed) + " " + action->noun;
    ex->respond(json_response(200, dump(out)));
  }
};

void run_action(task_api& api, std::shared_ptr<http::exchange> ex) {
  auto& req = ex->req();
  auto id = req.query("id");
  if (!id || id->empty()) return ex->respond(http::error_response(422, "'id' parameter is required"));
  const action_info* action = find_action(*id);
  if (!action) return ex->respond(http::error_response(404, "Can't find an action with id " + *id));
  auto p = project_param(api, req);
  if (auto* err = std::get_if<http::response>(&p)) return ex->respond(std::move(*err));
  const std::int64_t pid = std::get<store::project>(p).id;
  auto body = parse_object(req, {"selectedItems", "filters", "ordering"});
  if (body.error) return ex->respond(std::move(*body.error));
  // Label Studio's get_prepare_params: a view (`view` in the query or the body) decides the tasks with
  // its own filters and saved selection (all of its tasks without one); the body's are then ignored.
  std::optional<std::int64_t> view_id;
  if (auto v = req.query("view"); v && !v->empty() && *v != "0") {
    view_id = parse_id(*v);
    if (!view_id) return ex->respond(field_error("view", "A valid integer is required."));
  } else if (auto b = body.value.find("view"); b != body.value.end() && !b->is_null()) {
    view_id = drf::as_int(*b);
    if (!view_id) return ex->respond(field_error("view", "A valid integer is required."));
    if (*view_id <= 0) view_id.reset();
  }
  result<store::task_query> q = store::task_query{};
  if (view_id) {
    auto v = api.ctx.db.read()->get_view(*view_id);
    if (!v)
      return ex->respond(v.error().code() == errc::not_found ? not_found("View", *view_id)
                                                             : store_error(v.error()));
    if (v->project_id != pid) return ex->respond(http::error_response(400, "Project and View mismatch"));
    q = store::parse_dm_query(pid, v->data);
  } else {
    if (!body.value.contains("selectedItems"))
      return ex->respond(field_error("selectedItems",
                                     "This field is required: {\"all\": false, \"included\": [...]} or "
                                     "{\"all\": true, \"excluded\": [...]}."));
    q = store::parse_dm_query(pid, dump(body.value));
  }
  if (!q) return ex->respond(http::error_response(400, q.error().message()));
  auto job = std::make_shared<chunked_action>();
  // delete_tasks_annotations' dialog sends the annotator whose annotations go.
  if (auto a = body.value.find("annotator"); std::string_view(action->id) == "delete_tasks_annotations" &&
                                             a != body.value.end() && !a->is_null() &&
                                             !(a->is_string() && a->get_ref<const std::string&>().empty())) {
    job->annotator = drf::as_pk(*a);
    if (!job->annotator) return ex->respond(field_error("annotator", "A valid user id is required."));
  }
  job->ctx = &api.ctx;
  job->ex = std::move(ex);
  job->action = action;
  job->selection = std::move(q->selection);
  job->step();
}

}  // namespace

void add_dm_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  using http::method;
  routes.add(method::get, "/api/dm/columns",
             authed_handler([api](http::request& req, const auth::principal&) { return columns(*api, req); }));
  routes.add(method::get, "/api/dm/views",
             authed_handler([api](http::request& req, const auth::principal&) { return list_views(*api, req); }));
  routes.add(method::post, "/api/dm/views",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               create_view(*api, std::move(ex), who);
             }));
  routes.add(method::delete_, "/api/dm/views/reset",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               reset_views(*api, std::move(ex));
             }));
  routes.add(method::post, "/api/dm/views/order",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               order_views(*api, std::move(ex));
             }));
  routes.add(method::get, "/api/dm/views/{id}",
             authed_handler([api](http::request& req, const auth::principal&) { return get_view(*api, req); }));
  routes.add(method::patch, "/api/dm/views/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               update_view(*api, std::move(ex), false);
             }));
  routes.add(method::put, "/api/dm/views/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               update_view(*api, std::move(ex), true);
             }));
  routes.add(method::delete_, "/api/dm/views/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               delete_view(*api, std::move(ex));
             }));
  routes.add(method::get, "/api/dm/actions",
             authed_handler([api](http::request& req, const auth::principal&) { return list_actions(*api, req); }));
  routes.add(method::post, "/api/dm/actions",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               run_action(*api, std::move(ex));
             }),
             http::route_options{.body_limit = 64 * 1024 * 1024});
}

}  // namespace annot::host::api
