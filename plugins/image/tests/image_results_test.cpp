// Image plugin: results of every control on Image (its own tools, Labels and per-region results):
// a valid one, and each kind of invalid one, refused with the JSON path of the problem.
#include <cmath>

#include "harness.hpp"
#include "rle_pack.hpp"

namespace {

using namespace image_test;
using annot::severity;

constexpr const char* tools_config = R"(<View>
  <Image name="img" value="$image"/>
  <Pdf name="doc" value="$pdf"/>
  <Rectangle name="r" toName="img"/>
  <RectangleLabels name="rl" toName="img"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
  <Polygon name="p" toName="img"/>
  <PolygonLabels name="pl" toName="img"><Label value="Car"/></PolygonLabels>
  <Ellipse name="e" toName="img"/>
  <EllipseLabels name="el" toName="img"><Label value="Car"/></EllipseLabels>
  <KeyPoint name="k" toName="img"/>
  <KeyPointLabels name="kl" toName="img"><Label value="Car"/></KeyPointLabels>
  <Brush name="b" toName="img"/>
  <BrushLabels name="bl" toName="img"><Label value="Car"/></BrushLabels>
  <MagicWand name="mw" toName="img"/>
  <Vector name="v" toName="img" minPoints="2" maxPoints="4"/>
  <VectorLabels name="vl" toName="img"><Label value="Car"/></VectorLabels>
  <Bitmask name="bm" toName="img"/>
  <BitmaskLabels name="bml" toName="img"><Label value="Car"/></BitmaskLabels>
  <Labels name="lab" toName="img"><Label value="Car"/></Labels>
  <Choices name="cls" toName="img" perRegion="true"><Choice value="Good"/><Choice value="Bad"/></Choices>
  <TextArea name="note" toName="img" perRegion="true"/>
  <Rating name="stars" toName="img" perRegion="true"/>
  <Choices name="doc_cls" toName="doc"><Choice value="Invoice"/></Choices>
</View>)";

const config_model& tools() {
  static auto model = accepted(tools_config);
  return *model;
}

// A 4x2 image's RGBA mask: 8 pixels, the left half set.
std::vector<std::uint8_t> mask_4x2() {
  std::vector<std::uint8_t> m(4 * 2 * 4, 0);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 2; ++x)
      for (int c = 0; c < 4; ++c) m[static_cast<std::size_t>((y * 4 + x) * 4 + c)] = 255;
  return m;
}

json brush_rle() {
  auto bytes = annot::plugins::image::rle_encode(mask_4x2());
  return json(bytes);
}

// A minimal PNG header (signature + IHDR) for a w x h image, as a data URL. Only the header is read.
std::string png_data_url(std::uint32_t w, std::uint32_t h) {
  std::vector<std::uint8_t> b = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  for (std::uint32_t v : {w, h})
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
  for (std::uint8_t x : {8, 6, 0, 0, 0, 0, 0, 0, 0}) b.push_back(x);
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/png;base64,";
  for (std::size_t i = 0; i < b.size(); i += 3) {
    std::uint32_t n = std::uint32_t{b[i]} << 16 | (i + 1 < b.size() ? std::uint32_t{b[i + 1]} << 8 : 0) |
                      (i + 2 < b.size() ? b[i + 2] : 0);
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
    out += i + 1 < b.size() ? abc[(n >> 6) & 63] : '=';
    out += i + 2 < b.size() ? abc[n & 63] : '=';
  }
  return out;
}

json item(const std::string& from, const std::string& type, json value, const std::string& to = "img") {
  return {{"id", "r1"},          {"from_name", from},       {"to_name", to},        {"type", type},
          {"value", std::move(value)}, {"original_width", 4}, {"original_height", 2}, {"image_rotation", 0}};
}

// One tool: a valid value, and how to break it.
struct tool_case {
  std::string from, type;
  json value;                 // valid
  std::string range_pointer;  // JSON pointer into value set to an out-of-range number...
  json range_value;
  std::string range_path;     // ...reported here as a rule break
  severity range_level = severity::rule_break;
  std::string wrong_pointer;  // JSON pointer set to a value of the wrong JSON type...
  std::string wrong_path;     // ...reported here as an error
  std::string label_key;      // payload key of label tools ("" for bare tools)
};

