// Projects over HTTP: Label Studio's fields, pagination, config validation and the project-aware
// checks that refuse a config change orphaning existing annotations.
#include "api/projects.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "api/drf_values.hpp"
#include "api/export_stored.hpp"
#include "api/project_json.hpp"
#include "api/projects_validate.hpp"
#include "api/request_body.hpp"
#include "config/parsed_config.hpp"
#include "config/task_data.hpp"
#include "http/errors.hpp"
#include "store/time.hpp"
#include "util/ordered_json.hpp"

namespace annot::host::api {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::string_view no_project = "No Project matches the given query.";

http::response json_response(int status, const ojson& j) {
  return http::response::json(status, j.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

http::response validation_error(const json& errors) { return http::error_response(400, "Validation error", &errors); }

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

// The request body as an object (request_object()); control_weights is the JSON field of a form.
result<json> body_object(const http::request& req) {
  return request_object<json>(req, {"control_weights"});
}

// Reads the project fields of a POST/PATCH body with Django REST framework's coercions and
// messages, collecting every field error as validation_errors does.
struct project_input {
  store::project_fields fields;
  json errors = json::object();
  // When label_config was given and compiled cleanly.
  std::shared_ptr<const config::config_model> model;
  ojson parsed;
  bool control_weights_given = false;

  void fail(const std::string& field, std::string message) { errors[field].push_back(std::move(message)); }
};

using drf::as_bool;
using drf::as_int;
using drf::as_string;

// What Python's int() makes of a JSON value: a bool as 0/1, an integer, a float cut towards zero, a
// string of an integer (blanks around, digits grouped by single underscores). Label Studio calls int()
// on start_training_on_annotation_update unchecked, so what it refuses is a 500 there, a 400 here.
std::optional<std::int64_t> python_int(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return v.get<std::int64_t>();
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.get_ref<const std::string&>();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits += s[i];
    } else if (s[i] != '_' || i == 0 || i + 1 == s.size() ||
               !std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      return std::nullopt;
    }
  }
  if (digits.empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc()) return std::nullopt;
  return negative ? -n : n;
}

json control_weights_for(const ojson& parsed, const json& existing) {
  json out = json::object();
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    std::string type = it.value().value("type", "");
    if (type == "Filter") continue;
    const std::string& name = it.key();
    const json* old = existing.is_object() && existing.contains(name) && existing[name].is_object() ? &existing[name] : nullptr;
    double overall = 1.0;
    if (old && old->contains("overall") && (*old)["overall"].is_number()) overall = (*old)["overall"].get<double>();
    json labels = json::object();
    if (auto l = it.value().find("labels"); l != it.value().end() && l->is_array()) {
      for (const auto& label : *l) {
        if (!label.is_string()) continue;
        double w = 1.0;
        if (old && old->contains("labels") && (*old)["labels"].is_object()) {
          const json& ol = (*old)["labels"];
          if (auto f = ol.find(label.get<std::string>()); f != ol.end() && f->is_number()) w = f->get<double>();
        }
        labels[label.get<std::string>()] = w;
      }
    }
    out[name] = {{"overall", overall}, {"type", type}, {"labels", std::move(labels)}};
  }
  return out;
}

