// Task routes: the data manager's GET /api/tasks (filters, ordering, query, pages), task CRUD, and
// the deprecated bare list GET /api/projects/{id}/tasks (+ DELETE, chunked).
#include <algorithm>
#include <filesystem>
#include <limits>
#include <unordered_set>

#include "api/drf_values.hpp"
#include "api/task_json.hpp"
#include "api/tasks_common.hpp"
#include "config/task_data.hpp"

namespace annot::host::api {

using detail::json;

namespace detail {

namespace {

// The data-manager JSON of tasks from their rows and details: "[...]" or one "{...}".
// `draft_user`: the user whose drafts `d` holds (none when it holds none).
void append_dm_tasks(std::string& out, std::span<const store::task> tasks, const store::task_details& d,
                     bool embed, const store::user_name* draft_user, std::string_view undefined_data_key) {
  user_names users;
  if (embed)
    for (const auto& u : d.annotators) users[u.id] = created_username(u);
  // Each list is by task then id, in the store's order of task ids; walk them by task id.
  auto by_task = [](const auto& v, std::int64_t id) {
    auto lo = std::find_if(v.begin(), v.end(), [id](const auto& x) { return x.task_id == id; });
    auto hi = std::find_if(lo, v.end(), [id](const auto& x) { return x.task_id != id; });
    return std::span(lo, hi);
  };
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    dm_task_parts parts;
    parts.annotations = by_task(d.annotations, t.id);
    parts.predictions = by_task(d.predictions, t.id);
    parts.drafts = by_task(d.drafts, t.id);
    parts.users = &users;
    parts.draft_user = draft_user;
    parts.undefined_data_key = undefined_data_key;
    parts.embed = embed;
    std::string upload_name;
    if (t.file_upload_id) {
      auto f = std::lower_bound(d.upload_files.begin(), d.upload_files.end(), *t.file_upload_id,
                                [](const auto& e, std::int64_t id) { return e.first < id; });
      if (f != d.upload_files.end() && f->first == *t.file_upload_id)
        upload_name = std::filesystem::path(f->second).filename().string();
    }
    parts.file_upload_name = upload_name;
    if (i) out += ',';
    append_dm_task(out, t, parts);
  }
}

// The user row of the drafts in `d` (id 0 when there are none): read only when there are drafts.
result<store::user_name> draft_author(store::read_context& r, const store::task_details& d,
                                      std::optional<std::int64_t> draft_user) {
  if (d.drafts.empty() || !draft_user) return store::user_name{};
  auto u = r.get_user(*draft_user);
  if (!u) return u.error();
  return name_of(*u);
}

}  // namespace

result<std::string> undefined_data_key(task_api& api, store::read_context& r,
                                       std::span<const store::task> tasks) {
  const auto has = [](const store::task& t) { return t.data.find("\"$undefined$\"") != std::string::npos; };
  auto t = std::find_if(tasks.begin(), tasks.end(), has);
  if (t == tasks.end()) return std::string();
  auto p = r.get_project(t->project_id);
  if (!p) return p.error();
  auto model = api.configs.get(*p);
  if (!model) return std::string();
  auto keys = config::required_data_keys(*model);
  return keys.empty() ? std::string() : keys.front();
}

result<std::string> dm_tasks_json(task_api& api, store::read_context& r, std::span<const store::task> tasks,
                                  bool embed, std::optional<std::int64_t> draft_user) {
  auto details = r.get_task_details(tasks, draft_user);
  if (!details) return details.error();
  auto author = draft_author(r, *details, draft_user);
  if (!author) return author.error();
  auto key = undefined_data_key(api, r, tasks);
  if (!key) return key.error();
  std::string out = "[";
  out.reserve(tasks.size() * 512);
  append_dm_tasks(out, tasks, *details, embed, author->id ? &*author : nullptr, *key);
  out += ']';
  return out;
}

result<std::string> dm_task_json(task_api& api, store::read_context& r, const store::task& t,
                                 std::optional<std::int64_t> draft_user) {
  auto details = r.get_task_details(std::span(&t, 1), draft_user);
  if (!details) return details.error();
  auto author = draft_author(r, *details, draft_user);
  if (!author) return author.error();
  auto key = undefined_data_key(api, r, std::span(&t, 1));
  if (!key) return key.error();
  std::string out;
  append_dm_tasks(out, std::span(&t, 1), *details, true, author->id ? &*author : nullptr, *key);
  return out;
}

}  // namespace detail