std::vector<tool_case> tool_cases() {
  json rect = {{"x", 10}, {"y", 20.5}, {"width", 30}, {"height", 40}, {"rotation", 0}};
  json poly = {{"points", {{10, 10}, {50, 10}, {30, 40}}}, {"closed", true}};
  json ell = {{"x", 50}, {"y", 50}, {"radiusX", 10}, {"radiusY", 5}, {"rotation", 45}};
  json kp = {{"x", 12.5}, {"y", 80}, {"width", 0.5}};
  json brush = {{"format", "rle"}, {"rle", brush_rle()}};
  json vec = {{"vertices", {{{"id", "a"}, {"x", 10}, {"y", 10}}, {{"id", "b"}, {"x", 20}, {"y", 30}}}}, {"closed", false}};
  json bm = {{"imageDataURL", png_data_url(4, 2)}};
  auto with = [](json v, const char* key, json labels) {
    v[key] = std::move(labels);
    return v;
  };
  json car = json::array({"Car"});
  return {
      {"r", "rectangle", rect, "/x", 120, "value.x", severity::rule_break, "/width", "value.width", ""},
      {"rl", "rectanglelabels", with(rect, "rectanglelabels", car), "/height", 100.5, "value.height",
       severity::rule_break, "/y", "value.y", "rectanglelabels"},
      {"p", "polygon", poly, "/points/1/0", 101, "value.points[1][0]", severity::rule_break, "/points",
       "value.points", ""},
      {"pl", "polygonlabels", with(poly, "polygonlabels", car), "/points/2/1", -3, "value.points[2][1]",
       severity::rule_break, "/closed", "value.closed", "polygonlabels"},
      {"e", "ellipse", ell, "/y", 100.01, "value.y", severity::rule_break, "/radiusX", "value.radiusX", ""},
      {"el", "ellipselabels", with(ell, "ellipselabels", car), "/radiusY", 150, "value.radiusY",
       severity::rule_break, "/rotation", "value.rotation", "ellipselabels"},
      {"k", "keypoint", kp, "/x", -1, "value.x", severity::rule_break, "/y", "value.y", ""},
      {"kl", "keypointlabels", with(kp, "keypointlabels", car), "/y", 200, "value.y", severity::rule_break,
       "/width", "value.width", "keypointlabels"},
      {"b", "brush", brush, "/rle/3", 256, "value.rle[3]", severity::error, "/rle", "value.rle", ""},
      {"bl", "brushlabels", with(brush, "brushlabels", car), "/rle/0", -1, "value.rle[0]", severity::error,
       "/format", "value.format", "brushlabels"},
      {"mw", "magicwand", brush, "/rle/5", 1000, "value.rle[5]", severity::error, "/rle", "value.rle", ""},
      {"v", "vector", vec, "/vertices/1/x", 100.5, "value.vertices[1].x", severity::rule_break, "/vertices",
       "value.vertices", ""},
      {"vl", "vectorlabels", with(vec, "vectorlabels", car), "/vertices/0/y", -0.5, "value.vertices[0].y",
       severity::rule_break, "/closed", "value.closed", "vectorlabels"},
      {"bm", "bitmask", bm, "", nullptr, "", severity::rule_break, "/imageDataURL", "value.imageDataURL", ""},
      {"bml", "bitmasklabels", with(bm, "bitmasklabels", car), "", nullptr, "", severity::rule_break,
       "/imageDataURL", "value.imageDataURL", "bitmasklabels"},
      // Labels (core) on each tool's region: the tool's geometry, checked the same way.
      {"lab", "labels", with(rect, "labels", car), "/x", 100.5, "value.x", severity::rule_break, "/height",
       "value.height", "labels"},
      {"lab", "labels", with(poly, "labels", car), "/points/0/0", 120, "value.points[0][0]", severity::rule_break,
       "/points/1", "value.points[1]", "labels"},
      {"lab", "labels", with(ell, "labels", car), "/x", 130, "value.x", severity::rule_break, "/radiusY",
       "value.radiusY", "labels"},
      {"lab", "labels", with(kp, "labels", car), "/y", 101, "value.y", severity::rule_break, "/x", "value.x",
       "labels"},
      {"lab", "labels", with(brush, "labels", car), "/rle/2", 300, "value.rle[2]", severity::error, "/rle",
       "value.rle", "labels"},
      {"lab", "labels", with(vec, "labels", car), "/vertices/0/x", 150, "value.vertices[0].x", severity::rule_break,
       "/vertices", "value.vertices", "labels"},
      {"lab", "labels", with(bm, "labels", car), "", nullptr, "", severity::rule_break, "/imageDataURL",
       "value.imageDataURL", "labels"},
      // Per-region classification repeats the region's geometry.
      {"cls", "choices", with(rect, "choices", json::array({"Good"})), "/width", 120, "value.width",
       severity::rule_break, "/x", "value.x", ""},
      {"note", "textarea", with(poly, "text", json::array({"a note"})), "/points/2/0", 100.1, "value.points[2][0]",
       severity::rule_break, "/points/0/1", "value.points[0][1]", ""},
      {"stars", "rating", with(ell, "rating", 3), "/radiusX", 101, "value.radiusX", severity::rule_break, "/y",
       "value.y", ""},
  };
}

