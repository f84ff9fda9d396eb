// Stored exports as jobs, with their snapshot and converted files under data_dir/export/.
#include "api/export_stored.hpp"
#include "api/file_response.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <annot/md5.hpp>
#include <charconv>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api/drf_values.hpp"
#include "api/request_body.hpp"
#include "api/users_json.hpp"
#include "export/file_cursor.hpp"
#include "export/download_sink.hpp"
#include "export/runner.hpp"
#include "export/task_scope.hpp"
#include "export/sinks.hpp"
#include "export/store_cursor.hpp"
#include "http/errors.hpp"
#include "store/query.hpp"
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

// Label Studio's name for a stored export's file: project-{id}-at-{YYYY-MM-DD-HH-MM}-{md5[:8]}, from when it
// was created and the md5 of its snapshot ("export-{pk}" in their place for metadata without them).
std::string download_stem(std::int64_t project, std::int64_t pk, const json& meta) {
  auto text = [&meta](const char* key) {
    auto it = meta.find(key);
    return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string created = text("created_at"), md5 = text("md5");
  std::string when = created.size() >= 16 ? created.substr(0, 16) : std::string();  // 2026-12-01T20:45
  for (char& c : when)
    if (c == 'T' || c == ':') c = '-';
  if (when.size() != 16 || md5.size() < 8)
    return "project-" + std::to_string(project) + "-at-export-" + std::to_string(pk);
  return "project-" + std::to_string(project) + "-at-" + when + "-" + md5.substr(0, 8);
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
    // The ids handed out so far, including those of deleted exports: Label Studio's ids never come back.
    if (std::ifstream in(root_ / next_id_file); in) {
      std::int64_t recorded = 0;
      if (in >> recorded && recorded > next_) next_ = recorded;
    }
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         ++it)
      if (it->path().filename() == "meta.json")
        if (auto pk = parse_id(it->path().parent_path().filename().string())) {
          next_ = std::max(next_, *pk + 1);
          if (auto project = parse_id(it->path().parent_path().parent_path().filename().string()))
            fail_interrupted(*project, *pk);
        }
  }

  fs::path dir(std::int64_t project, std::int64_t pk) const {
    return root_ / std::to_string(project) / std::to_string(pk);
  }

  std::int64_t allocate() {
    std::lock_guard lock(mutex_);
    const std::int64_t pk = next_++;
    // Written before the export's folder exists, so a restart never hands this id out again.
    std::error_code ec;
    fs::create_directories(root_, ec);
    const fs::path tmp = root_ / (std::string(next_id_file) + ".tmp");
    if (std::ofstream out(tmp, std::ios::trunc); out << next_ << '\n' && out.flush())
      fs::rename(tmp, root_ / next_id_file, ec);
    return pk;
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
    // value(), not operator[]: a metadata file edited by hand may lack "id" (operator[] on a const object
    // without the key is undefined behaviour).
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
      return a.value("id", std::int64_t{0}) > b.value("id", std::int64_t{0});
    });
    return out;
  }

  // Applies `change` to the metadata and writes it back (atomically: a temp file renamed). An export
  // deleted meanwhile stays deleted: nothing is written and false is returned, so a job that outlives
  // its export never brings it back. A write that fails (a full disk) keeps the metadata as it was.
  bool update(std::int64_t project, std::int64_t pk, const std::function<void(json&)>& change) {
    std::lock_guard lock(mutex_);
    std::optional<json> m = load(project, pk);
    if (!m) return false;
    change(*m);
    if (auto st = save(project, pk, *m); !st)
      spdlog::warn("export {} of project {}: {}", pk, project, st.message());
    return true;
  }

  annot::status put(std::int64_t project, std::int64_t pk, const json& meta) {
    std::lock_guard lock(mutex_);
    return save(project, pk, meta);
  }

  bool remove(std::int64_t project, std::int64_t pk) {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    return fs::remove_all(dir(project, pk), ec) > 0;
  }

 private:
  // Jobs do not outlive the server: an export or conversion that was running when it stopped (a
  // crash, a kill) would stay "in_progress" for good, and a conversion of its type could never be
  // asked again. At start they are marked failed, saying why, and what they had written goes: a
  // partial snapshot or converted file serves nothing and may hold much of a disk.
  void fail_interrupted(std::int64_t project, std::int64_t pk) {
    std::optional<json> m = load(project, pk);
    if (!m) return;
    bool changed = false;
    const auto running = [](const json& o) {
      return o.is_object() && o.contains("status") &&
             (o["status"] == "created" || o["status"] == "in_progress");
    };
    std::error_code ec;
    if (running(*m)) {
      (*m)["status"] = "failed";
      (*m)["traceback"] = "the server stopped before this export finished; create it again";
      fs::remove(dir(project, pk) / "tasks.json", ec);
      changed = true;
    }
    if (auto it = m->find("converted_formats"); it != m->end() && it->is_array())
      for (json& c : *it)
        if (running(c)) {
          c["status"] = "failed";
          c["traceback"] = "the server stopped before this conversion finished; convert again";
          // A conversion writes "converted-<type><ext>" and names it after its md5 once whole.
          if (auto type = c.find("export_type"); type != c.end() && type->is_string()) {
            const std::string partial = "converted-" + type->get<std::string>();
            for (const auto& f : fs::directory_iterator(dir(project, pk), ec)) {
              const std::string name = f.path().filename().string();
              if (name == partial || name.starts_with(partial + ".")) fs::remove(f.path(), ec);
            }
          }
          changed = true;
        }
    if (changed) save(project, pk, *m);
  }

  std::optional<json> load(std::int64_t project, std::int64_t pk) const {
    fs::path p = dir(project, pk) / "meta.json";
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    json j = json::parse(read_text(p), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return j;
  }
  // Only a metadata file written whole replaces the last one: a short write (a full disk) renamed
  // over it left an empty file, and the export vanished from its listing.
  annot::status save(std::int64_t project, std::int64_t pk, const json& meta) const {
    fs::path d = dir(project, pk);
    std::error_code ec;
    fs::create_directories(d, ec);
    fs::path tmp = d / "meta.json.tmp";
    bool written = false;
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << meta.dump(2);
      out.close();
      written = !out.fail();
    }
    if (written) fs::rename(tmp, d / "meta.json", ec);
    if (written && !ec) return annot::status::success();
    fs::remove(tmp, ec);
    return annot::status(annot::errc::io_error,
                         "cannot write " + (d / "meta.json").string() + " (disk full?)");
  }

  fs::path root_;
  std::mutex mutex_;
  std::int64_t next_ = 1;
  static constexpr const char* next_id_file = "next-id";
};

