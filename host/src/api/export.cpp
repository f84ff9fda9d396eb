// Easy export and the formats listing (label-studio-formats §4.3, export-formats §1.1 and §1.3).
#include "api/export.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <variant>

#include "api/export_stored.hpp"
#include "api/tasks_common.hpp"
#include "export/download_sink.hpp"
#include "export/runner.hpp"
#include "export/sinks.hpp"
#include "export/task_scope.hpp"
#include "http/errors.hpp"

namespace annot::host::api {
namespace {
using detail::query_bool;

using json = nlohmann::json;

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

http::response bad_request(std::string_view detail) { return http::error_response(400, detail); }

// A query parameter Label Studio's ExportParamSerializer would refuse: "Validation error" with the
// parameter's message under validation_errors, as upstream's DRF errors read (label-studio-formats §4.1).
http::response field_error(std::string_view field, std::string_view message) {
  const json errors = {{std::string(field), json::array({std::string(message)})}};
  return http::error_response(400, "Validation error", &errors);
}

// A query parameter read_params refused: its name and why.
struct param_error {
  std::string field, message;
};

annot::result<store::project> load_project(api_context& ctx, const http::request& req) {
  auto id = parse_int(req.param("id"));
  if (!id) return annot::status(annot::errc::invalid_argument, "project id must be a positive integer");
  auto r = ctx.db.read();
  auto p = r->get_project(*id);
  if (!p.ok() && p.error().code() == annot::errc::not_found)
    return annot::status(annot::errc::not_found, "Project " + std::to_string(*id) + " not found");
  return p;
}

http::response status_response(const annot::status& st) {
  // A format that does not apply to the config is the caller's mistake: 400 naming the reason.
  if (st.code() == annot::errc::failed_precondition) return bad_request(st.message());
  return http::error_response(st);
}

// Reads the easy-export query: exportType (or export_type), download_all_tasks,
// download_resources, ids[] (or ids), interpolate_key_frames.
std::variant<exporting::export_params, param_error> read_params(const http::request& req) {
  exporting::export_params p;
  p.format = req.query("exportType").value_or(req.query("export_type").value_or("JSON"));
  if (p.format.empty()) p.format = "JSON";
  auto all = query_bool(req, "download_all_tasks", false);
  if (!all.ok()) return param_error{"download_all_tasks", all.error().message()};
  p.download_all_tasks = *all;
  // Label Studio's ExportAPI defaults it to true (CONVERTER_DOWNLOAD_RESOURCES): VOC and ASR_MANIFEST
  // copy the project's uploads unless told not to.
  auto res = query_bool(req, "download_resources", true);
  if (!res.ok()) return param_error{"download_resources", res.error().message()};
  p.download_resources = *res;
  auto kf = query_bool(req, "interpolate_key_frames", false);
  if (!kf.ok()) return param_error{"interpolate_key_frames", kf.error().message()};
  p.serialize.interpolate_key_frames = *kf;
  // The exporter's own options (the formats listing names them), a JSON object; checked against the
  // exporter's table once the format is known.
  if (auto o = req.query("options"); o && !o->empty()) p.options = std::string(*o);
  std::vector<std::string> ids = req.query_all("ids[]");
  for (auto& v : req.query_all("ids")) ids.push_back(v);
  for (const auto& v : ids) {
    // ids may also come comma-separated in one value. One that names no task is refused: taken as no
    // selection, it exported every task to a caller who asked for some (Label Studio fails on it).
    if (v.find_first_not_of(", ") == std::string::npos)
      return param_error{"ids", "ids[] must be positive task ids, not '" + std::string(v) + "'"};
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      std::string_view one(v.data() + start, end - start);
      if (!one.empty()) {
        auto id = parse_int(one);
        if (!id) return param_error{"ids", "ids[] must be positive task ids, not '" + std::string(one) + "'"};
        p.ids.push_back(*id);
      }
      start = end + 1;
    }
  }
  // As in Label Studio, ids[] narrows the tasks and download_all_tasks still decides whether the ones without
  // annotations are among them.
  return p;
}

// Annot's extension of the easy export: view=<tab id> (its filters and saved selection) and
// selectedItems=<the data manager's selection, JSON>, as the export dialog sends them.
std::variant<exporting::export_scope, param_error> read_scope(const http::request& req) {
  exporting::export_scope scope;
  if (auto v = req.query("view"); v && !v->empty()) {
    scope.view = parse_int(*v);
    if (!scope.view)
      return param_error{"view", "view must be a positive tab id, not '" + std::string(*v) + "'"};
  }
  if (auto s = req.query("selectedItems"); s && !s->empty()) {
    auto selected = store::parse_selected_items(*s);
    if (!selected.ok()) return param_error{"selectedItems", selected.error().message()};
    scope.selected = std::move(*selected);
  }
  return scope;
}

void easy_export(api_context& ctx, exporting::project_configs& configs, std::shared_ptr<http::exchange> ex) {
  auto project = load_project(ctx, ex->req());
  if (!project.ok()) return ex->respond(status_response(project.error()));
  auto read = read_params(ex->req());
  if (auto* e = std::get_if<param_error>(&read)) return ex->respond(field_error(e->field, e->message));
  auto* params = &std::get<exporting::export_params>(read);
  auto format = exporting::find_format(ctx.registry, params->format);
  if (!format.ok()) return ex->respond(field_error("exportType", format.error().message()));
  // Label Studio would run its converter anyway and send whatever it made of a config the format does
  // not fit (an empty or broken file, or a crash); the formats listing marks these disabled, and asking
  // for one anyway is the caller's mistake.
  const std::shared_ptr<const exporting::project_config> config = configs.get(*project);
  if (annot::status st = exporting::applies(*format, *config); !st.ok())
    return ex->respond(field_error("exportType", "exportType " + params->format +
                                                     " is not available for this project: " + st.message()));
  if (annot::status st = exporting::check_options(*format->exporter, params->options); !st.ok())
    return ex->respond(field_error("options", st.message()));
  // The tab and selection are resolved once the request is known to be good: their query reads the project.
  auto scope = read_scope(ex->req());
  if (auto* e = std::get_if<param_error>(&scope)) return ex->respond(field_error(e->field, e->message));
  if (const exporting::export_scope& s = std::get<exporting::export_scope>(scope); s.given()) {
    auto kept = exporting::scope_task_ids(ctx.db, project->id, s, exporting::unusable_view::refuse);
    if (!kept.ok() && kept.error().code() == annot::errc::invalid_argument)
      return ex->respond(field_error("view", kept.error().message()));
    if (!kept.ok()) return ex->respond(status_response(kept.error()));
    if (*kept) exporting::narrow_to(*params, std::move(**kept));
  }
  params->upload_dir = (ctx.data_dir / "upload").string();

  // The response starts once the download's packaging is decided (download_sink): at a single file's first
  // bytes, when an archive is known to be a zip or one file. A failure before then gets an error answer.
  std::unique_ptr<http::body_sink> body;
  // Bytes go to the client in 256 KiB chunks; a slow client's wait in the body's spool, not here.
  std::string pending;
  annot::status write_error;
  auto flush = [&]() -> annot::status {
    if (!pending.empty() && write_error.ok()) write_error = body->write(pending);
    pending.clear();
    return write_error;
  };
  exporting::callback_writer writer([&](std::string_view bytes) -> annot::status {
    if (!write_error.ok()) return write_error;
    // The sinks and exporters already gather large blocks: those go out without another copy.
    if (pending.empty() && bytes.size() >= (1 << 18)) return write_error = body->write(bytes);
    pending.append(bytes);
    if (pending.size() >= (1 << 18)) return flush();
    return {};
  });
  auto start = [&](std::string_view ext) -> annot::result<exporting::byte_writer*> {
    http::header_map headers;
    // Label Studio's own spellings: application/zip for an archive, application/.json (dot included)
    // for a single file.
    headers.set("Content-Type",
                ext == ".zip" ? std::string("application/zip") : "application/" + std::string(ext));
    const std::string name = exporting::download_name(*project, *params, ext);
    headers.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
    headers.set("filename", name);  // Label Studio's own header, which its export page saves the file by
    body = ex->respond_streamed(200, std::move(headers));
    return &writer;
  };
  exporting::download_sink download(*format->format, start);
  annot::result<exporting::export_report> report =
      exporting::run_export(ctx.db, *format, *project, *config, *params, download.sink());
  if (report.ok()) {
    if (annot::status st = download.finish(); !st.ok()) report = st;
  }
  if (!report.ok()) download.abandon();
  if (!report.ok() && !download.started()) {
    // Nothing was sent yet: the failure gets an answer of its own instead of a truncated body.
    spdlog::warn("export {} of project {} failed: {}", params->format, project->id, report.error().message());
    return ex->respond(status_response(report.error()));
  }
  if (report.ok()) {
    if (annot::status st = flush(); st.ok()) {
      (void)body->finish();
      spdlog::info("export {} of project {}: {} tasks, {} skipped, {} warnings", params->format, project->id,
                   report->tasks, report->skipped_count, report->warning_count);
      return;
    }
  }
  // The headers are gone: dropping the sink unfinished tells the client the body is truncated.
  spdlog::warn("export {} of project {} failed: {}", params->format, project->id,
               report.ok() ? write_error.message() : report.error().message());
}

}  // namespace

void add_export_routes(api_routes& routes) {
  api_context* ctx = &routes.ctx();
  // Shared by the easy and the stored exports' routes.
  auto configs = std::make_shared<exporting::project_configs>(ctx->registry);
  routes.add(http::method::get, "/api/projects/{id}/export/formats",
             authed_handler([ctx, configs](http::request& req, const auth::principal&) {
               auto project = load_project(*ctx, req);
               if (!project.ok()) return status_response(project.error());
               return http::response::json(
                   200, exporting::formats_listing(ctx->registry, *configs->get(*project)).dump());
             }));
  // Exports stream from the offload pool: the store cursor and the exporter block that thread. Each
  // holds some 10 MB while it runs, which the server gives back after a burst of them.
  routes.add(http::method::get, "/api/projects/{id}/export",
             authed_async_handler([ctx, configs](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               easy_export(*ctx, *configs, std::move(ex));
             }),
             http::route_options{.offload = true, .memory_heavy = true});
  add_stored_export_routes(routes, configs);
}

}  // namespace annot::host::api
