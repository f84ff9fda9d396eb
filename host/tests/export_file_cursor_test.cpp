// A stored export's file cursor (export/file_cursor): the snapshot's JSON array split into its elements,
// whatever their strings hold (quotes, backslash runs, brackets, commas) and wherever the read blocks
// cut them; a file that is not an array of objects is an error naming it.
#include <gtest/gtest.h>

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
  file_cursor cursor(dir.path / "tasks.json", 400);
  annot::status error;
  const auto got = read_all(cursor, &error);
  EXPECT_TRUE(error.ok()) << error.message();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << i;
  EXPECT_EQ(cursor.delivered(), 400);
  // Again from the start.
  ASSERT_TRUE(cursor.rewind().ok());
  EXPECT_EQ(read_all(cursor).size(), want.size());
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
  }
}

}  // namespace
