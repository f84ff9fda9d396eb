// Brush exporter tests: the golden runs of BRUSH_TO_NUMPY/PNG (bytes) and BRUSH_TO_COCO (values, colours and info
// ignored), masks encoded here and read back from the .npy and PNG files, and the contour tracer on drawn shapes.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "brush_exporter.hpp"
#include "contours.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"
#include "mask_files.hpp"
#include "rle_pack.hpp"
#include "rle_runs.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using namespace annot::plugins::brush;
using es::json;

using gt::slurp;

TEST(BrushGolden, NumpyAndPng) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  gt::scratch_dir scratch("annot_brush_golden");
  es::label_studio_factory<brush_exporter> factory;
  for (std::string format : {"BRUSH_TO_NUMPY", "BRUSH_TO_PNG"}) {
    auto runs = gt::golden_runs(format);
    ASSERT_FALSE(runs.empty());
    for (const auto& run : runs) {
      SCOPED_TRACE(run.case_name + "/" + run.format);
      fs::path out = scratch.path / run.case_name / run.format;
      fs::remove_all(out);
      gt::run_outcome r = gt::run_exporter(factory, run, out);
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      EXPECT_EQ(gt::compare_run(run, out, false), "");
    }
  }
}

TEST(BrushGolden, Coco) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  gt::scratch_dir scratch("annot_brush_golden_coco");
  es::label_studio_factory<brush_exporter> factory;
  auto runs = gt::golden_runs("BRUSH_TO_COCO");
  ASSERT_FALSE(runs.empty());
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name);
    fs::path out = scratch.path / run.case_name / run.format;
    fs::remove_all(out);
    gt::run_outcome r = gt::run_exporter(factory, run, out);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_TRUE(fs::is_directory(out / "images"));
    // Random colours and the run's date are not compared (fixtures README).
    auto load = [](const fs::path& p) {
      json j = json::parse(slurp(p));
      j.erase("info");
      for (auto& c : j["categories"]) {
        EXPECT_TRUE(c["color"].is_string() && c["color"].get<std::string>().size() == 7);
        c.erase("color");
      }
      return j;
    };
    EXPECT_EQ(load(out / "result_coco.json"), load(run.golden_dir() / "result_coco.json"));
    json ours = json::parse(slurp(out / "result_coco.json"));
    EXPECT_EQ(ours["info"]["description"], "Converted from Label Studio");
  }
}

// A W×H mask with a filled rectangle, as Label Studio stores it (RGBA, mask in every channel).
std::vector<std::uint8_t> rgba_of(const std::vector<std::uint8_t>& mask) {
  std::vector<std::uint8_t> rgba;
  for (auto v : mask) rgba.insert(rgba.end(), 4, v);
  return rgba;
}

std::string task_with_masks(const std::vector<std::vector<std::uint8_t>>& masks, int w, int h) {
  json results = json::array();
  int i = 0;
  for (const auto& m : masks) {
    json r = {{"id", "r" + std::to_string(i)}, {"type", "brushlabels"}, {"from_name", "tag"}, {"to_name", "image"},
              {"original_width", w}, {"original_height", h}};
    r["value"] = {{"format", "rle"}, {"rle", annot::plugins::image::rle_encode(rgba_of(m))},
                  {"brushlabels", json::array({i % 2 ? "Dog" : "Cat"})}};
    results.push_back(r);
    ++i;
  }
  json task = {{"id", 7}, {"data", {{"image", "/data/upload/1/pic.png"}}}};
  task["annotations"] = json::array({{{"id", 70}, {"completed_by", {{"email", "a b/c@x.org"}}}, {"result", results}}});
  return task.dump();
}

const char* const brush_schema = R"({"tag": {"type": "BrushLabels", "to_name": ["image"],
  "inputs": [{"type": "Image", "value": "image"}], "labels": ["Cat", "Dog"], "labels_attrs": {}}})";