project_input read_project_input(const json& body, const config::tag_catalog& catalog) {
  project_input in;
  auto& f = in.fields;
  auto str = [&](const char* name, store::patch_field<std::string>& out, bool null_ok, std::size_t max_len = 0) {
    auto it = body.find(name);
    if (it == body.end()) return;
    auto s = as_string(*it, null_ok);
    if (!s) return in.fail(name, it->is_null() ? "This field may not be null." : "Not a valid string.");
    if (max_len && s->size() > max_len)
      return in.fail(name, "Ensure this field has no more than " + std::to_string(max_len) + " characters.");
    out = std::move(*s);
  };
  auto boolean = [&](const char* name, store::patch_field<bool>& out) {
    auto it = body.find(name);
    if (it == body.end()) return;
    auto b = as_bool(*it);
    if (!b) return in.fail(name, it->is_null() ? "This field may not be null." : "Must be a valid boolean.");
    out = *b;
  };
  auto integer = [&](const char* name, store::patch_field<std::int64_t>& out, std::int64_t min, std::optional<std::int64_t> max) {
    auto it = body.find(name);
    if (it == body.end()) return;
    auto n = as_int(*it);
    if (!n) return in.fail(name, it->is_null() ? "This field may not be null." : "A valid integer is required.");
    if (*n < min) return in.fail(name, "Ensure this value is greater than or equal to " + std::to_string(min) + ".");
    if (max && *n > *max) return in.fail(name, "Ensure this value is less than or equal to " + std::to_string(*max) + ".");
    out = *n;
  };
  auto nullable_str = [&](const char* name, store::patch_field<std::optional<std::string>>& out) {
    auto it = body.find(name);
    if (it == body.end()) return;
    if (it->is_null()) {
      out.emplace();  // present, and null
      return;
    }
    auto s = as_string(*it, false);
    if (!s) return in.fail(name, "Not a valid string.");
    out.emplace(std::move(*s));
  };
  auto choice = [&](const char* name, store::patch_field<std::string>& out, std::initializer_list<std::string_view> allowed) {
    auto it = body.find(name);
    if (it == body.end()) return;
    if (it->is_null()) return in.fail(name, "This field may not be null.");
    std::string v = it->is_string() ? it->get<std::string>() : it->dump();
    for (auto a : allowed)
      if (v == a) {
        out = v;
        return;
      }
    in.fail(name, "\"" + v + "\" is not a valid choice.");
  };

  str("title", f.title, true, 50);
  if (f.title && !f.title->empty() && f.title->size() < 3) in.fail("title", "Ensure this field has at least 3 characters.");
  str("description", f.description, true);
  str("expert_instruction", f.expert_instruction, true);
  str("model_version", f.model_version, true);
  if (auto it = body.find("color"); it != body.end()) {
    auto s = as_string(*it, false);
    bool ok = s && s->size() == 7 && (*s)[0] == '#' &&
              s->find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
    if (!ok) in.fail("color", "Color must be in \"#RRGGBB\" format");
    else f.color = *s;
  }
  choice("sampling", f.sampling, {store::sampling_sequential, store::sampling_uniform, store::sampling_uncertainty});
  choice("skip_queue", f.skip_queue, {store::skip_requeue_for_me, store::skip_requeue_for_others, store::skip_ignore_skipped});
  boolean("show_instruction", f.show_instruction);
  boolean("show_skip_button", f.show_skip_button);
  boolean("enable_empty_annotation", f.enable_empty_annotation);
  boolean("show_annotation_history", f.show_annotation_history);
  boolean("is_published", f.is_published);
  boolean("is_draft", f.is_draft);
  boolean("show_collab_predictions", f.show_collab_predictions);
  boolean("show_ground_truth_first", f.show_ground_truth_first);
  boolean("show_overlap_first", f.show_overlap_first);
  boolean("evaluate_predictions_automatically", f.evaluate_predictions_automatically);
  boolean("reveal_preannotations_interactively", f.reveal_preannotations_interactively);
  integer("maximum_annotations", f.maximum_annotations, 1, std::nullopt);
  integer("min_annotations_to_start_training", f.min_annotations_to_start_training, 0, std::nullopt);
  // Label Studio's ProjectSerializer stores this flag as min_annotations_to_start_training = int(flag)
  // (winning over a count sent beside it) and reports it back as bool(that count).
  if (auto it = body.find("start_training_on_annotation_update"); it != body.end()) {
    auto n = python_int(*it);
    if (!n)
      in.fail("start_training_on_annotation_update", "A valid integer is required.");
    else if (*n < 0)
      in.fail("start_training_on_annotation_update", "Ensure this value is greater than or equal to 0.");
    else
      f.min_annotations_to_start_training = *n;
  }
  integer("overlap_cohort_percentage", f.overlap_cohort_percentage, 0, 100);
  nullable_str("task_data_login", f.task_data_login);
  nullable_str("task_data_password", f.task_data_password);
  if (auto it = body.find("pinned_at"); it != body.end()) {
    if (it->is_null()) {
      f.pinned_at.emplace();  // unpin
    } else if (auto t = it->is_string() ? store::parse_iso8601(it->get<std::string>()) : std::nullopt) {
      f.pinned_at.emplace(*t);
    } else {
      in.fail("pinned_at", "Datetime has wrong format. Use one of these formats instead: "
                           "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
    }
  }
  if (auto it = body.find("control_weights"); it != body.end()) {
    if (it->is_null()) {
      f.control_weights = "{}";
      in.control_weights_given = true;
    } else if (it->is_object()) {
      f.control_weights = it->dump();
      in.control_weights_given = true;
    } else {
      in.fail("control_weights", std::string("Expected a dictionary of items but got type \"") + it->type_name() + "\".");
    }
  }
  if (auto it = body.find("label_config"); it != body.end()) {
    if (it->is_null()) {
      in.fail("label_config", "This field may not be null.");
    } else if (!it->is_string()) {
      in.fail("label_config", "Not a valid string.");
    } else {
      const std::string& xml = it->get_ref<const std::string&>();
      config::compiled_config c = config::compile_config(xml, catalog);
      if (!c.ok()) {
        for (const auto& e : c.errors) in.fail("label_config", e.message);
        if (c.errors.empty()) in.fail("label_config", "the labeling config could not be parsed");
      } else {
        in.model = c.model;
        in.parsed = config::parsed_label_config(*c.model);
        ojson types = ojson::object();
        for (const auto& k : c.model->data_keys()) types[k.key] = k.tag;
        f.label_config = xml;
        f.parsed_label_config = in.parsed.dump(-1, ' ', false, ojson::error_handler_t::replace);
        f.data_types = types.dump(-1, ' ', false, ojson::error_handler_t::replace);
        f.data_keys = config::required_data_keys(*c.model);
      }
    }
  }
  return in;
}

// A project, its creator and the requesting user's queue in it, read or written in one unit.
struct project_view {
  store::project p;
  std::optional<store::user> creator;
  store::user_queue queue;
};

http::response project_response(int status, const project_view& v) {
  return json_response(status, project_json(v.p, v.creator, v.queue));
}

http::response store_error(const annot::status& s) {
  if (s.code() == errc::not_found) return http::error_response(404, no_project);
  return http::error_response(s);
}

// The page URL of a list, with page replaced (dropped for page 1), as Django REST framework builds it.
std::string page_url(const http::request& req, std::int64_t page) {
  std::string host = std::string(req.headers.get("Host").value_or("localhost"));
  std::string query;
  std::string_view rest = req.query_string;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (part.empty() || part == "page" || part.starts_with("page=")) continue;
    query += (query.empty() ? "" : "&") + std::string(part);
  }
  if (page > 1) query += (query.empty() ? "" : "&") + std::string("page=") + std::to_string(page);
  std::string path = req.path;
  return req.scheme + "://" + host + path + (query.empty() ? "" : "?" + query);
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto c = text.find(',');
    std::string_view part = text.substr(0, c);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    text = c == std::string_view::npos ? std::string_view() : text.substr(c + 1);
  }
  return out;
}

