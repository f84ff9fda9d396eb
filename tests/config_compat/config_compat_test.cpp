// Every config in ../shared/fixtures/ls-editor-examples/ is accepted (or refused exactly as Label
// Studio's server refuses it), and every stored annotation/prediction result has no errors; the
// rule breaks some of them carry are listed here as expected.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "config/linked_plugins.hpp"
#include "config/model.hpp"
#include "config/parsed_config.hpp"
#include "config/results.hpp"
#include "config/task_data.hpp"

namespace {

namespace fs = std::filesystem;
using namespace annot::host::config;
using json = nlohmann::json;

const fs::path examples = fs::path(ANNOT_FIXTURES_DIR) / "ls-editor-examples";

// Configs Label Studio's own server refuses, with its message.
const std::map<std::string, std::string> refused_by_label_studio = {
    {"dialogue_analysis/config.xml", "Validation failed on View/TextArea: 'toName' is a required property"},
};

// Rule breaks stored results carry: "<example>/annotations/<file>" -> (path, message substring).
// Label Studio stores such results; they must be reported as rule breaks, never as errors.
const std::multimap<std::string, std::pair<std::string, std::string>> expected_rule_breaks = {
    // Predictions made for another config ("tag" is no control here).
    {"classification_mixed/annotations/1.json",
     {"predictions[0].result[0].from_name", "\"tag\" names no control tag in the config"}},
    {"classification_mixed/annotations/1.json",
     {"predictions[1].result[0].from_name", "\"tag\" names no control tag in the config"}},
    {"image_ocr/annotations/1.json", {"annotations[0].result[0].from_name", "\"tag\" names no control tag"}},
    {"image_ocr/annotations/1.json", {"predictions[0].result[0].from_name", "\"tag\" names no control tag"}},
    {"image_ocr/annotations/1.json", {"predictions[1].result[0].from_name", "\"tag\" names no control tag"}},
    // The config names its tool magicwand_1; the stored results say magicwand_tool_1.
    {"image_magic_wand/annotations/1.json",
     {"annotations[0].result[0].from_name", "\"magicwand_tool_1\" names no control tag"}},
    {"image_magic_wand/annotations/1.json",
     {"annotations[0].result[2].from_name", "\"magicwand_tool_1\" names no control tag"}},
    // An older editor typed a Labels result on a brush region "brushlabels".
    {"image_segmentation/annotations/1.json",
     {"annotations[0].result[0].type", "is \"brushlabels\", but <Labels name=\"tag\"> produces results of type \"labels\""}},
    // Labels from another example's config.
    {"rich_text_plain/annotations/1.json",
     {"annotations[0].result[0].value.labels[0]", "\"Date\" is not a label of <Labels name=\"label\">"}},
    // Copied from the table example: its object was called "menu".
    {"table_csv/annotations/0.json", {"annotations[0].result[0].to_name", "\"menu\" names no tag in the config"}},
    // Boxes drawn upwards: negative heights, which Label Studio keeps.
    {"video_bboxes/annotations/1.json", {"annotations[0].result[1].value.sequence[0].height", "drawn backwards"}},
    {"video_bboxes/annotations/1.json", {"annotations[0].result[1].value.sequence[1].height", "drawn backwards"}},
    {"video_bboxes/annotations/1.json", {"annotations[0].result[1].value.sequence[2].height", "drawn backwards"}},
    {"video_bboxes/annotations/1.json", {"annotations[0].result[1].value.sequence[3].height", "drawn backwards"}},
};

// Which plugin owns each object/control tag the examples use, to say what a tree without it lacks.
const std::map<std::string, std::string> owner_of = {
    {"Image", "image"}, {"RectangleLabels", "image"}, {"PolygonLabels", "image"}, {"EllipseLabels", "image"},
    {"KeyPointLabels", "image"}, {"BrushLabels", "image"}, {"Rectangle", "image"}, {"Polygon", "image"},
    {"Ellipse", "image"}, {"KeyPoint", "image"}, {"Brush", "image"}, {"MagicWand", "image"},
    {"Text", "text"}, {"Paragraphs", "text"}, {"ParagraphLabels", "text"}, {"Table", "text"},
    {"HyperText", "html"}, {"HyperTextLabels", "html"}, {"Audio", "audio"}, {"AudioPlus", "audio"},
    {"Video", "video"}, {"VideoRectangle", "video"}, {"TimelineLabels", "video"},
    {"TimeSeries", "timeseries"}, {"Channel", "timeseries"}, {"TimeSeriesLabels", "timeseries"}};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> config_files() {
  std::vector<std::string> out;
  if (!fs::exists(examples)) return out;
  for (const auto& dir : fs::directory_iterator(examples)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path()))
      if (f.path().extension() == ".xml") out.push_back(dir.path().filename().string() + "/" + f.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Missing plugins a config needs, from its unknown-tag errors; empty when none.
std::set<std::string> missing_plugins(const compiled_config& c) {
  std::set<std::string> out;
  auto linked = linked_plugin_names();
  for (const auto& e : c.errors) {
    if (e.code != "unknown_tag") continue;
    auto it = owner_of.find(e.tag);
    if (it != owner_of.end() && std::find(linked.begin(), linked.end(), it->second) == linked.end())
      out.insert(it->second);
  }
  return out;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

class Fixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!fs::exists(examples)) GTEST_SKIP() << "Label Studio fixtures not found at " << examples << "; skipping";
  }
};

