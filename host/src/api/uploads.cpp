// Uploaded-file routes: listing, detail, delete, and serving the bytes with Range support.
#include "api/uploads.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/drf_values.hpp"
#include "api/file_response.hpp"
#include "api/request_body.hpp"
#include "api/tasks_common.hpp"
#include "http/errors.hpp"
#include "http/url.hpp"
#include "import/multipart.hpp"
#include "import/pipeline.hpp"
#include "import/upload_files.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// Label Studio's FileUploadSerializer: `file` is the storage name ("upload/<project>/<name>", the
// FileField without its URL), served under /data/.
json upload_json(const store::file_upload& f) {
  return {{"id", f.id},
          {"file", "upload/" + f.file},
          {"project", f.project_id},
          {"user", f.user_id ? json(*f.user_id) : json(nullptr)},
          {"original_name", f.original_name},
          {"size", f.size},
          {"content_type", f.content_type},
          {"created_at", store::to_iso8601(f.created_at)}};
}

void serve_upload(const api_context& ctx, std::shared_ptr<http::exchange> ex) {
  auto& req = ex->req();
  std::string rel(req.param("path"));
  // Only "<project>/<file>" below the upload root: no "..", no absolute paths, no hidden files.
  if (rel.empty() || rel.find("..") != std::string::npos || rel.front() == '/' || rel.find('\\') != std::string::npos)
    return ex->respond(http::error_response(404, "Not found."));
  fs::path path = imports::upload_root(ctx.data_dir) / rel;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return ex->respond(http::error_response(404, "Not found."));
  http::header_map headers;
  headers.set("Content-Type", imports::content_type_of(rel));
  headers.set("Cache-Control", "private, max-age=3600");
  // Uploads are whatever users sent: an SVG or HTML file with a script must not run on the server's
  // own origin when opened (Label Studio serves them with a sandbox policy too).
  headers.set("Content-Security-Policy", "sandbox");
  headers.set("X-Content-Type-Options", "nosniff");
  respond_with_file(*ex, path, std::move(headers));
}

// Label Studio's FileUploadAPI.patch (FileUploadSerializer's `file`): a multipart `file` part replaces
// the upload's bytes and name; the record keeps its id, project and user. The bytes get a new storage
// name, as Django's FileField saves them. The old file stays on disk: tasks made from it still point at
// its URL, and a reimport reads the new one.
void patch_upload(api_context& ctx, std::shared_ptr<http::exchange> ex) {
  auto& req = ex->req();
  auto id = parse_id(req.param("id"));
  if (!id) return ex->respond(http::error_response(404, "Not found."));
  auto old = ctx.db.read()->get_file_upload(*id);
  if (!old) return ex->respond(http::error_response(404, "Not found."));
  http::body_source* body = ex->body();
  imports::chunk_reader read = [body]() -> result<std::string_view> {
    if (!body) return std::string_view{};
    return body->read();
  };
  auto not_a_file = [&] {
    json v = {{"file", {"The submitted data was not a file. Check the encoding type on the form."}}};
    return http::error_response(400, "Validation error", &v);
  };
  const std::string content_type(req.headers.get("Content-Type").value_or(""));
  auto boundary = imports::multipart_boundary(content_type);
  if (!boundary) {
    // A partial update without a file: a JSON or form `file` field cannot be one; anything else
    // changes nothing.
    std::string text;
    for (;;) {
      auto chunk = read();
      if (!chunk) return ex->respond(http::error_response(chunk.error()));
      if (chunk->empty()) break;
      text.append(*chunk);
    }
    bool names_file = false;
    if (json j = json::parse(text, nullptr, false); j.is_object()) names_file = j.contains("file");
    http::for_each_query_pair(text, [&](std::string_view k, std::string_view) { names_file |= k == "file"; });
    if (names_file) return ex->respond(not_a_file());
    return ex->respond(http::response::json(200, text_of(upload_json(*old))));
  }
  imports::multipart_reader mp(*boundary, read);
  std::optional<imports::upload_writer> writer;
  bool file_field = false;
  for (;;) {
    auto part = mp.next_part();
    if (!part) return ex->respond(http::error_response(400, part.error().message()));
    if (!*part) break;
    if ((*part)->name != "file" || writer) continue;
    file_field = true;
    if (!(*part)->filename) continue;  // a plain form field named "file"
    const std::string& name = *(*part)->filename;
    // The same files as an import takes: a reimport reads this one.
    const std::string ext = imports::file_extension(name);
    if (!imports::supported_extension(ext)) {
      json v = {{"file", {(ext.empty() ? name : ext) + " extension is not supported"}}};
      return ex->respond(http::error_response(400, "Validation error", &v));
    }
    auto w = imports::upload_writer::create(ctx.data_dir, old->project_id, name);
    if (!w) return ex->respond(http::error_response(w.error()));
    if (auto st = w->write_all(mp.part_reader()); !st)
      return ex->respond(http::error_response(400, st.message()));
    writer.emplace(std::move(*w));
  }
  if (!writer) {
    if (file_field) return ex->respond(not_a_file());
    return ex->respond(http::response::json(200, text_of(upload_json(*old))));
  }
  store::new_file_upload record = writer->record(old->user_id, old->project_id);
  const std::int64_t fid = *id;
  fs::path written = writer->path();
  ctx.db.submit<store::file_upload>(
      [fid, record](store::write_context& w) { return w.replace_file_upload(fid, record); },
      [ex, written](const result<store::file_upload>& f) {
        if (!f) {
          std::error_code ec;
          fs::remove(written, ec);  // no record points at it
          return ex->respond(http::error_response(f.error()));
        }
        ex->respond(http::response::json(200, text_of(upload_json(*f))));
      });
}

}  // namespace

