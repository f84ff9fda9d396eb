// Tests of the exporter support library: number and string printing, md5 names, path resolution,
// the category table, item expansion, and Label Studio's offered formats against the manifest.
#include <gtest/gtest.h>

#include <algorithm>
#include <annot/md5.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <type_traits>

#include "export_support/categories.hpp"
#include "export_support/image_header.hpp"
#include "export_support/item_view.hpp"
#include "export_support/json_text.hpp"
#include "export_support/path_hashes.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "export_support/schema.hpp"
#include "export_support/scratch_file.hpp"
#include "export_support/sorted_runs.hpp"
#include "export_support/spill_file.hpp"
#include "export_support/task_view.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"

namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using es::json;

TEST(ExportSupport, PythonFloatRepr) {
  EXPECT_EQ(es::python_float(1.0), "1.0");
  EXPECT_EQ(es::python_float(100.0), "100.0");
  EXPECT_EQ(es::python_float(0.0), "0.0");
  EXPECT_EQ(es::python_float(-0.0), "-0.0");
  EXPECT_EQ(es::python_float(1e-05), "1e-05");
  EXPECT_EQ(es::python_float(2e-05), "2e-05");
  EXPECT_EQ(es::python_float(3.0000000000000004e-05), "3.0000000000000004e-05");
  EXPECT_EQ(es::python_float(0.0001), "0.0001");
  EXPECT_EQ(es::python_float(1e16), "1e+16");
  EXPECT_EQ(es::python_float(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(es::python_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(es::python_float(149.99999999999997), "149.99999999999997");
  EXPECT_EQ(es::python_float(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(es::python_float(1.5e300), "1.5e+300");
}

// repr's text built the slow, independent way: the fewest %.Ne digits that read back as v, laid
// out fixed for decimal exponents -4..15, else as d.ddde[+-]XX.
static std::string repr_reference(double v) {
  char buf[64];
  int p = 0;
  for (p = 0; p < 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*e", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s(buf);
  std::string sign;
  if (s[0] == '-') sign = "-", s.erase(0, 1);
  const auto e = s.find('e');
  const int exp10 = std::atoi(s.c_str() + e + 1);
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exp10 < -4 || exp10 >= 16) {
    std::string m = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    std::snprintf(buf, sizeof buf, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    return sign + m + buf;
  }
  const int point = exp10 + 1;
  if (point <= 0) return sign + "0." + std::string(std::size_t(-point), '0') + digits;
  if (std::size_t(point) >= digits.size()) return sign + digits + std::string(point - digits.size(), '0') + ".0";
  return sign + digits.substr(0, std::size_t(point)) + "." + digits.substr(std::size_t(point));
}

TEST(ExportSupport, PythonFloatMatchesReprAcrossMagnitudes) {
  // Short decimals (what annotators' tools write), computed values (x / 100 * width) and raw bit
  // patterns, over every magnitude and both edges of the fixed range.
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0, 100);
  std::vector<double> values{1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 0.5, 123456789012345.6};
  for (int i = 0; i < 20000; ++i) {
    values.push_back(std::round(unit(rng) * 1e4) / 1e4);
    values.push_back(unit(rng) / 100 * 1920);
    double d = 0;
    std::uint64_t bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (std::isfinite(d)) values.push_back(d);
    values.push_back(std::ldexp(unit(rng), int(rng() % 120) - 60));
  }
  for (double v : values) {
    ASSERT_EQ(es::python_float(v), repr_reference(v)) << "bits of v: " << std::hexfloat << v;
    ASSERT_EQ(es::python_float(-v), repr_reference(-v));
  }
}

// Computed values of the fixed range that are no short decimal (a box's x / 100 * width, areas,
// neighbours of decimals one ulp away, values next to powers of ten and of two): the exact 128-bit path
// for 15-17 digits must give repr's text, and where it declines, to_chars must.
TEST(ExportSupport, PythonFloatMatchesReprForComputedValues) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> percent(0, 100);
  const double sizes[] = {640, 1080, 1920, 4032, 333, 7};
  std::vector<double> values;
  for (int p = -4; p < 15; ++p) {
    const double ten = std::pow(10.0, p), two = std::ldexp(1.0, p * 3);
    for (double x : {ten, two})
      for (double d = x, u = x; d > x / 2; d = std::nextafter(d, 0), u = std::nextafter(u, 1e300)) {
        values.push_back(d);
        values.push_back(u);
        if (u - x > x * 1e-14) break;
      }
  }
  for (int e = -14; e < 50; ++e) {  // powers of two: the gap below them is half the gap above
    values.push_back(std::ldexp(1.0, e));
    values.push_back(std::ldexp(3.0, e));
  }
  for (int i = 0; i < 30000; ++i) {
    const double x = std::round(percent(rng) * 1e4) / 1e4, w = sizes[rng() % 6];
    values.push_back(x / 100 * w);
    values.push_back(x * w / 100);
    values.push_back(x / 100 * w * (percent(rng) / 100 * w));
    values.push_back(std::nextafter(x, 0));
    values.push_back(std::nextafter(x, 200));
    std::uint64_t bits = (rng() & ((std::uint64_t{1} << 52) - 1)) | ((1009 + rng() % 64) << 52);
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    values.push_back(d);
  }
  for (double v : values) {
    ASSERT_EQ(es::python_float(v), repr_reference(v)) << "bits of v: " << std::hexfloat << v;
    ASSERT_EQ(es::python_float(-v), repr_reference(-v));
  }
}

// Decimals as annotators' tools write them, of every length: 1 to 17 significant digits, 0 to 12
// decimals, read with strtod as the JSON parser does; the scaling path (up to 15 digits and 8
// decimals) and the to_chars path must both give repr's text, also at the scaling path's edges.
TEST(ExportSupport, PythonFloatMatchesReprForShortDecimals) {
  std::mt19937_64 rng(7);
  std::vector<double> values{0.0001, 0.00010000000000000002, 99999999.99999999, 999999999999999.0,
                             99999999999999.98, 1e15, 1e15 - 0.125, 0.5, 2.5, 1234567.5, 0.30000000000000004};
  for (int digits = 1; digits <= 17; ++digits) {
    for (int decimals = 0; decimals <= 12; ++decimals) {
      for (int i = 0; i < 300; ++i) {
        std::string text;
        for (int d = 0; d < digits; ++d) text.push_back(static_cast<char>('0' + (d == 0 ? 1 + rng() % 9 : rng() % 10)));
        if (decimals > 0) {
          if (static_cast<int>(text.size()) <= decimals) text.insert(0, std::string(decimals - text.size() + 1, '0'));
          text.insert(text.size() - static_cast<std::size_t>(decimals), ".");
        }
        values.push_back(std::strtod(text.c_str(), nullptr));
      }
    }
  }
  for (double v : values) {
    if (v == 0) continue;
    ASSERT_EQ(es::python_float(v), repr_reference(v)) << "bits of v: " << std::hexfloat << v;
    ASSERT_EQ(es::python_float(-v), repr_reference(-v));
  }
}

TEST(ExportSupport, UjsonFloatsAndEscapes) {
  std::string out;
  es::append_ujson_float(out, 1e-5);
  EXPECT_EQ(out, "1e-5");
  out.clear();
  es::append_ujson_float(out, 3.0000000000000004e-05);
  EXPECT_EQ(out, "3.0000000000000004e-5");
  out.clear();
  es::append_ujson_float(out, 1e16);
  EXPECT_EQ(out, "1e+16");
  out.clear();
  es::append_ujson_float(out, 5.5);
  EXPECT_EQ(out, "5.5");

  json j = json::parse(R"({"a":"https://x/y","b":[1,2.0,"é"],"c":{},"d":[],"e":null,"f":true})");
  EXPECT_EQ(es::ujson(j, {.indent = 0, .ensure_ascii = true}),
            R"({"a":"https:\/\/x\/y","b":[1,2.0,"\u00e9"],"c":{},"d":[],"e":null,"f":true})");
  EXPECT_EQ(es::ujson(j, {.indent = 0, .ensure_ascii = false}),
            "{\"a\":\"https:\\/\\/x\\/y\",\"b\":[1,2.0,\"é\"],\"c\":{},\"d\":[],\"e\":null,\"f\":true}");
  EXPECT_EQ(es::ujson(json::parse(R"({"k":[1,{"z":"q"}],"e":[]})"), {.indent = 2}),
            "{\n  \"k\": [\n    1,\n    {\n      \"z\": \"q\"\n    }\n  ],\n  \"e\": []\n}");
  EXPECT_EQ(es::ujson(json("a\"\\\n\t\x01")), R"("a\"\\\n\t\u0001")");
  EXPECT_EQ(es::ujson(json("\xF0\x9F\x98\x80")), R"("\ud83d\ude00")");
  // Python's json module: ", " / ": " separators, no slash escaping.
  EXPECT_EQ(es::python_json(json::parse(R"({"a":"x/y","b":[1,1e-05]})")), R"({"a": "x/y", "b": [1, 1e-05]})");
  EXPECT_EQ(es::python_str(json(true)), "True");
  EXPECT_EQ(es::python_str(json(100.0)), "100.0");
}

// The escaper skips plain text a word at a time: strings with the characters it must stop at in every position
// of a word, against nlohmann's escaping (which ujson's differs from by "\/" and a raw DEL).
TEST(ExportSupport, UjsonStringEscapesAtEveryPosition) {
  const char* pieces[] = {"a", "Z", " ", "~", "\"", "\\", "/", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9",
                          "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "abcdefghijklmnop", "0123456"};
  std::mt19937 rng(7);
  for (int n = 0; n < 3000; ++n) {
    std::string s;
    const int count = static_cast<int>(rng() % 12);
    for (int k = 0; k < count; ++k) s += pieces[rng() % std::size(pieces)];
    for (bool ascii : {true, false}) {
      // nlohmann's ensure_ascii also escapes DEL, which ujson writes as it is.
      std::string expected = json(s).dump(-1, ' ', ascii), slashed;
      for (std::size_t at; (at = expected.find("\\u007f")) != std::string::npos;) expected.replace(at, 6, "\x7f");
      for (char c : expected) slashed += c == '/' ? std::string("\\/") : std::string(1, c);
      std::string out;
      es::append_ujson_string(out, s, ascii);
      ASSERT_EQ(out, slashed) << s;
    }
  }
}

// One byte of every value at every position of plain strings of 1 to 70 bytes (the short-string test reads 4,
// 8 or 16 bytes at a time, overlapping at the end): escaped as nlohmann escapes ASCII (with "\/" and a raw
// DEL), bytes from 0x80 written as they are without ensure_ascii.
TEST(ExportSupport, UjsonStringEscapesEveryByteAtEveryPositionAndLength) {
  for (std::size_t n = 1; n <= 70; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (int c = 0; c < 256; ++c) {
        std::string s(n, 'a');
        s[at] = static_cast<char>(c);
        std::string out;
        es::append_ujson_string(out, s, false);
        std::string expected;
        if (c >= 0x7f) {
          expected = '"' + s + '"';
        } else {
          for (char ch : json(s).dump()) expected += ch == '/' ? std::string("\\/") : std::string(1, ch);
        }
        ASSERT_EQ(out, expected) << "length " << n << ", byte " << c << " at " << at;
      }
    }
  }
}

// Bytes come back in order whether they stayed in memory or went through the temporary file, read as
// chunks or as records of known size.
TEST(ExportSupport, SpillFileGivesBackWhatWasWritten) {
  std::mt19937 rng(7);
  for (std::size_t limit : {std::size_t(1), std::size_t(100), std::size_t(1) << 20}) {
    std::string expected;
    std::vector<std::string> records;
    es::spill_file chunks(limit), sized(limit);
    for (int i = 0; i < 2000; ++i) {
      std::string r(rng() % 300, '\0');
      for (char& c : r) c = static_cast<char>(rng());
      expected += r;
      records.push_back(r);
      chunks.buffer() += r;
      chunks.maybe_spill();
      sized.buffer() += r;
      sized.maybe_spill();
    }
    std::string back;
    chunks.for_each_chunk([&](std::string_view b) { back.append(b); });
    EXPECT_EQ(back, expected) << "limit " << limit;
    EXPECT_EQ(chunks.spilled(), limit < expected.size());
    if (!sized.spilled()) {
      EXPECT_EQ(sized.buffer(), expected);
      continue;
    }
    sized.start_reading();
    for (const std::string& r : records) {
      std::string got(r.size(), '\0');
      ASSERT_TRUE(sized.read_exact(got.data(), got.size()));
      EXPECT_EQ(got, r);
    }
    char extra;
    EXPECT_FALSE(sized.read_exact(&extra, 1));
  }
}

TEST(ExportSupport, Md5AndDerivedNames) {
  gt::scratch_dir scratch("annot_support_derived_names");
  EXPECT_EQ(annot::md5::hex_of(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(annot::md5::hex_of("The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(annot::md5::hex_of("/image1").substr(0, 8), "718f1d05");
  EXPECT_EQ(annot::md5::hex_of("test_image1.jpg").substr(0, 8), "235b37ac");
  es::path_roots roots;
  auto r = es::resolve_image("https://example.com/imgs/street%20view.png?size=big", roots);
  EXPECT_EQ(r.coco_file_name, "images/f0c8ea2d__street%20view.png");
  EXPECT_EQ(r.base_name, "f0c8ea2d__street%20view.png");
  EXPECT_EQ(es::resolve_image("/image1", roots).base_name, "718f1d05__image1");
  EXPECT_EQ(es::resolve_image("test_image1.jpg", roots).coco_file_name, "images/235b37ac__test_image1.jpg");
  auto up = es::resolve_image("/data/upload/3/abc.jpg", roots);
  EXPECT_EQ(up.source, es::image_source::unresolved);
  EXPECT_EQ(up.coco_file_name, "/data/upload/3/abc.jpg");
  EXPECT_EQ(es::strip_extension(up.base_name), "abc");
  EXPECT_EQ(es::strip_extension(es::resolve_image("s3://bucket/path/img108.jpg", roots).base_name), "img108");
  EXPECT_EQ(es::strip_extension("a.b.c"), "a.b");
  EXPECT_EQ(es::strip_extension(".hidden"), ".hidden");

  // A real upload resolves to the original file, relative to the output folder.
  namespace fs = std::filesystem;
  fs::create_directories(scratch.path / "up" / "7");
  std::ofstream(scratch.path / "up" / "7" / "x.png") << "png";
  roots.upload_dir = (scratch.path / "up").string();
  roots.output_dir = (scratch.path / "out" / "COCO").string();
  auto u = es::resolve_image("/data/upload/7/x.png", roots);
  EXPECT_EQ(u.source, es::image_source::upload);
  EXPECT_EQ(u.coco_file_name, "../../up/7/x.png");
  EXPECT_EQ(u.base_name, "x.png");
}

// Task data is user input: no value may make an export open a file outside the uploads folder and the
// local-files root (the host's database sits beside the uploads; closing any descriptor of it drops
// the process's SQLite locks).
TEST(ExportPaths, NothingOutsideTheUploadsAndTheLocalFilesRootIsRead) {
  namespace fs = std::filesystem;
  gt::scratch_dir scratch("annot_paths_contained");
  const fs::path data = scratch.path / "data", files = scratch.path / "files";
  fs::create_directories(data / "upload" / "7");
  fs::create_directories(files / "sub");
  std::ofstream(data / "annot.db") << "db";
  std::ofstream(data / "upload" / "7" / "x.png") << "png";
  std::ofstream(files / "sub" / "a.png") << "png";
  std::ofstream(scratch.path / "secret.png") << "secret";
  fs::create_symlink(scratch.path / "secret.png", files / "link.png");
  const std::string secret = (scratch.path / "secret.png").string();

  es::path_roots roots;
  roots.upload_dir = (data / "upload").string();
  for (const std::string& value : std::vector<std::string>{
           "/data/upload/../annot.db", "/data/upload/7/../../annot.db", "upload/../annot.db",
           "/upload/./x.png", "/data/upload/7/..", "/data/local-files/?d=" + secret,
           "/data/local-files/?d=sub/a.png", secret, (data / "annot.db").string()}) {
    const es::resolved_image r = es::resolve_image(value, roots);
    EXPECT_TRUE(r.local_file.empty()) << value << " -> " << r.local_file;
  }
  EXPECT_EQ(es::resolve_image("/data/upload/7/x.png", roots).source, es::image_source::upload);

  // With a root: its files, by ?d= or by path, and nothing that leaves it, through ".." or a link.
  roots.local_files_root = files.string();
  const es::resolved_image in = es::resolve_image("/data/local-files/?d=sub/a.png", roots);
  EXPECT_EQ(in.source, es::image_source::local_files);
  EXPECT_EQ(in.local_file, fs::canonical(files / "sub" / "a.png").string());
  EXPECT_EQ(es::resolve_image((files / "sub" / "a.png").string(), roots).source,
            es::image_source::local_path);
  for (const std::string& value : std::vector<std::string>{
           "/data/local-files/?d=../secret.png", "/data/local-files/?d=" + secret,
           "/data/local-files/?d=link.png", "/data/local-files/?d=sub/../../secret.png", secret,
           (files / "link.png").string(), (files / ".." / "secret.png").string()}) {
    const es::resolved_image r = es::resolve_image(value, roots);
    EXPECT_TRUE(r.local_file.empty()) << value << " -> " << r.local_file;
  }
  EXPECT_EQ(es::file_inside("", secret), "");
  EXPECT_EQ(es::file_inside("/", secret), fs::canonical(secret).string());  // Label Studio's default root
  // Downloads name a local file's copy after its value, as upstream's cache does; YOLO and VOC use it too.
  roots.download_resources = true;
  const es::resolved_image copied = es::resolve_image("/data/local-files/?d=sub/a.png", roots);
  EXPECT_EQ(copied.base_name, annot::md5::hex_of("/data/local-files/?d=sub/a.png").substr(0, 8) + "__a.png");
  EXPECT_EQ(copied.coco_file_name, "images/" + copied.base_name);
}

TEST(ExportSupport, PixelIntKeepsExactIntegersOnly) {
  EXPECT_EQ(es::pixel_int(0.0), 0);
  EXPECT_EQ(es::pixel_int(-7.0), -7);
  EXPECT_EQ(es::pixel_int(0x1p53 - 1), (1LL << 53) - 1);
  EXPECT_EQ(es::pixel_int(-(0x1p53 - 1)), -((1LL << 53) - 1));
  EXPECT_EQ(es::pixel_int(0x1p53), std::nullopt);
  EXPECT_EQ(es::pixel_int(-0x1p53), std::nullopt);
  EXPECT_EQ(es::pixel_int(1e300), std::nullopt);
  EXPECT_EQ(es::pixel_int(HUGE_VAL), std::nullopt);
  EXPECT_EQ(es::pixel_int(-HUGE_VAL), std::nullopt);
  EXPECT_EQ(es::pixel_int(std::nan("")), std::nullopt);
  // to_int64 of a double outside int64 clamps instead of the undefined cast.
  simdjson::dom::parser parser;
  simdjson::dom::element e = parser.parse(std::string_view("[1e300, -1e300, 9.3e18, -42.9]")).value();
  simdjson::dom::array a(e);
  EXPECT_EQ(es::to_int64(a.at(0).value()), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(es::to_int64(a.at(1).value()), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(es::to_int64(a.at(2).value()), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(es::to_int64(a.at(3).value()), -42);
}

// Names from task data become one segment of an entry path that the host's sinks accept.
TEST(ExportPaths, FitEntrySegmentLeavesOnlyNamesTheHostAccepts) {
  struct fit_case {
    std::string in, out;
    bool changed;
  };
  const fit_case cases[] = {{"street view.png", "street view.png", false},
                            {".hidden.txt", ".hidden.txt", false},
                            {"C:\\imgs\\a.txt", "C:_imgs_a.txt", true},
                            {"a/b.txt", "a_b.txt", true},
                            {std::string("x\0y.txt", 7), "x_y.txt", true},
                            {"", "_", true},
                            {".", "_", true},
                            {"..", "__", true},
                            {"...", "...", false}};
  for (const fit_case& c : cases) {
    std::string name = c.in;
    EXPECT_EQ(es::fit_entry_segment(name), c.changed) << c.in;
    EXPECT_EQ(name, c.out) << c.in;
    EXPECT_EQ(gt::entry_path_error("labels/" + name), "") << c.in;
  }
  // Every byte value, alone and between others.
  for (int b = 0; b < 256; ++b) {
    for (std::string name :
         {std::string(1, char(b)), "a" + std::string(1, char(b)) + "b", std::string(2, char(b))}) {
      es::fit_entry_segment(name);
      EXPECT_EQ(gt::entry_path_error("images/" + name), "") << "byte " << b;
    }
  }
}

TEST(ExportSupport, CategoryTableFromSchema) {
  json parsed = json::parse(R"({
    "label": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
              "labels": ["Car", "Person", "Tree"],
              "labels_attrs": {"Car": {"value": "Car"}, "Person": {"value": "Person"},
                               "Tree": {"value": "Tree", "category": "7"}}},
    "poly": {"type": "PolygonLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
             "labels": ["Road", "Car"], "labels_attrs": {"Road": {"value": "Road"}, "Car": {"value": "Car"}}}})");
  es::schema s = es::schema::from_json(parsed);
  es::category_table t = es::category_table::from_schema(s);
  ASSERT_EQ(t.list().size(), 4u);
  EXPECT_EQ(t.list()[0].name, "Tree");
  EXPECT_EQ(t.list()[0].id, 7);
  EXPECT_EQ(t.list()[1].name, "Car");
  EXPECT_EQ(t.list()[1].id, 0);
  EXPECT_EQ(t.list()[3].name, "Road");
  EXPECT_EQ(t.list()[3].id, 2);
  bool appended = false;
  EXPECT_EQ(t.id_of("Bicycle", &appended), 4);
  EXPECT_TRUE(appended);
  EXPECT_EQ(es::python_int(" +1_0 "), 10);
  EXPECT_FALSE(es::python_int("1.5").has_value());
}

// Upstream appends an entry per control for an explicit label and maps the name to its last id; only the
// ids the names kept are used, so an overridden id is handed out again (spec §1.7 step 1).
TEST(ExportSupport, CategoryTableListsAnExplicitLabelOncePerControl) {
  json parsed = json::parse(R"({
    "a": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
          "labels": ["Car", "dup", "Car"],
          "labels_attrs": {"Car": {"value": "Car", "category": "1"}, "dup": {"value": "dup", "category": "4"}}},
    "b": {"type": "PolygonLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
          "labels": ["Car", "dup", "word"],
          "labels_attrs": {"Car": {"value": "Car", "category": "1"}, "dup": {"value": "dup", "category": "5"},
                           "word": {"value": "word"}}}})");
  es::category_table t = es::category_table::from_schema(es::schema::from_json(parsed));
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& c : t.list()) got.emplace_back(c.id, c.name);
  const std::vector<std::pair<std::int64_t, std::string>> want = {
      {1, "Car"}, {4, "dup"}, {1, "Car"}, {5, "dup"}, {0, "word"}};
  EXPECT_EQ(got, want);
  ASSERT_NE(t.find("dup"), nullptr);
  EXPECT_EQ(t.find("dup")->id, 5);
  bool appended = false;
  EXPECT_EQ(t.id_of("unknown", &appended), 5);  // len(categories), duplicates counted
  EXPECT_TRUE(appended);
  EXPECT_EQ(t.id_of("dup", &appended), 5);
  EXPECT_FALSE(appended);
}

// schema_parts::shape (what applies_to reads) leaves out only the labels: the controls, their inputs,
// the data keys and the offering rules come out as from the whole parse. Members of the wrong type are
// skipped, and a repeated key keeps its first place with its last value, as nlohmann's parser gives it.
TEST(ExportSupport, SchemaShapeIsTheWholeSchemaWithoutLabels) {
  const std::string text = R"({
    "box": {"type": "RectangleLabels", "to_name": ["img", 7, "img2"], "inputs": [{"type": "Image", "value": "image"}, 3],
            "labels": ["Car", 5, "Bus"], "labels_attrs": {"Car": {"value": "Car"}, "Bus": {"value": "Bus"}}},
    "odd": {"type": 12, "to_name": "img", "inputs": {"type": "Image"}, "labels": "Car", "labels_attrs": []},
    "not_a_control": [1, 2],
    "cls_{{idx}}": {"type": "Choices", "type": "Taxonomy", "to_name": ["t_{{idx}}"], "regex": {"{{idx}}": ".*", "x": 1},
                    "inputs": [{"type": "Image", "valueList": "images", "value": "ignored"}], "labels": ["A"]}})";
  auto all = es::schema::parse(text);
  auto shape = es::schema::parse(text, es::schema_parts::shape);
  ASSERT_TRUE(all.ok() && shape.ok());
  ASSERT_EQ(all->controls().size(), 3u);
  ASSERT_EQ(shape->controls().size(), 3u);
  const es::schema_control& box = all->controls()[0];
  EXPECT_EQ(box.to_names, (std::vector<std::string>{"img", "img2"}));
  EXPECT_EQ(box.labels, (std::vector<std::string>{"Car", "Bus"}));
  EXPECT_EQ(box.labels_attrs.dump(), R"({"Car":{"value":"Car"},"Bus":{"value":"Bus"}})");
  ASSERT_EQ(box.inputs.size(), 1u);
  const es::schema_control& odd = all->controls()[1];
  EXPECT_EQ(odd.type, "");
  EXPECT_TRUE(odd.to_names.empty() && odd.inputs.empty() && odd.labels.empty());
  EXPECT_EQ(odd.labels_attrs.dump(), "{}");
  const es::schema_control& cls = all->controls()[2];
  EXPECT_EQ(cls.type, "Taxonomy");
  EXPECT_EQ(cls.name_parts, (std::vector<std::string>{"cls_", ""}));
  ASSERT_EQ(cls.inputs.size(), 1u);
  EXPECT_EQ(cls.inputs[0].value, "images");
  EXPECT_TRUE(cls.inputs[0].value_list);
  EXPECT_EQ(all->data_keys(), (std::vector<std::string>{"image", "images"}));
  EXPECT_TRUE(all->multi_image());
  for (std::size_t i = 0; i < 3; ++i) {
    const es::schema_control &a = all->controls()[i], &b = shape->controls()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.to_names, b.to_names);
    EXPECT_EQ(a.inputs.size(), b.inputs.size());
    EXPECT_EQ(a.name_parts, b.name_parts);
    EXPECT_TRUE(b.labels.empty());
  }
  EXPECT_EQ(shape->data_keys(), all->data_keys());
  EXPECT_EQ(shape->multi_image(), all->multi_image());
  for (const std::string& f : es::label_studio_format_order())
    EXPECT_EQ(es::label_studio_offers(*shape, f).message(), es::label_studio_offers(*all, f).message()) << f;
  EXPECT_FALSE(es::schema::parse("[1]").ok());
  EXPECT_FALSE(es::schema::parse("{").ok());
  EXPECT_TRUE(es::schema::parse("").ok());
}

// A Repeater control's from_name: exact name first, then its flags matching any run of characters,
// the rest literal; a from_name of a megabyte is answered (std::regex overflowed the stack on it).
TEST(ExportSupport, RepeaterNamesMatchTheirFlags) {
  es::schema s = es::schema::from_json(json::parse(
      R"({"box_{{idx}}.of_{{idx}}": {"type": "RectangleLabels", "to_name": ["page_{{idx}}"],
                                     "regex": {"{{idx}}": ".*"}, "inputs": [], "labels": ["A"]},
          "plain": {"type": "Choices", "to_name": ["t"], "inputs": [], "labels": ["B"]}})"));
  const auto type_of = [&](const std::string& name) {
    const es::schema_control* c = s.find(name);
    return c ? c->type : std::string("none");
  };
  EXPECT_EQ(type_of("box_{{idx}}.of_{{idx}}"), "RectangleLabels");
  EXPECT_EQ(type_of("box_0.of_0"), "RectangleLabels");
  EXPECT_EQ(type_of("box_.of_"), "RectangleLabels");
  EXPECT_EQ(type_of("box_1.of_2.of_3"), "RectangleLabels");
  EXPECT_EQ(type_of("box_1xof_2"), "none");  // the dot is literal
  EXPECT_EQ(type_of("box_1.of"), "none");
  EXPECT_EQ(type_of("xbox_1.of_2"), "none");
  EXPECT_EQ(type_of("plain"), "Choices");
  EXPECT_EQ(type_of("plainx"), "none");
  EXPECT_EQ(type_of("box_" + std::string(1 << 20, '7') + ".of_1"), "RectangleLabels");
  EXPECT_EQ(type_of("box_" + std::string(1 << 20, '7')), "none");
}

// The printed value of an optional element ("none" when absent).
std::string text_of(const std::optional<es::element>& e) { return e ? es::to_json(*e).dump() : "none"; }

TEST(ExportSupport, ItemExpansion) {
  es::schema s = es::schema::from_json(json::parse(
      R"({"label": {"type": "Labels", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}],
                    "labels": ["A"], "labels_attrs": {}}})"));
  es::task_view task;
  ASSERT_TRUE(task.parse(R"({"id": 5, "data": {"text": "x"}, "annotations": [
      {"id": 1, "completed_by": 3, "created_at": "2024-01-01", "result": [
         {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 1, "labels": ["A"]}},
         {"from_name": "ghost", "type": "labels", "value": {}}]},
      {"id": 2, "completed_by": {"email": "e@x"}, "created_at": "2024-02-01", "result": []},
      {"id": 3, "was_cancelled": true, "created_at": "2024-03-01", "result": []},
      {"id": 4, "result": [], "original_width": 5}]})"));
  es::item_views items;
  ASSERT_EQ(es::expand(task, s, items), es::task_fate::items);
  ASSERT_EQ(items.size(), 3u);
  const es::item_view* it = items.begin();
  EXPECT_EQ(it[0].task_id, 5);
  EXPECT_EQ(text_of(it[0].annotation_id), "2");  // newest first
  EXPECT_EQ(text_of(it[0].annotator()), "\"e@x\"");
  EXPECT_EQ(text_of(it[1].annotation_id), "1");
  EXPECT_EQ(text_of(it[1].annotator()), "3");
  ASSERT_EQ(it[1].output().size(), 1u);  // "ghost" is no control of the schema
  EXPECT_EQ(it[1].output()[0].from_name, "label");
  EXPECT_EQ(es::to_json(it[1].output()[0]).dump(), R"([{"start":0,"end":1,"labels":["A"],"type":"Labels"}])");
  EXPECT_EQ(text_of(it[2].annotation_id), "4");  // missing created_at sorts as the oldest
  EXPECT_EQ(text_of(it[2].annotator()), "none");
  EXPECT_EQ(text_of(it[2].data("text")), "\"x\"");

  ASSERT_TRUE(task.parse(R"({"id": 6, "annotations": [{"was_cancelled": true}, {"skipped": 1}]})"));
  EXPECT_EQ(es::expand(task, s, items), es::task_fate::all_cancelled);
  EXPECT_TRUE(items.empty());
  ASSERT_TRUE(task.parse(R"({"id": 7, "data": {}})"));
  EXPECT_EQ(es::expand(task, s, items), es::task_fate::no_annotations_key);
  ASSERT_TRUE(task.parse(R"([1])"));
  EXPECT_EQ(es::expand(task, s, items), es::task_fate::not_a_task);
  ASSERT_TRUE(task.parse(R"({"id": 8, "data": {}, "annotations": []})"));
  ASSERT_EQ(es::expand(task, s, items), es::task_fate::items);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_FALSE(items.begin()->annotation.has_value());
  EXPECT_FALSE(items.begin()->completed_by.has_value());
  EXPECT_TRUE(items.begin()->output().empty());
}

