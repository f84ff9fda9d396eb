// COCO exporter tests: every golden run of COCO/COCO_WITH_IMAGES (JSON compared as values, time fields ignored),
// the geometry helpers, and exports of tasks generated here.
#include <gtest/gtest.h>

#include <annot/md5.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "coco_exporter.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using annot::plugins::coco::coco_exporter;
using es::json;

using gt::slurp;

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
  gt::scratch_dir scratch("annot_coco_golden_" + format);
  auto runs = gt::golden_runs(format);
  ASSERT_FALSE(runs.empty());
  es::label_studio_factory<coco_exporter> factory;
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name + "/" + run.format);
    fs::path out = scratch.path / run.case_name / run.format;
    fs::remove_all(out);
    gt::run_outcome r = gt::run_exporter(factory, run, out);
    if (run.rc != 0) {
      // Upstream crashed (Repeater config, §4 row 3): Annot refuses the format for that config instead.
      const gt::run_input in = gt::load_input(run);  // outlives cfg, whose views point into it
      annot::export_config cfg{in.label_config, in.parsed_config};
      EXPECT_FALSE(factory.applies_to(run.format, cfg).ok());
      continue;
    }
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    if (run.env.count("LSC_UPLOAD_DIR")) relocate_upload_names(out, run.golden_dir());
    EXPECT_EQ(gt::compare_run(run, out, true), "");
    // And byte for byte, once the run's year and date are masked (spec §1.5: the only volatile bytes).
    auto masked = [](std::string text) {
      text = std::regex_replace(text, std::regex(R"("year": [0-9]+)"), R"("year": Y)");
      return std::regex_replace(text, std::regex(R"("date_created": "[^"]*")"), R"("date_created": "D")");
    };
    std::string expected = gt::substitute_placeholder(slurp(run.golden_dir() / "result.json"), true);
    EXPECT_EQ(masked(slurp(out / "result.json")), masked(expected));
  }
}

TEST(CocoGolden, Coco) { check_runs("COCO"); }
TEST(CocoGolden, CocoWithImages) { check_runs("COCO_WITH_IMAGES"); }

// --- exports of tasks written here ------------------------------------------------------------------------------

const char* const image_schema = R"({
  "label": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
            "labels": ["Car", "Person", "Tree"], "labels_attrs": {"Car": {"value": "Car"}, "Person": {"value": "Person"},
            "Tree": {"value": "Tree", "category": "7"}}},
  "poly": {"type": "PolygonLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
           "labels": ["Road"], "labels_attrs": {"Road": {"value": "Road"}}}})";

const char* const keypoint_schema = R"({
  "box": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
          "labels": ["person"], "labels_attrs": {"person": {"value": "person"}}},
  "kp": {"type": "KeyPointLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
         "labels": ["nose", "eye"], "labels_attrs": {"nose": {"value": "nose", "model_index": "0"},
         "eye": {"value": "eye", "model_index": "1"}}}})";

// An image file the size reader takes: a PNG header (64×48 RGBA), 29 bytes, nothing after it.
void write_png_header(const fs::path& file) {
  std::ofstream(file, std::ios::binary)
      << std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x40\0\0\0\x30\x08\x06\0\0\0", 29);
}

// Where a run's images may be: local uploads, local-files, and whether COCO_WITH_IMAGES copies them.
struct image_roots {
  std::string upload_dir;
  std::string local_files_root;
  bool with_images = false;
  std::string options = "{}";
};

json run_coco(const std::string& schema, const std::vector<std::string>& tasks, const fs::path& out,
              gt::collected_log& log, const image_roots& roots = {}) {
  fs::remove_all(out);
  fs::create_directories(out);
  gt::memory_cursor cursor(tasks);
  gt::directory_sink sink(out);
  const std::string format = roots.with_images ? "COCO_WITH_IMAGES" : "COCO";
  annot::export_request req;
  req.format = format;
  req.config.parsed_config = schema;
  req.options = roots.options;
  req.upload_dir = roots.upload_dir;
  req.local_files_root = roots.local_files_root;
  req.download_resources = roots.with_images;
  std::string out_dir = out.string();
  req.output_dir = out_dir;
  coco_exporter ex(format);
  annot::status st = ex.run(req, cursor, sink, log);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(sink.close().ok());
  EXPECT_TRUE(fs::is_directory(out / "images"));
  std::ifstream f(out / "result.json");
  return json::parse(f);
}

