// Shared pieces of the task-side routes: parsing, error shapes, config cache, result checks.
#include "api/tasks_common.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>

#include "api/drf_values.hpp"
#include "api/request_body.hpp"
#include "config/results.hpp"

namespace annot::host::api {

std::shared_ptr<const config::config_model> config_cache::get(const store::project& p) {
  return models_.get(p.id, p.config_version, p.label_config,
                     [&] { return config::compile_config(p.label_config, catalog_).model; });
}

void add_task_routes(api_routes& routes) {
  auto api = std::make_shared<task_api>(routes.ctx());
  add_task_crud_routes(routes, api);
  add_annotation_routes(routes, api);
  add_draft_routes(routes, api);
  add_prediction_routes(routes, api);
  add_dm_routes(routes, api);
  add_next_routes(routes, api);
}

namespace detail {

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

http::response field_error(std::string_view field, std::string message) {
  nlohmann::json errors = {{std::string(field), nlohmann::json::array({message})}};
  return http::error_response(400, "Validation error", &errors);
}

void require_field(const json& body, const char* key, nlohmann::json& errors) {
  auto it = body.find(key);
  if (it == body.end())
    errors[key] = nlohmann::json::array({"This field is required."});
  else if (it->is_null())
    errors[key] = nlohmann::json::array({"This field may not be null."});
}

std::optional<http::response> fields_error(const nlohmann::json& errors) {
  if (errors.empty()) return std::nullopt;
  return http::error_response(400, "Validation error", &errors);
}

http::response not_found(std::string_view what, std::int64_t id) {
  return http::error_response(404, std::string(what) + " " + std::to_string(id) + " not found");
}

http::response store_error(const status& s) {
  return http::error_response(s);
}

void delete_by_id(task_api& api, std::shared_ptr<http::exchange> ex, std::string_view what,
                  status (store::write_context::*remove)(std::int64_t)) {
  auto id = parse_id(ex->req().param("id"));
  if (!id)
    return ex->respond(http::error_response(
        404, std::string(what) + " " + std::string(ex->req().param("id")) + " not found"));
  api.ctx.db.submit([id = *id, remove](store::write_context& w) { return (w.*remove)(id); },
                    [ex = std::move(ex)](const status& s) {
                      ex->respond(s.ok() ? http::response::empty(204) : store_error(s));
                    });
}

object_body parse_object(const http::request& req, std::initializer_list<std::string_view> json_fields) {
  object_body out;
  auto body = request_object<json>(req, json_fields);
  if (body)
    out.value = std::move(*body);
  else
    out.error = http::error_response(400, body.error().message());
  return out;
}

annot::result<bool> query_bool(const http::request& req, std::string_view name, bool fallback) {
  auto v = req.query(name);
  if (!v || v->empty()) return fallback;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return annot::status(annot::errc::invalid_argument,
                       "query parameter '" + std::string(name) + "' must be true or false, not '" + *v + "'");
}

int_param query_int(const http::request& req, std::string_view name, std::int64_t min) {
  int_param out;
  auto text = req.query(name);
  if (!text) return out;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < min) {
    out.error = http::error_response(400, "query parameter " + std::string(name) + "=" + *text +
                                              " is not an integer >= " + std::to_string(min));
    return out;
  }
  out.value = v;
  return out;
}

std::optional<http::response> get_bool(const json& body, const char* key, std::optional<bool>& out) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  auto v = drf::as_bool(*it);
  if (!v) return field_error(key, "Must be a valid boolean.");
  out = *v;
  return std::nullopt;
}

std::optional<http::response> get_number(const json& body, const char* key,
                                         std::optional<std::optional<double>>& out) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) {
    out.emplace(std::nullopt);
    return std::nullopt;
  }
  auto v = drf::as_float(*it);
  if (!v) return field_error(key, "A valid number is required.");
  out.emplace(*v);
  return std::nullopt;
}