// More output groups than one annotation usually has, results of one group apart, original sizes taken from the
// result, a repeated key (last value), keys nobody reads ("meta", "drafts") passed over.
TEST(ExportSupport, ItemExpansionGroupsAndRepeatedKeys) {
  json controls = json::object();
  for (int i = 0; i < 6; ++i)
    controls["l" + std::to_string(i)] = json::parse(
        R"({"type": "Labels", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}], "labels": ["A"],
            "labels_attrs": {}})");
  es::schema s = es::schema::from_json(controls);
  std::string text = R"({"id": 9, "id": 10, "data": {"text": "abc"}, "meta": {"x": 1}, "annotations": [)";
  for (int a = 0; a < 2; ++a) {
    text += a ? "," : "";
    text += R"({"id": )" + std::to_string(a + 1) + R"(, "completed_by": {"email": "u@x"}, "created_at": "2024-0)" +
            std::to_string(a + 1) + R"(-01T00:00:00.000000Z", "updated_at": "2024-05-01T00:00:00.000000Z",
               "lead_time": 1.5, "history": [{"x": 1}], "drafts": [], "result": [)";
    for (int r = 0; r < 7; ++r)
      text += (r ? "," : "") + std::string(R"({"id": "r)") + std::to_string(r) + R"(", "from_name": "l)" +
              std::to_string(r % 6) + R"(", "type": "labels", "original_width": 10, "original_height": 20,
                 "value": {"start": 0, "end": 1, "text": "a", "labels": ["A"], "original_height": 7}})";
    text += "]}";
  }
  text += "]}";
  es::task_view task;
  ASSERT_TRUE(task.parse(text));
  EXPECT_EQ(task.id(), 10);
  es::item_views items;
  ASSERT_EQ(es::expand(task, s, items), es::task_fate::items);
  ASSERT_EQ(items.size(), 2u);
  for (const es::item_view& it : items) {
    EXPECT_EQ(it.task_id, 10);
    ASSERT_EQ(it.output().size(), 6u);
    EXPECT_EQ(it.output()[0].from_name, "l0");
    EXPECT_EQ(it.output()[0].values.size(), 2u);  // r0 and r6
    EXPECT_EQ(it.output()[5].values.size(), 1u);
    const es::value_view& v = it.output()[1].values[0];
    EXPECT_EQ(v.type(), "Labels");
    EXPECT_EQ(text_of(v.find("original_height")), "20");  // the result's, not the value's own
    std::string printed;
    v.append_ujson(printed, {0, true});
    EXPECT_EQ(printed,
              R"({"start":0,"end":1,"text":"a","labels":["A"],"original_height":20,"type":"Labels","original_width":10})");
    EXPECT_EQ(text_of(it.annotator()), "\"u@x\"");
    EXPECT_EQ(text_of(it.lead_time), "1.5");
    EXPECT_EQ(text_of(it.history), R"([{"x":1}])");
    EXPECT_EQ(text_of(it.updated_at), "\"2024-05-01T00:00:00.000000Z\"");
  }
  EXPECT_EQ(text_of(items.begin()[0].annotation_id), "2");  // newest first
  EXPECT_EQ(text_of(items.begin()[0].created_at), "\"2024-02-01T00:00:00.000000Z\"");
}