std::string box(const char* label, double x, double y, double w, double h, double r, int ow, int oh) {
  json v = {{"x", x}, {"y", y}, {"width", w}, {"height", h}, {"rotation", r}, {"rectanglelabels", {label}}};
  json res = {{"from_name", "label"}, {"to_name", "image"}, {"type", "rectanglelabels"}, {"value", v}};
  if (ow) res["original_width"] = ow;
  if (oh) res["original_height"] = oh;
  return res.dump();
}

std::string task(int id, const std::string& image, const std::string& results) {
  return R"({"id": )" + std::to_string(id) + R"(, "data": {"image": ")" + image +
         R"("}, "annotations": [{"id": )" + std::to_string(id * 10) + R"(, "completed_by": 1, "result": [)" + results +
         "]}]}";
}

TEST(CocoExport, GeometryCategoriesAndImages) {
  gt::scratch_dir scratch("annot_coco_own");
  fs::path uploads = scratch.path / "uploads";
  fs::path out = scratch.path / "out";
  fs::create_directories(uploads / "3");
  write_png_header(uploads / "3" / "real.png");
  std::vector<std::string> tasks = {
      task(1, "https://example.com/a/b.jpg", box("Car", 10, 20, 30, 40, 0, 200, 100)),
      // Rotated 30° on 1000×500: the percent-space envelope of spec §2.5.
      task(2, "c.jpg", box("Tree", 40, 30, 20, 10, 30, 1000, 500)),
      task(3, "d.jpg",
           R"({"from_name": "poly", "to_name": "image", "type": "polygonlabels", "original_width": 200,
               "original_height": 100, "value": {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["Road"]}})"),
      R"({"id": 4, "data": {"image": "e.jpg"}, "annotations": []})",
      // A label that is not in the config, then a box without dims after the size is known (upstream: KeyError).
      task(5, "f.jpg", box("Bicycle", 0, 0, 50, 50, 0, 10, 10) + "," + box("Car", 0, 0, 10, 10, 0, 0, 0)),
      // A local upload: the image's own size wins for the image entry.
      task(6, "/data/upload/3/real.png", box("Person", 0, 0, 100, 100, 0, 640, 480)),
      R"({"id": 7, "data": {"image": "g.jpg"}, "annotations": [{"id": 71, "was_cancelled": true}]})"};
  gt::collected_log log;
  json doc = run_coco(image_schema, tasks, out, log, {.upload_dir = uploads.string()});
  ASSERT_EQ(doc["images"].size(), 6u);
  EXPECT_EQ(doc["images"][0]["file_name"],
            "images/" + annot::md5::hex_of("https://example.com/a/b.jpg").substr(0, 8) + "__b.jpg");
  EXPECT_EQ(doc["images"][0]["width"], 200);
  EXPECT_TRUE(doc["images"][3]["width"].is_null());
  EXPECT_EQ(doc["images"][5]["width"], 64);
  EXPECT_EQ(doc["images"][5]["height"], 48);
  EXPECT_EQ(doc["images"][5]["file_name"], "../uploads/3/real.png");
  const json& a = doc["annotations"];
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0]["bbox"], json::parse("[20.0, 20.0, 60.0, 40.0]"));
  EXPECT_EQ(a[0]["area"].get<double>(), 2400.0);
  EXPECT_EQ(a[1]["bbox"], json::parse("[350.0, 149.99999999999997, 223.20508075688775, 93.30127018922192]"));
  EXPECT_EQ(a[1]["category_id"], 7);
  EXPECT_EQ(a[2]["segmentation"], json::parse("[[0.0, 0.0, 100.0, 0.0, 100.0, 50.0]]"));
  EXPECT_EQ(a[2]["area"].get<double>(), 2500.0);
  EXPECT_EQ(a[3]["category_id"], 4);  // Bicycle appended with id = len(categories)
  EXPECT_EQ(a[4]["image_id"], 5);
  ASSERT_EQ(doc["categories"].size(), 5u);
  EXPECT_EQ(doc["categories"][0], json::parse(R"({"id": 7, "name": "Tree"})"));
  EXPECT_EQ(doc["categories"][4], json::parse(R"({"id": 4, "name": "Bicycle"})"));
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_EQ(log.skips[0].first, 5);
  // ujson bytes: escaped slashes, ".0" floats, no trailing newline.
  std::ifstream f(out / "result.json");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(R"("file_name": "images\/)"), std::string::npos);
  EXPECT_NE(text.find("        20.0,\n"), std::string::npos);
  EXPECT_EQ(text.back(), '}');
}

