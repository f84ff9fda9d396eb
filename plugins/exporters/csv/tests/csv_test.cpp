// The CSV exporter: golden runs byte for byte, and generated tasks.
#include <annot/plugin.h>

#include <cstdint>

#include "golden_gtest.hpp"
#include "table_export.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_csv_entry(void);

namespace t = annot::plugins::export_support::testing;

using t::slurp;

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

// A null completed_by (a deleted user) is str(None) upstream; with no rows there is no "id" column, only the
// five that are always there.
TEST(CsvExporter, NoneAnnotatorAndTheHeaderOfAnExportWithoutRows) {
  auto specs = t::load_exporters(annot_plugin_csv_entry());
  ASSERT_TRUE(specs.ok());
  auto csv = [&](std::vector<std::string> tasks, const std::filesystem::path& dir) {
    t::memory_cursor cursor(std::move(tasks));
    t::directory_sink sink(dir);
    t::collected_log log;
    auto ex = specs.value()[0].factory->create("CSV");
    annot::export_request req;
    req.format = "CSV";
    req.config.parsed_config = "{}";
    EXPECT_TRUE((*ex)->run(req, cursor, sink, log).ok());
    EXPECT_TRUE(sink.close().ok());
    return slurp(dir / "result.csv");
  };
  t::scratch_dir dir("annot-csv-none");
  EXPECT_EQ(csv({R"({"id": 1, "data": {}, "annotations": [{"id": 2, "completed_by": null, "result": []}]})"},
                dir.path / "none"),
            "\"annotation_id\",\"annotator\",\"created_at\",\"id\",\"lead_time\",\"updated_at\"\r\n"
            "2,\"None\",\"\",1,\"\",\"\"\r\n");
  const std::string header =
      "\"annotation_id\",\"annotator\",\"created_at\",\"lead_time\",\"updated_at\"\r\n";
  EXPECT_EQ(
      csv({R"({"id": 1, "data": {"t": "x"}, "annotations": [{"id": 2, "was_cancelled": true, "result": []}]})"},
          dir.path / "cancelled"),
      header);
  EXPECT_EQ(csv({}, dir.path / "empty"), header);
}

namespace {

// A cursor that gives its tasks once: rewinding fails, so an exporter that reads twice fails the test.
class once_cursor final : public annot::task_cursor {
 public:
  explicit once_cursor(std::vector<std::string> tasks) : inner_(std::move(tasks)) {}
  annot::result<bool> next(std::string_view& task) override { return inner_.next(task); }
  annot::status rewind() override { return annot::status(annot::errc::internal, "the tasks were read twice"); }
  std::int64_t size_hint() const noexcept override { return inner_.size_hint(); }
  annot::status prepare_with(const annot::task_preparer* preparer) override { return inner_.prepare_with(preparer); }

 private:
  t::memory_cursor inner_;
};

// Runs the CSV table export over `tasks` with rows spilled every `limit` bytes; returns result.csv.
std::string table_csv(const std::vector<std::string>& tasks, const std::string& parsed, std::size_t limit,
                      const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  once_cursor cursor(tasks);
  t::directory_sink sink(dir);
  t::collected_log log;
  annot::export_request req;
  req.format = "CSV";
  req.config.parsed_config = parsed;
  annot::status st = annot::plugins::table_export::run_table_export(',', req, cursor, sink, log, limit);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(sink.close().ok());
  return slurp(dir / "result.csv");
}

}  // namespace