// An image's size from its header, wherever a JPEG's frame header lies: in the first 4 KiB, past them,
// past the first 64 KiB (EXIF and ICC blocks before it), or not in the file at all.
TEST(ExportSupport, ImageHeadersAreReadAsFarAsTheSizeLies) {
  gt::scratch_dir scratch("annot_support_image_headers");
  // A JPEG: SOI, APP segments of `padding` bytes in all (64 KiB at most each), SOF0 of 640x480x3, EOI.
  const auto jpeg = [](std::size_t padding, bool with_frame = true) {
    std::string b = "\xFF\xD8";
    while (padding > 0) {
      const std::size_t n = std::min<std::size_t>(padding, 60000);
      b += "\xFF\xE1";
      b.push_back(static_cast<char>((n + 2) >> 8));
      b.push_back(static_cast<char>((n + 2) & 0xFF));
      b.append(n, 'x');
      padding -= n;
    }
    if (with_frame) b += std::string("\xFF\xC0\x00\x11\x08\x01\xE0\x02\x80\x03", 10) + std::string(15, '\0');
    return b + "\xFF\xD9";
  };
  const auto file = [&](const std::string& name, const std::string& bytes) {
    const std::filesystem::path p = scratch.path / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  };
  for (std::size_t padding : {0, 1000, 5000, 70000, 200000}) {
    SCOPED_TRACE(padding);
    std::optional<es::image_info> info = es::read_image_info(file("photo.jpg", jpeg(padding)));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->width, 640);
    EXPECT_EQ(info->height, 480);
    EXPECT_EQ(info->bands, 3);
    EXPECT_FALSE(es::read_image_info(file("frameless.jpg", jpeg(padding, false))));
    // Cut inside the frame header: no size, not a wrong one.
    const std::string whole = jpeg(padding);
    EXPECT_FALSE(es::read_image_info(file("cut.jpg", whole.substr(0, whole.size() - 20))));
  }
  std::string png = std::string("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
  png += std::string("\x00\x00\x01\x2c\x00\x00\x00\xc8\x08\x02\x00\x00\x00", 13);  // 300x200 RGB
  std::optional<es::image_info> info = es::read_image_info(file("small.png", png + std::string(8000, '\0')));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->width, 300);
  EXPECT_EQ(info->height, 200);
  EXPECT_FALSE(es::read_image_info((scratch.path / "missing.png").string()));
  EXPECT_FALSE(es::read_image_info(file("empty.png", "")));
  EXPECT_FALSE(es::read_image_info(scratch.path.string()));  // a folder
}