// A local-files image whose real name holds a backslash: an archive entry cannot, so the copy and its
// file_name both take an underscore (Label Studio would write the backslash into both).
TEST(CocoExport, LocalFileNamesAnArchiveCannotHoldChangeInFileNameToo) {
  gt::scratch_dir scratch("annot_coco_local");
  const fs::path root = scratch.path / "local_files";
  const fs::path out = scratch.path / "out";
  fs::remove_all(root);
  fs::create_directories(root / "sub");
  write_png_header(root / "sub" / "a\\b.png");
  const std::string value = "/data/local-files/?d=sub/a\\b.png";
  std::vector<std::string> tasks = {
      task(1, "/data/local-files/?d=sub/a\\\\b.png", box("Car", 0, 0, 50, 50, 0, 0, 0))};
  gt::collected_log log;
  json doc =
      run_coco(image_schema, tasks, out, log, {.local_files_root = root.string(), .with_images = true});
  const std::string name = "images/" + annot::md5::hex_of(value).substr(0, 8) + "__a_b.png";
  ASSERT_EQ(doc["images"].size(), 1u);
  EXPECT_EQ(doc["images"][0]["file_name"], name);
  EXPECT_EQ(doc["images"][0]["width"], 64);
  EXPECT_EQ(fs::file_size(out / name), 29u);
  ASSERT_EQ(log.warnings.size(), 2u);
  EXPECT_NE(log.warnings[0].find(name), std::string::npos) << log.warnings[0];
  // The box has no original size (upstream: KeyError, the export aborts): the image header's 64x48 scales it.
  ASSERT_EQ(doc["annotations"].size(), 1u);
  EXPECT_EQ(doc["annotations"][0]["bbox"], json::parse("[0.0, 0.0, 32.0, 24.0]"));
  EXPECT_NE(log.warnings[1].find("scaled by the image file's size"), std::string::npos) << log.warnings[1];
  EXPECT_TRUE(log.skips.empty());
}

// Nothing is downloaded, so COCO_WITH_IMAGES names a URL image as upstream does after a failed download:
// the URL itself, never an images/ name with no file behind it. COCO (no downloads) computes the name.
TEST(CocoExport, UrlImagesWithImagesKeepTheirUrl) {
  gt::scratch_dir scratch("annot_coco_url");
  const fs::path out = scratch.path / "out";
  const std::string url = "https://x.example/a/img.jpg?v=1";
  std::vector<std::string> tasks = {task(1, url, box("Car", 0, 0, 50, 50, 0, 10, 10)),
                                    task(2, "bare.png", box("Car", 0, 0, 50, 50, 0, 10, 10))};
  gt::collected_log log;
  json with = run_coco(image_schema, tasks, out, log, {.with_images = true});
  ASSERT_EQ(with["images"].size(), 2u);
  EXPECT_EQ(with["images"][0]["file_name"], url);
  EXPECT_EQ(with["images"][1]["file_name"], "bare.png");
  EXPECT_TRUE(fs::is_empty(out / "images"));
  json without = run_coco(image_schema, tasks, out, log);
  EXPECT_EQ(without["images"][0]["file_name"],
            "images/" + annot::md5::hex_of(url).substr(0, 8) + "__img.jpg");
}

