// The import pipeline shared by the API and the CLI: task files and bodies in, checked tasks staged
// in batches under one import id, published all at once (or failed, leaving the project unchanged).
#pragma once

#include <annot/status.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/tag_catalog.hpp"
#include "store/store.hpp"

namespace annot::host::imports {

// Pulls the next chunk of a source; an empty view at the end. The view stays valid until the next
// call. An error status aborts the import with that error.
using chunk_reader = std::function<result<std::string_view>()>;

// Label Studio's TASKS_MAX_NUMBER.
inline constexpr std::int64_t max_tasks = 1'000'000;

struct import_options {
  std::optional<std::int64_t> user_id;  // the importer: completed_by of annotations that name nobody
  std::vector<std::string> preannotated_from_fields;
  std::size_t batch_size = 5000;  // tasks per staged unit
  std::int64_t max_tasks = imports::max_tasks;
  // Called after each staged batch and at the end: bytes read so far, tasks parsed so far.
  std::function<void(std::uint64_t bytes, std::uint64_t tasks)> on_progress;
  // Polled between batches: true stops the import (errc::cancelled).
  std::function<bool()> cancelled;
  std::size_t max_warnings = 100;  // rule breaks listed in the report (all are counted)
  // A re-import: the project's tasks from these file uploads are deleted when the import is published,
  // in the same unit (Label Studio's ReImportAPI removes them in its transaction), never before.
  std::vector<std::int64_t> replace_file_uploads;
  // false: parse and count only (commit_to_project=false, Label Studio's load_tasks without _save). No
  // import is recorded and nothing is staged; the tasks are not checked against the config, their
  // annotators are not looked up, and the report's annotation and prediction counts stay 0.
  bool stage = true;
};

// What an import did: Label Studio's 201 body (§3.1) plus the import id and rule-break warnings.
struct import_report {
  std::int64_t import_id = 0;
  std::int64_t task_count = 0;
  std::int64_t annotation_count = 0;
  std::int64_t prediction_count = 0;
  double duration = 0;
  std::vector<std::int64_t> file_upload_ids;
  bool could_be_tasks_list = false;
  // Extension -> files; found_formats is [] (not {}) when the tasks came in the request body.
  std::map<std::string, std::int64_t> found_formats;
  bool formats_from_files = false;
  std::vector<std::string> data_columns;
  std::vector<std::int64_t> task_ids;  // filled when asked for
  std::vector<std::string> warnings;
  std::int64_t warning_count = 0;

  nlohmann::json to_json(bool with_task_ids) const;
};

// The format a file name says it has: ".json", ".csv", ... (lower case), or "" when none.
std::string file_extension(std::string_view name);
// Label Studio's SUPPORTED_EXTENSIONS.
bool supported_extension(std::string_view ext);
// Media and other files that become one task pointing at their URL (not .json/.csv/.tsv/.txt/.html).
bool is_media_extension(std::string_view ext);

// One import into one project. Not thread-safe: one thread feeds it. Dropping it unfinished fails
// the import (its staged rows stay hidden and are purged in the background).
class pipeline {
 public:
  // Loads the project and compiles its config; begins a staged import. not_found for no project.
  static result<std::unique_ptr<pipeline>> begin(store::store& db, const config::tag_catalog& catalog,
                                                 std::int64_t project_id, std::vector<std::int64_t> file_upload_ids,
                                                 import_options options);
  ~pipeline();
  pipeline(const pipeline&) = delete;
  pipeline& operator=(const pipeline&) = delete;

  // The request body as JSON: one task or a list of tasks (Label Studio's load_tasks branches 3-4).
  status add_json_body(const chunk_reader& read);
  // A task file, by its name's extension. Media files do not read `read`: they become one task whose
  // data points at `url`. `file_upload_id` goes on every task of the file.
  status add_file(std::string_view name, const chunk_reader& read, std::optional<std::int64_t> file_upload_id,
                  std::string_view url);
  // A file as a single task (reimport with files_as_tasks_list=false): {"$undefined$": url}.
  status add_file_as_task(std::string_view name, std::optional<std::int64_t> file_upload_id, std::string_view url);

  // Checks that some task came, stages the last batch, publishes. The report's counts are final.
  result<import_report> finish(bool with_task_ids);
  // Fails the import with this error (idempotent).
  void abort(std::string_view error);

  std::int64_t import_id() const noexcept;
  std::uint64_t tasks_seen() const noexcept;

 private:
  struct state;
  explicit pipeline(std::unique_ptr<state> s);
  status add_delimited(std::string_view name, std::string_view ext, const chunk_reader& read,
                       std::optional<std::int64_t> file_upload_id);
  std::unique_ptr<state> s_;
};

}  // namespace annot::host::imports