std::optional<http::response> get_id(const json& body, const char* key,
                                     std::optional<std::optional<std::int64_t>>& out) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) {
    out.emplace(std::nullopt);
    return std::nullopt;
  }
  auto id = drf::as_pk(*it);
  if (!id)
    return field_error(
        key, std::string("Incorrect type. Expected pk value, received ") + drf::python_type(*it) + ".");
  out.emplace(*id);
  return std::nullopt;
}

std::variant<task_context, http::response> load_task(task_api& api, std::int64_t task_id) {
  auto r = api.ctx.db.read();
  auto t = r->get_task(task_id);
  if (!t) return t.error().code() == errc::not_found ? not_found("Task", task_id) : store_error(t.error());
  auto p = r->get_project(t->project_id);
  if (!p) return store_error(p.error());
  auto data = parse_stored_json<nlohmann::json>(t->data, nlohmann::json::object());
  return task_context{std::move(*t), std::move(*p), std::move(data)};
}

namespace {

// The index of the result item an issue path names: "result[3].value.x" -> 3 (base_path "result").
std::optional<std::size_t> item_of(const std::string& path, const std::string& base_path) {
  if (path.compare(0, base_path.size(), base_path) != 0 || path.size() <= base_path.size() + 1 ||
      path[base_path.size()] != '[')
    return std::nullopt;
  std::size_t index = 0;
  const char* begin = path.data() + base_path.size() + 1;
  auto [end, ec] = std::from_chars(begin, path.data() + path.size(), index);
  if (ec != std::errc() || end == begin || *end != ']') return std::nullopt;
  return index;
}

}  // namespace

std::optional<http::response> check_results(task_api& api, const store::project& p, const json& results,
                                            const nlohmann::json* task_data, const std::string& base_path,
                                            bool allow_rule_breaks, const json* kept) {
  if (!results.is_array())
    return field_error(base_path, "annotation \"result\" field in annotation must be list");
  if (results.empty()) return std::nullopt;
  auto model = api.configs.get(p);
  if (!model) {
    return http::error_response(400,
                                "project " + std::to_string(p.id) +
                                    " has a labeling config that does not parse; results cannot be checked");
  }
  config::result_check_options opts;
  opts.base_path = base_path;
  opts.task_data = task_data;
  opts.max_issues = 100;
  auto report = config::validate_results(*model, nlohmann::json(results), opts);
  if (kept && kept->is_array() && report.errors == 0 && report.rule_breaks) {
    // Rule breaks of items stored before, unchanged, are not the caller's to fix.
    std::vector<char> unchanged(results.size(), 0);
    for (std::size_t i = 0; i < results.size(); ++i)
      for (const auto& k : *kept)
        if (k == results[i]) {
          unchanged[i] = 1;
          break;
        }
    std::size_t left = 0, listed = 0;
    for (const auto& issue : report.issues) listed += issue.level != annot::severity::error;
    if (listed < report.rule_breaks) left = 1;  // the list was cut short: check everything
    for (const auto& issue : report.issues)
      if (issue.level != annot::severity::error) {
        auto at = item_of(issue.path, base_path);
        if (!at || *at >= unchanged.size() || !unchanged[*at]) ++left;
      }
    if (left == 0) allow_rule_breaks = true;
  }
  const bool relax = allow_rule_breaks || !api.ctx.settings.strict_results;
  if (report.errors == 0 && (report.rule_breaks == 0 || relax)) {
    if (report.rule_breaks) {
      spdlog::debug("project {}: result stored with {} rule breaks, first: {}: {}", p.id, report.rule_breaks,
                    report.issues.front().path, report.issues.front().message);
    }
    return std::nullopt;
  }
  nlohmann::json messages = nlohmann::json::array();
  std::string detail;
  for (const auto& issue : report.issues) {
    if (relax && issue.level != annot::severity::error) continue;
    std::string line = issue.path + ": " + issue.message;
    if (issue.level != annot::severity::error)
      line += " (" + std::string(config::to_string(issue.level)) + ")";
    if (detail.empty()) detail = line;
    messages.push_back(std::move(line));
  }
  std::string field = base_path;
  nlohmann::json errors = {{field, std::move(messages)}};
  return http::error_response(400, "Validation error: " + detail, &errors);
}

}  // namespace detail
}  // namespace annot::host::api