// Folders of projects that are gone: a conversion still writing when its project was deleted could
// keep files (hundreds of MB) that no route reaches. Removed at start, before any job runs; only
// for a project the store says does not exist (a store that cannot answer removes nothing).
void remove_exports_of_deleted_projects(api_context& ctx) {
  std::error_code ec;
  std::vector<std::pair<std::int64_t, fs::path>> folders;
  for (fs::directory_iterator it(ctx.data_dir / "export", ec), end; !ec && it != end; it.increment(ec))
    if (auto project = parse_id(it->path().filename().string()); project && it->is_directory(ec))
      folders.emplace_back(*project, it->path());
  auto reader = ctx.db.read();
  for (const auto& [project, folder] : folders) {
    auto p = reader->get_project(project);
    if (p.ok() || p.error().code() != annot::errc::not_found) continue;
    std::error_code rm;
    fs::remove_all(folder, rm);
    if (rm)
      spdlog::warn("stored exports of deleted project {}: cannot remove {}: {}", project, folder.string(),
                   rm.message());
    else
      spdlog::info("stored exports of deleted project {} removed", project);
  }
}

struct stored_api {
  api_context& ctx;
  export_store exports;
  std::shared_ptr<exporting::project_configs> configs;
  stored_api(api_context& c, std::shared_ptr<exporting::project_configs> project_configs)
      : ctx(c),
        exports((remove_exports_of_deleted_projects(c), c.data_dir / "export")),
        configs(std::move(project_configs)) {}
};

annot::result<store::project> load_project(api_context& ctx, const http::request& req) {
  auto id = parse_id(req.param("id"));
  if (!id) return annot::status(annot::errc::invalid_argument, "project id must be a positive integer");
  auto p = ctx.db.read()->get_project(*id);
  if (!p.ok() && p.error().code() == annot::errc::not_found)
    return annot::status(annot::errc::not_found, "Project " + std::to_string(*id) + " not found");
  return p;
}

