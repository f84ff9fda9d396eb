// What the task, annotation, draft, prediction, data-manager and labeling-stream routes share:
// id and body parsing with Label Studio's error shapes, answering after a durable commit, and
// result validation against a project's compiled labeling config (cached per project).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "api/api_context.hpp"
#include "api/api_routes.hpp"
#include "config/model.hpp"
#include "http/errors.hpp"
#include "http/message.hpp"
#include "store/store.hpp"
#include "util/per_config_cache.hpp"

namespace annot::host::api {

// Compiled configs by project, recompiled when the project's label_config text changes.
// Threading: get() is safe from any thread at once. Lifetime: must not outlive the catalog.
class config_cache {
 public:
  explicit config_cache(const config::tag_catalog& catalog) : catalog_(catalog) {}
  // The model of `p.label_config`; nullptr when the XML does not parse at all.
  std::shared_ptr<const config::config_model> get(const store::project& p);

 private:
  const config::tag_catalog& catalog_;
  util::per_config_cache<config::config_model> models_;
};

// State shared by every route of this group; built once by add_task_routes().
struct task_api {
  api_context& ctx;
  config_cache configs;
  explicit task_api(api_context& c) : ctx(c), configs(c.catalog) {}
};

// Registers the routes of issue 5 (each family in its own file).
void add_task_routes(api_routes& routes);
void add_task_crud_routes(api_routes& routes, std::shared_ptr<task_api> api);
void add_annotation_routes(api_routes& routes, std::shared_ptr<task_api> api);
void add_draft_routes(api_routes& routes, std::shared_ptr<task_api> api);
void add_prediction_routes(api_routes& routes, std::shared_ptr<task_api> api);
void add_dm_routes(api_routes& routes, std::shared_ptr<task_api> api);
void add_next_routes(api_routes& routes, std::shared_ptr<task_api> api);

namespace detail {

// Request bodies keep their key order: stored data, meta and results read back as they were sent.
using json = nlohmann::ordered_json;
// Dumps for storage (invalid UTF-8 cannot reach here: the parser refuses it).
inline std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A positive integer id from a path segment or query value.
std::optional<std::int64_t> parse_id(std::string_view text);

// A 400 in Label Studio's envelope: detail "Validation error" and {field: [message]}.
http::response field_error(std::string_view field, std::string message);
// Django REST framework's check of a field its serializer requires and may not be null: adds
// "This field is required." (absent) or "This field may not be null." (null) under `key` to `errors`,
// so that several missing fields are named in one 400 as DRF names them.
void require_field(const json& body, const char* key, nlohmann::json& errors);
// A 400 in Label Studio's envelope for the fields require_field() collected; nullopt when none.
std::optional<http::response> fields_error(const nlohmann::json& errors);
// A 404 naming the thing: "Task 12 not found".
http::response not_found(std::string_view what, std::int64_t id);
// The status of a failed store call as a response (invalid_argument 400, not_found 404, ...).
http::response store_error(const status& s);

// DELETE of one row by the "{id}" path capture: 404 naming `what` for a malformed id, else the store's
// `remove` in a write unit and 204 once it committed (the store's error otherwise).
void delete_by_id(task_api& api, std::shared_ptr<http::exchange> ex, std::string_view what,
                  status (store::write_context::*remove)(std::int64_t));

// The request body as an object (request_object(): JSON, or a form whose `json_fields` are parsed as
// JSON); on failure `error` holds the 400 to send.
struct object_body {
  json value;
  std::optional<http::response> error;
};
object_body parse_object(const http::request& req, std::initializer_list<std::string_view> json_fields = {});

// An optional integer query parameter: nullopt when absent; a 400 when present and not an integer
// >= `min`.
struct int_param {
  std::optional<std::int64_t> value;
  std::optional<http::response> error;
};
int_param query_int(const http::request& req, std::string_view name, std::int64_t min);

// Label Studio's query booleans (bool_from_request): true/false, 1/0, yes/no, on/off in any case;
// `fallback` when absent or empty; invalid_argument naming the parameter otherwise.
annot::result<bool> query_bool(const http::request& req, std::string_view name, bool fallback);

// Optional typed members of a request object, read with Django REST framework's coercions
// (drf_values.hpp: "2.5" is a number, "true" a boolean, "12" an id); a 400 naming the field when
// DRF would refuse the value.
std::optional<http::response> get_bool(const json& body, const char* key, std::optional<bool>& out);
std::optional<http::response> get_number(const json& body, const char* key,
                                         std::optional<std::optional<double>>& out);
std::optional<http::response> get_id(const json& body, const char* key,
                                     std::optional<std::optional<std::int64_t>>& out);

// Checks a result list for `p` with Label Studio's messages: not a list -> 400; the config
// engine's errors (and rule breaks unless `allow_rule_breaks`) -> 400 naming each JSON path.
// `base_path` prefixes the paths ("result", "[2].result"). nullopt when the result may be stored.
// `kept` (may be null): a result already stored (the annotation being updated, the prediction or
// annotation it starts from). Its items come back unchanged from an editor, so an item equal to one
// of them keeps the rule breaks it was stored with (Label Studio stored them; refusing them would
// stop an annotator from saving imported work); new or changed items are checked in full.
std::optional<http::response> check_results(task_api& api, const store::project& p, const json& results,
                                            const nlohmann::json* task_data, const std::string& base_path,
                                            bool allow_rule_breaks, const json* kept = nullptr);

// Runs `unit` on the store's writer and answers the exchange once it committed durably: ok(value)
// on success, the error response otherwise. Never blocks the calling (I/O) thread.
template <class T>
void submit_then(api_context& ctx, std::shared_ptr<http::exchange> ex,
                 std::function<result<T>(store::write_context&)> unit, std::function<http::response(T&)> ok) {
  ctx.db.submit<T>(std::move(unit), [ex = std::move(ex), ok = std::move(ok)](result<T> r) {
    if (!r) {
      ex->respond(store_error(r.error()));
      return;
    }
    ex->respond(ok(*r));
  });
}

// A write of results that were checked against the project's config before its unit began. The
// unit first makes sure the config is still the one checked: PATCH /api/projects/{id} checks the
// stored annotations and drafts inside its own unit, so a result checked against the old config and
// written after the change would name a control the new config no longer has. When the config
// changed, nothing is written and `again(ex, attempt + 1)` runs the request anew (on the store's
// completion thread: rare, and it only reads), checking against the new config; the third change
// in a row is a 409.
template <class T>
void submit_checked(api_context& ctx, std::shared_ptr<http::exchange> ex, const store::project& checked,
                    int attempt, std::function<void(std::shared_ptr<http::exchange>, int)> again,
                    std::function<result<T>(store::write_context&)> unit,
                    std::function<http::response(T&)> ok) {
  ctx.db.submit<std::optional<T>>(
      [project = checked.id, version = checked.config_version,
       unit = std::move(unit)](store::write_context& w) -> result<std::optional<T>> {
        auto same = w.project_config_version_is(project, version);
        if (!same) return same.error();
        if (!*same) return std::optional<T>();
        auto r = unit(w);
        if (!r) return r.error();
        return std::optional<T>(std::move(*r));
      },
      [ex = std::move(ex), attempt, again = std::move(again),
       ok = std::move(ok)](result<std::optional<T>> r) mutable {
        if (!r) return ex->respond(store_error(r.error()));
        if (!*r) {
          if (attempt < 2) return again(std::move(ex), attempt + 1);
          return ex->respond(http::error_response(
              409,
              "The project's labeling config changed three times while the result was being checked; nothing "
              "was saved. Send it again."));
        }
        ex->respond(ok(**r));
      });
}

// A task, its project and its parsed data: what a result check needs.
struct task_context {
  store::task task;
  store::project project;
  nlohmann::json data;
};
// Reads them, or the 404 / error response.
std::variant<task_context, http::response> load_task(task_api& api, std::int64_t task_id);

// Data-manager task JSON for `tasks` read through `r` (their annotations, predictions, the drafts
// of `draft_user`, the users that annotated): "[...]" for a list, "{...}" for one task.
// A "$undefined$" data key (a file imported before the project had a config) is shown under the
// config's first data key, as Label Studio's task serializers show it.
result<std::string> dm_tasks_json(task_api& api, store::read_context& r, std::span<const store::task> tasks,
                                  bool embed, std::optional<std::int64_t> draft_user);
result<std::string> dm_task_json(task_api& api, store::read_context& r, const store::task& t,
                                 std::optional<std::int64_t> draft_user);
// The config's first data key when one of `tasks` has a "$undefined$" data key (the project is read
// only then), else "".
result<std::string> undefined_data_key(task_api& api, store::read_context& r,
                                       std::span<const store::task> tasks);

inline http::response json_response(int code, std::string body) {
  return http::response::json(code, std::move(body));
}

}  // namespace detail
}  // namespace annot::host::api