// The query parameters of Label Studio's GetFieldsSerializer, which both project routes read.
struct fields_params {
  std::optional<std::vector<std::string>> include;  // nullopt: every counter
  store::pinned_filter pinned = store::pinned_filter::all;
};

// include and filter are CharFields there: trimmed, and refused when blank. include is split on its
// commas as it is; a filter other than pinned_only or exclude_pinned lists every project (its
// validate_filter lets other values through as None).
std::optional<http::response> read_fields_params(const http::request& req, fields_params& out) {
  auto trimmed = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  json errors = json::object();
  if (auto inc = req.query("include")) {
    std::string_view v = trimmed(*inc);
    if (v.empty()) errors["include"] = json::array({"This field may not be blank."});
    out.include.emplace();
    while (!v.empty()) {
      auto comma = v.find(',');
      out.include->emplace_back(v.substr(0, comma));
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
  }
  if (auto f = req.query("filter")) {
    std::string_view v = trimmed(*f);
    if (v.empty()) errors["filter"] = json::array({"This field may not be blank."});
    if (v == "pinned_only") out.pinned = store::pinned_filter::pinned_only;
    if (v == "exclude_pinned") out.pinned = store::pinned_filter::exclude_pinned;
  }
  if (!errors.empty()) return validation_error(errors);
  return std::nullopt;
}

// Django REST framework's OrderingFilter: comma-separated fields, "-" for descending; terms naming no
// orderable field are dropped, and with none left the default order stays.
std::vector<store::project_order_term> read_ordering(const http::request& req) {
  std::vector<store::project_order_term> out;
  auto param = req.query("ordering");
  if (!param) return out;
  std::string_view rest = *param;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view term = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!term.empty() && std::isspace(static_cast<unsigned char>(term.front()))) term.remove_prefix(1);
    while (!term.empty() && std::isspace(static_cast<unsigned char>(term.back()))) term.remove_suffix(1);
    bool descending = term.starts_with('-');
    if (descending) term.remove_prefix(1);
    const auto& fields = store::project_ordering_fields;
    if (std::find(std::begin(fields), std::end(fields), term) != std::end(fields))
      out.push_back({std::string(term), descending});
  }
  return out;
}