class ImageTool : public ::testing::TestWithParam<tool_case> {};

TEST_P(ImageTool, ValidResultIsClean) {
  const tool_case& c = GetParam();
  EXPECT_TRUE(clean(check(tools(), json::array({item(c.from, c.type, c.value)}))));
}

TEST_P(ImageTool, OutOfRangeIsReportedAtItsPath) {
  const tool_case& c = GetParam();
  if (c.range_pointer.empty()) GTEST_SKIP() << "a PNG mask has no numbers to push out of range";
  json v = c.value;
  v[json::json_pointer(c.range_pointer)] = c.range_value;
  auto r = check(tools(), json::array({item(c.from, c.type, v)}));
  EXPECT_TRUE(has_issue(r, c.range_level, "result[0]." + c.range_path));
}

TEST_P(ImageTool, WrongJsonTypeIsAnError) {
  const tool_case& c = GetParam();
  json v = c.value;
  v[json::json_pointer(c.wrong_pointer)] = json::object({{"not", "this"}});
  auto r = check(tools(), json::array({item(c.from, c.type, v)}));
  EXPECT_TRUE(has_issue(r, severity::error, "result[0]." + c.wrong_path));
  EXPECT_GT(r.errors, 0u);
}

TEST_P(ImageTool, MissingGeometryIsAnError) {
  const tool_case& c = GetParam();
  if (c.type == "choices" || c.type == "textarea" || c.type == "rating")
    GTEST_SKIP() << "per-region classification may have no geometry";
  json v = json::object();
  if (!c.label_key.empty()) v[c.label_key] = json::array({"Car"});
  auto r = check(tools(), json::array({item(c.from, c.type, v)}));
  EXPECT_GT(r.errors, 0u) << describe_all(r);
  for (const auto& i : r.issues) EXPECT_EQ(i.path.rfind("result[0].value", 0), 0u) << i.path;
}

TEST_P(ImageTool, UnknownLabelIsARuleBreak) {
  const tool_case& c = GetParam();
  if (c.label_key.empty()) GTEST_SKIP() << c.from << " carries no labels";
  json v = c.value;
  v[c.label_key] = json::array({"Car", "Plane"});
  auto r = check(tools(), json::array({item(c.from, c.type, v)}));
  EXPECT_TRUE(has_issue(r, severity::rule_break, "result[0].value." + c.label_key + "[1]", "\"Plane\" is not a label"));
  EXPECT_EQ(r.errors, 0u) << describe_all(r);
}

TEST_P(ImageTool, ResultTypeOfAnotherControlIsARuleBreak) {
  const tool_case& c = GetParam();
  auto r = check(tools(), json::array({item(c.from, c.type == "polygon" ? "rectangle" : "polygon", c.value)}));
  EXPECT_TRUE(has_issue(r, severity::rule_break, "result[0].type", "produces results of type"));
}

TEST_P(ImageTool, WrongTargetIsARuleBreak) {
  const tool_case& c = GetParam();
  // The Pdf exists but is not this control's target; "photo" names nothing.
  EXPECT_TRUE(has_issue(check(tools(), json::array({item(c.from, c.type, c.value, "doc")})), severity::rule_break,
                        "result[0].to_name", "is not a target of"));
  EXPECT_TRUE(has_issue(check(tools(), json::array({item(c.from, c.type, c.value, "photo")})), severity::rule_break,
                        "result[0].to_name", "names no tag"));
}

TEST_P(ImageTool, UnknownExtraKeysAreKept) {
  const tool_case& c = GetParam();
  json v = c.value;
  v["annot_extra"] = {{"anything", true}};
  json it = item(c.from, c.type, v);
  it["meta"] = {{"text", {"note"}}};
  it["score"] = 0.5;
  EXPECT_TRUE(clean(check(tools(), json::array({it}))));
}

