// `annot export PROJECT --format COCO --out PATH [--data-dir D]`: the export pipeline from the
// command line. PATH is a file (single-file formats), a .zip, or a folder (written as files), with
// a progress bar on stderr and the export report on stdout.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/heap_policy.hpp"
#include "app/host_app.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/options.hpp"
#include "cli/progress_bar.hpp"
#include "export/runner.hpp"
#include "export/sinks.hpp"
#include "export/task_scope.hpp"
#include "plugins/loader.hpp"
#include "plugins/plugin_index.hpp"

namespace annot::host::cli {
namespace {

namespace fs = std::filesystem;

option_table export_options() {
  option_table t;
  t.value("format", "", "JSON", "the exportType: JSON, JSON_MIN, CSV, COCO, YOLO... (see --list)")
      .value("out", "", "", "output: a file, a .zip, or a folder (ending in '/' or existing)")
      .value("data-dir", "ANNOT_DATA_DIR", "./data", "the data directory of the host (database, uploads)")
      .value("plugins-dir", "ANNOT_PLUGINS_DIR", "",
             "folder of plugin folders (default: beside the executable)")
      .value("ids", "", "", "only these task ids (comma list)")
      .value("view", "", "",
             "only the tasks of this data-manager tab (its id): its filters and saved selection")
      .value("options", "", "{}", "exporter options as a JSON object")
      .flag("annotated-only", "", "leave out tasks without annotations (the API's default)")
      .flag("download-resources", "", "copy local uploads into the output (COCO/YOLO/VOC images, ASR audio)")
      .value("local-files-root", "", "",
             "a folder whose files tasks may name, as /data/local-files/?d=REL or as paths (Label Studio's "
             "LOCAL_FILES_DOCUMENT_ROOT); without it only uploads are read")
      .flag("interpolate-key-frames", "",
            "expand video keyframes into one region per frame (as the API's option)")
      .flag("list", "", "list the formats and whether each applies to the project")
      .value("log-level", "ANNOT_LOG_LEVEL", "warn", "debug, info, warn or error")
      .flag("quiet", "", "no progress bar")
      .flag("help", "", "show this help");
  return t;
}

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "annot export: %s\n", message.c_str());
  return code;
}

}  // namespace