// A path is new until recorded, by add() or exchange(), before and after the table is built; a path
// recorded again holds its last content, added ones in the order they came.
TEST(ExportSupport, PathHashesRememberEveryPathAndItsLastContent) {
  es::path_hashes<es::no_content> files;
  files.add("labels/a.txt");
  files.add("labels/b.txt");
  EXPECT_TRUE(files.exchange("labels/a.txt"));
  EXPECT_FALSE(files.exchange("labels/c.txt"));
  EXPECT_TRUE(files.exchange("labels/c.txt"));
  files.add("labels/d.txt");  // after the table is built
  EXPECT_TRUE(files.exchange("labels/d.txt"));
  EXPECT_TRUE(files.exchange("labels/b.txt"));
  EXPECT_FALSE(files.exchange(""));
  EXPECT_TRUE(files.exchange(""));

  es::path_hashes<std::uint64_t> copies;
  copies.add("images/x.png", 1);
  copies.add("images/x.png", 2);
  EXPECT_EQ(copies.exchange("images/x.png", 3), std::optional<std::uint64_t>(2));
  EXPECT_EQ(copies.exchange("images/x.png", 4), std::optional<std::uint64_t>(3));
  EXPECT_EQ(copies.exchange("images/y.png", 0), std::nullopt);
  EXPECT_EQ(copies.exchange("images/y.png", 5), std::optional<std::uint64_t>(0));

  // Many paths, half added before the first lookup and half after, through several rehashes.
  es::path_hashes<std::uint64_t> many;
  const auto name = [](int i) { return "labels/" + std::to_string(i) + ".txt"; };
  for (int i = 0; i < 100000; ++i) many.add(name(i), static_cast<std::uint64_t>(i));
  EXPECT_EQ(many.exchange(name(0), 7), std::optional<std::uint64_t>(0));
  for (int i = 100000; i < 200000; ++i) many.add(name(i), static_cast<std::uint64_t>(i));
  for (int i = 1; i < 200000; i += 997)
    EXPECT_EQ(many.exchange(name(i), 1), std::optional<std::uint64_t>(static_cast<std::uint64_t>(i))) << i;
  EXPECT_EQ(many.exchange(name(0), 8), std::optional<std::uint64_t>(7));
  for (int i = 200000; i < 200100; ++i) EXPECT_EQ(many.exchange(name(i), 1), std::nullopt) << i;
}

