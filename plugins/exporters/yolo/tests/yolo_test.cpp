// YOLO exporter tests: every golden run of YOLO/YOLO_WITH_IMAGES (bytes, notes.json year ignored), the box
// arithmetic, and exports of tasks generated here (file naming, oldest annotation wins, unknown labels).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "export_support/run.hpp"
#include "golden.hpp"
#include "yolo_exporter.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using annot::plugins::yolo::yolo_exporter;

void check_runs(const std::string& format) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  auto runs = gt::golden_runs(format);
  ASSERT_FALSE(runs.empty());
  es::label_studio_factory<yolo_exporter> factory;
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name + "/" + run.format);
    fs::path out = fs::temp_directory_path() / "annot_yolo_golden" / run.case_name / run.format;
    fs::remove_all(out);
    if (run.rc != 0) {
      gt::run_input in = gt::load_input(run);
      annot::export_config cfg{in.label_config, in.parsed_config};
      EXPECT_FALSE(factory.applies_to(run.format, cfg).ok()) << "upstream crashes here; Annot must refuse";
      continue;
    }
    gt::run_outcome r = gt::run_exporter(factory, run, out);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(gt::compare_run(run, out, true), "");
  }
}

TEST(YoloGolden, Yolo) { check_runs("YOLO"); }
TEST(YoloGolden, YoloWithImages) { check_runs("YOLO_WITH_IMAGES"); }

}  // namespace