// What each listed project shows: the whole project (GET /api/projects), or only its id and counters
// (GET /api/projects/counts, Label Studio's ProjectCountsSerializer, for dashboards that poll).
enum class listed_fields { all, counters };

http::response list_projects(api_context& ctx, const http::request& req, std::int64_t user_id,
                             listed_fields shown = listed_fields::all) {
  store::project_list_query q;
  if (auto page = req.query("page")) {
    auto n = parse_id(*page);
    if (!n && *page != "last") return http::error_response(404, "Invalid page.");
    q.page = n.value_or(-1);
  }
  if (auto size = req.query("page_size")) {
    if (auto n = parse_id(*size)) q.page_size = std::min<std::int64_t>(*n, 100);
  }
  if (auto title = req.query("title")) q.title_contains = *title;
  std::vector<std::string> ids;
  for (const auto& v : req.query_all("ids")) {
    auto parts = split_commas(v);
    ids.insert(ids.end(), parts.begin(), parts.end());
  }
  for (const auto& v : req.query_all("ids[]")) ids.push_back(v);
  for (const auto& s : ids) {
    auto n = parse_id(s);
    if (!n) return validation_error(json{{"ids", json::array({"Enter a number."})}});
    q.ids.push_back(*n);
  }
  fields_params params;
  if (auto bad = read_fields_params(req, params)) return std::move(*bad);
  q.pinned = params.pinned;
  q.ordering = read_ordering(req);

  auto lease = ctx.db.read();
  bool last = q.page == -1;
  if (last) q.page = 1;
  auto page = lease->list_projects(q);
  if (!page) return http::error_response(page.error());
  std::int64_t pages = std::max<std::int64_t>(1, (page->count + q.page_size - 1) / q.page_size);
  if (last && pages > 1) {
    q.page = pages;
    page = lease->list_projects(q);
    if (!page) return http::error_response(page.error());
  }
  if (q.page > pages) return http::error_response(404, "Invalid page.");

  // The caller's queues for the whole page in one read.
  std::vector<std::int64_t> page_ids;
  for (const auto& p : page->items) page_ids.push_back(p.id);
  auto queues = lease->user_queues(page_ids, user_id);
  if (!queues) return http::error_response(queues.error());
  std::map<std::int64_t, store::user_queue> queue_by_id;
  for (const auto& q : *queues) queue_by_id[q.project_id] = q;

  std::map<std::int64_t, std::optional<store::user>> users;
  ojson results = ojson::array();
  for (const auto& p : page->items) {
    std::optional<store::user> creator;
    if (p.created_by) {
      auto it = users.find(*p.created_by);
      if (it == users.end()) it = users.emplace(*p.created_by, creator_of(*lease, p)).first;
      creator = it->second;
    }
    auto q = queue_by_id.find(p.id);
    ojson j = project_json(p, creator, q != queue_by_id.end() ? q->second : store::user_queue{p.id});
    if (params.include) null_counters_not_included(j, *params.include);
    if (shown == listed_fields::counters) j = project_counters_json(j);
    results.push_back(std::move(j));
  }
  ojson out;
  out["count"] = page->count;
  out["next"] = q.page < pages ? ojson(page_url(req, q.page + 1)) : ojson(nullptr);
  out["previous"] = q.page > 1 ? ojson(page_url(req, q.page - 1)) : ojson(nullptr);
  out["results"] = std::move(results);
  return json_response(200, out);
}

// A field a write unit refused after reading the project (the config against its annotations, a
// model_version no prediction has): answered as validation_errors[field].
struct field_refusal {
  std::string field, message;
};