// A bool at a JSON path of the POST body, read as Django REST framework's BooleanField reads it
// (drf::as_bool); `fallback` when absent or null.
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
  if (auto v = drf::as_bool(*at)) return *v;
  return annot::status(annot::errc::invalid_argument, name + " must be a boolean");
}

// A stored export's options as Label Studio's ExportCreateSerializer reads them (label-studio-formats
// §4, data_export/models.py): an absent option object means "no filter"; a given one takes the
// serializer's defaults for its missing fields (annotation_filter_options.usual = true).
struct stored_options {
  exporting::cursor_options cursor;
  std::optional<std::int64_t> view;
  // Annot's extension: the data manager's selection ({"all": false, "included": [...]} or {"all": true,
  // "excluded": [...]}), within the view when one is given, in place of the view's saved selection.
  std::optional<store::selected_items> selected;
  std::string skipped, finished, annotated;  // "", "only" or "exclude"
  bool only_with_annotations = false;
  bool filters_tasks() const {
    return view || selected || !skipped.empty() || !finished.empty() || !annotated.empty();
  }
};

annot::result<stored_options> parse_stored_options(const json& body) {
  auto bad = [](std::string m) { return annot::status(annot::errc::invalid_argument, std::move(m)); };
  auto object_at = [&](const char* k) -> annot::result<const json*> {
    auto it = body.find(k);
    if (it == body.end() || it->is_null()) return static_cast<const json*>(nullptr);
    if (!it->is_object()) return bad(std::string(k) + " must be an object");
    return &*it;
  };
  stored_options o;
  o.cursor.only_annotated = false;  // only_with_annotations is applied to the written annotations

  auto tf = object_at("task_filter_options");
  if (!tf) return tf.error();
  if (const json* t = *tf) {
    if (auto v = t->find("view"); v != t->end() && !v->is_null()) {
      o.view = drf::as_int(*v);  // IntegerField
      if (!o.view) return bad("task_filter_options.view must be an integer");
    }
    if (auto v = t->find("selectedItems"); v != t->end() && !v->is_null()) {
      auto sel = store::parse_selected_items(v->dump());
      if (!sel) return bad("task_filter_options." + sel.error().message());
      o.selected = std::move(*sel);
    }
    for (auto [name, out] : {std::pair<const char*, std::string*>{"skipped", &o.skipped}, {"finished", &o.finished},
                             {"annotated", &o.annotated}}) {
      auto v = t->find(name);
      if (v == t->end() || v->is_null()) continue;
      if (!v->is_string() || (*v != "only" && *v != "exclude"))
        return bad(std::string("task_filter_options.") + name + ": \"" +
                   (v->is_string() ? v->get<std::string>() : v->dump()) + "\" is not a valid choice (only, exclude or null)");
      *out = v->get<std::string>();
    }
    auto owa = body_bool(body, {"task_filter_options", "only_with_annotations"}, false);
    if (!owa) return owa.error();
    o.only_with_annotations = *owa;
  }

  auto af = object_at("annotation_filter_options");
  if (!af) return af.error();
  if (*af) {
    exporting::serialize_options::annotation_filter f;
    // usual defaults to true when absent, but an explicit null is None upstream (allow_null): no
    // condition, so with the others unset every annotation is written.
    const bool usual_null = (*af)->contains("usual") && (**af)["usual"].is_null();
    auto usual = body_bool(body, {"annotation_filter_options", "usual"}, !usual_null);
    auto gt = body_bool(body, {"annotation_filter_options", "ground_truth"}, false);
    auto skipped = body_bool(body, {"annotation_filter_options", "skipped"}, false);
    for (auto* r : {&usual, &gt, &skipped})
      if (!*r) return r->error();
    f.usual = *usual;
    f.ground_truth = *gt;
    f.skipped = *skipped;
    o.cursor.serialize.annotations = f;
  }

  auto so = object_at("serialization_options");
  if (!so) return so.error();
  // Label Studio expands drafts, predictions and completed_by only when their option object is
  // given without only_id; without serialization_options nothing is expanded.
  auto expanded = [&](const char* k) -> annot::result<bool> {
    const json* s = *so;
    if (!s) return false;
    auto it = s->find(k);
    if (it == s->end() || it->is_null()) return false;
    if (!it->is_object()) return bad(std::string("serialization_options.") + k + " must be an object");
    auto only_id = body_bool(body, {"serialization_options", k, "only_id"}, false);
    if (!only_id) return only_id.error();
    return !*only_id;
  };
  auto drafts = expanded("drafts");
  auto predictions = expanded("predictions");
  auto users = expanded("annotations__completed_by");
  auto interpolate = body_bool(body, {"serialization_options", "interpolate_key_frames"}, false);
  // Accepted and checked as upstream's BooleanField; the history itself is not exported (no history is kept).
  auto history = body_bool(body, {"serialization_options", "include_annotation_history"}, false);
  for (auto* r : {&drafts, &predictions, &users, &interpolate, &history})
    if (!*r) return r->error();
  o.cursor.serialize.full_drafts = *drafts;
  o.cursor.serialize.full_predictions = *predictions;
  o.cursor.serialize.expand_completed_by = *users;
  o.cursor.serialize.interpolate_key_frames = *interpolate;
  return o;
}