// The tasks are read once; rows written to the temporary file (a row at a time) come back as the rows kept in
// memory, with columns only some tasks have (a data key colliding with an output name, chats, agreement,
// history, several annotations, cancelled ones).
TEST(CsvExporter, OnePassRowsThroughTheTemporaryFile) {
  std::string parsed = R"({"text": {"type": "Choices", "to_name": ["t"], "inputs": [{"type": "Text", "value": "text"}],
      "labels": ["a", "b"], "labels_attrs": {}}})";
  std::vector<std::string> tasks;
  std::size_t rows = 0;
  for (int i = 1; i <= 3000; ++i) {
    std::string id = std::to_string(i);
    std::string extra = i % 7 == 0 ? R"(, "extra": ")" + std::string(static_cast<std::size_t>(i % 50), 'x') + "\"" : "";
    std::string agreement = i % 11 == 0 ? R"("agreement": 0.5, )" : "";
    std::string history = i % 13 == 0 ? R"(, "history": [{"action": "submitted"}])" : "";
    std::string chat = i % 5 == 0 ? R"(, {"from_name": "chat", "type": "chatmessage", "value": {"chatmessage":
        {"role": "user", "content": "hi \"there\" )" + id + R"("}}})"
                                  : "";
    std::string cancelled = i % 9 == 0 ? R"(, {"id": )" + std::to_string(100000 + i) +
                                             R"(, "was_cancelled": true, "result": []})"
                                       : "";
    std::string second = i % 4 == 0 ? R"(, {"id": )" + std::to_string(200000 + i) +
                                          R"(, "completed_by": {"email": "a@b.c"}, "created_at": "2024-02-01",
        "result": [{"from_name": "text", "type": "choices", "value": {"choices": ["a", "b"]}}]})"
                                    : "";
    tasks.push_back(R"({"id": )" + id + R"(, )" + agreement + R"("data": {"text": "text \")" + id + R"(\"", "n": )" +
                    id + extra + R"(}, "annotations": [{"id": )" + id + R"(, "completed_by": )" + id +
                    R"(, "created_at": "2024-01-01", "lead_time": 1.5)" + history + R"(, "result": [{"from_name": "text",
        "type": "choices", "value": {"choices": ["b"]}})" + chat + "]}" + cancelled + second + "]}");
    rows += 1 + (i % 4 == 0);
  }
  t::scratch_dir dir("annot-csv-spill");
  const std::string in_memory = table_csv(tasks, parsed, std::size_t(1) << 30, dir.path / "memory");
  const std::string spilled = table_csv(tasks, parsed, 1, dir.path / "file");
  EXPECT_EQ(spilled, in_memory);
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = in_memory.find("\r\n", at)) != std::string::npos; at += 2) ++lines;
  EXPECT_EQ(lines, rows + 1);
  const std::string header = in_memory.substr(0, in_memory.find("\r\n"));
  EXPECT_EQ(header,
            "\"_data_text\",\"agreement\",\"annotation_id\",\"annotator\",\"chat\",\"chat_transcript\",\"created_at\","
            "\"extra\",\"history\",\"id\",\"lead_time\",\"n\",\"text\",\"updated_at\"");
  // Task 20: a chat (transcript with its quotes doubled), an older second annotation after the newer one.
  EXPECT_NE(in_memory.find("\"user: hi \"\"there\"\" 20\""), std::string::npos);
  EXPECT_NE(in_memory.find("\"text \"\"20\"\"\",\"\",200020,\"a@b.c\",\"\",\"\",\"2024-02-01\""), std::string::npos);
}

// Quoting doubles every '"' wherever it falls: at every position of texts of 0-80 bytes (one and two quotes,
// quotes only, no quote), and in texts of random bytes with one byte in four a quote, appended after a prefix.
TEST(CsvExporter, QuotedCellsDoubleEveryQuoteAtEveryPositionAndLength) {
  const auto reference = [](std::string_view text) {
    std::string r = "\"";
    for (char c : text) {
      r += c;
      if (c == '"') r += '"';
    }
    return r + '"';
  };
  std::vector<std::string> texts;
  for (std::size_t n = 0; n <= 80; ++n) {
    std::string base(n, 'a');
    for (std::size_t i = 0; i < n; ++i) base[i] = static_cast<char>('a' + i % 26);
    texts.push_back(base);
    texts.push_back(std::string(n, '"'));
    for (std::size_t i = 0; i < n; ++i) {
      std::string one = base;
      one[i] = '"';
      texts.push_back(one);
      for (std::size_t j = i + 1; j < n; j += 3) {
        std::string two = one;
        two[j] = '"';
        texts.push_back(two);
      }
    }
  }
  std::uint64_t seed = 42;
  for (int k = 0; k < 500; ++k) {
    std::string r(static_cast<std::size_t>(k % 200), '\0');
    for (char& c : r) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      c = (seed >> 60) < 4 ? '"' : static_cast<char>(seed >> 33);
    }
    texts.push_back(r);
  }
  for (const std::string& text : texts) {
    std::string out = "prefix,";
    annot::plugins::table_export::append_quoted(out, text);
    ASSERT_EQ(out, "prefix," + reference(text)) << text;
  }
}
