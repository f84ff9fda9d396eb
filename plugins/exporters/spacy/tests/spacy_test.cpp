// The SPACY exporter on generated tasks (Label Studio has no such format, so no goldens) and on
// the NER fixtures (every live annotation gives one line whose entities cover the spans).
#include <annot/plugin.h>

#include <sstream>

#include "golden_gtest.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_spacy_entry(void);

namespace t = annot::plugins::export_support::testing;
using nlohmann::json;

namespace {
annot::exporter_spec spec() {
  auto r = t::load_exporters(annot_plugin_spacy_entry());
  EXPECT_TRUE(r.ok());
  return std::move(r.value()[0]);
}
using t::slurp;
const char* ner_schema = R"({"label": {"type": "Labels", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}],
    "labels": ["PER", "LOC"], "labels_attrs": {}}})";
}  // namespace

TEST(SpacyExporter, OfferedForTextLabelsOnly) {
  auto s = spec();
  EXPECT_TRUE(s.factory->applies_to("SPACY", {"", ner_schema}).ok());
  annot::status image = s.factory->applies_to(
      "SPACY", {"", R"({"l": {"type": "RectangleLabels", "to_name": ["i"], "inputs": [{"type": "Image", "value": "image"}],
                         "labels": [], "labels_attrs": {}}})"});
  EXPECT_FALSE(image.ok());
  EXPECT_NE(image.message().find("Text"), std::string::npos);
}

TEST(SpacyExporter, CodePointOffsetsOverlapsAndSkips) {
  auto s = spec();
  t::scratch_dir dir("annot-spacy-gen");
  // "Hi 😀 Bob": Label Studio saves offsets in code points (the emoji is one), as spaCy reads them.
  std::vector<std::string> tasks = {
      R"({"id": 1, "data": {"text": "Hi \ud83d\ude00 Bob in Paris"}, "annotations": [{"id": 1, "created_at": "2024",
          "result": [{"from_name": "label", "type": "labels", "value": {"start": 12, "end": 17, "labels": ["LOC"]}},
                     {"from_name": "label", "type": "labels", "value": {"start": 5, "end": 8, "labels": ["PER"]}},
                     {"from_name": "label", "type": "labels", "value": {"start": 6, "end": 8, "labels": ["PER"]}},
                     {"from_name": "label", "type": "labels", "value": {"start": 3, "end": 4, "labels": ["X"]}},
                     {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["Y"]}},
                     {"from_name": "label", "type": "labels", "value": {"start": 12, "end": 18, "labels": ["LOC"]}},
                     {"from_name": "label", "type": "labels", "value": {"start": 1, "end": 1, "labels": ["X"]}},
                     {"from_name": "label", "type": "labels", "value": {"labels": ["PER"]}}]}]})",
      R"({"id": 2, "data": {"text": "nothing"}, "annotations": []})",
      R"({"id": 3, "data": {"text": "empty"}, "annotations": [{"id": 2, "result": []}]})",
      R"({"id": 4, "data": {"text": "cancelled"}, "annotations": [{"id": 3, "was_cancelled": true, "result": []}]})"};
  t::memory_cursor cursor(tasks);
  t::directory_sink sink(dir.path);
  t::collected_log log;
  auto ex = s.factory->create("SPACY");
  annot::export_request req;
  req.format = "SPACY";
  req.config.parsed_config = ner_schema;
  ASSERT_TRUE((*ex)->run(req, cursor, sink, log).ok());
  ASSERT_TRUE(sink.close().ok());
  EXPECT_EQ(slurp(dir.path / "result.jsonl"),
            "{\"text\": \"Hi \xF0\x9F\x98\x80 Bob in Paris\", \"entities\": [[0, 3, \"Y\"], [3, 4, \"X\"], "
            "[5, 8, \"PER\"], "
            "[12, 17, \"LOC\"]]}\n"
            "{\"text\": \"empty\", \"entities\": []}\n");
  // The overlapping span, the one past the end of the text (17 code points), the empty span, the span without
  // offsets.
  EXPECT_EQ(log.skips.size(), 4u);
}