namespace {

// Runs `ops` random add()s and exchange()s over `names` paths on a path_hashes holding `in_memory` paths,
// a long run of add()s first (as YOLO's label files come), and checks every answer against a map.
template <class Value>
void check_against_a_map(std::size_t in_memory, int names, int ops, std::uint32_t seed) {
  es::path_hashes<Value> hashes(in_memory);
  std::map<std::string, Value> model;
  std::mt19937 random(seed);
  const auto value = [&]() {
    if constexpr (std::is_same_v<Value, es::no_content>)
      return es::no_content{};
    else
      return static_cast<Value>(random() % 4);  // few values: "the same content again" happens
  };
  for (int i = 0; i < ops; ++i) {
    const std::uint32_t n = random() % static_cast<std::uint32_t>(names);
    const std::string path = "labels/" + std::to_string(n) + ".txt";
    const Value content = value();
    if (i < ops / 4 || random() % 3 == 0) {
      hashes.add(path, content);
    } else {
      const auto known = model.find(path);
      const std::optional<Value> expected =
          known == model.end() ? std::nullopt : std::optional<Value>(known->second);
      ASSERT_EQ(hashes.exchange(path, content), expected) << "op " << i << ", " << path;
    }
    model[path] = content;
  }
  // Runs merge as a binary counter does: about log2(paths written / paths in memory) of them, never more.
  EXPECT_GT(hashes.runs_on_disk(), 0u);
  EXPECT_LE(hashes.runs_on_disk(), static_cast<std::size_t>(std::log2(double(ops) / double(in_memory))) + 2);
  for (const auto& [path, content] : model) ASSERT_EQ(hashes.exchange(path, content), content) << path;
}

}  // namespace