INSTANTIATE_TEST_SUITE_P(EveryControlOnImage, ImageTool, ::testing::ValuesIn(tool_cases()),
                         [](const ::testing::TestParamInfo<tool_case>& i) {
                           return i.param.from + "_" + i.param.type + "_" + std::to_string(i.index);
                         });

// ---- Geometry specifics -------------------------------------------------------------------------

result_report one(const std::string& from, const std::string& type, json value) {
  return check(tools(), json::array({item(from, type, std::move(value))}));
}

TEST(ImageGeometry, RectangleSizes) {
  auto neg = one("r", "rectangle", {{"x", 10}, {"y", 10}, {"width", -5}, {"height", 10}});
  EXPECT_TRUE(has_issue(neg, severity::error, "result[0].value.width", "cannot be negative"));
  auto zero = one("r", "rectangle", {{"x", 10}, {"y", 10}, {"width", 5}, {"height", 0}});
  EXPECT_TRUE(has_issue(zero, severity::rule_break, "result[0].value.height", "empty"));
  EXPECT_EQ(zero.errors, 0u);
  auto rot = one("r", "rectangle", {{"x", 10}, {"y", 10}, {"width", 5}, {"height", 5}, {"rotation", 400}});
  EXPECT_TRUE(has_issue(rot, severity::rule_break, "result[0].value.rotation", "above the maximum 360"));
  auto missing = one("r", "rectangle", {{"x", 10}, {"y", 10}, {"width", 5}});
  EXPECT_TRUE(has_issue(missing, severity::error, "result[0].value.height", "is missing"));
}

TEST(ImageGeometry, NaNIsAnError) {
  // JSON text cannot carry NaN, but a document built in memory (an import pipeline) can.
  auto r = one("r", "rectangle", {{"x", std::nan("")}, {"y", 10}, {"width", 5}, {"height", 5}});
  EXPECT_TRUE(has_issue(r, severity::error, "result[0].value.x", "not a finite number"));
  auto p = one("p", "polygon", {{"points", {{1, 1}, {2, std::nan("")}, {3, 1}}}});
  EXPECT_TRUE(has_issue(p, severity::error, "result[0].value.points[1][1]", "not a finite number"));
}

TEST(ImageGeometry, EllipseAndKeypointSizes) {
  EXPECT_TRUE(has_issue(one("e", "ellipse", {{"x", 50}, {"y", 50}, {"radiusX", -1}, {"radiusY", 5}}), severity::error,
                        "result[0].value.radiusX", "cannot be negative"));
  EXPECT_TRUE(has_issue(one("k", "keypoint", {{"x", 50}, {"y", 50}, {"width", -0.1}}), severity::error,
                        "result[0].value.width", "cannot be negative"));
  EXPECT_TRUE(clean(one("k", "keypoint", {{"x", 0}, {"y", 100}})));
}

TEST(ImageGeometry, PolygonPoints) {
  auto two = one("p", "polygon", {{"points", {{10, 10}, {20, 20}}}});
  EXPECT_TRUE(has_issue(two, severity::rule_break, "result[0].value.points", "at least 3"));
  EXPECT_EQ(two.errors, 0u);
  auto bad = one("p", "polygon", {{"points", {{10, 10}, {20}, {"a", 5}, {30, 30}}}});
  EXPECT_TRUE(has_issue(bad, severity::error, "result[0].value.points[1]", "[x, y] pair"));
  EXPECT_TRUE(has_issue(bad, severity::error, "result[0].value.points[2][0]", "expects a number"));
  // A huge broken polygon is summarised, not listed point by point.
  json many = json::array();
  for (int i = 0; i < 500; ++i) many.push_back({150, 150});
  auto big = one("p", "polygon", {{"points", many}});
  EXPECT_LT(big.issues.size(), 15u);
  EXPECT_TRUE(has_issue(big, severity::rule_break, "result[0].value.points", "500 of its 500 points"));
}

