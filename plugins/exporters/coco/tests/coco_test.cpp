// COCO exporter tests: every golden run of COCO/COCO_WITH_IMAGES (JSON compared as values, time fields ignored),
// the geometry helpers, and exports of tasks generated here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "coco_exporter.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using annot::plugins::coco::coco_exporter;
using es::json;

// COCO names a local upload by its path relative to the output folder (spec §1.6), so the golden, written to
// golden/<case>/<FORMAT>/, says "../../../synthetic/...". Rewrite our names as seen from the golden's folder.
void relocate_upload_names(const fs::path& out, const fs::path& golden_dir) {
  std::ifstream in(out / "result.json");
  json doc = json::parse(in);
  in.close();
  for (auto& image : doc["images"]) {
    if (!image["file_name"].is_string()) continue;
    fs::path name = image["file_name"].get<std::string>();
    if (name.is_absolute()) continue;
    fs::path target = (out / name).lexically_normal();
    if (!fs::exists(target)) continue;
    image["file_name"] = es::relative_path(target.string(), fs::absolute(golden_dir).lexically_normal().string());
  }
  std::ofstream(out / "result.json", std::ios::binary | std::ios::trunc) << es::ujson(doc, {2, true});
}

void check_runs(const std::string& format) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  auto runs = gt::golden_runs(format);
  ASSERT_FALSE(runs.empty());
  es::label_studio_factory<coco_exporter> factory;
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name + "/" + run.format);
    fs::path out = fs::temp_directory_path() / "annot_coco_golden" / run.case_name / run.format;
    fs::remove_all(out);
    gt::run_outcome r = gt::run_exporter(factory, run, out);
    if (run.rc != 0) {
      // Upstream crashed (Repeater config, §4 row 3): Annot refuses the format for that config instead.
      annot::export_config cfg{gt::load_input(run).label_config, gt::load_input(run).parsed_config};
      EXPECT_FALSE(factory.applies_to(run.format, cfg).ok());
      continue;
    }
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    if (run.env.count("LSC_UPLOAD_DIR")) relocate_upload_names(out, run.golden_dir());
    EXPECT_EQ(gt::compare_run(run, out, true), "");
  }
}

TEST(CocoGolden, Coco) { check_runs("COCO"); }
TEST(CocoGolden, CocoWithImages) { check_runs("COCO_WITH_IMAGES"); }

}  // namespace