gt::collected_log run_brush(const std::string& format, const std::vector<std::string>& tasks, const fs::path& out) {
  fs::remove_all(out);
  fs::create_directories(out);
  gt::memory_cursor cursor(tasks);
  gt::directory_sink sink(out);
  annot::export_request req;
  req.format = format;
  req.config.parsed_config = brush_schema;
  req.options = "{}";
  gt::collected_log log;
  brush_exporter ex(format);
  annot::status st = ex.run(req, cursor, sink, log);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(sink.close().ok());
  return log;
}

// Inflates a grayscale 8-bit PNG written by to_png and undoes the filters.
std::vector<std::uint8_t> read_png(const std::string& png, std::size_t& w, std::size_t& h) {
  auto be32 = [&](std::size_t i) {
    return (std::uint32_t(std::uint8_t(png[i])) << 24) | (std::uint32_t(std::uint8_t(png[i + 1])) << 16) |
           (std::uint32_t(std::uint8_t(png[i + 2])) << 8) | std::uint32_t(std::uint8_t(png[i + 3]));
  };
  std::string idat;
  for (std::size_t i = 8; i + 8 <= png.size();) {
    std::uint32_t n = be32(i);
    std::string type = png.substr(i + 4, 4);
    if (type == "IHDR") {
      w = be32(i + 8);
      h = be32(i + 12);
    }
    if (type == "IDAT") idat += png.substr(i + 8, n);
    i += 12 + n;
  }
  std::vector<std::uint8_t> raw(h * (w + 1));
  uLongf len = static_cast<uLongf>(raw.size());
  EXPECT_EQ(uncompress(raw.data(), &len, reinterpret_cast<const Bytef*>(idat.data()), static_cast<uLong>(idat.size())),
            Z_OK);
  std::vector<std::uint8_t> out(h * w);
  for (std::size_t y = 0; y < h; ++y) {
    int f = raw[y * (w + 1)];
    for (std::size_t x = 0; x < w; ++x) {
      int a = x ? out[y * w + x - 1] : 0, b = y ? out[(y - 1) * w + x] : 0, c = x && y ? out[(y - 1) * w + x - 1] : 0;
      int pred = 0;
      if (f == 1) pred = a;
      if (f == 2) pred = b;
      if (f == 3) pred = (a + b) / 2;
      if (f == 4) {
        int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * w + x] = static_cast<std::uint8_t>(raw[y * (w + 1) + 1 + x] + pred);
    }
  }
  return out;
}

std::vector<std::uint8_t> gradient_mask(int w, int h, int seed) {
  std::vector<std::uint8_t> m(static_cast<std::size_t>(w * h));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m[static_cast<std::size_t>(y * w + x)] = static_cast<std::uint8_t>((x * seed + y * 7) % 256);
  return m;
}

