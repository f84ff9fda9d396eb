// Golden-test harness for exporter plugins: reads converter/golden/manifest.json, runs an exporter
// on a run's input through an in-memory cursor and a directory sink, and compares the output with
// the golden per the fixtures README (bytes where stable, JSON as values, CSV as rows, XML as
// trees). Tests GTEST_SKIP with the reason when ../shared is absent.
#pragma once

#include <annot/exporter.hpp>
#include <annot/plugin.h>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export_support/json_text.hpp"

namespace annot::plugins::export_support::testing {

namespace fs = std::filesystem;

// The whole file, bytes as they are; empty when it cannot be read.
std::string slurp(const fs::path& p);

// <shared>/fixtures/converter from $ANNOT_SHARED_DIR or <repo>/../shared; nullopt when absent.
std::optional<fs::path> converter_fixtures();
// Why converter_fixtures() is empty, for GTEST_SKIP.
std::string fixtures_missing_reason();

struct golden_run {
  std::string case_name;  // "edge_image"
  std::string input;      // relative to converter/
  std::string config;     // relative to converter/, "-" for none
  std::string format;     // "JSON_MIN"
  std::map<std::string, std::string> env;
  int rc = 0;
  std::vector<std::string> offered_formats;
  // Every output path; directories end in '/'.
  std::vector<std::string> files;
  fs::path golden_dir() const;  // converter/golden/<case>/<format>
};

// Every run of the manifest for `format` (all runs when empty).
std::vector<golden_run> golden_runs(std::string_view format = {});

// The run's input as task JSON texts (the edge_image placeholder substituted), its label config
// XML (empty when none) and Label Studio's parsed config JSON text.
struct run_input {
  std::vector<std::string> tasks;
  std::string label_config;
  std::string parsed_config;
};
run_input load_input(const golden_run& run);

// Replaces @CONVERTER_FIXTURES@ in `text` (plain, or with '/' written "\/" when `json_escaped`).
std::string substitute_placeholder(std::string text, bool json_escaped);

// Label Studio's parsed config of a config XML, through the host's config engine and every
// statically linked data-type plugin.
std::string parsed_config_of(std::string_view xml);

// Collected warnings and skips.
struct collected_log final : annot::export_log {
  std::vector<std::string> warnings;
  std::vector<std::pair<std::int64_t, std::string>> skips;
  void warn(std::string_view m) noexcept override { warnings.emplace_back(m); }
  void skipped(std::int64_t id, std::string_view why) noexcept override { skips.emplace_back(id, std::string(why)); }
};

// A cursor over task texts held in memory; a preparer runs inside next(), as on a cursor without threads.
class memory_cursor final : public annot::task_cursor {
 public:
  explicit memory_cursor(std::vector<std::string> tasks) : tasks_(std::move(tasks)) {}
  annot::result<bool> next(std::string_view& task) override;
  annot::status rewind() override {
    pos_ = 0;
    failed_ = {};
    preparer_ = nullptr;
    return {};
  }
  std::int64_t size_hint() const noexcept override { return static_cast<std::int64_t>(tasks_.size()); }
  annot::status prepare_with(const annot::task_preparer* preparer) override;

 private:
  std::vector<std::string> tasks_;
  std::size_t pos_ = 0;
  const annot::task_preparer* preparer_ = nullptr;
  std::string prepared_;
  annot::status failed_;
};

// Why `path` is not an entry path as exporter.hpp defines them, "" when it is: the host's sinks refuse
// such a path (and so fail the export). host/tests check that this and the host's check agree.
std::string entry_path_error(std::string_view path);

// A sink writing entries as files under a folder (re-opening a path truncates it). Like the host's
// sinks, it refuses an invalid entry path (errc::invalid_argument).
class directory_sink final : public annot::export_sink {
 public:
  explicit directory_sink(fs::path root);
  ~directory_sink();
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view path) override;
  annot::status add_file(std::string_view path, std::string_view source) override;
  // Closes the open file, reporting a write error.
  annot::status close();

 private:
  struct file_stream;
  fs::path root_;
  std::unique_ptr<file_stream> open_;
};

struct run_outcome {
  annot::status status;
  collected_log log;
};

// Runs `factory`'s exporter for run.format on the run's input into `out_dir` (created), with the
// run's env (upload dir, downloads) and output_dir = out_dir.
run_outcome run_exporter(const annot::exporter_factory& factory, const golden_run& run, const fs::path& out_dir);

// Calls a plugin's register function with a registrar that keeps its exporter specs (any other
// registration fails). Statically linked plugins: pass annot_plugin_<name>_entry().
annot::result<std::vector<annot::exporter_spec>> load_exporters(const annot_plugin_descriptor* plugin);

// Comparison. Each returns "" when equal, else a description of the first difference.
std::string compare_bytes(const fs::path& expected, const fs::path& actual);
// JSON values equal; `ignore` lists JSON pointers ("/info/year") left out on both sides.
std::string compare_json(const fs::path& expected, const fs::path& actual, const std::vector<std::string>& ignore = {});
// CSV rows equal (RFC 4180 parsing with `delimiter`, CRLF or LF).
std::string compare_csv(const fs::path& expected, const fs::path& actual, char delimiter = ',');
// XML trees equal (element names, attributes, trimmed text, order).
std::string compare_xml(const fs::path& expected, const fs::path& actual);

// Compares every file the manifest lists for `run` (and checks nothing else was written):
// directories must exist; files ending .json use compare_json with COCO/YOLO time fields ignored
// when `json_as_values`, else bytes (with the placeholder substituted in the expected file); .csv
// and .xml use bytes; everything else bytes. Returns the differences, one per line.
std::string compare_run(const golden_run& run, const fs::path& out_dir, bool json_as_values);

}  // namespace annot::plugins::export_support::testing
