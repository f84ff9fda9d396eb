// VOC exporter tests: every golden run of VOC (bytes), and exports of tasks generated here

#include <gtest/gtest.h>

#include <algorithm>
#include <annot/md5.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"
#include "image_export_tests.hpp"
#include "voc_exporter.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using es::json;
using annot::plugins::voc::voc_exporter;

void check_runs(const std::string& format) { gt::expect_golden_runs_or_refusal<voc_exporter>(format); }

TEST(VocGolden, Voc) { check_runs("VOC"); }


// --- exports of tasks written here ------------------------------------------------------------------------------

using gt::annotation;
using gt::box;
using gt::image_schema;
using gt::run_format;
using gt::slurp;
using gt::task;

// An image name with a backslash names its annotation file with '_' instead, with a warning (the host
// refuses a backslash in an entry path); the XML keeps the name as it is.
TEST(VocExport, BackslashesInImageNamesBecomeUnderscores) {
  gt::scratch_dir scratch("annot_voc_backslash");
  voc_exporter ex("VOC");
  fs::path out = scratch.path / "out";
  std::vector<std::string> tasks = {
      task(1, "s3://b/C:\\\\imgs\\\\a.jpg", annotation(1, "2024", box("Car", 0, 0, 10, 10)))};
  gt::collected_log log = run_format(ex, "VOC", tasks, out);
  std::string xml = slurp(out / "Annotations" / "C:_imgs_a.xml");
  EXPECT_NE(xml.find("<filename>C:\\imgs\\a.jpg</filename>"), std::string::npos) << xml;
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("Annotations/C:_imgs_a.xml"), std::string::npos) << log.warnings[0];
}

// A box whose pixel coordinates are beyond 2^53 (Python would write huge integers) or not finite is
// reported and left out; the image's other boxes are written.
TEST(VocExport, BoxesBeyondExactIntegersAreSkipped) {
  gt::scratch_dir scratch("annot_voc_big");
  voc_exporter ex("VOC");
  fs::path out = scratch.path / "out";
  std::vector<std::string> tasks = {task(
      1, "s3://b/a.jpg",
      annotation(1, "2024", box("Car", 1, 2, 3, 4, 100, 100) + "," + box("Car", 1, 2, 3, 4e300, 100, 100)))};
  gt::collected_log log = run_format(ex, "VOC", tasks, out);
  std::string xml = slurp(out / "Annotations" / "a.xml");
  EXPECT_NE(xml.find("<xmin>1</xmin>\n<ymin>2</ymin>\n<xmax>4</xmax>\n<ymax>6</ymax>"), std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<object>", xml.find("<object>") + 1), std::string::npos) << xml;
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_NE(log.skips[0].second.find("beyond 2^53"), std::string::npos) << log.skips[0].second;
}

TEST(VocExport, BoxesDepthAndSkips) {
  gt::scratch_dir scratch("annot_voc_own");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "2");
  std::ofstream(uploads / "2" / "rgba.png", std::ios::binary)
      << std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x20\0\0\0\x10\x08\x06\0\0\0", 29);
  std::vector<std::string> tasks = {
      task(1, "/data/upload/2/rgba.png", annotation(1, "2024", box("Car", 10.9, 20.9, 30.9, 40.9, 640, 480))),
      // The first region lacks original_width: upstream skips the item.
      task(2, "b.jpg", annotation(2, "2024",
                                  R"({"from_name": "label", "to_name": "image", "type": "rectanglelabels",
                                      "value": {"x": 1, "y": 1, "width": 1, "height": 1, "rectanglelabels": ["Car"]}})")),
      // A name with characters XML escapes.
      task(3, "c&d.jpg", annotation(3, "2024", box("A<B>&", 0, 0, 100, 100, 10, 10)))};
  // No original size on the first region, but the image is a local upload: its header (32×16) gives the size.
  tasks.push_back(task(4, "/data/upload/2/rgba.png",
                       annotation(4, "2024",
                                  R"({"from_name": "label", "to_name": "image", "type": "rectanglelabels",
                                      "value": {"x": 50, "y": 50, "width": 50, "height": 50, "rectanglelabels": ["Car"]}})")));
  voc_exporter ex("VOC");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_format(ex, "VOC", tasks, out, uploads.string());
  // Task 4 wrote rgba.xml last (same image name as task 1: distinct tasks overwrite each other, §4 row 22).
  std::string from_header = slurp(out / "Annotations" / "rgba.xml");
  EXPECT_NE(from_header.find("<width>32</width>\n<height>16</height>\n<depth>4</depth>"), std::string::npos);
  EXPECT_NE(from_header.find("<xmin>16</xmin>\n<ymin>8</ymin>\n<xmax>32</xmax>\n<ymax>16</ymax>"), std::string::npos);
  EXPECT_EQ(std::count_if(log.warnings.begin(), log.warnings.end(),
                          [](const std::string& w) { return w.find("no original size") != std::string::npos; }),
            1);
  tasks.pop_back();
  log = run_format(ex, "VOC", tasks, out, uploads.string());
  std::string xml = slurp(out / "Annotations" / "rgba.xml");
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotation>\n<folder>images</folder>\n"
                      "<filename>rgba.png</filename>\n", 0), 0u);
  EXPECT_NE(xml.find("<annotator>1</annotator>"), std::string::npos);
  EXPECT_NE(xml.find("<width>640</width>\n<height>480</height>\n<depth>4</depth>"), std::string::npos);
  // int() of each value separately: 10.9% of 640 = 69.76 → 69; max = 69 + int(197.76) = 266.
  EXPECT_NE(xml.find("<xmin>69</xmin>\n<ymin>100</ymin>\n<xmax>266</xmax>\n<ymax>296</ymax>"), std::string::npos);
  EXPECT_EQ(xml.substr(xml.size() - 14), "</annotation>\n");
  EXPECT_FALSE(fs::exists(out / "Annotations" / (annot::md5::hex_of("b.jpg").substr(0, 8) + "__b.xml")));
  // Upstream skips it without a word; the report names the task and why.
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_EQ(log.skips[0].first, 2);
  EXPECT_EQ(log.skips[0].second,
            "the first region has no original_width/original_height and the image is not a readable upload; "
            "no file written");
  std::string escaped =
      slurp(out / "Annotations" / (annot::md5::hex_of("c&d.jpg").substr(0, 8) + "__c&d.xml"));
  EXPECT_NE(escaped.find("<name>A&lt;B&gt;&amp;</name>"), std::string::npos);
  std::string quoted;
  annot::plugins::voc::append_escaped(quoted, "say \"hi\"");
  EXPECT_EQ(quoted, "say &quot;hi&quot;");
  EXPECT_NE(
      escaped.find("<filename>" + annot::md5::hex_of("c&d.jpg").substr(0, 8) + "__c&amp;d.jpg</filename>"),
      std::string::npos);
  EXPECT_TRUE(fs::is_directory(out / "images"));
}

}  // namespace
