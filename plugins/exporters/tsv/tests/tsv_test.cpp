// The TSV exporter: golden runs byte for byte, and generated tasks.
#include <annot/plugin.h>

#include "golden_gtest.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_tsv_entry(void);

namespace t = annot::plugins::export_support::testing;

using t::slurp;

TEST(TsvExporter, GoldenRunsByteForByte) {
  if (!t::converter_fixtures()) GTEST_SKIP() << t::fixtures_missing_reason();
  auto specs = t::load_exporters(annot_plugin_tsv_entry());
  ASSERT_TRUE(specs.ok());
  t::scratch_dir dir("annot-tsv-golden");
  EXPECT_GE(t::expect_golden_runs(*specs.value()[0].factory, "TSV", false, dir.path), 15);
}

TEST(TsvExporter, GeneratedRowsColumnsAndQuoting) {
  auto specs = t::load_exporters(annot_plugin_tsv_entry());
  ASSERT_TRUE(specs.ok());
  t::scratch_dir dir("annot-tsv-gen");
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
  auto ex = specs.value()[0].factory->create("TSV");
  annot::export_request req;
  req.format = "TSV";
  req.config.parsed_config = parsed;
  ASSERT_TRUE((*ex)->run(req, cursor, sink, log).ok());
  ASSERT_TRUE(sink.close().ok());
  // The data key "text" collides with the output name "text": it becomes "_data_text".
  EXPECT_EQ(slurp(dir.path / "result.csv"),
            "\"_data_text\"\t\"annotation_id\"\t\"annotator\"\t\"b\"\t\"created_at\"\t\"id\"\t\"l\"\t\"lead_time\"\t"
            "\"n\"\t\"text\"\t\"updated_at\"\r\n"
            "\"say \"\"hi\"\"\nnow\"\t7\t\"3\"\tTrue\t\"2024\"\t1\t\"[1,\"\"x\\/y\"\"]\"\t2\t2.0\t\"a\"\t\"\"\r\n"
            "\"plain\"\t\"\"\t\"\"\t\"\"\t\"\"\t2\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\r\n");
}
