// The data manager: GET /api/dm/project (the project as the page reads it), GET /api/dm/columns, tabs (/api/dm/views CRUD, reset, order) and actions
// (GET/POST /api/dm/actions) on selectedItems. Bulk deletes run a bounded number of tasks per write
// unit and queue the next chunk after each commit, so other writers interleave.
#include <algorithm>
#include <span>
#include <unordered_map>
#include <variant>

#include "api/drf_values.hpp"
#include "api/project_json.hpp"
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

// GET /api/dm/project?project=ID: the project as the data manager reads it (Label Studio's
// ProjectStateAPI): the project's JSON, then what the data manager asks of it besides. Every user may
// manage tasks and annotations here, and no storage syncs while the page shows (imports run as jobs).
http::response project_state(task_api& api, http::request& req, std::int64_t user_id) {
  auto p = project_param(api, req);
  if (auto* err = std::get_if<http::response>(&p)) return std::move(*err);
  const auto& project = std::get<store::project>(p);
  auto lease = api.ctx.db.read();
  auto queue = queue_of(*lease, project.id, user_id);
  if (!queue) return http::error_response(queue.error());
  nlohmann::ordered_json j = project_json(project, creator_of(*lease, project), *queue);
  j["can_delete_tasks"] = true;
  j["can_manage_annotations"] = true;
  j["can_manage_tasks"] = true;
  j["source_syncing"] = false;
  j["target_syncing"] = false;
  j["task_count"] = project.task_number;
  // Every annotation, cancelled ones too (Annotation.objects.filter(project=...).count()).
  j["annotation_count"] = project.total_annotations_number + project.skipped_annotations_number;
  return json_response(200, j.dump());
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
  // Label Studio validates `order` but puts a new view after the project's last one (perform_create).
  if (auto o = b.find("order"); o != b.end() && !o->is_null() && !drf::as_int(*o))
    return ex->respond(field_error("order", "A valid integer is required."));
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
  // The project comes in the body or, failing that, in the query (Label Studio's SDK sends it as a
  // query parameter: OpenAPI has no body for DELETE).
  std::optional<std::int64_t> pid;
  if (!ex->req().body.empty()) {
    auto body = parse_object(ex->req(), {});
    if (body.error) return ex->respond(std::move(*body.error));
    if (auto b = body.value.find("project"); b != body.value.end()) {
      pid = drf::as_pk(*b);
      if (!pid) return ex->respond(field_error("project", "A valid project id is required."));
    }
  }
  if (!pid) {
    auto p = project_param(api, ex->req());
    if (auto* err = std::get_if<http::response>(&p)) return ex->respond(std::move(*err));
    pid = std::get<store::project>(p).id;
  } else if (auto p = api.ctx.db.read()->get_project(*pid); !p) {
    return ex->respond(p.error().code() == errc::not_found ? not_found("Project", *pid)
                                                           : store_error(p.error()));
  }
  api.ctx.db.submit([pid = *pid](store::write_context& w) { return w.delete_project_views(pid); },
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
  api.ctx.db.submit([pid = *pid, ids](store::write_context& w) { return w.reorder_views(pid, ids); },
                    [ex = std::move(ex)](const status& s) {
                      ex->respond(s.ok() ? http::response::empty(204) : store_error(s));
                    });
}

// ---- actions ------------------------------------------------------------------------------------

struct action_info {
  const char* id;
  const char* title;
  const char* noun;  // what a delete counts in its answer; null for the others
  int order;
  const char* permission;
  const char* dialog_text;  // null: the delete confirmation built from `noun`
};

constexpr action_info actions[] = {
    {"remove_duplicates", "Remove Duplicated Tasks", nullptr, 1, "projects.change",
     "Confirm that you want to remove duplicated tasks with the same data fields. Duplicated tasks will be "
     "deleted and all annotations will be moved to the first task from duplicated tasks."},
    {"predictions_to_annotations", "Create Annotations From Predictions", nullptr, 91, "tasks.change",
     "Create annotations from predictions using selected predictions set for each selected task. Your "
     "account will be assigned as an owner to those annotations."},
    {"delete_tasks", "Delete Tasks", "tasks", 100, "tasks.delete", nullptr},
    {"delete_tasks_annotations", "Delete Annotations", "annotations", 101, "tasks.delete", nullptr},
    {"delete_tasks_predictions", "Delete Predictions", "predictions", 102, "tasks.delete", nullptr},
    {"delete_tasks_drafts", "Delete Drafts", "drafts", 103, "tasks.delete", nullptr},
};

const action_info* find_action(std::string_view id) {
  for (const auto& a : actions)
    if (id == a.id) return &a;
  return nullptr;
}

// predictions_to_annotations' dialog picks a model version: the project's current one first, as
// Label Studio's predictions_to_annotations_form lists them.
json model_version_form(task_api& api, std::optional<std::int64_t> project_id) {
  json options = json::array();
  if (project_id) {
    auto r = api.ctx.db.read();
    auto p = r->get_project(*project_id);
    auto versions = r->model_versions(*project_id);
    if (p && !p->model_version.empty()) options.push_back(p->model_version);
    if (versions)
      for (const auto& v : *versions)
        if (!p || v.model_version != p->model_version) options.push_back(v.model_version);
  }
  return json::array({{{"columnCount", 1},
                       {"fields", json::array({{{"type", "select"},
                                                {"name", "model_version"},
                                                {"label", "Choose predictions"},
                                                {"options", std::move(options)}}})}}});
}

// delete_tasks_annotations' dialog picks one annotator (none: all), as Label Studio's
// delete_tasks_annotations_form lists them.
json annotator_form(task_api& api, std::optional<std::int64_t> project_id) {
  json options = json::array();
  if (project_id)
    if (auto users = api.ctx.db.read()->project_annotators(*project_id))
      for (const auto& u : *users) {
        std::string name = u.first_name;
        if (!u.last_name.empty()) name += (name.empty() ? "" : " ") + u.last_name;
        if (name.empty()) name = u.username.empty() ? u.email : u.username;
        options.push_back({{"value", std::to_string(u.id)}, {"label", name}});
      }
  return json::array({{{"columnCount", 1},
                       {"fields", json::array({{{"type", "select"},
                                                {"name", "annotator"},
                                                {"label", "Annotator"},
                                                {"options", std::move(options)},
                                                {"placeholder", "All"},
                                                {"searchable", true}}})}}});
}

http::response list_actions(task_api& api, http::request& req) {
  std::optional<std::int64_t> project_id;
  if (req.query("project")) {
    auto p = project_param(api, req);
    if (auto* err = std::get_if<http::response>(&p)) return std::move(*err);
    project_id = std::get<store::project>(p).id;
  }
  json out = json::array();
  for (const auto& a : actions) {
    json item = {{"id", a.id},
                 {"title", a.title},
                 {"order", a.order},
                 {"permission", a.permission},
                 {"experimental", false},
                 {"hidden", false}};
    if (a.dialog_text) {
      item["dialog"] = {{"title", a.title}, {"text", a.dialog_text}, {"type", "confirm"}};
      if (std::string_view(a.id) == "predictions_to_annotations")
        item["dialog"]["form"] = model_version_form(api, project_id);
    } else {
      item["dialog"] = {{"text", std::string("You are going to delete the selected ") + a.noun +
                                     ". Please confirm your action."},
                        {"type", "confirm"}};
      if (std::string_view(a.id) == "delete_tasks_annotations")
        item["dialog"]["form"] = annotator_form(api, project_id);
    }
    out.push_back(std::move(item));
  }
  return json_response(200, dump(out));
}

// Runs one bulk action chunk by chunk over the tasks selected when it started: each chunk of task ids is a
// unit; the next is queued from the previous one's commit callback. Walking the ids once ends the action
// whatever runs beside it (repeating "while the last chunk changed something" made predictions_to_annotations
// and delete_tasks_annotations on the same tasks feed each other forever).
struct chunked_action : std::enable_shared_from_this<chunked_action> {
  api_context* ctx = nullptr;
  std::shared_ptr<http::exchange> ex;
  const action_info* action = nullptr;
  std::int64_t project_id = 0;
  std::vector<std::int64_t> task_ids;     // the selected tasks, ascending; each chunk names its share
  std::size_t next = 0;                   // the first task id of the next chunk
  std::optional<std::int64_t> annotator;  // delete_tasks_annotations: only this user's
  bool drafts_pass = false;               // delete_tasks_annotations' second pass: drafts left on tasks
  std::int64_t user_id = 0;               // the caller (predictions_to_annotations' annotator)
  std::optional<std::vector<std::string>> model_versions;  // predictions_to_annotations: only these
  std::int64_t processed = 0;

  result<std::int64_t> run_chunk(store::write_context& w, const store::task_selection& selection) const {
    std::string_view id = action->id;
    if (id == "predictions_to_annotations")
      return w.annotate_from_predictions(selection, action_chunk, user_id, model_versions);
    if (id == "delete_tasks") return w.delete_tasks(selection, action_chunk);
    if (id == "delete_tasks_annotations")
      return drafts_pass ? w.delete_drafts(selection, action_chunk, annotator)
                         : w.delete_annotations(selection, action_chunk, annotator);
    if (id == "delete_tasks_predictions") return w.delete_predictions(selection, action_chunk);
    return w.delete_drafts(selection, action_chunk);
  }

  void step() {
    if (next >= task_ids.size()) {
      // Label Studio removes the tasks' drafts with their annotations, task-level ones too.
      if (std::string_view(action->id) == "delete_tasks_annotations" && !drafts_pass) {
        drafts_pass = true;
        next = 0;
        return step();
      }
      return finish();
    }
    store::task_selection chunk;
    chunk.project_id = project_id;
    const std::size_t end = std::min(task_ids.size(), next + static_cast<std::size_t>(action_chunk));
    chunk.selected = store::selected_items{false,
                                           {task_ids.begin() + static_cast<std::ptrdiff_t>(next),
                                            task_ids.begin() + static_cast<std::ptrdiff_t>(end)}};
    next = end;
    auto self = shared_from_this();
    ctx->db.submit<std::int64_t>(
        [self, chunk = std::move(chunk)](store::write_context& w) { return self->run_chunk(w, chunk); },
        [self](result<std::int64_t> n) {
          if (!n) return self->ex->respond(store_error(n.error()));
          if (!self->drafts_pass) self->processed += *n;
          self->step();
        });
  }

  void finish() {
    if (std::string_view(action->id) == "predictions_to_annotations")
      return ex->respond(json_response(
          200, dump(json{{"detail", "Created " + std::to_string(processed) + " annotations"}})));
    json out = {{"processed_items", processed},
                {"detail", "Deleted " + std::to_string(processed) + " " + action->noun}};
    if (std::string_view(action->id) != "delete_tasks") return ex->respond(json_response(200, dump(out)));
    // As Label Studio: a project left without tasks loses its tabs, and the page reloads.
    auto self = shared_from_this();
    ctx->db.submit<bool>(
        [pid = project_id](store::write_context& w) -> result<bool> {
          auto p = w.get_project(pid);
          if (!p) return p.error();
          if (p->task_number > 0) return false;
          if (auto s = w.delete_project_views(pid); !s) return s;
          return true;
        },
        [self, out = std::move(out)](result<bool> emptied) mutable {
          if (!emptied) return self->ex->respond(store_error(emptied.error()));
          out["reload"] = *emptied;
          self->ex->respond(json_response(200, dump(out)));
        });
  }
};

// remove_duplicates: groups of selected tasks with equal data, each in the selection's order. Label
// Studio compares json.dumps of the data; keys are sorted here, so their order does not matter. A first
// pass keeps a hash per task, a second compares the data of tasks whose hashes meet.
result<std::vector<std::vector<std::int64_t>>> duplicate_groups(task_api& api, const store::task_query& q) {
  constexpr std::size_t batch = 1000;
  auto r = api.ctx.db.read();
  auto ids = r->select_task_ids(q);
  if (!ids) return ids.error();
  auto canonical = [](const std::string& data) {
    auto v = nlohmann::json::parse(data, nullptr, false);
    return v.is_discarded() ? data : v.dump();
  };
  // Reads the data of `wanted` (ids with their positions in the selection) in batches.
  auto each_data = [&](const std::vector<std::pair<std::int64_t, std::size_t>>& wanted,
                       const auto& fn) -> annot::status {
    std::vector<std::int64_t> chunk;
    for (std::size_t at = 0; at < wanted.size(); at += batch) {
      chunk.clear();
      for (std::size_t i = at; i < std::min(wanted.size(), at + batch); ++i) chunk.push_back(wanted[i].first);
      auto tasks = r->get_tasks(chunk);
      if (!tasks) return tasks.error();
      std::size_t j = at;  // get_tasks keeps the order given and skips missing ids
      for (const auto& t : *tasks) {
        while (j < wanted.size() && wanted[j].first != t.id) ++j;
        if (j == wanted.size()) break;
        fn(wanted[j].second, canonical(t.data));
      }
    }
    return annot::status::success();
  };
  std::vector<std::pair<std::int64_t, std::size_t>> all;
  all.reserve(ids->size());
  for (std::size_t i = 0; i < ids->size(); ++i) all.emplace_back((*ids)[i], i);
  std::vector<std::pair<std::size_t, std::size_t>> hashes;  // (hash, position)
  hashes.reserve(all.size());
  auto st = each_data(all, [&](std::size_t pos, const std::string& data) {
    hashes.emplace_back(std::hash<std::string_view>{}(data), pos);
  });
  if (!st) return st;
  std::sort(hashes.begin(), hashes.end());
  std::vector<std::pair<std::int64_t, std::size_t>> candidates;
  for (std::size_t i = 0; i < hashes.size();) {
    std::size_t k = i;
    while (k < hashes.size() && hashes[k].first == hashes[i].first) ++k;
    if (k - i > 1)
      for (std::size_t m = i; m < k; ++m) candidates.emplace_back((*ids)[hashes[m].second], hashes[m].second);
    i = k;
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::unordered_map<std::string, std::vector<std::size_t>> equal;
  st = each_data(candidates, [&](std::size_t pos, const std::string& data) { equal[data].push_back(pos); });
  if (!st) return st;
  std::vector<std::vector<std::size_t>> by_position;
  for (auto& [data, positions] : equal)
    if (positions.size() > 1) by_position.push_back(std::move(positions));
  std::sort(by_position.begin(), by_position.end());
  std::vector<std::vector<std::int64_t>> groups;
  for (const auto& positions : by_position) {
    auto& g = groups.emplace_back();
    for (std::size_t pos : positions) g.push_back((*ids)[pos]);
  }
  return groups;
}

// Merges the groups a bounded batch per write unit, the next queued from the previous one's commit.
struct duplicate_merge : std::enable_shared_from_this<duplicate_merge> {
  api_context* ctx = nullptr;
  std::shared_ptr<http::exchange> ex;
  std::int64_t project_id = 0;
  std::vector<std::vector<std::int64_t>> groups;
  std::size_t next = 0;
  store::duplicates_removed total;

  void step() {
    if (next == groups.size()) return finish();
    std::size_t end = next, tasks = 0;
    while (end < groups.size() && (end == next || tasks + groups[end].size() <= std::size_t(action_chunk)))
      tasks += groups[end++].size();
    auto self = shared_from_this();
    std::span<const std::vector<std::int64_t>> batch(groups.data() + next, end - next);
    next = end;
    ctx->db.submit<store::duplicates_removed>(
        [self, batch](store::write_context& w) { return w.merge_duplicate_tasks(self->project_id, batch); },
        [self](result<store::duplicates_removed> r) {
          if (!r) return self->ex->respond(store_error(r.error()));
          self->total.tasks_deleted += r->tasks_deleted;
          self->total.annotations_moved += r->annotations_moved;
          self->step();
        });
  }

  void finish() {
    json out = {{"processed_items", total.tasks_deleted},
                {"reload", total.tasks_deleted > 0},
                {"detail", "Removed " + std::to_string(total.tasks_deleted) + " duplicated tasks, moved " +
                               std::to_string(total.annotations_moved) + " annotations"}};
    ex->respond(json_response(200, dump(out)));
  }
};

void run_action(task_api& api, std::shared_ptr<http::exchange> ex, const auth::principal& who) {
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
  if (std::string_view(action->id) == "remove_duplicates") {
    auto groups = duplicate_groups(api, *q);
    if (!groups) return ex->respond(store_error(groups.error()));
    auto merge = std::make_shared<duplicate_merge>();
    merge->ctx = &api.ctx;
    merge->ex = std::move(ex);
    merge->project_id = pid;
    merge->groups = std::move(*groups);
    return merge->step();
  }
  auto job = std::make_shared<chunked_action>();
  job->user_id = who.user.id;
  // predictions_to_annotations' dialog sends the model version (or several) whose predictions to take.
  if (auto m = body.value.find("model_version");
      std::string_view(action->id) == "predictions_to_annotations" && m != body.value.end() &&
      !m->is_null()) {
    std::vector<std::string> versions;
    if (m->is_string()) {
      versions.push_back(m->get<std::string>());
    } else if (m->is_array()) {
      for (const auto& v : *m) {
        if (!v.is_string())
          return ex->respond(field_error("model_version", "A list of strings is expected."));
        versions.push_back(v.get<std::string>());
      }
    } else {
      return ex->respond(field_error("model_version", "A string or a list of strings is expected."));
    }
    job->model_versions = std::move(versions);
  }
  // delete_tasks_annotations' dialog sends the annotator whose annotations go.
  if (auto a = body.value.find("annotator"); std::string_view(action->id) == "delete_tasks_annotations" &&
                                             a != body.value.end() && !a->is_null() &&
                                             !(a->is_string() && a->get_ref<const std::string&>().empty())) {
    job->annotator = drf::as_pk(*a);
    if (!job->annotator) return ex->respond(field_error("annotator", "A valid user id is required."));
  }
  auto ids = api.ctx.db.read()->select_task_ids(*q);
  if (!ids) return ex->respond(store_error(ids.error()));
  std::sort(ids->begin(), ids->end());
  job->task_ids = std::move(*ids);
  job->ctx = &api.ctx;
  job->ex = std::move(ex);
  job->action = action;
  job->project_id = q->selection.project_id;
  job->step();
}

}  // namespace

void add_dm_routes(api_routes& routes, std::shared_ptr<task_api> api) {
  using http::method;
  routes.add(method::get, "/api/dm/columns",
             authed_handler([api](http::request& req, const auth::principal&) { return columns(*api, req); }));
  routes.add(method::get, "/api/dm/project",
             authed_handler([api](http::request& req, const auth::principal& who) {
               return project_state(*api, req, who.user.id);
             }));
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
             authed_async_handler([api](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               run_action(*api, std::move(ex), who);
             }),
             // remove_duplicates reads every selected task's data before it writes: off the I/O threads.
             http::route_options{.body_limit = 64 * 1024 * 1024, .offload = true});
}

}  // namespace annot::host::api
