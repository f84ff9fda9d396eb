// The JSON exporter: the golden runs (compared as JSON values, since the upstream file is a byte
// copy of its input) and generated tasks.
#include <annot/plugin.h>

#include "golden_gtest.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_json_entry(void);

namespace t = annot::plugins::export_support::testing;

namespace {
std::vector<annot::exporter_spec> specs() {
  auto r = t::load_exporters(annot_plugin_json_entry());
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}
using t::slurp;
}  // namespace

TEST(JsonExporter, Registers) {
  auto s = specs();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].formats[0].name, "JSON");
  EXPECT_TRUE(s[0].factory->applies_to("JSON", {"", "{}"}).ok());
}

TEST(JsonExporter, GoldenRuns) {
  if (!t::converter_fixtures()) GTEST_SKIP() << t::fixtures_missing_reason();
  auto s = specs();
  t::scratch_dir dir("annot-json-golden");
  EXPECT_GE(t::expect_golden_runs(*s[0].factory, "JSON", true, dir.path), 15);
}

TEST(JsonExporter, GeneratedTasksRoundTrip) {
  auto s = specs();
  t::scratch_dir dir("annot-json-gen");
  std::vector<std::string> tasks;
  for (int i = 1; i <= 500; ++i)
    tasks.push_back(R"({"id":)" + std::to_string(i) + R"(,"data":{"text":"t\u00e9 )" + std::to_string(i) +
                    R"("},"annotations":[]})");
  t::memory_cursor cursor(tasks);
  t::directory_sink sink(dir.path);
  t::collected_log log;
  auto ex = s[0].factory->create("JSON");
  ASSERT_TRUE(ex.ok());
  annot::export_request req;
  req.format = "JSON";
  ASSERT_TRUE((*ex)->run(req, cursor, sink, log).ok());
  ASSERT_TRUE(sink.close().ok());
  auto j = nlohmann::json::parse(slurp(dir.path / "result.json"));
  ASSERT_EQ(j.size(), 500u);
  EXPECT_EQ(j[499]["id"], 500);
  EXPECT_EQ(j[0]["data"]["text"], "t\xc3\xa9 1");

  // No tasks: an empty list.
  t::memory_cursor none({});
  t::directory_sink sink2(dir.path / "empty");
  auto ex2 = s[0].factory->create("JSON");
  ASSERT_TRUE((*ex2)->run(req, none, sink2, log).ok());
  ASSERT_TRUE(sink2.close().ok());
  EXPECT_EQ(slurp(dir.path / "empty" / "result.json"), "[]");
}