TEST(BrushExport, NumpyAndPngRoundTrip) {
  gt::scratch_dir scratch("annot_brush_own");
  const int w = 300, h = 250;  // large enough for several IDAT-sized rows of varied filters
  auto m1 = gradient_mask(w, h, 3), m2 = gradient_mask(w, h, 11);
  std::string task = task_with_masks({m1, m2, m1}, w, h);
  fs::path out = scratch.path;
  run_brush("BRUSH_TO_NUMPY", {task}, out / "npy");
  // The annotator keeps alphanumerics, '@' and '.'; n counts repeats of the same name.
  const std::string stem = "task-7-annotation-70-by-abc@x.org-tag-";
  for (auto [name, mask] : {std::pair{"Cat-0", &m1}, std::pair{"Dog-0", &m2}, std::pair{"Cat-1", &m1}}) {
    std::string npy = slurp(out / "npy" / (stem + name + ".npy"));
    ASSERT_GE(npy.size(), 128u) << name;
    EXPECT_EQ(npy.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    std::size_t header = std::uint8_t(npy[8]) | (std::uint8_t(npy[9]) << 8);
    EXPECT_EQ((10 + header) % 64, 0u);
    EXPECT_NE(npy.find("'shape': (250, 300)"), std::string::npos);
    EXPECT_EQ(npy.substr(10 + header), std::string(mask->begin(), mask->end()));
  }
  run_brush("BRUSH_TO_PNG", {task}, out / "png");
  std::size_t pw = 0, ph = 0;
  EXPECT_EQ(read_png(slurp(out / "png" / (stem + "Dog-0.png")), pw, ph), m2);
  EXPECT_EQ(pw, 300u);
  EXPECT_EQ(ph, 250u);
}

TEST(BrushExport, BadMasksAreSkippedAndReported) {
  gt::scratch_dir scratch("annot_brush_bad");
  json bad = json::parse(task_with_masks({std::vector<std::uint8_t>(16, 255)}, 4, 4));
  bad["annotations"][0]["result"][0]["original_width"] = 5;  // the mask has 4×4 pixels
  json truncated = json::parse(task_with_masks({std::vector<std::uint8_t>(16, 255)}, 4, 4));
  truncated["id"] = 8;
  truncated["annotations"][0]["result"][0]["value"]["rle"] = json::array({0, 0, 0});
  fs::path out = scratch.path / "out";
  auto log = run_brush("BRUSH_TO_NUMPY", {bad.dump(), truncated.dump()}, out);
  ASSERT_EQ(log.skips.size(), 2u);
  EXPECT_EQ(log.skips[0].first, 7);
  EXPECT_EQ(log.skips[1].first, 8);
  EXPECT_TRUE(fs::is_empty(out));
}

std::vector<std::uint8_t> draw(const std::vector<std::string>& rows) {
  std::vector<std::uint8_t> m;
  for (const auto& r : rows)
    for (char c : r) m.push_back(c == '#' ? 255 : 0);
  return m;
}

// Values read as Label Studio's JSON reads them, through every format: task and annotation ids of any type, every
// kind of completed_by, labels that are not a list or not strings, a repeated key (the last value counts), '/' in a
// control name, image paths in any data key, polygons and rectangles, items without an image or an output.
const char* const odd_schema = R"({"a/b": {"type": "BrushLabels", "to_name": ["image"],
  "inputs": [{"type": "Image", "value": "image"}], "labels": ["Cat"], "labels_attrs": {}},
  "poly": {"type": "PolygonLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
  "labels": ["Cat"], "labels_attrs": {}},
  "box": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
  "labels": ["Cat"], "labels_attrs": {}}})";

std::vector<std::string> odd_tasks() {
  json rle = annot::plugins::image::rle_encode(rgba_of(draw({"##..", "##..", "...#", "...#"})));
  auto brush = [&](json labels, const char* key = "brushlabels") {
    json v = {{"format", "rle"}, {"rle", rle}};
    v[key] = std::move(labels);
    return json{{"from_name", "a/b"}, {"type", "brushlabels"}, {"original_width", 4}, {"original_height", 4},
                {"value", v}};
  };
  std::vector<std::string> tasks;
  auto add = [&](json id, json data, json annotation) {
    json t = {{"data", std::move(data)}};
    if (!id.is_discarded()) t["id"] = std::move(id);
    t["annotations"] = json::array({std::move(annotation)});
    tasks.push_back(t.dump());
  };
  const json image = {{"image", "/data/upload/1/p.PNG"}};
  // A string where the label list belongs: Python iterates its characters (code points), in brush.py's
  // "-".join(labels) and brush_to_coco's `for label in labels` alike.
  add(7, image,
      {{"id", 70},
       {"completed_by", 3},
       {"result", {brush({"Cat", 5}), brush("C\u00e4t"), brush({"Cat", 5})}}});
  add("s", image, {{"completed_by", {{"id", 1}}}, {"result", {brush({"Dog"})}}});
  add(json(json::value_t::discarded), image, {{"id", "x.y"}, {"completed_by", nullptr}, {"result", {brush({"Cat"})}}});
  add(4.5, {{"n", 1}, {"other", "q/r.jpeg"}, {"image", "/x.png"}},
      {{"id", 1}, {"completed_by", {{"email", 5}}}, {"result", {brush({"Cat"}, "labels")}}});
  add(9, image, {{"id", 2}, {"completed_by", "a/b c"}, {"result", {brush({"Cat"}), brush({"Cat"})}}});
  add(10, image, {{"id", 3}, {"result", {brush({"Cat"})}}});
  add(11, image, {{"id", 4}, {"completed_by", {1, 2}}, {"result", {brush({"Cat"})}}});
  add(12, {{"image", "/no/extension"}}, {{"id", 5}, {"result", {brush({"Cat"})}}});
  add(13, image, {{"id", 6}, {"result", json::array()}});
  json poly = {{"from_name", "poly"}, {"type", "polygonlabels"}, {"original_width", 200}, {"original_height", 100.5},
               {"value", {{"points", {{10, 20}, {50.25, 20}, {30, 70}}}, {"polygonlabels", {"Cat", "Tree"}}}}};
  json bad_poly = poly;
  bad_poly["value"]["points"] = {{10, 20}, {"a", 1}};
  json box = {{"from_name", "box"}, {"type", "rectanglelabels"}, {"original_width", 1920}, {"original_height", 1080},
              {"value", {{"x", 10}, {"y", 20.5}, {"width", 30}, {"height", 40}, {"rectanglelabels", {"Car"}}}}};
  json bad_box = box;
  bad_box["value"].erase("x");
  add(14, image, {{"id", 7}, {"completed_by", {{"email", "p@q.org"}}}, {"result", {poly, bad_poly, box, bad_box}}});
  // A repeated key: the last "id" and "completed_by" count.
  tasks.push_back(R"({"id": 1, "id": 15, "data": {"image": "/data/upload/1/p.png"}, "annotations": [{"id": 8,
      "completed_by": 1, "completed_by": {"email": "last@x.org"}, "result": [{"from_name": "box", "type": "rectanglelabels",
      "original_width": 10, "original_width": 100, "original_height": 50,
      "value": {"x": 1, "y": 2, "width": 3, "height": 4, "rectanglelabels": ["Old"], "rectanglelabels": ["New"]}}]}]})");
  return tasks;
}

