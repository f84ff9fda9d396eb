// Stored exports as jobs, with their snapshot and converted files under data_dir/export/.
#include "api/export_stored.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "export/file_cursor.hpp"
#include "export/runner.hpp"
#include "export/sinks.hpp"
#include "export/store_cursor.hpp"
#include "http/errors.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::optional<std::int64_t> parse_id(std::string_view s) {
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The stored exports of every project: metadata files under a mutex, snapshots on disk.
class export_store {
 public:
  explicit export_store(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         ++it)
      if (it->path().filename() == "meta.json")
        if (auto pk = parse_id(it->path().parent_path().filename().string())) next_ = std::max(next_, *pk + 1);
  }

  fs::path dir(std::int64_t project, std::int64_t pk) const {
    return root_ / std::to_string(project) / std::to_string(pk);
  }

  std::int64_t allocate() {
    std::lock_guard lock(mutex_);
    return next_++;
  }

  std::optional<json> get(std::int64_t project, std::int64_t pk) {
    std::lock_guard lock(mutex_);
    return load(project, pk);
  }

  std::vector<json> list(std::int64_t project) {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(root_ / std::to_string(project), ec))
      if (auto pk = parse_id(d.path().filename().string()))
        if (auto m = load(project, *pk)) out.push_back(std::move(*m));
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["id"] > b["id"]; });
    return out;
  }

  // Applies `change` to the metadata and writes it back (atomically: a temp file renamed).
  void update(std::int64_t project, std::int64_t pk, const std::function<void(json&)>& change) {
    std::lock_guard lock(mutex_);
    json m = load(project, pk).value_or(json::object());
    change(m);
    save(project, pk, m);
  }

  void put(std::int64_t project, std::int64_t pk, const json& meta) {
    std::lock_guard lock(mutex_);
    save(project, pk, meta);
  }

  bool remove(std::int64_t project, std::int64_t pk) {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    return fs::remove_all(dir(project, pk), ec) > 0;
  }

 private:
  std::optional<json> load(std::int64_t project, std::int64_t pk) const {
    fs::path p = dir(project, pk) / "meta.json";
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    json j = json::parse(read_text(p), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  }
  void save(std::int64_t project, std::int64_t pk, const json& meta) const {
    fs::path d = dir(project, pk);
    std::error_code ec;
    fs::create_directories(d, ec);
    fs::path tmp = d / "meta.json.tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << meta.dump(2);
    }
    fs::rename(tmp, d / "meta.json", ec);
  }

  fs::path root_;
  std::mutex mutex_;
  std::int64_t next_ = 1;
};

struct stored_api {
  api_context& ctx;
  export_store exports;
  explicit stored_api(api_context& c) : ctx(c), exports(c.data_dir / "export") {}
};

annot::result<store::project> load_project(api_context& ctx, const http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return annot::status(annot::errc::invalid_argument, "project id must be a positive integer");
  auto p = ctx.db.read()->get_project(*id);
  if (!p.ok() && p.error().code() == annot::errc::not_found)
    return annot::status(annot::errc::not_found, "Project " + std::to_string(*id) + " not found");
  return p;
}

// A bool at a JSON path of the POST body; `fallback` when absent or null.
annot::result<bool> body_bool(const json& body, std::initializer_list<const char*> path, bool fallback) {
  const json* at = &body;
  std::string name;
  for (const char* k : path) {
    name += (name.empty() ? "" : ".") + std::string(k);
    if (!at->is_object()) return fallback;
    auto it = at->find(k);
    if (it == at->end() || it->is_null()) return fallback;
    at = &*it;
  }
  if (!at->is_boolean()) return annot::status(annot::errc::invalid_argument, name + " must be a boolean");
  return at->get<bool>();
}