// Writes a unit and answers from its commit callback; a `refusal` set by the unit is the answer when
// the unit fails.
void write_project(api_context& ctx, std::shared_ptr<http::exchange> ex, int ok_status,
                   std::function<result<project_view>(store::write_context&, field_refusal& refusal)> unit) {
  auto refusal = std::make_shared<field_refusal>();
  ctx.db.submit<project_view>(
      std::function<result<project_view>(store::write_context&)>(
          [unit = std::move(unit), refusal](store::write_context& w) { return unit(w, *refusal); }),
      std::function<void(result<project_view>)>([ex, ok_status, refusal](result<project_view> r) {
        if (r) return ex->respond(project_response(ok_status, *r));
        if (!refusal->field.empty())
          return ex->respond(validation_error(json{{refusal->field, json::array({refusal->message})}}));
        // The store's own field checks ("sampling: ..."): a 400 naming the field.
        if (r.error().code() == errc::invalid_argument) {
          const std::string& m = r.error().message();
          auto colon = m.find(':');
          std::string field = colon != std::string::npos && m.find(' ') > colon ? m.substr(0, colon) : "non_field_errors";
          return ex->respond(validation_error(json{{field, json::array({m})}}));
        }
        ex->respond(store_error(r.error()));
      }));
}

}  // namespace

