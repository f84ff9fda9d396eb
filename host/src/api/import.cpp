// The import routes: body sources in Label Studio's order, the pipeline, sync or as a job.
#include "api/import.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "api/drf_values.hpp"
#include "api/request_body.hpp"
#include "http/errors.hpp"
#include "http/fetch.hpp"
#include "http/url.hpp"
#include "import/multipart.hpp"
#include "import/pipeline.hpp"
#include "import/upload_files.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Label Studio's DATA_UPLOAD_MAX_NUMBER_FILES.
constexpr std::size_t max_files = 100;
// Import bodies are streamed: the limit is only a guard against endless uploads.
constexpr std::size_t import_body_limit = std::size_t(16) << 30;
// A url= form is small.
constexpr std::size_t form_limit = 1 << 20;

http::response validation_error(const std::string& message) {
  json v = {{"non_field_errors", {message}}};
  return http::error_response(400, "Validation error", &v);
}

http::response failure(const status& s) {
  if (s.code() == errc::invalid_argument) return validation_error(s.message());
  if (s.code() == errc::cancelled) return http::error_response(409, s.message());
  return http::error_response(s);
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

bool query_flag(const http::request& req, std::string_view name, bool fallback) {
  auto v = req.query(name);
  if (!v) return fallback;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return fallback;
}

struct import_params {
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  bool commit = true;
  bool return_task_ids = false;
  bool async = false;
  std::vector<std::string> preannotated;
  std::vector<std::int64_t> replace_file_uploads;  // a re-import: their tasks are replaced
};

import_params read_params(const http::request& req, std::int64_t pid, const auth::principal& who) {
  import_params p;
  p.project_id = pid;
  p.user_id = who.user.id;
  p.commit = query_flag(req, "commit_to_project", true);
  p.return_task_ids = query_flag(req, "return_task_ids", false);
  p.async = query_flag(req, "async", false);
  if (auto f = req.query("preannotated_from_fields"); f && !f->empty()) {
    std::string_view rest = *f;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view one = rest.substr(0, comma);
      if (!one.empty()) p.preannotated.emplace_back(one);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return p;
}

// A job's context as seen by the pipeline's callbacks, which are set before the job starts.
struct job_link {
  std::atomic<jobs::job_context*> ctx{nullptr};
};

imports::import_options pipeline_options(const import_params& p, const std::shared_ptr<job_link>& link) {
  imports::import_options o;
  o.user_id = p.user_id;
  o.preannotated_from_fields = p.preannotated;
  o.replace_file_uploads = p.replace_file_uploads;
  if (link) {
    o.on_progress = [link](std::uint64_t bytes, std::uint64_t tasks) {
      if (auto* c = link->ctx.load()) {
        c->set_progress(tasks, 0);
        c->set_message(std::to_string(tasks) + " tasks, " + std::to_string(bytes) + " bytes read");
      }
    };
    o.cancelled = [link] {
      auto* c = link->ctx.load();
      return c && c->cancel_requested();
    };
  }
  return o;
}

// The tasks of stored upload files, in order.
status add_uploads(imports::pipeline& p, const api_context& ctx, const std::vector<store::file_upload>& files,
                   bool files_as_tasks_list) {
  for (const auto& f : files) {
    const std::string url = imports::upload_url(f.file);
    const std::string name = f.original_name.empty() ? f.file : f.original_name;
    const std::string ext = imports::file_extension(name);
    if (!files_as_tasks_list && (ext == ".csv" || ext == ".tsv" || ext == ".txt")) {
      if (auto s = p.add_file_as_task(name, f.id, url); !s) return s;
      continue;
    }
    imports::file_source src(imports::upload_root(ctx.data_dir) / f.file);
    if (!src.ok()) {
      // A DELETE of the upload between reading its record and opening its file (a race of two
      // requests) is the caller's to know; a file missing under a record that is still there is the
      // server's fault.
      auto still = ctx.db.read()->get_file_upload(f.id);
      if (!still.ok() && still.error().code() == errc::not_found)
        return status(errc::invalid_argument,
                      "file upload " + std::to_string(f.id) + " was deleted before it could be imported");
      return status(errc::io_error, "the uploaded file " + f.file + " cannot be read");
    }
    if (auto s = p.add_file(name, src.reader(), f.id, url); !s) return s;
  }
  return status::success();
}

json report_json(const imports::import_report& r, bool with_ids) { return r.to_json(with_ids); }

// Runs an import of stored files (and/or a spooled JSON body) now or as a job; answers `ex`.
void run_import(api_context& ctx, std::shared_ptr<http::exchange> ex, const import_params& params,
                std::vector<store::file_upload> files, bool files_as_tasks_list, std::optional<fs::path> spooled_json) {
  std::vector<std::int64_t> ids;
  for (auto& f : files) ids.push_back(f.id);
  auto link = params.async ? std::make_shared<job_link>() : nullptr;
  auto begun = imports::pipeline::begin(ctx.db, ctx.catalog, params.project_id, ids, pipeline_options(params, link));
  if (!begun) return ex->respond(failure(begun.error()));
  std::shared_ptr<imports::pipeline> p = std::move(*begun);
  auto work = [&ctx, p, files = std::move(files), files_as_tasks_list, spooled_json,
               with_ids = params.return_task_ids]() -> result<imports::import_report> {
    status st = status::success();
    if (spooled_json) {
      imports::file_source src(*spooled_json);
      st = src.ok() ? p->add_json_body(src.reader()) : status(errc::io_error, "the spooled body cannot be read");
      std::error_code ec;
      fs::remove(*spooled_json, ec);
    }
    if (st) st = add_uploads(*p, ctx, files, files_as_tasks_list);
    if (!st) {
      p->abort(st.message());
      return st;
    }
    return p->finish(with_ids);
  };
  if (!params.async) {
    auto r = work();
    if (!r) return ex->respond(failure(r.error()));
    return ex->respond(http::response::json(201, text_of(report_json(*r, params.return_task_ids))));
  }
  const std::int64_t import_id = p->import_id();
  ctx.jobs.submit("import", [link, work = std::move(work), import_id](jobs::job_context& jc) -> status {
    link->ctx.store(&jc);
    auto r = work();
    link->ctx.store(nullptr);
    if (!r) return r.error();
    jc.set_result(r->to_json(true));
    (void)import_id;
    return status::success();
  });
  ex->respond(http::response::json(201, json{{"import", import_id}}.dump()));
}

// Creates the store records of written upload files (one unit); the files stay on disk.
result<std::vector<store::file_upload>> record_uploads(api_context& ctx, std::vector<imports::upload_writer>& writers,
                                                       const import_params& params) {
  std::vector<store::new_file_upload> records;
  for (auto& w : writers) records.push_back(w.record(params.user_id, params.project_id));
  auto made = ctx.db.run<std::vector<store::file_upload>>(
      [&](store::write_context& w) -> result<std::vector<store::file_upload>> {
        std::vector<store::file_upload> out;
        for (auto& r : records) {
          auto f = w.create_file_upload(r);
          if (!f) return f.error();
          out.push_back(std::move(*f));
        }
        return out;
      });
  if (!made) {
    for (auto& w : writers) {
      std::error_code ec;
      fs::remove(w.path(), ec);
    }
  }
  return made;
}

// The 201 of an import that was only parsed: its counts, without an import record or annotation and
// prediction counts (Label Studio answers null for those when nothing was saved).
json parse_only_answer(const imports::import_report& r) {
  json out = r.to_json(false);
  out.erase("import");
  out["annotation_count"] = nullptr;
  out["prediction_count"] = nullptr;
  return out;
}

// commit_to_project=false: the files are stored and parsed, nothing is imported. The 201 counts their
// tasks and names their formats and columns, as Label Studio's load_tasks does before its _save; the
// tasks are imported later by POST /api/projects/{id}/reimport.
void parse_only(api_context& ctx, std::shared_ptr<http::exchange> ex, const import_params& params,
                const std::vector<store::file_upload>& files) {
  std::vector<std::int64_t> ids;
  for (auto& f : files) ids.push_back(f.id);
  imports::import_options o = pipeline_options(params, nullptr);
  o.stage = false;
  auto begun = imports::pipeline::begin(ctx.db, ctx.catalog, params.project_id, ids, std::move(o));
  if (!begun) return ex->respond(failure(begun.error()));
  auto& p = **begun;
  if (auto st = add_uploads(p, ctx, files, true); !st) {
    p.abort(st.message());
    return ex->respond(failure(st));
  }
  auto r = p.finish(false);
  if (!r) return ex->respond(failure(r.error()));
  ex->respond(http::response::json(201, text_of(parse_only_answer(*r))));
}

// Label Studio's str_to_json: the url field may hold JSON (with ' for "); returns it as JSON text.
std::optional<std::string> inline_json(std::string text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    std::replace(text.begin(), text.end(), '\'', '"');
    j = json::parse(text, nullptr, false);
  }
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return std::nullopt;
  return text;
}

std::string name_from_url(std::string_view url) {
  auto q = url.find_first_of("?#");
  url = url.substr(0, q);
  auto sep = url.find("://");
  if (sep != std::string_view::npos) url.remove_prefix(sep + 3);
  auto slash = url.find('/');
  if (slash == std::string_view::npos) return "download";
  auto last = url.substr(url.find_last_of('/') + 1);
  auto decoded = http::percent_decode(last);
  return decoded && !decoded->empty() ? *decoded : "download";
}

void handle_import(api_context& ctx, std::shared_ptr<http::exchange> ex, const auth::principal& who) {
  auto& req = ex->req();
  auto pid = parse_id(req.param("id"));
  if (!pid || !ctx.db.read()->get_project(*pid)) return ex->respond(http::error_response(404, "Not found."));
  import_params params = read_params(req, *pid, who);
  http::body_source* body = ex->body();
  imports::chunk_reader read = [body]() -> result<std::string_view> {
    if (!body) return std::string_view{};
    return body->read();
  };
  std::string content_type(req.headers.get("Content-Type").value_or(""));
  std::string lowered = content_type;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return char(std::tolower(c)); });

  // 1. multipart files
  if (auto boundary = imports::multipart_boundary(content_type)) {
    imports::multipart_reader mp(*boundary, read);
    std::vector<imports::upload_writer> writers;
    for (;;) {
      auto part = mp.next_part();
      if (!part) return ex->respond(failure(part.error()));
      if (!*part) break;
      if (!(*part)->filename) continue;  // a plain form field
      const std::string& name = *(*part)->filename;
      std::string ext = imports::file_extension(name);
      if (!imports::supported_extension(ext))
        return ex->respond(validation_error((ext.empty() ? name : ext) + " extension is not supported"));
      if (writers.size() >= max_files)
        return ex->respond(validation_error("Too many files: at most " + std::to_string(max_files) + " per request"));
      auto w = imports::upload_writer::create(ctx.data_dir, *pid, name);
      if (!w) return ex->respond(failure(w.error()));
      if (auto s = w->write_all(mp.part_reader()); !s) return ex->respond(failure(s));
      writers.push_back(std::move(*w));
    }
    if (writers.empty()) return ex->respond(validation_error("load_tasks: No data found in DATA or in FILES"));
    auto files = record_uploads(ctx, writers, params);
    if (!files) return ex->respond(failure(files.error()));
    if (!params.commit) return parse_only(ctx, std::move(ex), params, *files);
    return run_import(ctx, std::move(ex), params, std::move(*files), true, std::nullopt);
  }

  // 2. url= (inline JSON or a download)
  if (lowered.find("application/x-www-form-urlencoded") != std::string::npos) {
    std::string form;
    for (;;) {
      auto chunk = read();
      if (!chunk) return ex->respond(failure(chunk.error()));
      if (chunk->empty()) break;
      form.append(*chunk);
      if (form.size() > form_limit) return ex->respond(http::error_response(413, "the url form is too large"));
    }
    std::optional<std::string> url;
    http::for_each_query_pair(form, [&](std::string_view k, std::string_view v) {
      if (!url && k == "url") url = http::percent_decode(v, true);
    });
    if (!url || url->empty()) return ex->respond(validation_error("\"url\" is not found in request data"));
    std::vector<imports::upload_writer> writers;
    if (auto inline_text = inline_json(*url)) {
      auto w = imports::upload_writer::create(ctx.data_dir, *pid, "inplace.json");
      if (!w) return ex->respond(failure(w.error()));
      if (auto s = w->write(*inline_text); !s) return ex->respond(failure(s));
      if (auto s = w->close(); !s) return ex->respond(failure(s));
      writers.push_back(std::move(*w));
    } else {
      std::string name = name_from_url(*url);
      auto w = imports::upload_writer::create(ctx.data_dir, *pid, name);
      if (!w) return ex->respond(failure(w.error()));
      http::fetch_options fo;
      fo.allow_private = ctx.settings.allow_private_url_imports;
      status written;
      auto got = http::fetch_url(*url, fo, [&](std::string_view bytes) { return written = w->write(bytes); });
      // A remote that cannot be reached or answers badly is the request's problem, as Label Studio's
      // ValidationError makes it (400); a failure to keep the bytes here stays a server error.
      if (!written) return ex->respond(failure(written));
      if (!got)
        return ex->respond(got.error().code() == errc::io_error
                               ? validation_error("cannot import from the URL: " + got.error().message())
                               : failure(got.error()));
      if (auto s = w->close(); !s) return ex->respond(failure(s));
      writers.push_back(std::move(*w));
    }
    auto files = record_uploads(ctx, writers, params);
    if (!files) return ex->respond(failure(files.error()));
    if (!params.commit) return parse_only(ctx, std::move(ex), params, *files);
    return run_import(ctx, std::move(ex), params, std::move(*files), true, std::nullopt);
  }

  // 3-4. a JSON body: one task or a list, streamed through the splitter.
  if (lowered.find("json") != std::string::npos) {
    // commit_to_project=false: parsed and counted, nothing written (Label Studio keeps no file of a
    // body either, so there is nothing to reimport later).
    if (!params.commit) {
      imports::import_options o = pipeline_options(params, nullptr);
      o.stage = false;
      auto begun = imports::pipeline::begin(ctx.db, ctx.catalog, *pid, {}, std::move(o));
      if (!begun) return ex->respond(failure(begun.error()));
      auto& p = **begun;
      if (auto s = p.add_json_body(read); !s) {
        p.abort(s.message());
        return ex->respond(failure(s));
      }
      auto r = p.finish(false);
      if (!r) return ex->respond(failure(r.error()));
      return ex->respond(http::response::json(201, text_of(parse_only_answer(*r))));
    }
    if (params.async) {
      // The request ends now: keep the body on disk for the job.
      auto w = imports::upload_writer::create(ctx.data_dir, *pid, "body.json");
      if (!w) return ex->respond(failure(w.error()));
      if (auto s = w->write_all(read); !s) return ex->respond(failure(s));
      fs::path spooled = w->path();
      return run_import(ctx, std::move(ex), params, {}, true, spooled);
    }
    auto begun = imports::pipeline::begin(ctx.db, ctx.catalog, *pid, {}, pipeline_options(params, nullptr));
    if (!begun) return ex->respond(failure(begun.error()));
    auto& p = **begun;
    if (auto s = p.add_json_body(read); !s) {
      p.abort(s.message());
      return ex->respond(failure(s));
    }
    auto r = p.finish(params.return_task_ids);
    if (!r) return ex->respond(failure(r.error()));
    return ex->respond(http::response::json(201, r->to_json(params.return_task_ids).dump()));
  }

  // 5. anything else
  ex->respond(validation_error("load_tasks: No data found in DATA or in FILES"));
}