// Writes the snapshot: the project's tasks as a JSON array, one task per line.
annot::status snapshot(api_context& ctx, std::int64_t project, const fs::path& file,
                       exporting::cursor_options options, jobs::job_context& job, std::int64_t& count) {
  std::atomic<bool> cancelled{false};
  options.cancelled = &cancelled;
  options.project_id = project;
  exporting::store_cursor cursor(ctx.db, options);
  auto out = exporting::file_writer::create(file);
  if (!out) return out.error();
  std::string buf = "[";
  std::string_view task;
  count = 0;
  for (;;) {
    if (job.cancel_requested()) cancelled = true;
    auto more = cursor.next(task);
    if (!more) return more.error();
    if (!*more) break;
    buf += count ? ",\n" : "\n";
    buf += task;
    ++count;
    if (buf.size() > (1 << 18)) {
      if (auto st = (*out)->write(buf); !st) return st;
      buf.clear();
      job.set_progress(static_cast<std::uint64_t>(count), static_cast<std::uint64_t>(std::max<std::int64_t>(0, cursor.size_hint())));
    }
  }
  buf += count ? "\n]" : "]";
  if (auto st = (*out)->write(buf); !st) return st;
  return (*out)->close();
}

// Streams a file as the response body (offloaded route).
void stream_file(http::exchange& ex, const fs::path& file, const std::string& name, const std::string& type) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return ex.respond(http::error_response(404, "Export file not found"));
  http::header_map h;
  h.set("Content-Type", type);
  h.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
  auto body = ex.respond_streamed(200, std::move(h));
  std::string buf(1 << 18, '\0');
  bool ok = true;
  for (std::size_t n; ok && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;)
    ok = body->write(std::string_view(buf.data(), n)).ok();
  std::fclose(f);
  if (ok) (void)body->finish();
}

// Packs a converted folder as Label Studio's convert_file does: one file alone (no folders) as
// itself, anything else as a zip.
annot::result<fs::path> package(const fs::path& dir, const fs::path& zip_path) {
  std::vector<fs::path> files, dirs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); ++it)
    (it->is_directory() ? dirs : files).push_back(it->path());
  if (files.size() == 1 && dirs.empty()) return files[0];
  auto out = exporting::file_writer::create(zip_path);
  if (!out) return out.error();
  exporting::zip_sink zip(**out);
  std::sort(dirs.begin(), dirs.end());
  std::sort(files.begin(), files.end());
  for (const auto& d : dirs)
    if (auto st = zip.add_directory(fs::relative(d, dir).generic_string()); !st) return st;
  for (const auto& f : files)
    if (auto st = zip.add_file(fs::relative(f, dir).generic_string(), f.string()); !st) return st;
  if (auto st = zip.finish(); !st) return st;
  if (auto st = (*out)->close(); !st) return st;
  return zip_path;
}

http::response respond_status(const annot::status& st) {
  if (st.code() == annot::errc::failed_precondition || st.code() == annot::errc::invalid_argument)
    return http::error_response(400, st.message());
  return http::error_response(st);
}

}  // namespace