gt::collected_log run_odd(const std::string& format, const fs::path& out) {
  fs::remove_all(out);
  fs::create_directories(out);
  gt::memory_cursor cursor(odd_tasks());
  gt::directory_sink sink(out);
  annot::export_request req;
  req.format = format;
  req.config.parsed_config = odd_schema;
  req.options = "{}";
  gt::collected_log log;
  brush_exporter ex(format);
  annot::status st = ex.run(req, cursor, sink, log);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(sink.close().ok());
  return log;
}

std::string skips_of(const gt::collected_log& log) {
  std::string s;
  for (const auto& [id, why] : log.skips) s += std::to_string(id) + ": " + why + "\n";
  return s;
}

TEST(BrushExport, OddValuesInFileNames) {
  gt::scratch_dir scratch("annot_brush_odd_npy");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_odd("BRUSH_TO_NUMPY", out);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::string listed;
  for (const auto& n : names) listed += n + "\n";
  EXPECT_EQ(listed, R"(task-10-annotation-3-by--a-b-Cat-0.npy
task-11-annotation-4-by-12-a-b-Cat-0.npy
task-12-annotation-5-by--a-b-Cat-0.npy
task-4.5-annotation-1-by-5-a-b-no_label-0.npy
task-7-annotation-70-by-3-a-b-C-ä-t-0.npy
task-7-annotation-70-by-3-a-b-Cat-5-0.npy
task-7-annotation-70-by-3-a-b-Cat-5-1.npy
task-9-annotation-2-by-abc-a-b-Cat-0.npy
task-9-annotation-2-by-abc-a-b-Cat-1.npy
task-None-annotation-x.y-by-None-a-b-Cat-0.npy
task-s-annotation-None-by--a-b-Dog-0.npy
)");
  EXPECT_EQ(skips_of(log), "");
}

// A label's '/', '\\' (as upstream) and NUL (which no file name may hold) become '-'.
TEST(BrushExport, SeparatorsAndNulInLabelsBecomeDashes) {
  using annot::plugins::brush::mask_stem;
  EXPECT_EQ(mask_stem("1", "2", "a b@c.d", "tag-x/y\\z" + std::string(1, '\0') + "w-0"),
            "task-1-annotation-2-by-ab@c.d-tag-x-y-z-w-0");
}