json import_record_json(const store::import_record& r, const std::vector<std::int64_t>* task_ids) {
  auto parsed = [](const std::string& text, json fallback) {
    auto j = json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
  };
  json out = {{"id", r.id},
              {"project", r.project_id},
              {"status", std::string(store::to_string(r.status))},
              {"error", r.error.empty() ? json(nullptr) : json(r.error)},
              {"task_count", r.task_count},
              {"annotation_count", r.annotation_count},
              {"prediction_count", r.prediction_count},
              {"duration", r.duration},
              {"file_upload_ids", r.file_upload_ids},
              {"could_be_tasks_list", r.could_be_tasks_list},
              {"found_formats", parsed(r.found_formats, json::object())},
              {"data_columns", parsed(r.data_columns, json::array())},
              {"created_at", store::to_iso8601(r.created_at)},
              {"updated_at", store::to_iso8601(r.updated_at)},
              {"finished_at", r.finished_at ? json(store::to_iso8601(*r.finished_at)) : json(nullptr)}};
  auto meta = parsed(r.meta, json::object());
  if (meta.is_object() && meta.contains("warnings")) out["warnings"] = meta["warnings"];
  if (task_ids) out["tasks"] = *task_ids;
  return out;
}

}  // namespace

void add_import_routes(api_routes& routes) {
  api_context* ctx = &routes.ctx();
  routes.add(http::method::post, "/api/projects/{id}/import",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               handle_import(*ctx, std::move(ex), who);
             }),
             {.body_limit = import_body_limit, .body = http::body_mode::streamed});

  routes.add(http::method::get, "/api/projects/{id}/imports/{import_id}",
             authed_handler([ctx](http::request& req, const auth::principal&) {
               auto pid = parse_id(req.param("id"));
               auto iid = parse_id(req.param("import_id"));
               if (!pid || !iid) return http::error_response(404, "Not found.");
               auto r = ctx->db.read();
               auto rec = r->get_import(*iid);
               if (!rec || rec->project_id != *pid) return http::error_response(404, "Not found.");
               std::vector<std::int64_t> ids;
               const bool with_ids = query_flag(req, "return_task_ids", false) && rec->status == store::import_status::completed;
               if (with_ids) {
                 auto got = r->import_task_ids(*iid);
                 if (got) ids = std::move(*got);
               }
               return http::response::json(200, import_record_json(*rec, with_ids ? &ids : nullptr).dump());
             }));

  routes.add(http::method::post, "/api/projects/{id}/reimport",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               auto& req = ex->req();
               auto pid = parse_id(req.param("id"));
               if (!pid || !ctx->db.read()->get_project(*pid)) return ex->respond(http::error_response(404, "Not found."));
               auto read = request_object<json>(req, {"file_upload_ids"});
               if (!read) return ex->respond(validation_error(read.error().message()));
               json& body = *read;
               // Label Studio answers a request without ids (none, null or an empty list) with zero
               // counts: its import page reimports whatever is left after the user removed every file.
               const json ids = body.value("file_upload_ids", json());
               if (ids.is_null() || (ids.is_array() && ids.empty()))
                 return ex->respond(http::response::json(200, json{{"task_count", 0},
                                                                   {"annotation_count", 0},
                                                                   {"prediction_count", 0},
                                                                   {"duration", 0},
                                                                   {"file_upload_ids", json::array()},
                                                                   {"found_formats", json::object()},
                                                                   {"data_columns", json::array()}}
                                                                  .dump()));
               if (!ids.is_array())
                 return ex->respond(validation_error("file_upload_ids: a list of file upload ids is required"));
               bool as_list = true;
               if (body.contains("files_as_tasks_list") && !body["files_as_tasks_list"].is_null()) {
                 auto b = drf::as_bool(body["files_as_tasks_list"]);
                 if (!b)
                   return ex->respond(validation_error("files_as_tasks_list: Must be a valid boolean."));
                 as_list = *b;
               }
               std::vector<store::file_upload> files;
               {
                 auto r = ctx->db.read();
                 for (auto& v : body["file_upload_ids"]) {
                   auto id = drf::as_pk(v);
                   if (!id) return ex->respond(validation_error("file_upload_ids must hold integers"));
                   // Label Studio's id__in reads each upload once, however often it is named.
                   if (std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.id == *id; }))
                     continue;
                   auto f = r->get_file_upload(*id);
                   if (!f || f->project_id != *pid)
                     return ex->respond(validation_error("file upload " + v.dump() + " is not in this project"));
                   files.push_back(std::move(*f));
                 }
               }
               import_params params = read_params(req, *pid, who);
               for (const auto& f : files) params.replace_file_uploads.push_back(f.id);
               run_import(*ctx, std::move(ex), params, std::move(files), as_list, std::nullopt);
             }),
             {.body_limit = 1 << 20, .offload = true});
}

}  // namespace annot::host::api