// The ids of the tasks the task filters keep (in id order), through the store's data-manager
// queries: the view's own filters and selection (a view of another project, or an unreadable one,
// is ignored as Label Studio does, with a warning; a given selectedItems replaces its selection),
// then skipped (a cancelled annotation), finished (is_labeled) and annotated (an annotation that is
// not cancelled). nullopt when no filter applied (an ignored view alone): every task.
annot::result<std::optional<std::vector<std::int64_t>>> filtered_task_ids(api_context& ctx, std::int64_t project,
                                                           const stored_options& o) {
  auto reader = ctx.db.read();
  std::optional<std::vector<std::int64_t>> ids;
  auto keep_only = [&](std::vector<std::int64_t> found) {
    std::sort(found.begin(), found.end());
    if (!ids) {
      ids = std::move(found);
      return;
    }
    std::vector<std::int64_t> both;
    std::set_intersection(ids->begin(), ids->end(), found.begin(), found.end(), std::back_inserter(both));
    ids = std::move(both);
  };
  if (o.view || o.selected) {
    auto found = exporting::scope_task_ids(ctx.db, project, exporting::export_scope{o.view, o.selected},
                                           exporting::unusable_view::ignore);
    if (!found) return found.error();
    if (*found) keep_only(std::move(**found));
  }
  store::task_query q;
  q.selection.project_id = project;
  using store::filter_op;
  auto add = [&](const std::string& choice, const char* column, store::value_type type, filter_op only_op,
                 store::scalar only_value, filter_op exclude_op, store::scalar exclude_value) {
    if (choice.empty()) return;
    store::filter_item f;
    f.column = column;
    f.type = type;
    f.op = choice == "only" ? only_op : exclude_op;
    f.value = choice == "only" ? std::move(only_value) : std::move(exclude_value);
    q.selection.filters.items.push_back(std::move(f));
  };
  const store::scalar zero = std::int64_t{0};
  add(o.skipped, "cancelled_annotations", store::value_type::number, filter_op::greater, zero, filter_op::equal, zero);
  add(o.finished, "is_labeled", store::value_type::boolean, filter_op::equal, true, filter_op::equal, false);
  add(o.annotated, "total_annotations", store::value_type::number, filter_op::greater, zero, filter_op::equal, zero);
  if (!q.selection.filters.items.empty()) {
    auto found = reader->select_task_ids(q);
    if (!found) return found.error();
    keep_only(std::move(*found));
  }
  return ids;
}