namespace {

using namespace detail;

std::string plain_task(const store::task& t) {
  std::string out;
  append_task(out, t);
  return out;
}

// Label Studio's task-data check for a project's config; nullopt when the data fits.
std::optional<http::response> check_data(task_api& api, const store::project& p, const json& data) {
  auto model = api.configs.get(p);
  if (!model) return std::nullopt;
  auto problems = config::check_task_data(*model, nlohmann::json(data));
  if (problems.empty()) return std::nullopt;
  return field_error("data", problems.front());
}

http::response list_tasks(task_api& api, http::request& req, const auth::principal& who) {
  auto project_param = query_int(req, "project", 1);
  if (project_param.error) return *project_param.error;
  auto view_param = query_int(req, "view", 1);
  if (view_param.error) return *view_param.error;
  // Django REST framework's PageNumberPagination: an empty page is the first, and one that is not a
  // whole number >= 1 is 404 "Invalid page." (as is one past the end, below).
  std::int64_t page = 1;
  if (auto text = req.query("page"); text && !text->empty()) {
    auto n = parse_id(*text);
    if (!n) return http::error_response(404, "Invalid page.");
    page = *n;
  }
  auto page_size = query_int(req, "page_size", 1);
  if (page_size.error) return *page_size.error;
  // Label Studio tests for "all" only: any other value is task_only.
  const std::string fields = req.query("fields").value_or("task_only");

  auto r = api.ctx.db.read();
  std::optional<store::view> view;
  if (view_param.value) {
    auto v = r->get_view(*view_param.value);
    if (!v) return v.error().code() == errc::not_found ? not_found("View", *view_param.value) : store_error(v.error());
    if (project_param.value && v->project_id != *project_param.value)
      return http::error_response(400, "view " + std::to_string(v->id) + " belongs to project " +
                                           std::to_string(v->project_id) + ", not to project " +
                                           std::to_string(*project_param.value));
    view = std::move(*v);
  }
  if (!project_param.value && !view)
    return field_error("project", "This field is required (or give view=<id>).");
  const std::int64_t pid = project_param.value ? *project_param.value : view->project_id;
  if (auto p = r->get_project(pid); !p) {
    return p.error().code() == errc::not_found ? not_found("Project", pid) : store_error(p.error());
  }
  result<store::task_query> q = store::task_query{};
  if (auto text = req.query("query"); text && !text->empty()) {
    q = store::parse_dm_query(pid, *text);
    // A view's filters apply unless the query brings its own.
    if (q && view && q->selection.filters.items.empty() && q->ordering.empty()) {
      auto vq = store::parse_dm_query(pid, view->data);
      if (vq) {
        q->selection.filters = std::move(vq->selection.filters);
        q->ordering = std::move(vq->ordering);
      }
    }
  } else if (view) {
    q = store::parse_dm_query(pid, view->data);
  } else {
    q->selection.project_id = pid;
  }
  if (!q) return field_error("query", q.error().message());
  q->page = page;
  q->page_size = std::min<std::int64_t>(page_size.value.value_or(100), 100000);
  auto pg = r->query_tasks(*q);
  if (!pg && pg.error().code() == errc::not_found && q->page > 1)
    return http::error_response(404, "Invalid page.");
  if (!pg) return store_error(pg.error());
  if (pg->tasks.empty() && q->page > 1) return http::error_response(404, "Invalid page.");
  auto items = dm_tasks_json(api, *r, pg->tasks, fields == "all", who.user.id);
  if (!items) return store_error(items.error());
  std::string out = "{\"tasks\":";
  out += *items;
  out += ",\"total\":" + std::to_string(pg->total);
  out += ",\"total_annotations\":" + std::to_string(pg->total_annotations);
  out += ",\"total_predictions\":" + std::to_string(pg->total_predictions) + "}";
  return json_response(200, std::move(out));
}

// allow_skip: a boolean or null (Task.allow_skip is BooleanField(null=True)); a 400 naming it otherwise.
std::optional<http::response> get_allow_skip(const json& b, std::optional<std::optional<bool>>& out) {
  auto it = b.find("allow_skip");
  if (it == b.end()) return std::nullopt;
  if (it->is_null()) {
    out.emplace(std::nullopt);
    return std::nullopt;
  }
  auto v = drf::as_bool(*it);
  if (!v) return field_error("allow_skip", "Must be a valid boolean.");
  out.emplace(*v);
  return std::nullopt;
}

void create_task(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who) {
  auto body = parse_object(ex->req(), {"data", "meta"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  auto data = b.find("data");
  if (data == b.end()) return ex->respond(field_error("data", "This field is required."));
  if (!data->is_object()) return ex->respond(field_error("data", "Expected a dictionary of items."));
  auto proj = b.find("project");
  if (proj == b.end() || proj->is_null()) return ex->respond(field_error("project", "This field is required."));
  const std::optional<std::int64_t> pk = drf::as_pk(*proj);
  if (!pk)
    return ex->respond(field_error("project", std::string("Incorrect type. Expected pk value, received ") +
                                                  drf::python_type(*proj) + "."));
  const std::int64_t pid = *pk;
  std::string meta = "{}";
  if (auto m = b.find("meta"); m != b.end() && !m->is_null()) {
    if (!m->is_object()) return ex->respond(field_error("meta", "Expected a dictionary of items."));
    meta = dump(*m);
  }
  {
    auto r = api.ctx.db.read();
    auto p = r->get_project(pid);
    if (!p) {
      return ex->respond(p.error().code() == errc::not_found
                             ? field_error("project", "Invalid pk \"" + std::to_string(pid) + "\" - object does not exist.")
                             : store_error(p.error()));
    }
    if (auto bad = check_data(api, *p, *data)) return ex->respond(std::move(*bad));
  }
  std::optional<std::optional<bool>> allow_skip;
  if (auto bad = get_allow_skip(b, allow_skip)) return ex->respond(std::move(*bad));
  store::new_task t;
  t.project_id = pid;
  t.data = dump(*data);
  t.meta = std::move(meta);
  t.updated_by = who.user.id;
  if (allow_skip) t.allow_skip = *allow_skip;
  submit_then<store::task>(
      api.ctx, std::move(ex), [t = std::move(t)](store::write_context& w) { return w.create_task(t); },
      [](store::task& t) { return json_response(201, plain_task(t)); });
}

http::response get_task(task_api& api, http::request& req, const auth::principal& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return http::error_response(404, "Task " + std::string(req.param("id")) + " not found");
  // One lease, the task and its details in as few statements as its counters allow.
  auto r = api.ctx.db.read();
  auto b = r->get_task_bundle(*id, who.user.id);
  if (!b) return b.error().code() == errc::not_found ? not_found("Task", *id) : store_error(b.error());
  auto key = undefined_data_key(api, *r, std::span(&b->t, 1));
  if (!key) return store_error(key.error());
  std::string out;
  out.reserve(1024 + b->t.data.size());
  const store::user_name me = name_of(who.user);
  append_dm_tasks(out, std::span(&b->t, 1), b->details, true, &me, *key);
  return json_response(200, std::move(out));
}

// PATCH changes the fields given; PUT (`full`) is the serializer's full update, which requires the data
// (Task.data has no default) and leaves the other fields as they are when absent.
void patch_task(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who, bool full) {
  auto id = parse_id(ex->req().param("id"));
  if (!id) return ex->respond(http::error_response(404, "Task " + std::string(ex->req().param("id")) + " not found"));
  auto body = parse_object(ex->req(), {"data", "meta"});
  if (body.error) return ex->respond(std::move(*body.error));
  const json& b = body.value;
  if (full) {
    nlohmann::json missing = nlohmann::json::object();
    require_field(b, "data", missing);
    if (auto bad = fields_error(missing)) return ex->respond(std::move(*bad));
  }
  store::task_patch patch;
  patch.updated_by = std::optional<std::int64_t>(who.user.id);
  {
    auto r = api.ctx.db.read();
    auto t = r->get_task(*id);
    if (!t) return ex->respond(t.error().code() == errc::not_found ? not_found("Task", *id) : store_error(t.error()));
    if (auto d = b.find("data"); d != b.end()) {
      if (!d->is_object()) return ex->respond(field_error("data", "Expected a dictionary of items."));
      auto p = r->get_project(t->project_id);
      if (!p) return ex->respond(store_error(p.error()));
      if (auto bad = check_data(api, *p, *d)) return ex->respond(std::move(*bad));
      patch.data = dump(*d);
    }
  }
  if (auto m = b.find("meta"); m != b.end()) {
    if (!m->is_object()) return ex->respond(field_error("meta", "Expected a dictionary of items."));
    patch.meta = dump(*m);
  }
  if (auto o = b.find("overlap"); o != b.end()) {
    auto n = drf::as_int(*o);
    if (!n || *n < 1) return ex->respond(field_error("overlap", "A valid integer >= 1 is required."));
    patch.overlap = *n;
  }
  std::optional<std::optional<bool>> allow_skip;
  if (auto bad = get_allow_skip(b, allow_skip)) return ex->respond(std::move(*bad));
  if (allow_skip) patch.allow_skip = *allow_skip;
  submit_then<store::task>(
      api.ctx, std::move(ex), [id = *id, patch](store::write_context& w) { return w.update_task(id, patch); },
      [](store::task& t) { return json_response(200, plain_task(t)); });
}

void delete_task(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal&) {
  delete_by_id(api, std::move(ex), "Task", &store::write_context::delete_task);
}

// Orders rows of a task (annotations, predictions) against a task id, for equal_range.
struct by_task_id {
  bool operator()(const auto& row, std::int64_t id) const { return row.task_id < id; }
  bool operator()(std::int64_t id, const auto& row) const { return id < row.task_id; }
};

constexpr std::int64_t kMaxTasksPage = 100000;

http::response project_tasks(task_api& api, http::request& req, const auth::principal&) {
  auto pid = parse_id(req.param("id"));
  if (!pid) return http::error_response(404, "Project " + std::string(req.param("id")) + " not found");
  auto page = query_int(req, "page", 1);
  if (page.error) return *page.error;
  auto page_size = query_int(req, "page_size", 1);
  if (page_size.error) return *page_size.error;
  auto start = query_int(req, "start", 0);
  if (start.error) return *start.error;
  auto length = query_int(req, "length", 1);
  if (length.error) return *length.error;
  std::int64_t offset = 0, limit = 50;
  bool past_end_is_404 = false;
  if (start.value || length.value) {
    offset = start.value.value_or(0);
    limit = std::min<std::int64_t>(length.value.value_or(50), kMaxTasksPage);
  } else {
    limit = std::min<std::int64_t>(page_size.value.value_or(50), kMaxTasksPage);
    // A page past what 64 bits can offset is past the end (the product would overflow).
    const std::int64_t skipped_pages = page.value.value_or(1) - 1;
    offset = skipped_pages > std::numeric_limits<std::int64_t>::max() / limit
                 ? std::numeric_limits<std::int64_t>::max()
                 : skipped_pages * limit;
    past_end_is_404 = page.value.value_or(1) > 1;
  }
  auto r = api.ctx.db.read();
  if (auto p = r->get_project(*pid); !p)
    return p.error().code() == errc::not_found ? not_found("Project", *pid) : store_error(p.error());
  auto tasks = r->list_project_tasks(*pid, offset, limit);
  if (!tasks) return store_error(tasks.error());
  if (tasks->empty() && past_end_is_404) return http::error_response(404, "Invalid page.");
  auto key = undefined_data_key(api, *r, *tasks);
  if (!key) return store_error(key.error());
  // TaskSimpleSerializer embeds each task's annotations and predictions; the store lists them
  // ordered by task id, then id.
  auto details = r->get_task_details(*tasks, std::nullopt);
  if (!details) return store_error(details.error());
  user_names users;
  for (const auto& u : details->annotators) users[u.id] = created_username(u);
  auto of_task = [](const auto& rows, std::int64_t id) {
    auto [lo, hi] = std::equal_range(rows.begin(), rows.end(), id, by_task_id{});
    return std::span(lo, hi);
  };
  std::string out = "[";
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    const auto& t = (*tasks)[i];
    if (i) out += ',';
    append_task_with_results(out, t, *key, of_task(details->annotations, t.id),
                             of_task(details->predictions, t.id), &users);
  }
  out += ']';
  return json_response(200, std::move(out));
}

// Deletes a selection `chunk` tasks per write unit until nothing is left, then answers.
struct chunked_delete : std::enable_shared_from_this<chunked_delete> {
  api_context* ctx = nullptr;
  std::shared_ptr<http::exchange> ex;
  store::task_selection selection;
  std::int64_t chunk = 1000;
  std::int64_t done = 0;
  void step() {
    auto self = shared_from_this();
    ctx->db.submit<std::int64_t>(
        [self](store::write_context& w) { return w.delete_tasks(self->selection, self->chunk); },
        [self](result<std::int64_t> n) {
          if (!n) return self->ex->respond(store_error(n.error()));
          self->done += *n;
          if (*n == 0) return self->ex->respond(http::response::empty(204));
          self->step();
        });
  }
};

void delete_project_tasks(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal&) {
  auto pid = parse_id(ex->req().param("id"));
  if (!pid) return ex->respond(http::error_response(404, "Project " + std::string(ex->req().param("id")) + " not found"));
  if (auto p = api.ctx.db.read()->get_project(*pid); !p)
    return ex->respond(p.error().code() == errc::not_found ? not_found("Project", *pid) : store_error(p.error()));
  auto job = std::make_shared<chunked_delete>();
  job->ctx = &api.ctx;
  job->ex = std::move(ex);
  job->selection.project_id = *pid;
  job->step();
}

}  // namespace

void add_task_crud_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  using http::method;
  routes.add(method::get, "/api/tasks",
             authed_handler([api](http::request& req, const auth::principal& who) { return list_tasks(*api, req, who); }));
  routes.add(method::post, "/api/tasks",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               create_task(*api, std::move(ex), who);
             }),
             http::route_options{.body_limit = 64 * 1024 * 1024});
  routes.add(method::get, "/api/tasks/{id}",
             authed_handler([api](http::request& req, const auth::principal& who) { return get_task(*api, req, who); }));
  for (auto m : {method::patch, method::put})
    routes.add(m, "/api/tasks/{id}",
               authed_async_handler([api, full = m == method::put](std::shared_ptr<http::exchange> ex,
                                                                   const auth::principal& who) {
                 patch_task(*api, std::move(ex), who, full);
               }),
               http::route_options{.body_limit = 64 * 1024 * 1024});
  routes.add(method::delete_, "/api/tasks/{id}",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               delete_task(*api, std::move(ex), who);
             }));
  routes.add(method::get, "/api/projects/{id}/tasks",
             authed_handler([api](http::request& req, const auth::principal& who) { return project_tasks(*api, req, who); }));
  routes.add(method::delete_, "/api/projects/{id}/tasks",
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               delete_project_tasks(*api, std::move(ex), who);
             }));
}

}  // namespace annot::host::api