void add_project_routes(api_routes& routes) {
  api_context* ctx = &routes.ctx();
  http::route_options config_route;
  config_route.body_limit = 16 * 1024 * 1024;  // configs with thousands of choices run to megabytes
  config_route.offload = true;                 // compile_config and plugin checks stay off the I/O threads

  routes.add(http::method::get, "/api/projects",
             authed_handler([ctx](http::request& req, const auth::principal& who) {
               return list_projects(*ctx, req, who.user.id);
             }));

  routes.add(http::method::get, "/api/projects/counts",
             authed_handler([ctx](http::request& req, const auth::principal& who) {
               return list_projects(*ctx, req, who.user.id, listed_fields::counters);
             }));

  routes.add(
      http::method::post, "/api/projects",
      authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
        auto body = body_object(ex->req());
        if (!body) return ex->respond(http::error_response(body.error()));
        auto in = std::make_shared<project_input>(read_project_input(*body, ctx->catalog));
        if (!in->errors.empty()) return ex->respond(validation_error(in->errors));
        if (in->model && !in->control_weights_given)
          in->fields.control_weights = control_weights_for(in->parsed, json::object()).dump();
        std::int64_t uid = who.user.id;
        write_project(*ctx, std::move(ex), 201,
                      [in, uid](store::write_context& w, field_refusal&) -> result<project_view> {
                        auto p = w.create_project({in->fields, uid});
                        if (!p) return p.error();
                        auto creator = creator_of(w, *p);
                        auto queue = queue_of(w, p->id, uid);
                        if (!queue) return queue.error();
                        return project_view{std::move(*p), std::move(creator), *queue};
                      });
      }),
      config_route);

  routes.add(http::method::get, "/api/projects/{id}",
             authed_handler([ctx](http::request& req, const auth::principal& who) {
               auto id = parse_id(req.param("id"));
               if (!id) return http::error_response(404, no_project);
               // ProjectAPI reads include (and checks filter) as the list does.
               fields_params params;
               if (auto bad = read_fields_params(req, params)) return std::move(*bad);
               auto lease = ctx->db.read();
               auto p = lease->get_project(*id);
               if (!p) return store_error(p.error());
               auto creator = creator_of(*lease, *p);
               auto queue = queue_of(*lease, *id, who.user.id);
               if (!queue) return http::error_response(queue.error());
               ojson j = project_json(*p, creator, *queue);
               if (params.include) null_counters_not_included(j, *params.include);
               return json_response(200, j);
             }));

  auto update = authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
    auto id = parse_id(ex->req().param("id"));
    if (!id) return ex->respond(http::error_response(404, no_project));
    // Label Studio's view looks the project up before it reads the body: a missing project is a 404
    // whatever the body holds.
    if (auto found = ctx->db.read()->get_project(*id); !found) return ex->respond(store_error(found.error()));
    auto body = body_object(ex->req());
    if (!body) return ex->respond(http::error_response(body.error()));
    auto in = std::make_shared<project_input>(read_project_input(*body, ctx->catalog));
    if (!in->errors.empty()) return ex->respond(validation_error(in->errors));
    std::int64_t pid = *id, uid = who.user.id;
    // The project-aware check runs inside the write unit, so no annotation can slip in between the
    // check and the config change.
    write_project(
        *ctx, std::move(ex), 200,
        [in, pid, uid](store::write_context& w, field_refusal& refusal) -> result<project_view> {
          auto cur = w.get_project(pid);
          if (!cur) return cur.error();
          store::project_fields fields = in->fields;
          if (in->model) {
            auto summary = w.get_project_summary(pid);
            if (!summary) return summary.error();
            if (auto s = check_config_against_project(*cur, *summary, *in->model, in->parsed, false); !s) {
              refusal = {"label_config", s.message()};
              return s;
            }
            if (!in->control_weights_given) {
              json existing = json::parse(cur->control_weights, nullptr, false);
              fields.control_weights = control_weights_for(in->parsed, existing).dump();
            }
          }
          // ProjectSerializer.validate_model_version: a changed, non-empty model_version must be a live
          // model's or a prediction's of this project. Annot runs no ML backends: predictions only.
          if (fields.model_version && !fields.model_version->empty() &&
              *fields.model_version != cur->model_version) {
            store::prediction_filter f{.project_id = pid, .model_version = *fields.model_version, .limit = 1};
            auto found = w.list_predictions(f);
            if (!found) return found.error();
            if (found->empty()) {
              refusal = {"model_version",
                         "Model version doesn't exist either as live model or as static predictions."};
              return annot::status(errc::invalid_argument, refusal.message);
            }
          }
          // ProjectSerializer.update: hiding predictions from annotators clears model_version; one sent
          // beside it is still set.
          if (fields.show_collab_predictions == false && !fields.model_version) fields.model_version = "";
          auto p = w.update_project(pid, fields);
          if (!p) return p.error();
          auto creator = creator_of(w, *p);
          auto queue = queue_of(w, pid, uid);
          if (!queue) return queue.error();
          return project_view{std::move(*p), std::move(creator), *queue};
        });
  });
  routes.add(http::method::patch, "/api/projects/{id}", update, config_route);
  routes.add(http::method::put, "/api/projects/{id}", update, config_route);

  routes.add(http::method::delete_, "/api/projects/{id}",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               auto id = parse_id(ex->req().param("id"));
               if (!id) return ex->respond(http::error_response(404, no_project));
               std::int64_t pid = *id;
               ctx->db.submit([pid](store::write_context& w) { return w.delete_project(pid); },
                              [ex, ctx, pid](const annot::status& s) {
                                if (s.ok()) remove_project_exports(ctx->data_dir, pid);
                                ex->respond(s.ok() ? http::response::empty(204) : store_error(s));
                              });
             }));

  routes.add(
      http::method::post, "/api/projects/{id}/validate",
      authed_handler([ctx](http::request& req, const auth::principal&) {
        auto id = parse_id(req.param("id"));
        if (!id) return http::error_response(404, no_project);
        auto refuse = [](std::string message) {
          return validation_error(json{{"non_field_errors", json::array({std::move(message)})}});
        };
        auto body = body_object(req);
        if (!body) return http::error_response(body.error());
        auto it = body->find("label_config");
        if (it == body->end() || !it->is_string() || it->get_ref<const std::string&>().empty())
          return refuse("Label config is not set or is empty");
        config::compiled_config c = config::compile_config(it->get_ref<const std::string&>(), ctx->catalog);
        if (!c.ok()) return refuse(c.errors.empty() ? "the labeling config could not be parsed" : c.errors.front().message);
        ojson parsed = config::parsed_label_config(*c.model);
        auto lease = ctx->db.read();
        auto p = lease->get_project(*id);
        if (!p) return store_error(p.error());
        auto summary = lease->get_project_summary(*id);
        if (!summary) return http::error_response(summary.error());
        lease.reset();
        ojson old_parsed = util::parse_ordered_json(p->parsed_label_config);
        bool changed = config_essential_data_has_changed(parsed, old_parsed);
        if (auto s = check_config_against_project(*p, *summary, *c.model, parsed, true); !s) return refuse(s.message());
        ojson out;
        out["config_essential_data_has_changed"] = changed ? ojson(true) : ojson(nullptr);
        return json_response(200, out);
      }),
      config_route);

  routes.add(http::method::get, "/api/projects/{id}/summary",
             authed_handler([ctx](http::request& req, const auth::principal&) {
               auto id = parse_id(req.param("id"));
               if (!id) return http::error_response(404, no_project);
               auto lease = ctx->db.read();
               auto p = lease->get_project(*id);
               if (!p) return store_error(p.error());
               auto s = lease->get_project_summary(*id);
               if (!s) return http::error_response(s.error());
               return json_response(200, project_summary_json(*id, *s));
             }));
}

}  // namespace annot::host::api