void add_upload_routes(api_routes& routes) {
  api_context* ctx = &routes.ctx();
  // Label Studio's FileUploadListAPI: the caller's own uploads; those named by `ids` (a JSON list,
  // "ids=[1,2]"), or all of them with all=true or while the project is a draft. Without either, none:
  // the import page asks for the files it has just uploaded, not for earlier imports'.
  routes.add(
      http::method::get, "/api/projects/{id}/file-uploads",
      authed_handler([ctx](http::request& req, const auth::principal& who) {
        auto pid = parse_id(req.param("id"));
        if (!pid) return http::error_response(404, "Not found.");
        auto r = ctx->db.read();
        auto project = r->get_project(*pid);
        if (!project) return http::error_response(404, "Not found.");
        auto all = detail::query_bool(req, "all", false);
        if (!all) return http::error_response(400, all.error().message());
        std::vector<std::int64_t> only;
        for (auto& v : req.query_all("ids")) {
          json ids = json::parse(v, nullptr, false);
          if (ids.is_number_integer()) ids = json::array({ids});
          if (!ids.is_array())
            return http::error_response(400, "ids must be a JSON list of file upload ids, such as [1, 2]");
          for (const auto& id : ids) {
            if (!id.is_number_integer())
              return http::error_response(400, "ids must be a JSON list of file upload ids, such as [1, 2]");
            only.push_back(id.get<std::int64_t>());
          }
        }
        const bool every = *all || project->is_draft;
        auto files = r->list_file_uploads(*pid);
        if (!files) return http::error_response(files.error());
        json out = json::array();
        for (auto& f : *files) {
          if (f.user_id != who.user.id) continue;
          if (every || std::find(only.begin(), only.end(), f.id) != only.end()) out.push_back(upload_json(f));
        }
        return http::response::json(200, text_of(out));
      }));

  // Label Studio's FileUploadListAPI.delete: the uploads named by `file_upload_ids`, or all of the
  // project's without it; {"deleted": n}. Their files go as a single upload's DELETE removes its file.
  routes.add(
      http::method::delete_, "/api/projects/{id}/file-uploads",
      authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal&) {
        auto pid = parse_id(ex->req().param("id"));
        if (!pid) return ex->respond(http::error_response(404, "Not found."));
        auto r = ctx->db.read();
        if (!r->get_project(*pid)) return ex->respond(http::error_response(404, "Not found."));
        std::optional<std::vector<std::int64_t>> only;
        if (!ex->req().body.empty()) {
          auto read = request_object<json>(ex->req(), {"file_upload_ids"});
          if (!read) return ex->respond(http::error_response(400, read.error().message()));
          const json ids = read->value("file_upload_ids", json());
          if (!ids.is_null()) {
            auto bad = [] {
              json v = {{"file_upload_ids", {"\"file_upload_ids\" parameter must be a list of integers"}}};
              return http::error_response(400, "Validation error", &v);
            };
            if (!ids.is_array()) return ex->respond(bad());
            only.emplace();
            for (const auto& v : ids) {
              auto id = drf::as_pk(v);
              if (!id) return ex->respond(bad());
              only->push_back(*id);
            }
          }
        }
        auto files = r->list_file_uploads(*pid);
        if (!files) return ex->respond(http::error_response(files.error()));
        r.reset();
        std::vector<std::int64_t> ids;
        std::vector<fs::path> paths;
        for (const auto& f : *files)
          if (!only || std::find(only->begin(), only->end(), f.id) != only->end()) {
            ids.push_back(f.id);
            paths.push_back(imports::upload_root(ctx->data_dir) / f.file);
          }
        // The records go first (after their commit the files are unreferenced), then the bytes. One
        // deleted meanwhile by another request is not counted.
        auto gone = std::make_shared<std::vector<bool>>(ids.size(), false);
        ctx->db.submit<std::int64_t>(
            [ids, gone](store::write_context& w) -> result<std::int64_t> {
              std::int64_t n = 0;
              for (std::size_t i = 0; i < ids.size(); ++i) {
                status st = w.delete_file_upload(ids[i]);
                if (st.code() == errc::not_found) continue;
                if (!st) return st;
                (*gone)[i] = true;
                ++n;
              }
              return n;
            },
            [ex, gone, paths](const result<std::int64_t>& n) {
              if (!n) return ex->respond(http::error_response(n.error()));
              for (std::size_t i = 0; i < paths.size(); ++i) {
                std::error_code ec;
                if ((*gone)[i]) fs::remove(paths[i], ec);
              }
              ex->respond(http::response::json(200, json{{"deleted", *n}}.dump()));
            });
      }),
      {.offload = true});

  routes.add(http::method::patch, "/api/import/file-upload/{id}",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               patch_upload(*ctx, std::move(ex));
             }),
             {.body_limit = std::size_t(16) << 30, .body = http::body_mode::streamed});

  routes.add(http::method::get, "/api/import/file-upload/{id}",
             authed_handler([ctx](http::request& req, const auth::principal&) {
               auto id = parse_id(req.param("id"));
               if (!id) return http::error_response(404, "Not found.");
               auto f = ctx->db.read()->get_file_upload(*id);
               if (!f) return http::error_response(404, "Not found.");
               return http::response::json(200, text_of(upload_json(*f)));
             }));

  routes.add(http::method::delete_, "/api/import/file-upload/{id}",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal&) {
               auto id = parse_id(ex->req().param("id"));
               if (!id) return ex->respond(http::error_response(404, "Not found."));
               auto f = ctx->db.read()->get_file_upload(*id);
               if (!f) return ex->respond(http::error_response(404, "Not found."));
               fs::path path = imports::upload_root(ctx->data_dir) / f->file;
               const std::int64_t fid = *id;
               // The record goes first (after its commit the file is unreferenced), then the bytes.
               ctx->db.submit([fid](store::write_context& w) { return w.delete_file_upload(fid); },
                              [ex, path](const status& s) {
                                if (!s) return ex->respond(http::error_response(s));
                                std::error_code ec;
                                std::filesystem::remove(path, ec);
                                ex->respond(http::response::empty(204));
                              });
             }));

  auto serve = authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal&) {
    serve_upload(*ctx, std::move(ex));
  });
  routes.add(http::method::get, "/data/upload/{*path}", serve, {.offload = true});
}


}  // namespace annot::host::api