// Writes the snapshot: the project's tasks as a JSON array, one task per line. `md5` gets the
// file's checksum (the export's `md5`, as Label Studio gives it).
annot::status snapshot(api_context& ctx, std::int64_t project, const fs::path& file, const stored_options& opts,
                       jobs::job_context& job, std::int64_t& count, std::string& md5, exporting::export_report& report) {
  exporting::cursor_options options = opts.cursor;
  std::atomic<bool> cancelled{false};
  options.cancelled = &cancelled;
  options.project_id = project;
  // What the snapshot could not do as asked (a region too long to interpolate) goes into the export's
  // `report`, as a conversion's does; Label Studio's record has no such field. The first few go to the
  // server's log too.
  auto log = std::make_shared<exporting::report_log>(report);
  options.warn = [project, log, told = 0, mutex = std::make_shared<std::mutex>()](std::string_view m) mutable {
    std::lock_guard lock(*mutex);
    log->warn(m);
    if (++told <= 20) spdlog::warn("stored export of project {}: {}", project, m);
  };
  if (opts.filters_tasks()) {
    auto ids = filtered_task_ids(ctx, project, opts);
    if (!ids) return ids.error();
    if (*ids) {
      options.ids = std::move(**ids);
      options.selected_only = true;  // a filter that kept no task exports none
    }
  }
  exporting::store_cursor cursor(ctx.db, options);
  auto out = exporting::file_writer::create(file);
  if (!out) return out.error();
  std::string buf = "[";
  std::string_view task;
  annot::md5 digest;
  count = 0;
  for (;;) {
    if (job.cancel_requested()) cancelled = true;
    auto more = cursor.next(task);
    if (!more) return more.error();
    if (!*more) break;
    // only_with_annotations looks at the annotations the filter kept (Label Studio's prefetch).
    if (opts.only_with_annotations && !exporting::has_annotations(task)) continue;
    buf += count ? ",\n" : "\n";
    buf += task;
    ++count;
    if (buf.size() > (1 << 18)) {
      digest.update(buf);
      if (auto st = (*out)->write(buf); !st) return st;
      buf.clear();
      job.set_progress(static_cast<std::uint64_t>(count), static_cast<std::uint64_t>(std::max<std::int64_t>(0, cursor.size_hint())));
    }
  }
  buf += count ? "\n]" : "]";
  digest.update(buf);
  if (auto st = (*out)->write(buf); !st) return st;
  if (auto st = (*out)->close(); !st) return st;
  md5 = digest.hex();
  return {};
}

// Sends a stored export's file (offloaded route), as Label Studio's RangedFileResponse does: with its
// length, and one byte range on request, so a large download can be resumed.
void stream_file(http::exchange& ex, const fs::path& file, const std::string& name, const std::string& type) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return ex.respond(http::error_response(404, "Export file not found"));
  http::header_map h;
  h.set("Content-Type", type);
  h.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
  h.set("filename", name);  // Label Studio's own header, which its export page saves the file by
  respond_with_file(ex, file, std::move(h));
}

// A request field Label Studio's serializers would refuse: 400 with "Validation error" and the field's
// message under validation_errors, as DRF's errors come from upstream (label-studio-formats §4.1).
http::response field_error(std::string_view field, std::string_view message) {
  const json errors = {{std::string(field), json::array({std::string(message)})}};
  return http::error_response(400, "Validation error", &errors);
}

// The converted file's bytes on their way to it (from the sink's thread): its md5, which names the
// download, without reading the file again.
class digesting_writer final : public exporting::byte_writer {
 public:
  explicit digesting_writer(std::unique_ptr<exporting::file_writer> file) : file_(std::move(file)) {}
  annot::status write(std::string_view bytes) override {
    digest_.update(bytes);
    return file_->write(bytes);
  }
  annot::status close() { return file_->close(); }
  std::string hex() const { return digest_.hex(); }

 private:
  std::unique_ptr<exporting::file_writer> file_;
  annot::md5 digest_;
};

// Moves a converted file to base/project-{id}-at-{now}-{md5[:8]}{ext}, as Label Studio names it.
annot::result<fs::path> name_converted_file(std::int64_t project, const fs::path& file, const fs::path& base,
                                            const std::string& md5_hex) {
  std::string minute = store::to_iso8601(store::now()).substr(0, 16);
  std::replace(minute.begin(), minute.end(), 'T', '-');
  std::replace(minute.begin(), minute.end(), ':', '-');
  const fs::path named = base / ("project-" + std::to_string(project) + "-at-" + minute + "-" +
                                 md5_hex.substr(0, 8) + file.extension().string());
  std::error_code ec;
  fs::rename(file, named, ec);
  if (ec) return annot::status(annot::errc::internal, "cannot name the converted file: " + ec.message());
  return named;
}

http::response respond_status(const annot::status& st) {
  if (st.code() == annot::errc::failed_precondition || st.code() == annot::errc::invalid_argument)
    return http::error_response(400, st.message());
  return http::error_response(st);
}

}  // namespace