TEST(ImageGeometry, BrushMask) {
  auto rle = brush_rle();
  // Right size (4 x 2 x 4 bytes), no original size, the editor's fast form: all fine.
  EXPECT_TRUE(clean(one("b", "brush", {{"format", "rle"}, {"rle", rle}})));
  EXPECT_TRUE(clean(check(tools(), json::array({{{"id", "x"}, {"from_name", "b"}, {"to_name", "img"}, {"type", "brush"},
                                                 {"value", {{"format", "rle"}, {"rle", rle}}}}}))));
  EXPECT_TRUE(clean(one("b", "brush", {{"touches", json::array()}, {"maskDataURL", "data:image/png;base64,"}})));

  // Another image size: the mask does not fit.
  json it = item("b", "brush", {{"format", "rle"}, {"rle", rle}});
  it["original_width"] = 5;
  EXPECT_TRUE(has_issue(check(tools(), json::array({it})), severity::error, "result[0].value.rle",
                        "decodes to 32 bytes, but the image is 5x2"));
  // Truncated stream.
  json cut = rle;
  cut.erase(cut.size() - 1);
  EXPECT_TRUE(has_issue(one("b", "brush", {{"rle", cut}}), severity::error, "result[0].value.rle", "cannot be decoded"));
  // Header only, shorter than a header, empty, absent, wrong format, not a list.
  EXPECT_TRUE(has_issue(one("b", "brush", {{"rle", {0, 0, 0}}}), severity::error, "result[0].value.rle", "header"));
  EXPECT_TRUE(has_issue(one("b", "brush", {{"rle", json::array()}}), severity::error, "result[0].value.rle", "empty"));
  EXPECT_TRUE(has_issue(one("b", "brush", {{"format", "rle"}}), severity::error, "result[0].value.rle", "is missing"));
  EXPECT_TRUE(has_issue(one("b", "brush", {{"format", "png"}, {"rle", rle}}), severity::error, "result[0].value.format",
                        "only brush format"));
  EXPECT_TRUE(has_issue(one("b", "brush", {{"rle", "AAAA"}}), severity::error, "result[0].value.rle", "expects an array"));
  EXPECT_TRUE(has_issue(one("b", "brush", {{"rle", {1, 2.5, 3}}}), severity::error, "result[0].value.rle[1]",
                        "not a byte value"));
}

TEST(ImageGeometry, BrushMaskOfWrongWordSize) {
  // A valid stream of 4-bit words: decodable, but not RGBA bytes.
  std::vector<std::uint8_t> words(32, 3);
  json rle = annot::plugins::image::rle_encode(words, 4);
  EXPECT_TRUE(has_issue(one("b", "brush", {{"rle", rle}}), severity::error, "result[0].value.rle", "4-bit words"));
}

TEST(ImageGeometry, VectorPointsAgainstTheTool) {
  json three = {{"vertices", {{{"x", 1}, {"y", 1}}, {{"x", 2}, {"y", 2}}, {{"x", 3}, {"y", 3}}}}};
  EXPECT_TRUE(clean(one("v", "vector", three)));
  json one_point = {{"vertices", {{{"x", 1}, {"y", 1}}}}};
  EXPECT_TRUE(has_issue(one("v", "vector", one_point), severity::rule_break, "result[0].value.vertices",
                        "at least 2"));
  json five = three;
  five["vertices"].push_back({{"x", 4}, {"y", 4}});
  five["vertices"].push_back({{"x", 5}, {"y", 5}});
  EXPECT_TRUE(has_issue(one("v", "vector", five), severity::rule_break, "result[0].value.vertices", "at most 4"));
  json no_y = {{"vertices", {{{"x", 1}, {"y", 1}}, {{"x", 2}}}}};
  EXPECT_TRUE(has_issue(one("v", "vector", no_y), severity::error, "result[0].value.vertices[1].y", "is missing"));
  json not_obj = {{"vertices", {{{"x", 1}, {"y", 1}}, {2, 2}}}};
  EXPECT_TRUE(has_issue(one("v", "vector", not_obj), severity::error, "result[0].value.vertices[1]", "vertex object"));
}

TEST(ImageGeometry, BitmaskPng) {
  EXPECT_TRUE(has_issue(one("bm", "bitmask", {{"imageDataURL", png_data_url(8, 2)}}), severity::error,
                        "result[0].value.imageDataURL", "is a 8x2 PNG, but the image is 4x2"));
  EXPECT_TRUE(has_issue(one("bm", "bitmask", {{"imageDataURL", "https://example.com/mask.png"}}), severity::error,
                        "result[0].value.imageDataURL", "not a base64 image data URL"));
  EXPECT_TRUE(has_issue(one("bm", "bitmask", {{"imageDataURL", "data:image/png;base64,!!!"}}), severity::error,
                        "result[0].value.imageDataURL", "not base64"));
  EXPECT_TRUE(has_issue(one("bm", "bitmask", {{"imageDataURL", "data:image/png;base64,aGVsbG8gd29ybGQ="}}),
                        severity::error, "result[0].value.imageDataURL", "does not hold a PNG"));
}

