// YOLO exporter tests: every golden run of YOLO/YOLO_WITH_IMAGES (bytes, notes.json year ignored), the box
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

TEST(YoloGolden, Yolo) { check_runs("YOLO"); }
TEST(YoloGolden, YoloWithImages) { check_runs("YOLO_WITH_IMAGES"); }


// --- exports of tasks written here ------------------------------------------------------------------------------

using gt::annotation;
using gt::box;
using gt::image_schema;
using gt::run_format;
using gt::slurp;
using gt::task;

TEST(YoloExport, LinesNamesAndOverwrites) {
  gt::scratch_dir scratch("annot_yolo_own");
  const std::string url = "https://example.com/a/street%20view.png?size=big";
  std::vector<std::string> tasks = {
      // Two annotations: the newer is written first, the older replaces it (oldest wins).
      task(1, url, annotation(11, "2024-02-01", box("Car", 10, 20, 30, 40)) + "," +
                       annotation(12, "2024-01-01", box("Person", 0, 0, 50, 50) + "," + box("Bicycle", 1, 1, 2, 2))),
      task(2, "s3://bucket/path/img108.jpg", "")  /* annotations: [] → empty file */,
      task(3, "tiny.jpg", annotation(31, "2024-01-01",
                                     box("Tree", 0.001, 0.001, 0, 0) + "," +
                                         R"({"from_name": "poly", "to_name": "image", "type": "polygonlabels",
                                             "value": {"points": [[10, 20], [30.5, 40]], "polygonlabels": ["Road"]}})"))};
  yolo_exporter ex("YOLO");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_format(ex, "YOLO", tasks, out);
  const std::string stem = annot::md5::hex_of(url).substr(0, 8) + "__street%20view";
  EXPECT_EQ(slurp(out / "labels" / (stem + ".txt")), "1 0.25 0.25 0.5 0.5\n4 0.02 0.02 0.02 0.02\n");
  EXPECT_EQ(slurp(out / "labels" / "img108.txt"), "");
  EXPECT_EQ(slurp(out / "labels" / (annot::md5::hex_of("tiny.jpg").substr(0, 8) + "__tiny.txt")),
            "7 1e-05 1e-05 0.0 0.0\n2 0.1 0.2 0.305 0.4\n");
  // classes.txt in list order: explicit ids first, then sorted labels, then labels met during the export.
  EXPECT_EQ(slurp(out / "classes.txt"), "Tree\nCar\nPerson\nRoad\nBicycle\n");
  std::string notes = slurp(out / "notes.json");
  EXPECT_EQ(notes.rfind("{\n  \"categories\": [\n    {\n      \"id\": 7,\n      \"name\": \"Tree\"\n    },", 0), 0u);
  EXPECT_TRUE(fs::is_directory(out / "images"));
  EXPECT_EQ(log.warnings.size(), 1u);  // Bicycle appended
}

// Tasks sharing an image share its label file: an empty one is written only where no file was, before
// and after the first empty file (which is when the exporter starts looking paths up).
TEST(YoloExport, EmptyLabelFilesNeverReplaceWrittenOnes) {
  gt::scratch_dir scratch("annot_yolo_empty");
  std::vector<std::string> tasks = {
      task(1, "same.jpg", annotation(11, "2024-01-01", box("Car", 10, 20, 30, 40))),
      task(2, "same.jpg", ""),
      task(3, "alone.jpg", ""),
      task(4, "alone.jpg", annotation(41, "2024-01-01", "")),
      task(5, "later.jpg", annotation(51, "2024-01-01", box("Tree", 0, 0, 50, 50))),
      task(6, "later.jpg", ""),
      task(7, "same.jpg", annotation(71, "2024-01-01", box("Person", 0, 0, 50, 50))),
      task(8, "same.jpg", "")};
  yolo_exporter ex("YOLO");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_format(ex, "YOLO", tasks, out);
  const auto label_file = [&](const char* image, const char* stem) {
    return slurp(out / "labels" / (annot::md5::hex_of(image).substr(0, 8) + "__" + stem + ".txt"));
  };
  EXPECT_EQ(label_file("same.jpg", "same"), "1 0.25 0.25 0.5 0.5\n");  // task 7's, not emptied by task 8
  EXPECT_EQ(label_file("alone.jpg", "alone"), "");
  EXPECT_EQ(label_file("later.jpg", "later"), "7 0.25 0.25 0.5 0.5\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(out / "labels"), fs::directory_iterator()), 3);
  EXPECT_TRUE(log.skips.empty());
}

// Enough files that the table of written paths grows several times after its first lookup.
TEST(YoloExport, EmptyLabelFilesAmongThousandsOfFiles) {
  gt::scratch_dir scratch("annot_yolo_many");
  const auto image = [](int i) { return "img" + std::to_string(i) + ".jpg"; };
  std::vector<std::string> tasks;
  int id = 0;
  // The task and its annotation share an id (the arguments of one call are in no set order).
  const auto boxed = [&](int i) {
    ++id;
    return task(id, image(i), annotation(id, "2024-01-01", box("Car", 10, 20, 30, 40)));
  };
  for (int i = 0; i < 1500; ++i) tasks.push_back(boxed(i));
  tasks.push_back(task(++id, "first-empty.jpg", ""));  // the first lookup: 1,500 paths indexed
  for (int i = 1500; i < 3000; ++i) tasks.push_back(boxed(i));
  for (int i = 0; i < 3000; i += 7) tasks.push_back(task(++id, image(i), ""));  // all written before: kept
  yolo_exporter ex("YOLO");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_format(ex, "YOLO", tasks, out);
  std::size_t files = 0, empty = 0;
  for (const auto& e : fs::directory_iterator(out / "labels")) {
    ++files;
    if (fs::file_size(e.path()) == 0) ++empty;
  }
  EXPECT_EQ(files, 3001u);
  EXPECT_EQ(empty, 1u);
}

TEST(YoloExport, UploadsCopiedWithImages) {
  gt::scratch_dir scratch("annot_yolo_with_images");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "5");
  std::ofstream(uploads / "5" / "pic.png", std::ios::binary) << "not really a png";
  yolo_exporter ex("YOLO_WITH_IMAGES");
  fs::path out = scratch.path / "out";
  std::vector<std::string> tasks = {task(1, "/data/upload/5/pic.png", annotation(1, "2024", box("Car", 0, 0, 10, 10))),
                                    task(2, "s3://b/x.jpg", annotation(2, "2024", box("Car", 0, 0, 10, 10)))};
  gt::collected_log log = run_format(ex, "YOLO_WITH_IMAGES", tasks, out, uploads.string(), true);
  EXPECT_EQ(slurp(out / "images" / "pic.png"), "not really a png");
  EXPECT_EQ(slurp(out / "labels" / "pic.txt"), "0 0.05 0.05 0.1 0.1\n");
  EXPECT_FALSE(fs::exists(out / "labels" / "x.txt"));  // a cloud image that cannot be fetched skips the task
  EXPECT_EQ(log.skips.size(), 1u);
}

// An image name with a backslash (a Windows path) names a label file with '_' instead, with a warning: the
// host refuses a backslash in an entry path (Windows unzippers read it as a folder separator), which
// would fail the whole export.
TEST(YoloExport, BackslashesInImageNamesBecomeUnderscores) {
  gt::scratch_dir scratch("annot_yolo_backslash");
  yolo_exporter ex("YOLO");
  fs::path out = scratch.path / "out";
  std::vector<std::string> tasks = {
      task(1, "C:\\\\imgs\\\\a.jpg", annotation(1, "2024", box("Car", 0, 0, 10, 10))),
      task(2, "s3://b/x\\\\y.jpg", annotation(2, "2024", box("Car", 0, 0, 10, 10)))};
  gt::collected_log log = run_format(ex, "YOLO", tasks, out);
  const std::string stem = annot::md5::hex_of("C:\\imgs\\a.jpg").substr(0, 8) + "__C:_imgs_a";
  EXPECT_EQ(slurp(out / "labels" / (stem + ".txt")), "0 0.05 0.05 0.1 0.1\n");
  EXPECT_EQ(slurp(out / "labels" / "x_y.txt"), "0 0.05 0.05 0.1 0.1\n");
  ASSERT_EQ(log.warnings.size(), 2u);
  EXPECT_NE(log.warnings[0].find("labels/" + stem + ".txt"), std::string::npos) << log.warnings[0];
  EXPECT_TRUE(log.skips.empty());
}

// A region's members as the box helpers read them: a number as a double, anything else missing.
auto numbers(const std::string& text) {
  return [region = json::parse(text)](const char* key) -> std::optional<double> {
    auto it = region.find(key);
    if (it == region.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
}

TEST(YoloExport, ArithmeticHelpers) {
  auto b = annot::plugins::yolo::yolo_box(numbers(R"({"x": 10, "y": 20, "width": 30, "height": null})"));
  EXPECT_FALSE(b.has_value());
  auto c = annot::plugins::yolo::yolo_obb_corners(numbers(
      R"({"x": 10, "y": 10, "width": 20, "height": 10, "rotation": 0, "original_width": 100, "original_height": 100})"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, (std::array<double, 8>{0.1, 0.1, 0.3, 0.1, 0.3, 0.2, 0.1, 0.2}));
  EXPECT_FALSE(annot::plugins::yolo::yolo_obb_corners(numbers(
      R"({"x": 10, "y": 10, "width": 20, "height": 10, "original_width": 100, "original_height": 100})")));
  EXPECT_EQ(annot::plugins::yolo::label_stem(std::string(300, 'a') + ".jpg").size(), 251u);
}

}  // namespace