TEST(BrushExport, OddValuesInCoco) {
  gt::scratch_dir scratch("annot_brush_odd_coco");
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_odd("BRUSH_TO_COCO", out);
  std::string coco = slurp(out / "result_coco.json");
  // Colours are random and info carries the date: the rest is compared byte for byte.
  coco = coco.substr(0, coco.find(",\n  \"info\": "));
  for (std::size_t at = 0; (at = coco.find("\"color\": \"#", at)) != std::string::npos; at += 11) coco.erase(at + 11, 6);
  EXPECT_EQ(coco.rfind("{\n  \"images\": [\n    {\n      \"id\": 0,\n      \"file_name\"", 0), 0u);
  // One line per entry, for reading: the line breaks and indentation (json.dumps' indent=2) taken out.
  std::string flat;
  for (std::size_t i = 0; i < coco.size(); ++i) {
    if (coco[i] != '\n') {
      flat.push_back(coco[i]);
      continue;
    }
    while (i + 1 < coco.size() && coco[i + 1] == ' ') ++i;
    if (coco.compare(i + 1, 2, "{\n") == 0 && (flat.back() == '[' || flat.back() == ',')) flat.push_back('\n');
  }
  EXPECT_EQ(flat, R"({"images": [
{"id": 0,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 4,"height": 4},
{"id": 1,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 4,"height": 4},
{"id": 2,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 4,"height": 4},
{"id": 4,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 4,"height": 4},
{"id": 5,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 4,"height": 4},
{"id": 6,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 4,"height": 4},
{"id": 9,"file_name": "p.PNG","path": "/data/upload/1/p.PNG","width": 200,"height": 100.5},
{"id": 10,"file_name": "p.png","path": "/data/upload/1/p.png","width": 100,"height": 50}],"annotations": [
{"id": 0,"image_id": 0,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 1,"image_id": 0,"category_id": 2,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 2,"image_id": 0,"category_id": 3,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 3,"image_id": 0,"category_id": 4,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 4,"image_id": 0,"category_id": 5,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 5,"image_id": 0,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 6,"image_id": 0,"category_id": 2,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "3"},
{"id": 7,"image_id": 1,"category_id": 6,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "unknown"},
{"id": 8,"image_id": 2,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "None"},
{"id": 9,"image_id": 4,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "a/b c"},
{"id": 10,"image_id": 4,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "a/b c"},
{"id": 11,"image_id": 5,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "unknown"},
{"id": 12,"image_id": 6,"category_id": 1,"segmentation": [[0,0,0,1,1,1,1,0]],"area": 1,"bbox": [0,0,2,2],"iscrowd": 0,"annotator": "[1,2]"},
{"id": 13,"image_id": 9,"category_id": 1,"segmentation": [[20,20,100,20,60,70]],"area": 2000,"bbox": [20,20,81,51],"iscrowd": 0,"annotator": "p@q.org"},
{"id": 14,"image_id": 9,"category_id": 7,"segmentation": [[20,20,100,20,60,70]],"area": 2000,"bbox": [20,20,81,51],"iscrowd": 0,"annotator": "p@q.org"},
{"id": 15,"image_id": 9,"category_id": 8,"segmentation": [],"area": 248832.0,"bbox": [192.0,221.4,576.0,432.0],"iscrowd": 0,"annotator": "p@q.org"},
{"id": 16,"image_id": 10,"category_id": 9,"segmentation": [],"area": 6.0,"bbox": [1.0,1.0,3.0,2.0],"iscrowd": 0,"annotator": "last@x.org"}],"categories": [
{"id": 1,"name": "Cat","supercategory": "","color": "#","metadata": {}},
{"id": 2,"name": "5","supercategory": "","color": "#","metadata": {}},
{"id": 3,"name": "C","supercategory": "","color": "#","metadata": {}},
{"id": 4,"name": "ä","supercategory": "","color": "#","metadata": {}},
{"id": 5,"name": "t","supercategory": "","color": "#","metadata": {}},
{"id": 6,"name": "Dog","supercategory": "","color": "#","metadata": {}},
{"id": 7,"name": "Tree","supercategory": "","color": "#","metadata": {}},
{"id": 8,"name": "Car","supercategory": "","color": "#","metadata": {}},
{"id": 9,"name": "New","supercategory": "","color": "#","metadata": {}}])");
  EXPECT_EQ(skips_of(log),
            "0: a rectangle without x/y/width/height or original dimensions; left out\n"
            "12: no image path in the task data\n"
            "14: a polygon with a malformed point (not two numbers, or beyond 2^53 pixels); left out\n"
            "14: a polygon with a malformed point (not two numbers, or beyond 2^53 pixels); left out\n"
            "14: a rectangle without x/y/width/height or original dimensions; left out\n");
}