// Beyond the paths it holds in memory, a path_hashes puts them into sorted runs on disk: every answer is
// still the one a map of every path gives, through spills of the added paths, of the table, and merges.
TEST(ExportSupport, PathHashesBeyondMemoryAnswerAsAMapWould) {
  check_against_a_map<es::no_content>(5, 300, 4000, 1);
  check_against_a_map<std::uint64_t>(5, 300, 4000, 2);
  check_against_a_map<std::uint64_t>(64, 5000, 40000, 3);
  check_against_a_map<es::no_content>(1000, 100000, 100000, 4);  // mostly new paths
}

namespace {

// Sets TMPDIR for the scope, and puts back what it was.
struct tmpdir_set {
  explicit tmpdir_set(const std::string& dir) {
    if (const char* was = std::getenv("TMPDIR")) before = was;
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  ~tmpdir_set() {
    if (before)
      ::setenv("TMPDIR", before->c_str(), 1);
    else
      ::unsetenv("TMPDIR");
  }
  std::optional<std::string> before;
};

}  // namespace

// Exporters' temporary files go where TMPDIR says, unnamed (nothing to clean up); a folder that cannot hold
// them fails the export with its name and the system's reason, rather than a bare "cannot create".
TEST(ExportSupport, ScratchFilesGoWhereTmpdirSays) {
  namespace fs = std::filesystem;
  gt::scratch_dir scratch("annot_support_scratch");
  const fs::path dir = scratch.path / "tmp";
  fs::create_directories(dir);
  {
    tmpdir_set tmp(dir.string());
    es::scratch_file f = es::open_scratch_file();
    ASSERT_TRUE(f);
    ASSERT_EQ(std::fwrite("kept", 1, 4, f.get()), 4u);
    std::rewind(f.get());
    char back[4] = {};
    ASSERT_EQ(std::fread(back, 1, 4, f.get()), 4u);
    EXPECT_EQ(std::string(back, 4), "kept");
    EXPECT_TRUE(fs::is_empty(dir));  // unnamed
    // Files that spill or keep paths beyond memory use them too.
    es::spill_file spill(8);
    spill.buffer() = "more than eight bytes";
    spill.maybe_spill();
    EXPECT_TRUE(spill.spilled());
    es::path_hashes<es::no_content> paths(2);
    for (int i = 0; i < 10; ++i) paths.add("labels/" + std::to_string(i) + ".txt");
    EXPECT_GT(paths.runs_on_disk(), 0u);
    EXPECT_TRUE(fs::is_empty(dir));
  }
  // A folder no file can be made in, even by root: sysfs.
  const std::string unusable = "/sys";
  tmpdir_set tmp(unusable);
  const auto said = [&](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(nothing thrown)";
  };
  const std::string opening = said([] { es::open_scratch_file(); });
  EXPECT_NE(opening.find("cannot create a temporary file in " + unusable + " (TMPDIR chooses another folder): "),
            std::string::npos)
      << opening;
  es::spill_file spill(8);
  spill.buffer() = "less";
  spill.maybe_spill();  // below the limit: no file needed, so no error
  EXPECT_FALSE(spill.spilled());
  spill.buffer() += " than enough";
  EXPECT_NE(said([&] { spill.maybe_spill(); }).find(unusable), std::string::npos);
  es::path_hashes<es::no_content> paths(2);
  paths.add("a");
  EXPECT_NE(said([&] { paths.add("b"); }).find(unusable), std::string::npos);
}

// The newest run holding a key answers for it, across merges; keys below, between and above the runs'
// are absent.
TEST(ExportSupport, SortedRunsFindTheNewestRecordOfAKey) {
  struct record {
    std::uint64_t key, value;
  };
  es::sorted_runs runs(sizeof(record));
  record found{};
  EXPECT_FALSE(runs.find(1, &found));
  // Run r holds the even keys 2..2000 (1,000 records, several blocks) with the value r, and the key
  // 5001 + r.
  const auto check = [&](std::uint64_t newest) {
    for (std::uint64_t k = 0; k <= 2002; ++k) {
      const bool has = runs.find(k, &found);
      ASSERT_EQ(has, k >= 2 && k <= 2000 && k % 2 == 0) << k;
      if (has) {
        EXPECT_EQ(found.key, k);
        EXPECT_EQ(found.value, newest) << k;
      }
    }
    for (std::uint64_t r = 0; r <= newest; ++r) {
      ASSERT_TRUE(runs.find(5001 + r, &found));
      EXPECT_EQ(found.value, r);
    }
  };
  for (std::uint64_t r = 0; r < 8; ++r) {
    std::vector<record> run;
    for (std::uint64_t k = 2; k <= 2000; k += 2) run.push_back({k, r});
    run.push_back({5001 + r, r});
    runs.add(run.data(), run.size());
    if (r == 6) {
      EXPECT_EQ(runs.runs(), 3u);  // 7 = 4 + 2 + 1
      check(6);
    }
  }
  EXPECT_EQ(runs.runs(), 1u);  // all merged: the newest record of each key is the one kept
  check(7);
  EXPECT_FALSE(runs.find(5000, &found));
  EXPECT_FALSE(runs.find(~std::uint64_t{0}, &found));
  runs.add(nullptr, 0);  // an empty run is no run
  EXPECT_EQ(runs.runs(), 1u);
}

namespace {

// Records the files a sink is asked to copy, and copies them as the host does (a missing source is
// errc::not_found).
struct copy_recording_sink final : annot::export_sink {
  std::vector<std::pair<std::string, std::string>> copies;  // entry, source
  std::map<std::string, std::string> entries;               // entry -> bytes
  annot::result<annot::output_stream*> open(std::string_view) override {
    return annot::status(annot::errc::unsupported, "not used");
  }
  annot::status add_directory(std::string_view) override { return {}; }
  annot::status add_file(std::string_view path, std::string_view source) override {
    std::ifstream in{std::string(source), std::ios::binary};
    if (!in) return annot::status(annot::errc::not_found, std::string(source));
    copies.emplace_back(path, source);
    entries[std::string(path)] = std::string(std::istreambuf_iterator<char>(in), {});
    return {};
  }
};

}  // namespace

// A file is copied once into its entry however many tasks name it; another file of the same name
// replaces it (the later one is kept, as Label Studio's shutil.copy keeps it), with a warning naming it.
TEST(ExportSupport, ResourceCopiesCopyEachFileOnceAndKeepTheLaterOfTwo) {
  gt::scratch_dir scratch("annot_support_resource_copies");
  const std::string first = (scratch.path / "first.png").string();
  const std::string second = (scratch.path / "second.png").string();
  std::ofstream(first) << "first";
  std::ofstream(second) << "second";
  copy_recording_sink sink;
  gt::collected_log log;
  es::resource_copies copies;
  ASSERT_TRUE(copies.copy(sink, log, "images/same.png", first).ok());
  ASSERT_TRUE(copies.copy(sink, log, "images/same.png", first).ok());
  ASSERT_TRUE(copies.copy(sink, log, "images/other.png", first).ok());
  EXPECT_EQ(sink.copies.size(), 2u);
  EXPECT_TRUE(log.warnings.empty());

  ASSERT_TRUE(copies.copy(sink, log, "images/same.png", second).ok());
  EXPECT_EQ(sink.entries["images/same.png"], "second");
  ASSERT_EQ(log.warnings.size(), 1u);
  const std::string said = "images/same.png: two files of that name; the later one, " + second;
  EXPECT_NE(log.warnings[0].find(said), std::string::npos) << log.warnings[0];
  ASSERT_TRUE(copies.copy(sink, log, "images/same.png", second).ok());
  ASSERT_TRUE(copies.copy(sink, log, "images/same.png", first).ok());  // back to the first: copied again
  EXPECT_EQ(sink.entries["images/same.png"], "first");
  EXPECT_EQ(sink.copies.size(), 4u);
  EXPECT_EQ(log.warnings.size(), 2u);

  // A file that cannot be read is left out with a warning; the export goes on.
  ASSERT_TRUE(copies.copy(sink, log, "images/gone.png", (scratch.path / "gone.png").string()).ok());
  EXPECT_EQ(sink.entries.count("images/gone.png"), 0u);
  ASSERT_EQ(log.warnings.size(), 3u);
  EXPECT_NE(log.warnings[2].find("cannot be read; left out"), std::string::npos) << log.warnings[2];
}

// Label Studio's offered list for every golden case's config, from the manifest.
TEST(ExportSupport, OfferedFormatsMatchTheManifest) {
  if (!es::testing::converter_fixtures()) GTEST_SKIP() << es::testing::fixtures_missing_reason();
  std::set<std::string> seen;
  for (const auto& run : es::testing::golden_runs()) {
    if (!seen.insert(run.case_name).second) continue;
    es::testing::run_input in = es::testing::load_input(run);
    es::schema s = es::schema::from_json(json::parse(in.parsed_config));
    std::vector<std::string> offered;
    for (const auto& f : es::label_studio_format_order()) {
      if (f == "SPACY") continue;
      // Annot leaves these out (spec §4 rows 3 and 5); compare the rest with Label Studio.
      if (f == "CSV_OLD" || f == "DOCLANG") continue;
      if (es::label_studio_offers(s, f).ok()) offered.push_back(f);
    }
    std::vector<std::string> expected;
    bool repeater = run.case_name == "json_min_repeater";
    for (const auto& f : run.offered_formats) {
      if (f == "CSV_OLD" || f == "DOCLANG") continue;
      if (repeater && f != "JSON" && f != "JSON_MIN" && f != "CSV" && f != "TSV") continue;
      expected.push_back(f);
    }
    // Label Studio stable-sorts enabled first; compare as sets in enum order.
    std::vector<std::string> expected_sorted;
    for (const auto& f : es::label_studio_format_order())
      if (std::find(expected.begin(), expected.end(), f) != expected.end()) expected_sorted.push_back(f);
    EXPECT_EQ(offered, expected_sorted) << run.case_name;
  }
  EXPECT_GE(seen.size(), 15u);
}
