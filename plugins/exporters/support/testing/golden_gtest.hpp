// gtest helpers over the golden harness: run every manifest run of a format and compare.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include "golden.hpp"

namespace annot::plugins::export_support::testing {

// Runs `factory` on every golden run of `format` whose rc is 0 and expects the output to match
// (compare_run). Returns how many runs were checked. Skips the test when the fixtures are absent.
inline int expect_golden_runs(const annot::exporter_factory& factory, std::string_view format, bool json_as_values,
                              const fs::path& scratch) {
  int checked = 0;
  for (const golden_run& run : golden_runs(format)) {
    if (run.rc != 0) continue;
    fs::path out = scratch / run.case_name / run.format;
    run_outcome outcome = run_exporter(factory, run, out);
    EXPECT_TRUE(outcome.status.ok()) << run.case_name << "/" << run.format << ": " << outcome.status.message();
    std::string diff = compare_run(run, out, json_as_values);
    EXPECT_EQ(diff, "") << run.case_name << "/" << run.format;
    ++checked;
  }
  return checked;
}

// A scratch folder under the system temp dir, removed on destruction.
struct scratch_dir {
  fs::path path;
  explicit scratch_dir(const std::string& name) {
    path = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace annot::plugins::export_support::testing