// archive_file_names: a copied upload is named by its place in the zip; by default by upstream's path from
// the output folder (§4 row 13). URL images and COCO without images are not affected.
TEST(CocoExport, ArchiveFileNamesOptionNamesCopiedUploadsByTheirCopy) {
  gt::scratch_dir scratch("annot_coco_names");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "3");
  write_png_header(uploads / "3" / "real.png");
  const fs::path out = scratch.path / "out";
  const std::string url = "https://x.example/a/img.jpg";
  std::vector<std::string> tasks = {task(1, "/data/upload/3/real.png", box("Car", 0, 0, 50, 50, 0, 64, 48)),
                                    task(2, url, box("Car", 0, 0, 50, 50, 0, 10, 10))};
  gt::collected_log log;
  const std::string on = R"({"archive_file_names": true})";
  json upstream =
      run_coco(image_schema, tasks, out, log, {.upload_dir = uploads.string(), .with_images = true});
  EXPECT_EQ(upstream["images"][0]["file_name"], fs::relative(uploads / "3" / "real.png", out).string());
  json named = run_coco(image_schema, tasks, out, log,
                        {.upload_dir = uploads.string(), .with_images = true, .options = on});
  EXPECT_EQ(named["images"][0]["file_name"], "images/real.png");
  EXPECT_TRUE(fs::exists(out / "images" / "real.png"));
  EXPECT_EQ(named["images"][1]["file_name"], url);
  json plain = run_coco(image_schema, tasks, out, log, {.upload_dir = uploads.string(), .options = on});
  EXPECT_EQ(plain["images"][0]["file_name"], upstream["images"][0]["file_name"]);
}

TEST(CocoExport, KeypointsMergeWithBankersRounding) {
  gt::scratch_dir scratch("annot_coco_kp");
  std::string rect = box("person", 10, 10, 50, 50, 0, 100, 100);
  rect.replace(rect.find("\"label\""), 7, "\"box\"");
  std::string results =
      rect + "," +
      R"({"from_name": "kp", "to_name": "image", "type": "keypointlabels", "original_width": 100,
          "original_height": 100, "value": {"x": 2.5, "y": 3.5, "keypointlabels": ["nose"]}})";
  gt::collected_log log;
  json doc = run_coco(keypoint_schema, {task(1, "k.jpg", results)}, scratch.path / "out", log);
  // Categories: eye 0, nose 1, person 2 → keypoints removed, person keeps 2, "default" = 3.
  EXPECT_EQ(doc["categories"][0], json::parse(R"({"id": 2, "name": "person"})"));
  EXPECT_EQ(doc["categories"][1]["name"], "default");
  EXPECT_EQ(doc["categories"][1]["id"], 3);
  EXPECT_EQ(doc["categories"][1]["keypoints"], json::parse(R"(["nose", "eye"])"));
  ASSERT_EQ(doc["annotations"].size(), 2u);
  const json& kp = doc["annotations"][1];
  EXPECT_EQ(kp["keypoints"], json::parse("[2, 4, 2, 0, 0, 0]"));  // round(2.5) = 2, round(3.5) = 4
  EXPECT_EQ(kp["num_keypoints"], 1);
  EXPECT_EQ(kp["bbox"], json::parse("[2, 4, 0, 0]"));
  EXPECT_EQ(kp["category_id"], 3);
}

// A keypoint whose pixel position is beyond 2^53 (Python would write a huge integer) is reported and left
// out; the others of the region are written.
TEST(CocoExport, KeypointsBeyondExactIntegersAreSkipped) {
  gt::scratch_dir scratch("annot_coco_kp_big");
  std::string results =
      R"({"from_name": "kp", "to_name": "image", "type": "keypointlabels", "original_width": 1e300,
          "original_height": 100, "value": {"x": 50, "y": 3.5, "keypointlabels": ["nose"]}},
         {"from_name": "kp", "to_name": "image", "type": "keypointlabels", "original_width": 100,
          "original_height": 100, "value": {"x": 7.5, "y": 1, "keypointlabels": ["eye"]}})";
  gt::collected_log log;
  json doc = run_coco(keypoint_schema, {task(1, "k.jpg", results)}, scratch.path / "out", log);
  ASSERT_EQ(doc["annotations"].size(), 1u);
  EXPECT_EQ(doc["annotations"][0]["keypoints"], json::parse("[0, 0, 0, 8, 1, 2]"));
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_NE(log.skips[0].second.find("beyond 2^53"), std::string::npos) << log.skips[0].second;
}