int run_export(const std::vector<std::string>& args) {
  app::use_batch_heap_policy();
  auto table = export_options();
  auto parsed = table.parse(args);
  const char* usage = "usage: annot export PROJECT_ID --format FORMAT --out PATH [options]\n\noptions:\n";
  if (!parsed) {
    std::fprintf(stderr, "annot export: %s\n\n%s%s", parsed.error().message().c_str(), usage, table.help().c_str());
    return 2;
  }
  if (parsed->flag("help")) {
    std::printf("%s%s", usage, table.help().c_str());
    return 0;
  }
  if (parsed->positional.size() != 1) return fail(std::string("one project id is needed\n\n") + usage + table.help(), 2);
  std::int64_t project_id = 0;
  const std::string& pid = parsed->positional[0];
  auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), project_id);
  if (ec != std::errc() || end != pid.data() + pid.size() || project_id <= 0)
    return fail("'" + pid + "' is not a project id", 2);

  exporting::export_params params;
  params.format = parsed->get("format");
  params.download_all_tasks = !parsed->flag("annotated-only");
  params.download_resources = parsed->flag("download-resources");
  params.serialize.interpolate_key_frames = parsed->flag("interpolate-key-frames");
  params.options = parsed->get("options");
  const std::string ids = parsed->get("ids");  // owned here: the views below point into it
  // An empty list (a script's unset $IDS) must not widen to the whole project.
  if (parsed->has("ids") && ids.empty()) return fail("--ids is empty: give task ids, or leave --ids out", 2);
  for (std::string_view rest = ids; !rest.empty();) {
    auto comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    std::int64_t id = 0;
    auto r = std::from_chars(one.data(), one.data() + one.size(), id);
    if (r.ec != std::errc() || r.ptr != one.data() + one.size() || id <= 0)
      return fail("--ids: '" + std::string(one) + "' is not a task id", 2);
    params.ids.push_back(id);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }

  const auto level = spdlog::level::from_str(parsed->get("log-level"));
  if (level == spdlog::level::off && parsed->get("log-level") != "off")
    return fail("unknown log level '" + parsed->get("log-level") + "'", 2);
  spdlog::set_level(level);
  const fs::path data_dir = parsed->get("data-dir");
  if (!fs::exists(data_dir / "annot.db")) return fail("no database in " + data_dir.string());
  store::store_options so;
  so.location = "sqlite:" + (data_dir / "annot.db").string();
  // The tasks come through the export's own reader; the shared one answers a few point reads.
  so.readers = 1;
  so.read_only = true;
  auto opened = store::open_store(so);
  if (!opened) return fail("cannot open the database: " + opened.error().message());
  store::store& db = **opened;
  auto project = db.read()->get_project(project_id);
  if (!project) return fail(project.error().message());
  if (const std::string view = parsed->get("view"); !view.empty()) {
    exporting::export_scope scope;
    std::int64_t id = 0;
    auto r = std::from_chars(view.data(), view.data() + view.size(), id);
    if (r.ec != std::errc() || r.ptr != view.data() + view.size() || id <= 0)
      return fail("--view: '" + view + "' is not a tab id", 2);
    scope.view = id;
    auto kept = exporting::scope_task_ids(db, project_id, scope, exporting::unusable_view::refuse);
    if (!kept)
      return fail("--view: " + kept.error().message(), kept.error().code() == annot::errc::invalid_argument ? 2 : 1);
    if (*kept) exporting::narrow_to(params, std::move(**kept));
  }

  plugins::load_options lo;
  lo.plugins_dir =
      parsed->get("plugins-dir").empty() ? app::default_plugins_dir() : fs::path(parsed->get("plugins-dir"));
  lo.data_dir = data_dir;
  lo.read_ui = false;  // nothing is served: reading and gzipping the UI bundles was ~9 % of an export
  // The listing needs every exporter; an export only its own and the config's tags (plugin_index).
  auto plugins =
      plugins::load_plugins_for_export(lo, project->label_config, parsed->flag("list") ? "" : params.format);
  for (const auto& r : plugins.refused())
    std::fprintf(stderr, "annot export: plugin refused: %s\n", r.reason.c_str());
  const plugins::registry& reg = *plugins.plugins;
  const exporting::project_config config = exporting::config_of(reg, *project);

  if (parsed->flag("list")) {
    for (const auto& f : exporting::formats_listing(reg, config)) {
      std::printf("%-22s %s%s\n", f["name"].get<std::string>().c_str(), f["disabled"].get<bool>() ? "disabled: " : "",
                  f.contains("reason") ? f["reason"].get<std::string>().c_str() : "");
    }
    return 0;
  }
  std::string out = parsed->get("out");
  if (out.empty()) return fail("--out PATH is needed", 2);
  auto format = exporting::find_format(reg, params.format);
  if (!format) return fail(format.error().message(), 2);
  if (auto st = exporting::applies(*format, config); !st) return fail(params.format + ": " + st.message(), 2);
  params.upload_dir = fs::absolute(data_dir / "upload").lexically_normal().string();
  if (const std::string root = parsed->get("local-files-root"); !root.empty()) {
    std::error_code rec;
    const fs::path canonical_root = fs::canonical(root, rec);
    if (rec || !fs::is_directory(canonical_root, rec))
      return fail("--local-files-root: no folder " + root, 2);
    // Its files are opened and closed: the database's would lose this process's locks on it.
    const fs::path canonical_data = fs::canonical(data_dir, rec);
    const fs::path inside = canonical_data.lexically_relative(canonical_root);
    if (!rec && !inside.empty() && *inside.begin() != "..")
      return fail("--local-files-root: " + root + " holds the data directory; give the folder of the files",
                  2);
    params.local_files_root = canonical_root.string();
  }

  // Ctrl-C: the cursor returns errc::cancelled at its next task, and the output is cleared as after a
  // failure.
  stop_on_interrupt();  // before any output is created: nothing to clear before this
  params.cancelled = &interrupted();
  progress_bar bar(!parsed->flag("quiet"));
  params.progress = [&bar](std::int64_t done, std::int64_t total) {
    bar.update(total > 0 ? double(done) / double(total) : 0.0, std::uint64_t(done));
  };

  std::error_code fec;
  // Nothing is written into the data folder: a file renamed over annot.db (or its journal) would lose
  // every project, and the uploads there are served as they are. Symbolic links are followed, so a
  // link to the database is refused too.
  {
    const fs::path data = fs::weakly_canonical(fs::absolute(data_dir), fec);
    const fs::path target = fs::weakly_canonical(fs::absolute(out), fec);
    const fs::path inside = target.lexically_relative(data);
    if (!inside.empty() && *inside.begin() != "..")
      return fail("--out " + out + " is inside the data folder " + data_dir.string() +
                      ", which holds the database and the uploads: give a place outside it",
                  2);
  }
  bool to_dir = out.back() == '/' || fs::is_directory(out, fec);
  std::string extension = fs::path(out).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
  bool to_zip = !to_dir && extension == ".zip";  // as the API names it, or .ZIP
  const bool archive = format->format->layout == annot::export_layout::archive;
  annot::result<exporting::export_report> report = annot::status(annot::errc::internal, "not run");
  if (to_dir) {
    // Nothing is deleted from a folder the user named; say that files of an earlier export may stay.
    if (!parsed->flag("quiet") && fs::is_directory(out, fec) && !fs::is_empty(out, fec))
      std::fprintf(
          stderr,
          "annot export: %s is not empty: files there that this export does not write stay as they were\n",
          out.c_str());
    const bool created = !fs::exists(out, fec);
    fs::create_directories(out, fec);
    if (fec) return fail("cannot create " + out + ": " + fec.message());
    params.output_dir = fs::absolute(out).lexically_normal().string();
    {
      exporting::directory_sink sink{fs::path(out)};
      report = exporting::run_export(db, *format, *project, config, params, sink);
      if (report) {
        if (auto st = sink.finish(); !st) report = st;
      }
    }  // the sink's lanes have stopped writing
    if (!report) {
      // A folder this export made goes with its failure, so no half export passes for a whole one;
      // one the user had is theirs to clear.
      std::error_code rec;
      if (created && fs::remove_all(out, rec) != static_cast<std::uintmax_t>(-1) && !rec)
        report = annot::status(report.error().code(), report.error().message() + "; " + out + " is removed");
      else
        report = annot::status(report.error().code(),
                               report.error().message() + "; the files written before it stay in " + out);
    }
  } else {
    if (archive && !to_zip) return fail(params.format + " writes several files: give a folder or a .zip as --out", 2);
    // A file is written beside its destination and renamed over it once complete, so an export that fails
    // (bad --options, a full disk, an exporter's error) leaves a file already there as it was. A device or a
    // pipe (/dev/stdout) is written as it is.
    const bool in_place = fs::exists(out, fec) && !fs::is_regular_file(out, fec);
    // A symbolic link is written through, as a shell's `>` does: the file it names is replaced, the link
    // stays.
    const std::string dest =
        fs::is_symlink(out, fec) ? fs::weakly_canonical(fs::absolute(out), fec).string() : out;
    const std::string written = in_place ? out : dest + ".annot-partial-" + std::to_string(::getpid());
    struct partial_file {
      std::string path;
      bool keep = false;
      ~partial_file() {
        std::error_code ec;
        if (!keep && !path.empty()) fs::remove(path, ec);
      }
    } partial{in_place ? std::string() : written};
    // Errors name the partial file; the user knows `out`.
    const auto naming_out = [&](std::string why) {
      for (auto at = why.find(written); at != std::string::npos; at = why.find(written, at + out.size()))
        why.replace(at, written.size(), out);
      return why;
    };
    auto file = exporting::file_writer::create(written);
    if (!file) return fail(naming_out(file.error().message()));
    if (archive || to_zip) {
      exporting::zip_sink zip(**file);
      report = exporting::run_export(db, *format, *project, config, params, zip);
      if (report) {
        if (auto st = zip.finish(); !st) report = st;
      }
    } else {
      exporting::single_file_sink single(**file);
      report = exporting::run_export(db, *format, *project, config, params, single);
      if (report) {
        if (auto st = single.finish(); !st) report = st;
      }
    }
    if (report) {
      if (auto st = (*file)->close(); !st) report = st;
    }
    if (report && !in_place) {
      fs::rename(written, dest, fec);
      if (fec)
        report = annot::status(annot::errc::io_error, "cannot write " + out + ": " + fec.message());
      else
        partial.keep = true;
    }
    if (!report && !in_place) {
      std::string why = naming_out(report.error().message());
      if (report.error().code() == annot::errc::cancelled) why += "; " + out + " was not written";
      report = annot::status(report.error().code(), why);
    }
  }
  if (!report) {
    bar.interrupt();
    if (report.error().code() == annot::errc::cancelled && interrupted().load()) {
      std::string why = report.error().message();  // "the export was cancelled[; what became of the output]"
      const auto detail = why.find("; ");
      return fail(interrupted_by() + (detail == std::string::npos ? std::string() : why.substr(detail)),
                  interrupted_exit_code());
    }
    // A bad --options value is a usage error, as the command's other argument errors are.
    return fail(report.error().message(), report.error().code() == annot::errc::invalid_argument ? 2 : 1);
  }
  bar.update(1.0, std::uint64_t(report->tasks), {}, true);
  nlohmann::json j = report->to_json();
  j["format"] = params.format;
  j["out"] = out;
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

}  // namespace annot::host::cli
