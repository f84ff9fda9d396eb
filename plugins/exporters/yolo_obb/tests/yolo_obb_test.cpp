// YOLO_OBB exporter tests: every golden run of YOLO_OBB (bytes, notes.json year ignored), the box
// arithmetic, and exports of tasks generated here (file naming, oldest annotation wins, unknown labels).
#include <gtest/gtest.h>

#include <annot/md5.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"
#include "image_export_tests.hpp"
#include "yolo_exporter.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using es::json;
using annot::plugins::yolo::yolo_exporter;

void check_runs(const std::string& format) { gt::expect_golden_runs_or_refusal<yolo_exporter>(format); }

TEST(YoloObbGolden, YoloObb) { check_runs("YOLO_OBB"); }


// --- exports of tasks written here ------------------------------------------------------------------------------

using gt::annotation;
using gt::box;
using gt::image_schema;
using gt::run_format;
using gt::slurp;
using gt::task;

TEST(YoloObbExport, CornersInPixelSpace) {
  gt::scratch_dir scratch("annot_yolo_obb_own");
  std::vector<std::string> tasks = {task(
      1, "a.jpg",
      annotation(1, "2024", box("Car", 10, 10, 20, 10, 100, 100, R"(, "rotation": 0)") + "," +
                                box("Car", 10, 10, 20, 10, 100, 100) /* no rotation key: skipped */ + "," +
                                box("Person", 50, 50, 10, 10, 200, 100, R"(, "rotation": 90)")))};
  yolo_exporter ex("YOLO_OBB");
  fs::path out = scratch.path / "out";
  run_format(ex, "YOLO_OBB", tasks, out);
  std::string text = slurp(out / "labels" / (annot::md5::hex_of("a.jpg").substr(0, 8) + "__a.txt"));
  std::istringstream lines(text);
  std::string first, second, extra;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(first, "0 0.1 0.1 0.3 0.1 0.3 0.2 0.1 0.2");
  // 90° about the top-left corner in pixels (100, 50): width runs down, height runs left.
  std::istringstream fields(second);
  std::vector<double> v;
  std::string cls;
  fields >> cls;
  for (double d; fields >> d;) v.push_back(d);
  ASSERT_EQ(v.size(), 8u);
  EXPECT_EQ(cls, "1");
  EXPECT_DOUBLE_EQ(v[0], 0.5);
  EXPECT_DOUBLE_EQ(v[3], 0.7);   // y of top-right: 50 + 20 px → 0.7
  EXPECT_DOUBLE_EQ(v[6], 0.45);  // x of bottom-left: 100 - 10 px → 0.45
  EXPECT_FALSE(std::getline(lines, extra));
}


TEST(YoloObbExport, LocalImageGivesMissingSize) {
  gt::scratch_dir scratch("annot_yolo_obb_header");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "2");
  std::ofstream(uploads / "2" / "p.png", std::ios::binary)
      << std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x64\0\0\0\x64\x08\x02\0\0\0", 29);  // 100×100
  std::string no_size = R"({"from_name": "label", "to_name": "image", "type": "rectanglelabels", "value": {"x": 10,
      "y": 10, "width": 20, "height": 10, "rotation": 0, "rectanglelabels": ["Car"]}})";
  yolo_exporter ex("YOLO_OBB");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_format(ex, "YOLO_OBB",
                                     {task(1, "/data/upload/2/p.png", annotation(1, "2024", no_size)),
                                      task(2, "q.jpg", annotation(2, "2024", no_size))},
                                     out, uploads.string());
  ASSERT_EQ(log.warnings.size(), 1u) << "the line upstream skips is written, and said so";
  EXPECT_NE(log.warnings[0].find("task 1"), std::string::npos) << log.warnings[0];
  // Upstream skips the line; with a local image its header gives the size.
  EXPECT_EQ(slurp(out / "labels" / "p.txt"), "0 0.1 0.1 0.3 0.1 0.3 0.2 0.1 0.2\n");
  EXPECT_EQ(slurp(out / "labels" / (annot::md5::hex_of("q.jpg").substr(0, 8) + "__q.txt")), "");
}

}  // namespace