// A box or polygon whose pixel size overflows to infinity would make result.json unparseable (JSON has
// no Infinity): it is left out and reported, and the file parses.
TEST(CocoExport, ShapesOfNoFiniteSizeAreSkipped) {
  gt::scratch_dir scratch("annot_coco_inf");
  const std::string poly =
      R"({"from_name": "poly", "to_name": "image", "type": "polygonlabels", "original_width": 100,
          "original_height": 100, "value": {"points": [[0, 0], [1e308, 0], [5, 5]], "polygonlabels": ["Road"]}})";
  gt::collected_log log;
  json doc = run_coco(
      image_schema,
      {task(1, "a.jpg",
            box("Car", 0, 0, 1e307, 10, 0, 1000, 100) + "," + box("Car", 1, 1, 10, 10, 0, 1000, 100)),
       task(2, "b.jpg", poly)},
      scratch.path / "out", log);
  ASSERT_EQ(doc["annotations"].size(), 1u) << doc["annotations"].dump();
  EXPECT_EQ(doc["annotations"][0]["bbox"], json::parse("[10.0, 1.0, 100.0, 10.0]"));
  ASSERT_EQ(log.skips.size(), 2u);
  EXPECT_NE(log.skips[0].second.find("not a finite number"), std::string::npos) << log.skips[0].second;
  EXPECT_NE(log.skips[1].second.find("polygon"), std::string::npos) << log.skips[1].second;
}

// Upstream drops a region that comes before the image's size is known without a word (spec §4: the
// next region with dims defines the image); the output matches, and the report names each dropped one.
TEST(CocoExport, RegionsBeforeTheImageSizeIsKnownAreReportedSkipped) {
  gt::scratch_dir scratch("annot_coco_unsized");
  gt::collected_log log;
  json doc = run_coco(image_schema,
                      {task(1, "a.jpg", box("Car", 0, 0, 10, 10, 0, 0, 0) + "," + box("Car", 10, 10, 10, 10, 0, 200, 100)),
                       task(2, "b.jpg", box("Car", 0, 0, 10, 10, 0, 0, 0))},
                      scratch.path / "out", log);
  ASSERT_EQ(doc["annotations"].size(), 1u) << doc["annotations"].dump();
  EXPECT_EQ(doc["annotations"][0]["bbox"], json::parse("[20.0, 10.0, 20.0, 10.0]"));
  ASSERT_EQ(log.skips.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(log.skips[i].first, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(log.skips[i].second,
              "a region without original_width/original_height before the image's size is known; left out");
  }
}

TEST(CocoExport, ManyTasksStayStreamed) {
  gt::scratch_dir scratch("annot_coco_many");
  std::vector<std::string> tasks;
  for (int i = 0; i < 3000; ++i)
    tasks.push_back(task(i + 1, "img" + std::to_string(i) + ".jpg",
                         box("Car", i % 90, 5, 10, 10, 0, 640, 480) + "," + box("Person", 1, 1, 2, 2, 0, 640, 480)));
  gt::collected_log log;
  json doc = run_coco(image_schema, tasks, scratch.path / "out", log);
  EXPECT_EQ(doc["images"].size(), 3000u);
  EXPECT_EQ(doc["annotations"].size(), 6000u);
  EXPECT_EQ(doc["annotations"][5999]["id"], 5999);
  EXPECT_EQ(doc["annotations"][5999]["image_id"], 2999);
  EXPECT_TRUE(log.skips.empty());
}

}  // namespace
