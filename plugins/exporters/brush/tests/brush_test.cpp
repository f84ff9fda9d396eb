// Brush exporter tests: the golden runs of BRUSH_TO_NUMPY/PNG (bytes) and BRUSH_TO_COCO (values, colours and info
// ignored), masks encoded here and read back from the .npy and PNG files, and the contour tracer on drawn shapes.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "brush_exporter.hpp"
#include "contours.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "mask_files.hpp"
#include "rle_pack.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using namespace annot::plugins::brush;
using es::json;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(BrushGolden, NumpyAndPng) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  es::label_studio_factory<brush_exporter> factory;
  for (std::string format : {"BRUSH_TO_NUMPY", "BRUSH_TO_PNG"}) {
    auto runs = gt::golden_runs(format);
    ASSERT_FALSE(runs.empty());
    for (const auto& run : runs) {
      SCOPED_TRACE(run.case_name + "/" + run.format);
      fs::path out = fs::temp_directory_path() / "annot_brush_golden" / run.case_name / run.format;
      fs::remove_all(out);
      gt::run_outcome r = gt::run_exporter(factory, run, out);
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      EXPECT_EQ(gt::compare_run(run, out, false), "");
    }
  }
}

TEST(BrushGolden, Coco) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  es::label_studio_factory<brush_exporter> factory;
  auto runs = gt::golden_runs("BRUSH_TO_COCO");
  ASSERT_FALSE(runs.empty());
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name);
    fs::path out = fs::temp_directory_path() / "annot_brush_golden" / run.case_name / run.format;
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
  const int w = 300, h = 250;  // large enough for several IDAT-sized rows of varied filters
  auto m1 = gradient_mask(w, h, 3), m2 = gradient_mask(w, h, 11);
  std::string task = task_with_masks({m1, m2, m1}, w, h);
  fs::path out = fs::temp_directory_path() / "annot_brush_own";
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
  json bad = json::parse(task_with_masks({std::vector<std::uint8_t>(16, 255)}, 4, 4));
  bad["annotations"][0]["result"][0]["original_width"] = 5;  // the mask has 4×4 pixels
  json truncated = json::parse(task_with_masks({std::vector<std::uint8_t>(16, 255)}, 4, 4));
  truncated["id"] = 8;
  truncated["annotations"][0]["result"][0]["value"]["rle"] = json::array({0, 0, 0});
  auto log = run_brush("BRUSH_TO_NUMPY", {bad.dump(), truncated.dump()}, fs::temp_directory_path() / "annot_brush_bad");
  ASSERT_EQ(log.skips.size(), 2u);
  EXPECT_EQ(log.skips[0].first, 7);
  EXPECT_EQ(log.skips[1].first, 8);
  EXPECT_TRUE(fs::is_empty(fs::temp_directory_path() / "annot_brush_bad"));
}

std::vector<std::uint8_t> draw(const std::vector<std::string>& rows) {
  std::vector<std::uint8_t> m;
  for (const auto& r : rows)
    for (char c : r) m.push_back(c == '#' ? 255 : 0);
  return m;
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