void add_stored_export_routes(api_routes& routes) {
  auto api = std::make_shared<stored_api>(routes.ctx());
  using http::method;

  routes.add(method::get, "/api/projects/{id}/exports",
             authed_handler([api](http::request& req, const auth::principal&) {
               auto p = load_project(api->ctx, req);
               if (!p) return respond_status(p.error());
               json out = json::array();
               for (auto& m : api->exports.list(p->id)) out.push_back(std::move(m));
               return http::response::json(200, out.dump());
             }));

  routes.add(
      method::post, "/api/projects/{id}/exports",
      authed_handler([api](http::request& req, const auth::principal& who) {
        auto p = load_project(api->ctx, req);
        if (!p) return respond_status(p.error());
        json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
          return http::error_response(400, "the body must be a JSON object");
        exporting::cursor_options o;
        auto only_annotated = body_bool(body, {"task_filter_options", "only_with_annotations"}, false);
        auto pred_ids = body_bool(body, {"serialization_options", "predictions", "only_id"}, false);
        auto draft_ids = body_bool(body, {"serialization_options", "drafts", "only_id"}, false);
        auto user_ids = body_bool(body, {"serialization_options", "annotations__completed_by", "only_id"}, false);
        for (auto* r : {&only_annotated, &pred_ids, &draft_ids, &user_ids})
          if (!*r) return http::error_response(400, r->error().message());
        if (body.contains("title") && !body["title"].is_string() && !body["title"].is_null())
          return http::error_response(400, "title must be a string");
        o.only_annotated = *only_annotated;
        o.serialize.full_predictions = !*pred_ids;
        o.serialize.full_drafts = !*draft_ids;
        o.serialize.expand_completed_by = !*user_ids;

        std::int64_t pk = api->exports.allocate();
        std::string now = store::to_iso8601(store::now());
        json meta = {{"id", pk},
                     {"title", body.value("title", json(nullptr)).is_string() ? body["title"] : json("")},
                     {"created_by", {{"id", who.user.id}, {"email", who.user.email}, {"first_name", who.user.first_name}, {"last_name", who.user.last_name}}},
                     {"created_at", now},
                     {"finished_at", nullptr},
                     {"status", "created"},
                     {"md5", ""},
                     {"counters", {{"task_number", 0}}},
                     {"converted_formats", json::array()},
                     {"task_filter_options", body.value("task_filter_options", json::object())},
                     {"annotation_filter_options", body.value("annotation_filter_options", json::object())},
                     {"serialization_options", body.value("serialization_options", json::object())}};
        if (meta["title"] == "") meta["title"] = "Export " + now;
        api->exports.put(p->id, pk, meta);
        std::int64_t project = p->id;
        api->ctx.jobs.submit("export", [api, project, pk, o](jobs::job_context& job) -> annot::status {
          api->exports.update(project, pk, [](json& m) { m["status"] = "in_progress"; });
          std::int64_t count = 0;
          annot::status st = snapshot(api->ctx, project, api->exports.dir(project, pk) / "tasks.json", o, job, count);
          api->exports.update(project, pk, [&](json& m) {
            m["status"] = st.ok() ? "completed" : "failed";
            m["finished_at"] = store::to_iso8601(store::now());
            m["counters"]["task_number"] = count;
            if (!st.ok()) m["traceback"] = st.message();
          });
          return st;
        });
        return http::response::json(201, meta.dump());
      }));

  auto with_export = [api](http::request& req, std::int64_t& project, std::int64_t& pk) -> std::optional<http::response> {
    auto p = load_project(api->ctx, req);
    if (!p) return respond_status(p.error());
    auto id = parse_id(req.param("pk"));
    if (!id) return http::error_response(400, "export id must be a positive integer");
    if (!api->exports.get(p->id, *id)) return http::error_response(404, "Export " + std::to_string(*id) + " not found");
    project = p->id;
    pk = *id;
    return std::nullopt;
  };

  routes.add(method::get, "/api/projects/{id}/exports/{pk}",
             authed_handler([api, with_export](http::request& req, const auth::principal&) {
               std::int64_t project = 0, pk = 0;
               if (auto e = with_export(req, project, pk)) return *e;
               return http::response::json(200, api->exports.get(project, pk)->dump());
             }));

  routes.add(method::delete_, "/api/projects/{id}/exports/{pk}",
             authed_handler([api, with_export](http::request& req, const auth::principal&) {
               std::int64_t project = 0, pk = 0;
               if (auto e = with_export(req, project, pk)) return *e;
               api->exports.remove(project, pk);
               return http::response::empty(204);
             }));

  routes.add(
      method::get, "/api/projects/{id}/exports/{pk}/download",
      authed_async_handler([api, with_export](std::shared_ptr<http::exchange> ex, const auth::principal&) {
        std::int64_t project = 0, pk = 0;
        if (auto e = with_export(ex->req(), project, pk)) return ex->respond(std::move(*e));
        json meta = *api->exports.get(project, pk);
        if (meta["status"] != "completed") return ex->respond(http::error_response(404, "Export is not completed"));
        std::string type = ex->req().query("exportType").value_or("JSON");
        std::string stem = "project-" + std::to_string(project) + "-at-export-" + std::to_string(pk);
        if (type == "JSON")
          return stream_file(*ex, api->exports.dir(project, pk) / "tasks.json", stem + ".json", "application/json");
        for (const auto& c : meta["converted_formats"]) {
          if (c["export_type"] != type) continue;
          if (c["status"] != "completed")
            return ex->respond(http::error_response(404, "Export is not converted to " + type + " yet"));
          fs::path file = api->exports.dir(project, pk) / c["file"].get<std::string>();
          std::string ext = file.extension().string();
          return stream_file(*ex, file, stem + ext, "application/" + ext);
        }
        ex->respond(http::error_response(404, "Export is not converted to " + type + "; POST .../convert first"));
      }),
      http::route_options{.offload = true});

  routes.add(
      method::post, "/api/projects/{id}/exports/{pk}/convert",
      authed_handler([api, with_export](http::request& req, const auth::principal&) {
        std::int64_t project = 0, pk = 0;
        if (auto e = with_export(req, project, pk)) return *e;
        json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) return http::error_response(400, "the body must be a JSON object");
        auto type_it = body.find("export_type");
        if (type_it == body.end() || !type_it->is_string())
          return http::error_response(400, "export_type is required (a format name such as COCO)");
        std::string type = *type_it;
        auto resources = body_bool(body, {"download_resources"}, false);
        if (!resources) return http::error_response(400, resources.error().message());
        auto format = exporting::find_format(api->ctx.registry, type);
        if (!format) return http::error_response(400, format.error().message());
        auto p = api->ctx.db.read()->get_project(project);
        if (!p) return respond_status(p.error());
        if (auto st = exporting::applies(api->ctx.registry, *format, *p); !st)
          return http::error_response(400, "export_type " + type + " is not available for this project: " + st.message());
        json meta = *api->exports.get(project, pk);
        if (meta["status"] != "completed") return http::error_response(404, "Export is not completed");
        std::int64_t converted_id = static_cast<std::int64_t>(meta["converted_formats"].size()) + 1;
        api->exports.update(project, pk, [&](json& m) {
          auto& list = m["converted_formats"];
          for (std::size_t i = 0; i < list.size(); ++i)
            if (list[i]["export_type"] == type) {
              converted_id = list[i]["id"];
              list.erase(i);
              break;
            }
          list.push_back({{"id", converted_id}, {"status", "in_progress"}, {"export_type", type}, {"traceback", nullptr}});
        });
        exporting::project_config config = exporting::config_of(api->ctx.registry, *p);
        bool download = *resources;
        exporting::resolved_format rf = *format;
        std::int64_t tasks = meta["counters"]["task_number"].get<std::int64_t>();
        api->ctx.jobs.submit("export-convert", [api, project, pk, type, config, rf, download, tasks](jobs::job_context& job) {
          fs::path base = api->exports.dir(project, pk);
          fs::path out_dir = base / "converted" / type;
          std::error_code ec;
          fs::remove_all(out_dir, ec);
          fs::create_directories(out_dir, ec);
          exporting::file_cursor cursor(base / "tasks.json", tasks);
          exporting::directory_sink sink(out_dir);
          exporting::export_report report;
          annot::status st;
          {
            auto created = rf.exporter->factory->create(type);
            if (!created) {
              st = created.error();
            } else {
              struct log_t final : annot::export_log {
                exporting::export_report& r;
                explicit log_t(exporting::export_report& rr) : r(rr) {}
                void warn(std::string_view m) noexcept override {
                  ++r.warning_count;
                  try {
                    if (r.warnings.size() < exporting::export_report::kept_messages) r.warnings.emplace_back(m);
                  } catch (...) {
                  }
                }
                void skipped(std::int64_t id, std::string_view why) noexcept override {
                  ++r.skipped_count;
                  try {
                    if (r.skipped.size() < exporting::export_report::kept_messages) r.skipped.emplace_back(id, std::string(why));
                  } catch (...) {
                  }
                }
              } log(report);
              annot::export_request request;
              request.format = type;
              request.config = config.view();
              request.options = "{}";
              std::string upload = (api->ctx.data_dir / "upload").string(), out_abs = fs::absolute(out_dir).string();
              request.upload_dir = upload;
              request.output_dir = out_abs;
              request.download_resources = download;
              request.project_id = project;
              st = (*created)->run(request, cursor, sink, log);
            }
          }
          if (st) st = sink.finish();
          fs::path file;
          if (st) {
            auto packed = package(out_dir, base / ("converted-" + type + ".zip"));
            if (packed) file = *packed;
            else st = packed.error();
          }
          job.set_result(report.to_json());
          api->exports.update(project, pk, [&](json& m) {
            for (auto& c : m["converted_formats"])
              if (c["export_type"] == type) {
                c["status"] = st ? "completed" : "failed";
                if (st) c["file"] = fs::relative(file, base).generic_string();
                else c["traceback"] = st.message();
                c["report"] = report.to_json();
              }
          });
          return st;
        });
        return http::response::json(200, json{{"export_type", type}, {"converted_format", converted_id}}.dump());
      }));
}

}  // namespace annot::host::api