// The row filters and IDAT sizes of Pillow's encoder (ZipEncode.c, ImageFile._save), which brush.py
// saves with: None, Up, Sub, Paeth, the first with the least sum (Average only with optimize=True);
// one IDAT per max(65536, width * 4) bytes.
TEST(BrushPng, PillowsRowFiltersAndChunkSizes) {
  auto filters_and_chunks = [](const std::vector<std::uint8_t>& mask, std::size_t w, std::size_t h) {
    const std::string png = to_png(mask, h, w);
    std::size_t rw = 0, rh = 0;
    EXPECT_EQ(read_png(png, rw, rh), mask);
    std::string idat;
    std::vector<std::size_t> chunks;
    for (std::size_t i = 8; i + 8 <= png.size();) {
      const std::size_t n =
          (std::size_t(std::uint8_t(png[i])) << 24) | (std::size_t(std::uint8_t(png[i + 1])) << 16) |
          (std::size_t(std::uint8_t(png[i + 2])) << 8) | std::size_t(std::uint8_t(png[i + 3]));
      if (png.compare(i + 4, 4, "IDAT") == 0) {
        idat += png.substr(i + 8, n);
        chunks.push_back(n);
      }
      i += 12 + n;
    }
    std::vector<std::uint8_t> raw(h * (w + 1));
    uLongf len = static_cast<uLongf>(raw.size());
    EXPECT_EQ(uncompress(raw.data(), &len, reinterpret_cast<const Bytef*>(idat.data()),
                         static_cast<uLong>(idat.size())),
              Z_OK);
    std::vector<int> filters;
    for (std::size_t y = 0; y < h; ++y) filters.push_back(raw[y * (w + 1)]);
    return std::make_pair(filters, chunks);
  };
  // Up and Sub tie on the second row: Up, tried first, is kept.
  EXPECT_EQ(filters_and_chunks({255, 255, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0}, 6, 2).first,
            (std::vector<int>{0, 2}));
  // Average would win the second row; Pillow never tries it here.
  EXPECT_EQ(filters_and_chunks({0, 0, 0, 0, 200, 100, 50, 25}, 4, 2).first, (std::vector<int>{0, 0}));
  // A row wider than 16,384 pixels: chunks of width * 4 bytes.
  std::vector<std::uint8_t> noise(20000 * 30);
  std::uint32_t x = 12345;
  for (auto& v : noise) v = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 24);
  const std::vector<std::size_t> chunks = filters_and_chunks(noise, 20000, 30).second;
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0], 80000u);
  std::vector<std::uint8_t> narrow(1000 * 400);
  for (auto& v : narrow) v = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 24);
  EXPECT_EQ(filters_and_chunks(narrow, 1000, 400).second[0], 65536u);
}

// Caps the address space at `headroom` bytes more than in use while it lives (not under a sanitizer, whose
// shadow memory needs more): an export that takes memory in proportion to a declared mask size fails under
// it.
class address_space_cap {
 public:
  explicit address_space_cap(rlim_t headroom) {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    EXPECT_EQ(::getrlimit(RLIMIT_AS, &before_), 0);
    std::size_t pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    rlimit capped = before_;
    capped.rlim_cur = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + headroom;
    set_ = ::setrlimit(RLIMIT_AS, &capped) == 0;
    EXPECT_TRUE(set_);
#else
    (void)headroom;
#endif
  }
  ~address_space_cap() {
    if (set_) ::setrlimit(RLIMIT_AS, &before_);
  }
  address_space_cap(const address_space_cap&) = delete;
  address_space_cap& operator=(const address_space_cap&) = delete;