TEST(ImageGeometry, ItemLevelSizes) {
  json it = item("r", "rectangle", {{"x", 1}, {"y", 1}, {"width", 1}, {"height", 1}});
  it["original_width"] = -4;
  it["original_height"] = "2";
  it["image_rotation"] = "90";
  auto r = check(tools(), json::array({it}));
  EXPECT_TRUE(has_issue(r, severity::error, "result[0].original_width", "more than 0"));
  EXPECT_TRUE(has_issue(r, severity::error, "result[0].original_height", "expects a number"));
  EXPECT_TRUE(has_issue(r, severity::error, "result[0].image_rotation", "degrees"));
}

TEST(ImageGeometry, LabelsOnImageNeedAToolGeometry) {
  auto r = one("lab", "labels", {{"labels", {"Car"}}});
  EXPECT_TRUE(has_issue(r, severity::error, "result[0].value", "no region geometry"));
  // A keypoint is {x, y} with an optional width; {x} alone is a keypoint without y.
  EXPECT_TRUE(has_issue(one("lab", "labels", {{"x", 5}, {"labels", {"Car"}}}), severity::error,
                        "result[0].value.y", "is missing"));
}

TEST(ImageGeometry, ClassificationWithoutGeometryIsFine) {
  EXPECT_TRUE(clean(one("cls", "choices", {{"choices", {"Bad"}}})));
  EXPECT_TRUE(clean(check(tools(), json::array({item("doc_cls", "choices", {{"choices", {"Invoice"}}}, "doc")}))));
  // Classification on the Pdf is Choices' business: an unknown choice is a rule break there.
  EXPECT_TRUE(has_issue(check(tools(), json::array({item("doc_cls", "choices", {{"choices", {"Memo"}}}, "doc")})),
                        severity::rule_break, "result[0].value.choices[0]"));
}

TEST(ImageGeometry, PerRegionResultsShareTheRegionId) {
  json rect = {{"x", 10}, {"y", 10}, {"width", 20}, {"height", 20}, {"rotation", 0}};
  json box = item("r", "rectangle", rect);
  json cls = item("cls", "choices", rect);
  cls["value"]["choices"] = {"Good"};
  json rel = {{"from_id", "r1"}, {"to_id", "r1"}, {"type", "relation"}, {"direction", "bi"}};
  EXPECT_TRUE(clean(check(tools(), json::array({box, cls, rel}))));
}

// ---- valueList ----------------------------------------------------------------------------------

TEST(ImageList, ItemIndexWithinTheTasksList) {
  auto model = accepted(R"(<View>
  <Image name="pages" valueList="$pages"/>
  <RectangleLabels name="rl" toName="pages"><Label value="Car"/></RectangleLabels>
  <Choices name="page_cls" toName="pages" perItem="true"><Choice value="Cover"/></Choices>
</View>)");
  ASSERT_TRUE(model);
  json data = {{"pages", {"/data/1.jpg", "/data/2.jpg", "/data/3.jpg"}}};
  json rect = {{"x", 1}, {"y", 1}, {"width", 1}, {"height", 1}, {"rectanglelabels", {"Car"}}};
  auto with_index = [&](json index, const char* from = "rl") {
    json it = item(from, from == std::string("rl") ? "rectanglelabels" : "choices",
                   from == std::string("rl") ? rect : json{{"choices", {"Cover"}}}, "pages");
    it["item_index"] = std::move(index);
    return json::array({it});
  };
  EXPECT_TRUE(clean(check(*model, with_index(2), &data)));
  EXPECT_TRUE(clean(check(*model, with_index(0, "page_cls"), &data)));
  EXPECT_TRUE(has_issue(check(*model, with_index(3), &data), severity::rule_break, "result[0].item_index",
                        "shows 3 items"));
  EXPECT_TRUE(has_issue(check(*model, with_index(-1), &data), severity::error, "result[0].item_index"));
  // Without the task, the list's length is unknown: no bound.
  EXPECT_TRUE(clean(check(*model, with_index(7))));
}

}  // namespace
