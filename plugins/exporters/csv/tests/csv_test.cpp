// The CSV exporter: golden runs byte for byte, and generated tasks.
#include <annot/plugin.h>

#include <fstream>
#include <sstream>

#include "golden_gtest.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_csv_entry(void);

namespace t = annot::plugins::export_support::testing;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST(CsvExporter, GoldenRunsByteForByte) {
  if (!t::converter_fixtures()) GTEST_SKIP() << t::fixtures_missing_reason();
  auto specs = t::load_exporters(annot_plugin_csv_entry());
  ASSERT_TRUE(specs.ok());
  t::scratch_dir dir("annot-csv-golden");
  EXPECT_GE(t::expect_golden_runs(*specs.value()[0].factory, "CSV", false, dir.path), 15);
}

TEST(CsvExporter, GeneratedRowsColumnsAndQuoting) {
  auto specs = t::load_exporters(annot_plugin_csv_entry());
  ASSERT_TRUE(specs.ok());
  t::scratch_dir dir("annot-csv-gen");
  std::string parsed = R"({"text": {"type": "Choices", "to_name": ["t"], "inputs": [{"type": "Text", "value": "text"}],
      "labels": ["a"], "labels_attrs": {}}})";
  std::vector<std::string> tasks = {
      R"({"id": 1, "data": {"text": "say \"hi\"\nnow", "n": 2.0, "b": true, "l": [1, "x/y"]},
          "annotations": [{"id": 7, "completed_by": 3, "created_at": "2024", "lead_time": 2,
            "result": [{"from_name": "text", "type": "choices", "value": {"choices": ["a"]}}]}]})",
      R"({"id": 2, "data": {"text": "plain"}, "annotations": []})"};
  t::memory_cursor cursor(tasks);
  t::directory_sink sink(dir.path);
  t::collected_log log;
  auto ex = specs.value()[0].factory->create("CSV");
  annot::export_request req;
  req.format = "CSV";
  req.config.parsed_config = parsed;
  ASSERT_TRUE((*ex)->run(req, cursor, sink, log).ok());
  ASSERT_TRUE(sink.close().ok());
  // The data key "text" collides with the output name "text": it becomes "_data_text".
  EXPECT_EQ(slurp(dir.path / "result.csv"),
            "\"_data_text\",\"annotation_id\",\"annotator\",\"b\",\"created_at\",\"id\",\"l\",\"lead_time\",\"n\","
            "\"text\",\"updated_at\"\r\n"
            "\"say \"\"hi\"\"\nnow\",7,\"3\",True,\"2024\",1,\"[1,\"\"x\\/y\"\"]\",2,2.0,\"a\",\"\"\r\n"
            "\"plain\",\"\",\"\",\"\",\"\",2,\"\",\"\",\"\",\"\",\"\"\r\n");
}
