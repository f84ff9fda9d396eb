// The JSON_MIN exporter: golden runs byte for byte, and generated tasks.
#include <annot/plugin.h>

#include "golden_gtest.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_json_min_entry(void);

namespace t = annot::plugins::export_support::testing;

namespace {
annot::exporter_spec spec() {
  auto r = t::load_exporters(annot_plugin_json_min_entry());
  EXPECT_TRUE(r.ok());
  return std::move(r.value()[0]);
}
using t::slurp;
std::string run(const annot::exporter_spec& s, std::vector<std::string> tasks, const std::string& parsed,
                const std::filesystem::path& dir, t::collected_log& log) {
  t::memory_cursor cursor(std::move(tasks));
  t::directory_sink sink(dir);
  auto ex = s.factory->create("JSON_MIN");
  annot::export_request req;
  req.format = "JSON_MIN";
  req.config.parsed_config = parsed;
  annot::status st = (*ex)->run(req, cursor, sink, log);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(sink.close().ok());
  return slurp(dir / "result.json");
}
}  // namespace

TEST(JsonMinExporter, GoldenRunsByteForByte) {
  if (!t::converter_fixtures()) GTEST_SKIP() << t::fixtures_missing_reason();
  auto s = spec();
  t::scratch_dir dir("annot-json-min-golden");
  EXPECT_GE(t::expect_golden_runs(*s.factory, "JSON_MIN", false, dir.path), 15);
}

TEST(JsonMinExporter, GeneratedChoicesTextAreaAndEmpty) {
  auto s = spec();
  t::scratch_dir dir("annot-json-min-gen");
  t::collected_log log;
  std::string parsed = R"({"c": {"type": "Choices", "to_name": ["t"], "inputs": [{"type": "Text", "value": "text"}],
      "labels": ["a", "b"], "labels_attrs": {}},
    "ta": {"type": "TextArea", "to_name": ["t"], "inputs": [{"type": "Text", "value": "text"}], "labels": [],
      "labels_attrs": {}}})";
  std::vector<std::string> tasks = {
      R"({"id": 1, "data": {"text": "x/y"}, "annotations": [{"id": 9, "completed_by": 4, "created_at": "2024",
         "result": [{"from_name": "c", "type": "choices", "value": {"choices": ["a", "b"]}},
                    {"from_name": "ta", "type": "textarea", "value": {"text": ["one"]}}], "lead_time": 1e-5}]})",
      R"({"id": 2, "data": {"text": "none"}, "annotations": []})",
      R"({"id": 3, "data": {"text": "gone"}})"};
  std::string out = run(s, tasks, parsed, dir.path, log);
  EXPECT_EQ(out,
            "[\n{\n  \"text\": \"x\\/y\",\n  \"id\": 1,\n  \"c\": {\n    \"choices\": [\n      \"a\",\n      \"b\"\n"
            "    ]\n  },\n  \"ta\": \"one\",\n  \"annotator\": 4,\n  \"annotation_id\": 9,\n  \"created_at\": "
            "\"2024\",\n  \"updated_at\": null,\n  \"lead_time\": 1e-5\n},\n{\n  \"text\": \"none\",\n  \"id\": 2,\n"
            "  \"annotator\": null,\n  \"annotation_id\": null,\n  \"created_at\": null,\n  \"updated_at\": null,\n"
            "  \"lead_time\": null\n}\n]");
  ASSERT_EQ(log.skips.size(), 1u);
  EXPECT_EQ(log.skips[0].first, 3);

  t::collected_log log2;
  EXPECT_EQ(run(s, {}, "{}", dir.path / "empty", log2), "[\n\n]");
}

// upstream's get_annotator(item, int_id=True) gives str() of a completed_by that is neither an integer nor an
// object: "None" for a deleted user's null, a string as it is; an object without "email" gives null.
TEST(JsonMinExporter, AnnotatorOfNullStringAndObjectCompletedBy) {
  auto s = spec();
  t::scratch_dir dir("annot-json-min-annotator");
  t::collected_log log;
  std::vector<std::string> tasks;
  for (const char* by : {"null", "\"ann\"", "{}", "{\"email\": \"e@x\"}", "7"})
    tasks.push_back(std::string(R"({"id": 1, "data": {}, "annotations": [{"id": 2, "completed_by": )") + by +
                    R"(, "result": []}]})");
  std::string out = run(s, tasks, "{}", dir.path, log);
  std::vector<std::string> annotators;
  for (std::size_t at = out.find("\"annotator\": "); at != std::string::npos;
       at = out.find("\"annotator\": ", at + 1)) {
    std::size_t begin = at + 13;
    annotators.push_back(out.substr(begin, out.find(',', begin) - begin));
  }
  EXPECT_EQ(annotators, (std::vector<std::string>{"\"None\"", "\"ann\"", "null", "\"e@x\"", "7"}));
}