void add_stored_export_routes(api_routes& routes, std::shared_ptr<exporting::project_configs> configs) {
  auto api = std::make_shared<stored_api>(routes.ctx(), std::move(configs));
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
        auto read = request_object<json>(
            req, {"task_filter_options", "annotation_filter_options", "serialization_options"});
        if (!read) return http::error_response(400, read.error().message());
        const json& body = *read;
        auto parsed = parse_stored_options(body);
        if (!parsed) {
          // The messages name the option's path ("task_filter_options.skipped: ..."); its first part is the
          // serializer field.
          const std::string& m = parsed.error().message();
          return field_error(m.substr(0, m.find_first_of(". :")), m);
        }
        stored_options o = std::move(*parsed);
        const std::shared_ptr<const exporting::project_config> kept = api->configs->get(*p);
        const exporting::project_config& config = *kept;
        // Keyframes are interpolated in video object tracking projects only, as Label Studio does.
        if (o.cursor.serialize.interpolate_key_frames)
          o.cursor.serialize.interpolate_key_frames =
              exporting::is_video_object_tracking(config.parsed_config);
        o.cursor.serialize.undefined_data_key = config.first_data_key;
        if (body.contains("title") && !body["title"].is_string() && !body["title"].is_null())
          return field_error("title", "title must be a string");
        // Export.title is a CharField(max_length=2048) upstream: characters, not bytes.
        if (body.contains("title") && body["title"].is_string()) {
          const std::string& t = body["title"].get_ref<const std::string&>();
          std::size_t chars = 0;
          for (unsigned char c : t) chars += (c & 0xC0) != 0x80;
          if (chars > 2048)
            return field_error("title", "Ensure this field has no more than 2048 characters.");
        }

        std::int64_t pk = api->exports.allocate();
        std::string now = store::to_iso8601(store::now());
        json meta = {{"id", pk},
                     {"title", body.value("title", json(nullptr)).is_string() ? body["title"] : json("")},
                     {"created_by", json(user_simple_json(who.user))},
                     {"created_at", now},
                     {"finished_at", nullptr},
                     {"status", "created"},
                     {"md5", ""},
                     {"counters", {{"task_number", 0}}},
                     {"converted_formats", json::array()},
                     {"task_filter_options", body.value("task_filter_options", json::object())},
                     {"annotation_filter_options", body.value("annotation_filter_options", json::object())},
                     {"serialization_options", body.value("serialization_options", json::object())}};
        // Label Studio's default title: the project's title with spaces as dashes, "-at-" and the minute.
        if (meta["title"] == "") {
          std::string title = p->title;
          std::replace(title.begin(), title.end(), ' ', '-');
          std::string minute = now.substr(0, 16);  // 2026-12-02T09:57
          std::replace(minute.begin(), minute.end(), 'T', '-');
          std::replace(minute.begin(), minute.end(), ':', '-');
          meta["title"] = title + "-at-" + minute;
        }
        if (auto st = api->exports.put(p->id, pk, meta); !st) {
          api->exports.remove(p->id, pk);
          return http::error_response(500, "the export could not be recorded: " + st.message());
        }
        std::int64_t project = p->id;
        api->ctx.jobs.submit("export", [api, project, pk, o](jobs::job_context& job) -> annot::status {
          if (!api->exports.update(project, pk, [](json& m) { m["status"] = "in_progress"; }))
            return annot::status(annot::errc::not_found,
                                 "export " + std::to_string(pk) + " was deleted before it ran");
          std::int64_t count = 0;
          std::string md5;
          exporting::export_report report;
          const fs::path snapshot_file = api->exports.dir(project, pk) / "tasks.json";
          annot::status st = snapshot(api->ctx, project, snapshot_file, o, job, count, md5, report);
          report.tasks = count;
          std::error_code ec;
          if (!st.ok())
            fs::remove(snapshot_file, ec);  // a partial snapshot serves nothing, and may hold a full disk
          const bool kept = api->exports.update(project, pk, [&](json& m) {
            m["status"] = st.ok() ? "completed" : "failed";
            m["finished_at"] = store::to_iso8601(store::now());
            m["counters"]["task_number"] = count;
            m["md5"] = md5;
            m["report"] = report.to_json();
            if (!st.ok()) m["traceback"] = st.message();
          });
          if (!kept) api->exports.remove(project, pk);  // deleted while it ran: what the job wrote goes too
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
             }),
             // A conversion may hold tens of thousands of label files: removing them is file-system
             // work, off the I/O threads.
             http::route_options{.offload = true});

  routes.add(
      method::get, "/api/projects/{id}/exports/{pk}/download",
      authed_async_handler([api, with_export](std::shared_ptr<http::exchange> ex, const auth::principal&) {
        std::int64_t project = 0, pk = 0;
        if (auto e = with_export(ex->req(), project, pk)) return ex->respond(std::move(*e));
        json meta = *api->exports.get(project, pk);
        if (meta["status"] != "completed") return ex->respond(http::error_response(404, "Export is not completed"));
        std::string type = ex->req().query("exportType").value_or("");
        if (type.empty()) type = "JSON";  // as the easy export reads it
        const std::string stem = download_stem(project, pk, meta);
        if (type == "JSON")
          return stream_file(*ex, api->exports.dir(project, pk) / "tasks.json", stem + ".json", "application/json");
        for (const auto& c : meta["converted_formats"]) {
          if (c["export_type"] != type) continue;
          if (c["status"] == "failed")
            return ex->respond(http::error_response(
                404, "The conversion to " + type +
                         " failed: " + c.value("traceback", json("no reason recorded")).dump() +
                         "; POST .../convert to try again"));
          if (c["status"] != "completed")
            return ex->respond(http::error_response(404, "Export is not converted to " + type + " yet"));
          fs::path file = api->exports.dir(project, pk) / c["file"].get<std::string>();
          const std::string ext = file.extension().string();  // ".zip", ".json", ...
          return stream_file(*ex, file, file.filename().string(),
                             "application/" + ext.substr(ext.empty() ? 0 : 1));
        }
        ex->respond(http::error_response(404, "Export is not converted to " + type + "; POST .../convert first"));
      }),
      http::route_options{.offload = true});

  routes.add(
      method::post, "/api/projects/{id}/exports/{pk}/convert",
      authed_handler([api, with_export](http::request& req, const auth::principal&) {
        std::int64_t project = 0, pk = 0;
        if (auto e = with_export(req, project, pk)) return *e;
        auto read = request_object<json>(req);
        if (!read) return http::error_response(400, read.error().message());
        const json& body = *read;
        auto type_it = body.find("export_type");
        if (type_it == body.end() || type_it->is_null())
          return field_error("export_type", "export_type is required (a format name such as COCO)");
        if (!type_it->is_string())
          return field_error("export_type", "export_type must be a format name such as COCO, not " + type_it->dump());
        std::string type = *type_it;
        auto resources = body_bool(body, {"download_resources"}, false);
        if (!resources) return field_error("download_resources", resources.error().message());
        auto format = exporting::find_format(api->ctx.registry, type);
        if (!format) return field_error("export_type", format.error().message());
        // The exporter's own options (the formats listing names them), as the easy export's `options`.
        std::string options = "{}";
        if (auto o = body.find("options"); o != body.end() && !o->is_null()) {
          if (!o->is_object()) return field_error("options", "options must be a JSON object");
          options = o->dump();
        }
        if (auto st = exporting::check_options(*format->exporter, options); !st)
          return field_error("options", st.message());
        auto p = api->ctx.db.read()->get_project(project);
        if (!p) return respond_status(p.error());
        const std::shared_ptr<const exporting::project_config> config = api->configs->get(*p);
        if (auto st = exporting::applies(*format, *config); !st)
          return field_error("export_type",
                             "export_type " + type + " is not available for this project: " + st.message());
        json meta = *api->exports.get(project, pk);
        // Label Studio's answer, with what became of the export: a failed one never completes.
        if (meta["status"] != "completed")
          return http::error_response(404, meta["status"] == "failed"
                                               ? "Export is not completed: it failed; create a new export"
                                               : "Export is not completed");
        std::int64_t converted_id = static_cast<std::int64_t>(meta["converted_formats"].size()) + 1;
        // As Label Studio: a format is converted once per snapshot (the snapshot never changes, so neither
        // would the file); only a failed conversion may be asked again. Two jobs of one type would also
        // share converted/<type>/ and delete each other's files.
        bool started = false;
        const bool kept = api->exports.update(project, pk, [&](json& m) {
          auto& list = m["converted_formats"];
          for (std::size_t i = 0; i < list.size(); ++i)
            if (list[i]["export_type"] == type) {
              converted_id = list[i]["id"];
              started = list[i]["status"] != "failed";
              if (!started) list.erase(i);
              break;
            }
          if (!started)
            list.push_back({{"id", converted_id},
                            {"status", "in_progress"},
                            {"export_type", type},
                            {"traceback", nullptr}});
        });
        if (!kept) return http::error_response(404, "Export " + std::to_string(pk) + " not found");
        if (started) {
          const json errors = json::array({"Conversion to " + type + " already started"});
          return http::error_response(400, "Validation error", &errors);
        }
        bool download = *resources;
        exporting::resolved_format rf = *format;
        std::int64_t tasks = meta["counters"]["task_number"].get<std::int64_t>();
        api->ctx.jobs.submit("export-convert", [api, project, pk, type, config, rf, download, tasks,
                                                options](jobs::job_context& job) {
          fs::path base = api->exports.dir(project, pk);
          // The output goes straight into its download, packaged as the easy export packages it (a
          // single-file format's file; an archive format's one file alone as itself, anything else as a
          // zip), as Label Studio's convert_file packages its output folder, instead of 20,000 files
          // written, listed, zipped and removed for a YOLO export. There is no output folder: COCO names
          // an upload as the easy export does, by the task's reference (Label Studio's path from its own
          // temporary folder told a client nothing, and the server's layout).
          std::error_code ec;
          fs::remove_all(base / "converted", ec);  // a folder of an earlier version's conversion
          exporting::file_cursor cursor(base / "tasks.json", tasks);
          fs::path file;
          std::unique_ptr<digesting_writer> writer;  // outlives the sinks, which write to it
          auto open_file = [&](std::string_view ext) -> annot::result<exporting::byte_writer*> {
            file = base / ("converted-" + type + std::string(ext));
            auto created = exporting::file_writer::create(file);
            if (!created) return created.error();
            writer = std::make_unique<digesting_writer>(std::move(*created));
            return writer.get();
          };
          exporting::download_sink output(*rf.format, open_file);
          exporting::export_report report;
          annot::status st;
          {
            auto created = rf.exporter->factory->create(type);
            if (!created) {
              st = created.error();
            } else {
              exporting::report_log log(report);
              annot::export_request request;
              request.format = type;
              request.config = config->view();
              request.options = options;
              std::string upload = (api->ctx.data_dir / "upload").string();
              // Label Studio's convert_file points the converter's upload folder at its own empty output
              // folder (export-formats §1.1): the uploads are not read, sizes come from the results and
              // COCO names the upload by its path. With download_resources they are copied, as upstream
              // downloads them from itself.
              if (download) request.upload_dir = upload;
              request.download_resources = download;
              request.project_id = project;
              st = (*created)->run(request, cursor, output.sink(), log);
              report.tasks = cursor.delivered();
            }
          }
          if (st) st = output.finish();
          if (st && !writer) st = annot::status(annot::errc::internal, "the conversion wrote no file");
          if (st) st = writer->close();
          const fs::path written = file;
          // Named as Label Studio names a converted file: project-{id}-at-{when it was converted}-{md5[:8] of
          // the file}{ext}, the name its download gives.
          if (st) {
            auto named = name_converted_file(project, file, base, writer->hex());
            if (named)
              file = *named;
            else
              st = named.error();
          }
          // A failed conversion leaves nothing behind.
          if (!st) {
            output.abandon();
            if (!written.empty()) fs::remove(written, ec);
          }
          job.set_result(report.to_json());
          const bool kept = api->exports.update(project, pk, [&](json& m) {
            for (auto& c : m["converted_formats"])
              if (c["export_type"] == type) {
                c["status"] = st ? "completed" : "failed";
                if (st)
                  c["file"] = fs::relative(file, base).generic_string();
                else
                  c["traceback"] = st.message();
                c["report"] = report.to_json();
              }
          });
          if (!kept) api->exports.remove(project, pk);  // deleted while it ran: what the job wrote goes too
          return st;
        });
        return http::response::json(200, json{{"export_type", type}, {"converted_format", converted_id}}.dump());
      }));
}

void remove_project_exports(const fs::path& data_dir, std::int64_t project) {
  // A conversion still running removes and renames its own files: remove_all stops at the first
  // that vanished under it (ENOENT) or was added (ENOTEMPTY). Tried again; what a job writes after
  // this goes at its end (it finds its export gone) or at the next start.
  const fs::path folder = data_dir / "export" / std::to_string(project);
  std::error_code ec;
  for (int attempt = 0; attempt < 5; ++attempt) {
    ec.clear();
    fs::remove_all(folder, ec);
    if (!ec) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  spdlog::warn("project {}: its stored exports could not be removed ({}); they go at the next start", project,
               ec.message());
}

}  // namespace annot::host::api