 private:
  rlimit before_{};
  bool set_ = false;
};

// A few bytes of stream may declare 2^32 - 1 words: the mask is refused before any memory is taken
// for it (the address space is capped at 1 GiB more than in use, where no sanitizer needs more).
TEST(BrushExport, AHugeDeclaredMaskIsRefusedBeforeItsMemoryIsTaken) {
  gt::scratch_dir scratch("annot_brush_huge");
  json task = json::parse(task_with_masks({std::vector<std::uint8_t>(1, 255)}, 1, 1));
  std::vector<std::uint8_t> rle = {0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0xFF, 0xFF, 0x80, 0, 0, 0};  // then it ends
  task["annotations"][0]["result"][0]["value"]["rle"] = rle;
  std::optional<address_space_cap> cap(std::in_place, rlim_t(1) << 30);
  auto log = run_brush("BRUSH_TO_NUMPY", {task.dump()}, scratch.path / "out");
  cap.reset();
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_NE(log.skips[0].second.find("does not decode"), std::string::npos) << log.skips[0].second;
}

// A 10000×10000 mask (a 4000×2000 rectangle) is 400 MB of RGBA once decoded: each format writes it a row at a
// time, with the address space capped at 256 MiB more than in use (the whole mask, as COCO's tracing needs
// it, is 100 MB). The files are checked afterwards, without the cap.
TEST(BrushExport, AHundredMillionPixelMaskIsWrittenARowAtATime) {
  gt::scratch_dir scratch("annot_brush_large");
  const std::uint64_t w = 10000, h = 10000, x0 = 3000, x1 = 7000, y0 = 4000, y1 = 6000;
  std::vector<std::pair<std::uint8_t, std::uint64_t>> runs = {{0, 4 * (y0 * w + x0)}};
  for (std::uint64_t y = y0; y < y1; ++y) {
    runs.push_back({255, 4 * (x1 - x0)});
    runs.push_back({0, 4 * (w - (x1 - x0))});
  }
  runs.back().second += 4 * ((h - y1) * w - x0);  // to the end of the image
  json task = json::parse(task_with_masks({std::vector<std::uint8_t>(1, 0)}, 1, 1));
  json& region = task["annotations"][0]["result"][0];
  region["original_width"] = w;
  region["original_height"] = h;
  region["value"]["rle"] = gt::rle_of_runs(runs);
  const std::string stem = "task-7-annotation-70-by-abc@x.org-tag-Cat-0";

  std::optional<address_space_cap> cap(std::in_place, rlim_t(256) << 20);
  std::vector<gt::collected_log> logs;
  for (const char* format : {"BRUSH_TO_NUMPY", "BRUSH_TO_PNG", "BRUSH_TO_COCO"})
    logs.push_back(run_brush(format, {task.dump()}, scratch.path / format));
  cap.reset();
  for (const auto& log : logs) EXPECT_TRUE(log.skips.empty()) << log.skips[0].second;

  auto pixel = [&](const std::vector<std::uint8_t>& m, std::size_t at, std::uint64_t x, std::uint64_t y) {
    return m[at + y * w + x];
  };
  std::string npy_text = slurp(scratch.path / "BRUSH_TO_NUMPY" / (stem + ".npy"));
  std::vector<std::uint8_t> npy(npy_text.begin(), npy_text.end());
  npy_text.clear();
  ASSERT_EQ(npy.size(), 128 + w * h);
  EXPECT_NE(std::string(npy.begin(), npy.begin() + 128).find("'shape': (10000, 10000)"), std::string::npos);
  std::size_t pw = 0, ph = 0;
  const std::vector<std::uint8_t> png =
      read_png(slurp(scratch.path / "BRUSH_TO_PNG" / (stem + ".png")), pw, ph);
  ASSERT_EQ(pw, w);
  ASSERT_EQ(ph, h);
  for (std::uint64_t y : {std::uint64_t{0}, y0 - 1, y0, (y0 + y1) / 2, y1 - 1, y1, h - 1})
    for (std::uint64_t x : {std::uint64_t{0}, x0 - 1, x0, x1 - 1, x1, w - 1}) {
      const int want = x >= x0 && x < x1 && y >= y0 && y < y1 ? 255 : 0;
      EXPECT_EQ(pixel(npy, 128, x, y), want) << "npy at " << x << "," << y;
      EXPECT_EQ(pixel(png, 0, x, y), want) << "png at " << x << "," << y;
    }
  EXPECT_EQ(std::count(npy.begin() + 128, npy.end(), 255),
            static_cast<std::ptrdiff_t>((x1 - x0) * (y1 - y0)));
  EXPECT_TRUE(std::equal(png.begin(), png.end(), npy.begin() + 128));

  json coco = json::parse(slurp(scratch.path / "BRUSH_TO_COCO" / "result_coco.json"));
  ASSERT_EQ(coco["annotations"].size(), 1u);
  EXPECT_EQ(coco["annotations"][0]["bbox"], json::array({x0, y0, x1 - x0, y1 - y0}));
  EXPECT_EQ(coco["annotations"][0]["area"], (x1 - x0 - 1) * (y1 - y0 - 1));
  EXPECT_EQ(coco["annotations"][0]["segmentation"][0].size(), 8u);
}

