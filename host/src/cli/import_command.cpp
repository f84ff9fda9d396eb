// `annot import PROJECT FILE... [--data-dir D]`: the API's import pipeline from the command line,
// with a progress bar on stderr and the import report (the API's 201 body) on stdout.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/host_app.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/options.hpp"
#include "cli/progress_bar.hpp"
#include "import/pipeline.hpp"
#include "import/upload_files.hpp"
#include "plugins/loader.hpp"

namespace annot::host::cli {
namespace {

namespace fs = std::filesystem;

option_table import_options() {
  option_table t;
  t.value("data-dir", "ANNOT_DATA_DIR", "./data", "the data directory of the host (database, uploads)")
      .value("plugins-dir", "ANNOT_PLUGINS_DIR", "", "folder of plugin folders (default: beside the executable)")
      .value("user", "", "", "e-mail of the importing user (completed_by of annotations without one)")
      .value("preannotated-from-fields", "", "", "comma list of data fields that become predictions")
      .value("batch", "", "5000", "tasks per staged write")
      .flag("return-task-ids", "", "list the new task ids in the report")
      .flag("quiet", "", "no progress bar")
      .flag("help", "", "show this help");
  return t;
}

}  // namespace

int run_import(const std::vector<std::string>& args) {
  auto table = import_options();
  auto parsed = table.parse(args);
  const char* usage =
      "usage: annot import PROJECT_ID FILE... [options]\n\n"
      "FILE: .json, .csv, .tsv, .txt, .html, or a media file (copied to the uploads); - reads JSON "
      "from stdin.\nTask files are read where they are: unlike an upload through the API, they are "
      "not kept in the\nuploads, so their tasks have no file_upload.\n\noptions:\n";
  if (!parsed) {
    std::fprintf(stderr, "annot import: %s\n\n%s%s", parsed.error().message().c_str(), usage, table.help().c_str());
    return 2;
  }
  if (parsed->flag("help")) {
    std::printf("%s%s", usage, table.help().c_str());
    return 0;
  }
  if (parsed->positional.size() < 2) {
    std::fprintf(stderr, "annot import: a project id and at least one file are needed\n\n%s%s", usage,
                 table.help().c_str());
    return 2;
  }
  std::int64_t project_id = 0;
  {
    const std::string& p = parsed->positional[0];
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), project_id);
    if (ec != std::errc() || end != p.data() + p.size() || project_id <= 0) {
      std::fprintf(stderr, "annot import: '%s' is not a project id\n", p.c_str());
      return 2;
    }
  }
  std::vector<fs::path> files(parsed->positional.begin() + 1, parsed->positional.end());
  // Standard input can be read once: a second "-" would import nothing and fail the whole import.
  if (std::count(files.begin(), files.end(), fs::path("-")) > 1) {
    std::fprintf(stderr, "annot import: - (standard input) is named more than once; it can be read only once\n");
    return 2;
  }
  std::uint64_t total_bytes = 0;
  for (const auto& f : files) {
    if (f == "-") continue;
    std::error_code ec;
    auto size = fs::file_size(f, ec);
    if (ec) {
      std::fprintf(stderr, "annot import: cannot read %s: %s\n", f.c_str(), ec.message().c_str());
      return 1;
    }
    total_bytes += size;
  }
  std::size_t batch = 0;
  {
    const std::string b = parsed->get("batch");
    auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), batch);
    if (ec != std::errc() || end != b.data() + b.size() || batch == 0 || batch > 1'000'000) {
      std::fprintf(stderr, "annot import: invalid batch size '%s': expected a number from 1 to 1000000\n", b.c_str());
      return 2;
    }
  }

  spdlog::set_level(spdlog::level::warn);
  const fs::path data_dir = parsed->get("data-dir");
  store::store_options so;
  so.location = "sqlite:" + (data_dir / "annot.db").string();
  so.must_exist = true;  // a mistyped --data-dir makes no empty database
  auto opened = store::open_store(so);
  if (!opened) {
    std::fprintf(stderr, "annot import: cannot open the database: %s\n", opened.error().message().c_str());
    return 1;
  }
  store::store& db = **opened;

  plugins::load_options lo;
  lo.plugins_dir =
      parsed->get("plugins-dir").empty() ? app::default_plugins_dir() : fs::path(parsed->get("plugins-dir"));
  lo.data_dir = data_dir;
  auto plugins = plugins::load_plugins(lo);
  for (const auto& r : plugins.refused())
    std::fprintf(stderr, "annot import: plugin refused: %s\n", r.reason.c_str());

  imports::import_options options;
  if (auto email = parsed->get("user"); !email.empty()) {
    auto u = db.read()->find_user_by_email(email);
    if (!u) {
      std::fprintf(stderr, "annot import: no user with e-mail %s\n", email.c_str());
      return 1;
    }
    options.user_id = u->id;
  }
  if (auto f = parsed->get("preannotated-from-fields"); !f.empty()) {
    std::string_view rest = f;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      if (comma != 0) options.preannotated_from_fields.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  options.batch_size = batch;
  progress_bar bar(!parsed->flag("quiet"));
  const auto megabytes = [](std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%8.1f MB", double(bytes) / 1e6);
    return std::string(text);
  };
  options.on_progress = [&](std::uint64_t bytes, std::uint64_t tasks) {
    bar.update(total_bytes ? double(bytes) / double(total_bytes) : 0.0, tasks, megabytes(bytes));
  };

  // Ctrl-C: the import stops at its next batch and is failed, as after bad input: nothing is published.
  stop_on_interrupt();
  options.cancelled = [] { return interrupted().load(); };
  // Whether `st` is the interrupt's; then says so, as the command's last line.
  const auto stopped = [&bar](const status& st) {
    if (st.code() != errc::cancelled || !interrupted().load()) return false;
    bar.interrupt();
    std::fprintf(stderr, "annot import: %s; nothing was imported\n", interrupted_by().c_str());
    return true;
  };
  // Media files become uploads of the project first, as through the API, so that the report and the
  // import's record name them; a failed or interrupted import removes them again: it adds nothing.
  // The project is looked up before any is copied.
  if (auto found = db.read()->get_project(project_id); !found) {
    std::fprintf(stderr, "annot import: %s\n", found.error().message().c_str());
    return 1;
  }
  std::vector<store::file_upload> uploads;  // one per media file, in the order given
  const auto remove_uploads = [&] {
    if (uploads.empty()) return;
    auto gone = db.run<bool>([&](store::write_context& wc) -> result<bool> {
      for (const auto& u : uploads)
        if (status st = wc.delete_file_upload(u.id); !st && st.code() != errc::not_found) return st;
      return true;
    });
    // The records go first (after their commit the files are unreferenced), then the bytes.
    if (!gone) return;
    for (const auto& u : uploads) {
      std::error_code ec;
      fs::remove(imports::upload_root(data_dir) / u.file, ec);
    }
  };
  for (const auto& f : files) {
    if (f == "-" || !imports::is_media_extension(imports::file_extension(f.string()))) continue;
    auto w = imports::upload_writer::create(data_dir, project_id, f.filename().string());
    status st = w ? status::success() : w.error();
    if (st) {
      imports::file_source src(f);
      st = src.ok() ? w->write_all(src.reader()) : status(errc::io_error, "cannot read " + f.string());
    }
    if (st) {
      auto rec = db.run<store::file_upload>([&](store::write_context& wc) {
        return wc.create_file_upload(w->record(options.user_id, project_id));
      });
      if (rec)
        uploads.push_back(std::move(*rec));
      else
        st = rec.error();
    }
    if (!st) {
      remove_uploads();
      std::fprintf(stderr, "annot import: %s: %s\n", f.c_str(), st.message().c_str());
      return 1;
    }
  }
  std::vector<std::int64_t> upload_ids;
  for (const auto& u : uploads) upload_ids.push_back(u.id);

  auto begun = imports::pipeline::begin(db, plugins.plugins->tags(), project_id, upload_ids, options);
  if (!begun) {
    remove_uploads();
    std::fprintf(stderr, "annot import: %s\n", begun.error().message().c_str());
    return 1;
  }
  auto& p = **begun;
  std::size_t next_upload = 0;
  for (const auto& f : files) {
    status st = status::success();
    if (f == "-") {
      std::string buf(64 * 1024, '\0');
      st = p.add_json_body([&]() -> result<std::string_view> {
        std::size_t n = std::fread(buf.data(), 1, buf.size(), stdin);
        return std::string_view(buf.data(), n);
      });
    } else if (imports::is_media_extension(imports::file_extension(f.string()))) {
      const store::file_upload& u = uploads[next_upload++];
      st = p.add_file(f.filename().string(), nullptr, u.id, imports::upload_url(u.file));
    } else {
      imports::file_source src(f);
      if (!src.ok()) {
        st = status(errc::io_error, "cannot read " + f.string());
      } else {
        st = p.add_file(f.filename().string(), src.reader(), std::nullopt, "");
      }
    }
    if (!st) {
      p.abort(st.message());
      remove_uploads();
      if (stopped(st)) return interrupted_exit_code();
      bar.interrupt();
      std::fprintf(stderr, "annot import: %s: %s\n", f.c_str(), st.message().c_str());
      return 1;
    }
  }
  auto report = p.finish(parsed->flag("return-task-ids"));
  if (!report) {
    remove_uploads();
    if (stopped(report.error())) return interrupted_exit_code();
    bar.interrupt();
    std::fprintf(stderr, "annot import: %s\n", report.error().message().c_str());
    return 1;
  }
  bar.update(1.0, std::uint64_t(report->task_count), megabytes(total_bytes), true);
  std::printf("%s\n", report->to_json(parsed->flag("return-task-ids")).dump().c_str());
  return 0;
}

}  // namespace annot::host::cli
