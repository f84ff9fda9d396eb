// A stored export's file cursor (export/file_cursor): the snapshot's JSON array split into its elements,
// whatever their strings hold (quotes, backslash runs, brackets, commas) and wherever the read blocks
// cut them, read ahead on the cursor's thread or inside next(); a preparer's output in order, its error
// after the tasks before it, and the preparer let go mid-pass with the rest as JSON text; a file that
// is not an array of objects is an error naming it.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "export/file_cursor.hpp"
#include "scratch_folder.hpp"

namespace {

using annot::host::exporting::file_cursor;
using annot::host::testing::temp_dir;
using nlohmann::json;

std::vector<std::string> read_all(file_cursor& cursor, annot::status* error = nullptr) {
  std::vector<std::string> out;
  std::string_view t;
  for (;;) {
    auto more = cursor.next(t);
    if (!more.ok()) {
      if (error) *error = more.error();
      break;
    }
    if (!*more) break;
    out.emplace_back(t);
  }
  return out;
}

TEST(ExportFileCursor, SplitsElementsWhateverTheirStringsHoldAndWhereverBlocksEnd) {
  temp_dir dir("file-cursor");
  // Strings made of the characters that matter to the split, in runs of every length, some longer than a
  // read block (64 KiB), so that quotes and backslash runs land on the blocks' edges.
  const std::string pieces[] = {"\"", "\\", "\\\\", "\\\"", "{", "}", "[", "]", ",", "a", "é", "\\\\\""};
  std::mt19937 rng(53);
  std::vector<std::string> want;
  std::string text = "[";
  for (int i = 0; i < 400; ++i) {
    std::string s;
    const std::size_t n = i % 50 == 0 ? 70'000 + rng() % 70'000 : rng() % 300;
    while (s.size() < n) s += pieces[rng() % std::size(pieces)];
    json task = {{"id", i},
                 {"data", {{"text", s}, {"list", json::array({s, {{"k]", "v}"}}})}}},
                 {"annotations", json::array()}};
    want.push_back(task.dump());
    text += (i ? (i % 3 ? "," : " ,\n  ") : "\n") + want.back();
  }
  text += "\n]\n";
  std::ofstream(dir.path / "tasks.json", std::ios::binary) << text;
  for (bool ahead : {true, false}) {
    SCOPED_TRACE(ahead ? "read ahead" : "inside next()");
    file_cursor cursor(dir.path / "tasks.json", 400, ahead);
    annot::status error;
    const auto got = read_all(cursor, &error);
    EXPECT_TRUE(error.ok()) << error.message();
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << i;
    EXPECT_EQ(cursor.delivered(), 400);
    // Again from the start.
    ASSERT_TRUE(cursor.rewind().ok());
    EXPECT_EQ(read_all(cursor), want);
  }
}

// Tasks {"id": i, "data": {"text": ...}} with texts of every size up to a few batches' bytes.
std::vector<std::string> write_tasks(const std::filesystem::path& file, int n) {
  std::vector<std::string> want;
  std::string text = "[";
  for (int i = 0; i < n; ++i) {
    want.push_back(
        json({{"id", i}, {"data", {{"text", std::string(i % 101 == 0 ? 300'000 : i % 50, 'x')}}}}).dump());
    text += (i ? "," : "") + want.back();
  }
  std::ofstream(file, std::ios::binary) << text << "]";
  return want;
}

// Makes "<id>" of a task, counting its calls; fails at task `fail_at`.
struct id_preparer final : annot::task_preparer {
  int fail_at = -1;
  mutable std::atomic<int> calls{0};
  annot::status prepare(std::string_view task_json, std::string& prepared) const noexcept override {
    ++calls;
    const int id = json::parse(task_json)["id"].get<int>();
    if (id == fail_at) return annot::status(annot::errc::invalid_argument, "task " + std::to_string(id));
    prepared += "<" + std::to_string(id) + ">";
    return {};
  }
};

TEST(ExportFileCursor, APreparersTasksComeInOrderAndItsErrorAfterTheTasksBeforeIt) {
  temp_dir dir("file-cursor-prepared");
  const auto tasks = write_tasks(dir.path / "tasks.json", 1000);
  for (bool ahead : {true, false}) {
    SCOPED_TRACE(ahead ? "read ahead" : "inside next()");
    id_preparer preparer;
    file_cursor cursor(dir.path / "tasks.json", 1000, ahead);
    ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
    auto got = read_all(cursor);
    ASSERT_EQ(got.size(), tasks.size());
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(got[i], "<" + std::to_string(i) + ">");
    // Only at the start of a pass.
    EXPECT_EQ(cursor.prepare_with(&preparer).code(), annot::errc::failed_precondition);
    ASSERT_TRUE(cursor.prepare_with(nullptr).ok());

    // A rewind drops the preparer; an error ends the pass after the tasks before it, and stays.
    ASSERT_TRUE(cursor.rewind().ok());
    EXPECT_EQ(read_all(cursor), tasks);
    ASSERT_TRUE(cursor.rewind().ok());
    preparer.fail_at = 777;
    ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
    annot::status error;
    got = read_all(cursor, &error);
    EXPECT_EQ(got.size(), 777u);
    EXPECT_EQ(error.message(), "task 777");
    std::string_view t;
    EXPECT_EQ(cursor.next(t).error().message(), "task 777");
    EXPECT_EQ(cursor.delivered(), 777);
  }
}

// Let go mid-pass (an exporter leaving its loop early): the preparer is not called once
// prepare_with(nullptr) returned, and the tasks not handed out yet come as their JSON text.
TEST(ExportFileCursor, APreparerLetGoMidPassLeavesTheRestAsJsonText) {
  temp_dir dir("file-cursor-let-go");
  const auto tasks = write_tasks(dir.path / "tasks.json", 500);
  for (bool ahead : {true, false}) {
    for (int handed : {0, 1, 63, 64, 65, 130, 499, 500}) {
      SCOPED_TRACE(std::string(ahead ? "read ahead, " : "inside next(), ") + std::to_string(handed));
      id_preparer preparer;
      file_cursor cursor(dir.path / "tasks.json", 500, ahead);
      ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
      std::string_view t;
      // The first next() starts the pass (and the reading thread) even when nothing is kept of it.
      int i = 0;
      for (; i < handed; ++i) {
        auto more = cursor.next(t);
        ASSERT_TRUE(more.ok() && *more);
        ASSERT_EQ(t, "<" + std::to_string(i) + ">");
      }
      ASSERT_TRUE(cursor.prepare_with(nullptr).ok());
      const int calls = preparer.calls;
      const auto rest = read_all(cursor);
      EXPECT_EQ(preparer.calls, calls);
      ASSERT_EQ(rest.size(), tasks.size() - handed);
      for (std::size_t k = 0; k < rest.size(); ++k) ASSERT_EQ(rest[k], tasks[handed + k]) << k;
      EXPECT_EQ(cursor.delivered(), 500);
    }
  }
}

TEST(ExportFileCursor, AFileThatIsNotAnArrayOfObjectsIsAnErrorNamingIt) {
  temp_dir dir("file-cursor-bad");
  const std::pair<std::string, std::string> cases[] = {
      {"{\"id\": 1}", "does not start with '['"},
      {"[{\"id\": 1, \"t\": \"a\\\"]}", "cut off"},
      {"[{\"id\": 1}]]", ""},  // the array ends after its element: what follows is not read
      {"[{\"id\": 1}}, {\"id\": 2}]", "unbalanced"},
      {"[1, 2]", "not an object"},
      {"[{\"id\": 1}", "ends early"},
  };
  for (const auto& [text, why] : cases) {
    SCOPED_TRACE(text);
    std::ofstream(dir.path / "tasks.json", std::ios::binary | std::ios::trunc) << text;
    file_cursor cursor(dir.path / "tasks.json");
    annot::status error;
    const auto got = read_all(cursor, &error);
    if (why.empty()) {
      EXPECT_TRUE(error.ok()) << error.message();
      EXPECT_EQ(got.size(), 1u);
      continue;
    }
    ASSERT_FALSE(error.ok());
    EXPECT_NE(error.message().find(why), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("tasks.json"), std::string::npos) << error.message();
    // The error stays: the pass is over.
    std::string_view t;
    EXPECT_EQ(cursor.next(t).error().message(), error.message());
  }
  std::filesystem::remove(dir.path / "tasks.json");
  file_cursor missing(dir.path / "tasks.json");
  std::string_view t;
  EXPECT_EQ(missing.next(t).error().code(), annot::errc::io_error);
}

}  // namespace