// A mask file name no file system takes (a 300-character label) leaves that mask out and writes the rest;
// upstream's export fails on it whole.
TEST(BrushExport, AMaskNameTooLongForAFileIsSkipped) {
  gt::scratch_dir scratch("annot_brush_long");
  json task = json::parse(
      task_with_masks({std::vector<std::uint8_t>(4, 255), std::vector<std::uint8_t>(4, 0)}, 2, 2));
  task["annotations"][0]["result"][0]["value"]["brushlabels"] = {std::string(300, 'L')};
  auto log = run_brush("BRUSH_TO_NUMPY", {task.dump()}, scratch.path / "out");
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_NE(log.skips[0].second.find("longer than 255 bytes"), std::string::npos) << log.skips[0].second;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(scratch.path / "out"))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"task-7-annotation-70-by-abc@x.org-tag-Dog-0.npy"}));
}

TEST(BrushContours, OpenCvOrderAndCorners) {
  // Two blobs: OpenCV lists the later-found one first; corners only, starting top-left, going down first.
  auto m = draw({"##....",
                 "##....",
                 "......",
                 "...###",
                 "...###"});
  auto c = external_contours(m, 5, 6);
  ASSERT_EQ(c.size(), 2u);
  ASSERT_EQ(c[0].size(), 4u);
  EXPECT_EQ(c[0][0].x, 3);
  EXPECT_EQ(c[0][0].y, 3);
  EXPECT_EQ(c[0][1].x, 3);
  EXPECT_EQ(c[0][1].y, 4);
  EXPECT_EQ(c[0][2].x, 5);
  EXPECT_EQ(c[0][2].y, 4);
  EXPECT_EQ(bounding_rect(c[0]), (std::vector<long long>{3, 3, 3, 2}));
  EXPECT_EQ(c[1][0].x, 0);
  // A ring with an island: only the ring's outer border.
  auto ring = draw({"#####",
                    "#...#",
                    "#.#.#",
                    "#...#",
                    "#####"});
  auto r = external_contours(ring, 5, 5);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].size(), 4u);
  std::vector<std::pair<double, double>> pts;
  for (auto p : r[0]) pts.emplace_back(double(p.x), double(p.y));
  EXPECT_EQ(contour_area(pts), 16.0);
  // A diagonal line compresses to its end points; a lone pixel is one point.
  auto diag = draw({"#..", ".#.", "..#"});
  EXPECT_EQ(external_contours(diag, 3, 3)[0].size(), 2u);
  EXPECT_EQ(external_contours(draw({".#."}), 1, 3)[0].size(), 1u);
  EXPECT_TRUE(external_contours(draw({"..."}), 1, 3).empty());
}

}  // namespace