TEST_P(Fixture, ConfigAndStoredResults) {
  const std::string rel = GetParam();
  const fs::path config_path = examples / rel;
  compiled_config c = compile_config(read(config_path), linked_catalog());
  if (auto missing = missing_plugins(c); !missing.empty())
    GTEST_SKIP() << rel << " needs plugin(s) not built in this tree: " << join(missing);

  if (auto it = refused_by_label_studio.find(rel); it != refused_by_label_studio.end()) {
    ASSERT_FALSE(c.errors.empty()) << rel << " should be refused like Label Studio refuses it";
    EXPECT_EQ(c.errors.front().message, it->second);
    return;
  }
  for (const auto& e : c.errors) ADD_FAILURE() << rel << ": " << describe(e);
  for (const auto& w : c.warnings) std::cout << "  [warning] " << rel << ": " << describe(w) << "\n";
  ASSERT_TRUE(c.model);
  // parsed_label_config covers every control with a name and toName.
  auto parsed = parsed_label_config(*c.model);
  for (const auto& ctl : c.model->controls()) {
    if (!ctl.inst.tag.name.empty() && !ctl.inst.to_names.empty()) {
      EXPECT_TRUE(parsed.contains(ctl.inst.tag.name)) << rel << ": " << ctl.inst.tag.name;
    }
  }

  // The example's tasks fit its data keys.
  const fs::path dir = config_path.parent_path();
  if (rel.find("config.xml") != std::string::npos && fs::exists(dir / "tasks.json")) {
    json tasks = json::parse(read(dir / "tasks.json"), nullptr, false);
    if (tasks.is_array()) {
      for (std::size_t i = 0; i < tasks.size(); ++i)
        for (const auto& m : check_task(*c.model, tasks[i])) ADD_FAILURE() << rel << " tasks.json[" << i << "]: " << m;
    }
  }

  // Stored results: no errors; rule breaks only as listed.
  if (config_path.filename() != "config.xml") return;  // the stored annotations belong to config.xml
  if (!fs::exists(dir / "annotations")) return;
  for (const auto& f : fs::directory_iterator(dir / "annotations")) {
    std::string key = dir.filename().string() + "/annotations/" + f.path().filename().string();
    json doc = json::parse(read(f.path()), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << key;
    json data = doc.contains("data") && doc["data"].is_object() && !doc["data"].empty() ? doc["data"] : json();
    std::multiset<std::pair<std::string, std::string>> expected;
    auto [lo, hi] = expected_rule_breaks.equal_range(key);
    for (auto it = lo; it != hi; ++it) expected.insert(it->second);
    for (const char* list : {"annotations", "completions", "predictions"}) {
      if (!doc.contains(list)) continue;
      for (std::size_t i = 0; i < doc[list].size(); ++i) {
        result_check_options o;
        o.base_path = std::string(list) + "[" + std::to_string(i) + "].result";
        o.task_data = data.is_null() ? nullptr : &data;
        auto report = validate_results(*c.model, doc[list][i]["result"], o);
        for (const auto& issue : report.issues) {
          if (issue.level == annot::severity::error) {
            ADD_FAILURE() << key << ": " << issue.path << ": error: " << issue.message;
            continue;
          }
          auto match = std::find_if(expected.begin(), expected.end(), [&](const auto& e) {
            return e.first == issue.path && issue.message.find(e.second) != std::string::npos;
          });
          if (match == expected.end())
            ADD_FAILURE() << key << ": unexpected rule break " << issue.path << ": " << issue.message;
          else
            expected.erase(match);
        }
      }
    }
    for (const auto& e : expected) ADD_FAILURE() << key << ": expected rule break not reported: " << e.first << ": " << e.second;
  }
}

INSTANTIATE_TEST_SUITE_P(LsEditorExamples, Fixture, ::testing::ValuesIn(config_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Fixture);

TEST(FixturesPresent, OrSkipped) {
  if (!fs::exists(examples)) GTEST_SKIP() << "Label Studio fixtures not found at " << examples << "; skipping";
  EXPECT_GE(config_files().size(), 46u);
}

}  // namespace
