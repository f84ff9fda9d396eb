// The export pipeline: finds the exporter of an exportType, decides whether it applies to a
// project's config, runs it over a store cursor into a sink, and reports what it skipped. Shared
// by the export API, stored exports and `annot export`.
#pragma once

#include <annot/exporter.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "export/task_serializer.hpp"
#include "plugins/registry.hpp"
#include "store/store.hpp"
#include "util/per_config_cache.hpp"

namespace annot::host::exporting {

// An exportType and the exporter that offers it.
struct resolved_format {
  const plugins::exporter_record* exporter = nullptr;
  const annot::export_format* format = nullptr;
};

// The format named `name` (exportType, case-sensitive as Label Studio's). not_found lists the
// registered names.
annot::result<resolved_format> find_format(const plugins::registry& reg, std::string_view name);

// The project's config as exporters see it: its XML and Label Studio's parsed config, computed
// from the XML with the registry's tags (the stored copy is only set by the project API).
struct project_config {
  std::string label_config;
  std::string parsed_config;
  std::string first_data_key;  // where a "$undefined$" data key is exported (empty: no data keys)
  annot::export_config view() const { return {label_config, parsed_config}; }
};
project_config config_of(const plugins::registry& reg, const store::project& p);

// config_of by project, derived again when the project's label_config changes: compiling the config
// and printing its parsed form take ~25 ms for 20,000 labels, asked by every listing and export.
// Threading: get() from any thread at once. Lifetime: must not outlive the registry.
class project_configs {
 public:
  explicit project_configs(const plugins::registry& reg) : reg_(reg) {}
  std::shared_ptr<const project_config> get(const store::project& p);

 private:
  const plugins::registry& reg_;
  util::per_config_cache<project_config> cache_;
};

// Whether a parsed config has a VideoRectangle control: Label Studio interpolates keyframes on export
// (interpolate_key_frames) only for such projects (is_video_object_tracking).
bool is_video_object_tracking(std::string_view parsed_config);

// Whether `f` applies to the project of this config: success or the exporter's reason (failed_precondition).
annot::status applies(const resolved_format& f, const project_config& config);

// GET /api/projects/{id}/export/formats: every registered format in Label Studio's enum order
// (then the others by name), {name, title, description, link, tags, disabled[, reason]}, enabled
// ones first (a stable sort, as Label Studio does).
nlohmann::json formats_listing(const plugins::registry& reg, const project_config& config);

struct export_params {
  std::string format;  // exportType
  bool download_all_tasks = false;
  bool download_resources = false;
  std::vector<std::int64_t> ids;  // ids[]: only these tasks
  bool selected_only = false;     // ids is the whole selection, even when empty (see cursor_options)
  std::string options = "{}";     // exporter options, a JSON object
  serialize_options serialize;
  std::string upload_dir;  // the host's upload root (data_dir/upload)
  // The one other folder exporters may read (annot export --local-files-root); the server sets none.
  std::string local_files_root;
  std::string output_dir;  // set when the output goes to a folder on disk
  const std::atomic<bool>* cancelled = nullptr;
  // (tasks read so far, total or -1), after each batch of tasks.
  std::function<void(std::int64_t, std::int64_t)> progress;
};

// What an export reports besides its output.
struct export_report {
  std::int64_t tasks = 0;  // tasks read
  std::int64_t warning_count = 0, skipped_count = 0;
  std::vector<std::string> warnings;                          // the first kept_messages
  std::vector<std::pair<std::int64_t, std::string>> skipped;  // the first kept_messages
  static constexpr std::size_t kept_messages = 200;
  nlohmann::json to_json() const;
};

// The export_log of one run, into an export_report: exact counts, the first kept_messages messages.
// Threading: as the exporter calls it (one thread at a time).
class report_log final : public annot::export_log {
 public:
  explicit report_log(export_report& r) : r_(r) {}
  void warn(std::string_view m) noexcept override;
  void skipped(std::int64_t id, std::string_view why) noexcept override;

 private:
  export_report& r_;
};

// Checks the options (a JSON object whose keys the exporter declares, with their types).
annot::status check_options(const plugins::exporter_record& e, std::string_view options_json);

// Runs the export of `project`, whose config_of is `config`, with `params` into `sink`. The sink is not finished here (the
// caller owns it: finish a zip, close a file). Errors: the exporter's status, the cursor's
// (cancelled, io_error).
annot::result<export_report> run_export(store::store& db, const resolved_format& f, const store::project& project,
                                        const project_config& config, const export_params& params,
                                        annot::export_sink& sink);

// Label Studio's download name: project-{id}-at-{YYYY-MM-DD-HH-MM}-{hash8}{ext} (UTC). Label
// Studio's hash is the md5 of the serialised input, which a streamed export cannot know before
// its first byte; ours hashes the project, its last change, the parameters and the time.
std::string download_name(const store::project& p, const export_params& params, std::string_view ext);

// The extension of a format's download: ".json" for result.json, ".zip" for an archive.
std::string download_extension(const annot::export_format& f);

}  // namespace annot::host::exporting
