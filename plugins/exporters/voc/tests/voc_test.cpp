// VOC exporter tests: every golden run of VOC (bytes), and exports of tasks generated here

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "export_support/run.hpp"
#include "golden.hpp"
#include "voc_exporter.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using annot::plugins::voc::voc_exporter;

void check_runs(const std::string& format) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  auto runs = gt::golden_runs(format);
  ASSERT_FALSE(runs.empty());
  es::label_studio_factory<voc_exporter> factory;
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name + "/" + run.format);
    fs::path out = fs::temp_directory_path() / "annot_voc_golden" / run.case_name / run.format;
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

TEST(VocGolden, Voc) { check_runs("VOC"); }

}  // namespace