// Odd input read as Label Studio's JSON reads it: escapes in the text and labels, a repeated key (the last value
// counts), numbers that are not integers, a non-string text or label, annotations newest first, no annotations key.
TEST(SpacyExporter, EscapesRepeatedKeysAndOddValues) {
  auto s = spec();
  t::scratch_dir dir("annot-spacy-odd");
  std::vector<std::string> tasks = {
      R"({"id": 1, "data": {"text": "A \"q\"\nb/c \u00e9 \u0001 Bob"}, "annotations": [
          {"id": 1, "created_at": "2024-01", "result": [
             {"from_name": "label", "type": "labels", "value": {"start": 99, "start": 14, "end": 17, "labels": ["P\"é/"]}},
             {"from_name": "label", "type": "labels", "value": {"start": 0.0, "end": 1, "labels": ["PER"]}},
             {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 1, "labels": [7]}},
             {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 1, "labels": []}},
             {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 40, "labels": ["PER"]}},
             {"from_name": "label", "type": "labels", "value": {"start": 18446744073709551615, "end": 1, "labels": ["PER"]}},
             {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 1, "labels": ["PER", "LOC"]}}]},
          {"id": 2, "created_at": "2024-02", "completed_by": 3, "result": [
             {"from_name": "other", "type": "labels", "value": {"start": 0, "end": 1, "labels": ["PER"]}}]}]})",
      R"({"id": 2, "data": {"text": 5}, "annotations": [{"id": 3, "result": []}]})",
      R"({"id": 3, "data": {"text": "no key"}})",
      R"({"id": 4, "data": {"text": "x"}, "annotations": [{"id": 4, "result": [], "result": [
          {"from_name": "label", "type": "labels", "value": {"start": 0, "end": 1, "labels": ["LOC"]}}]}]})"};
  t::memory_cursor cursor(tasks);
  t::directory_sink sink(dir.path);
  t::collected_log log;
  auto ex = s.factory->create("SPACY");
  annot::export_request req;
  req.format = "SPACY";
  req.config.parsed_config = ner_schema;
  ASSERT_TRUE((*ex)->run(req, cursor, sink, log).ok());
  ASSERT_TRUE(sink.close().ok());
  // The newest annotation first: its only group is not a control, so no entities.
  EXPECT_EQ(slurp(dir.path / "result.jsonl"),
            R"({"text": "A \"q\"\nb/c é \u0001 Bob", "entities": []}
{"text": "A \"q\"\nb/c é \u0001 Bob", "entities": [[0, 1, "PER"], [14, 17, "P\"é/"]]}
{"text": "x", "entities": [[0, 1, "LOC"]]}
)");
  std::string skips;
  for (const auto& sk : log.skips) skips += std::to_string(sk.first) + ": " + sk.second + "\n";
  EXPECT_EQ(skips,
            "1: a span without integer start/end offsets\n1: a span outside the text\n1: a span outside the text\n"
            "2: no text under data key 'text'\n3: the task has no annotations key\n");
}

TEST(SpacyExporter, NerFixturesGiveOneLinePerLiveAnnotation) {
  if (!t::converter_fixtures()) GTEST_SKIP() << t::fixtures_missing_reason();
  auto s = spec();
  t::scratch_dir dir("annot-spacy-fixtures");
  int checked = 0;
  for (const t::golden_run& run : t::golden_runs("CONLL2003")) {
    t::golden_run spacy_run = run;
    spacy_run.format = "SPACY";
    std::filesystem::path out = dir.path / run.case_name;
    t::run_outcome outcome = t::run_exporter(*s.factory, spacy_run, out);
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
    // Expected lines: every live annotation, newest first, counted from the input.
    t::run_input in = t::load_input(run);
    std::size_t expected = 0;
    for (const auto& text : in.tasks) {
      json task = json::parse(text);
      for (const auto& a : task.value("annotations", json::array()))
        if (!a.value("was_cancelled", false)) ++expected;
    }
    std::istringstream lines(slurp(out / "result.jsonl"));
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line); ++n) {
      json j = json::parse(line);
      ASSERT_TRUE(j["text"].is_string());
      std::size_t chars = 0;  // code points
      for (unsigned char c : j["text"].get<std::string>()) chars += (c & 0xC0) != 0x80;
      for (const auto& e : j["entities"]) {
        EXPECT_LE(e[0].get<std::size_t>(), e[1].get<std::size_t>());
        EXPECT_LE(e[1].get<std::size_t>(), chars);
      }
    }
    EXPECT_EQ(n, expected) << run.case_name;
    ++checked;
  }
  EXPECT_GE(checked, 2);
}
