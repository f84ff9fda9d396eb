// CSV/TSV/TXT imports read in chunks: the readers give the same records whatever the chunking (a
// BOM, a doubled quote or a CRLF cut by a chunk boundary), and large generated files import through
// the API with pandas' whole-column typing intact (a gap in the last row turns a column's ints into
// floats in the first row).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "import/tabular.hpp"
#include "import_test_support.hpp"

namespace annot::host::import_testing {
namespace {

using imports::column_typer;
using imports::delimited_reader;
using imports::line_reader;

// Feeds `text` to a streaming reader `chunk` bytes at a time, then finishes it.
template <class Reader>
void feed_in_chunks(Reader& r, std::string_view text, std::size_t chunk) {
  for (std::size_t i = 0; i < text.size(); i += chunk) {
    auto st = r.feed(text.substr(i, chunk));
    EXPECT_TRUE(st) << st.message();
  }
  auto st = r.finish();
  EXPECT_TRUE(st) << st.message();
}

std::vector<std::vector<std::string>> records_in_chunks(std::string_view text, char sep, std::size_t chunk) {
  std::vector<std::vector<std::string>> out;
  delimited_reader r(sep, [&](std::vector<std::string>& rec) {
    out.push_back(rec);
    return status::success();
  });
  feed_in_chunks(r, text, chunk);
  return out;
}

// The lines a line_reader gives for `text` fed `chunk` bytes at a time.
std::vector<std::string> lines_in_chunks(std::string_view text, std::size_t chunk) {
  std::vector<std::string> out;
  line_reader r([&](std::string_view line) {
    out.emplace_back(line);
    return status::success();
  });
  feed_in_chunks(r, text, chunk);
  return out;
}

TEST(ImportTabularStream, RecordsDoNotDependOnTheChunking) {
  const std::string text =
      "\xEF\xBB\xBFname,quote,n\r\n"
      "\"a, b\",\"say \"\"hi\"\"\r\nnext line\",1\r\n"
      "\r\n"
      "plain,\"\",2\r"
      "\"\"\"\",x\"y,3\n"
      "short\n"
      "last,\"ends with a quote\"\"\"";
  const std::vector<std::vector<std::string>> expected = {
      {"name", "quote", "n"},
      {"a, b", "say \"hi\"\r\nnext line", "1"},
      {"plain", "", "2"},
      {"\"", "x\"y", "3"},
      {"short"},
      {"last", "ends with a quote\""},
  };
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk)
    ASSERT_EQ(records_in_chunks(text, ',', chunk), expected) << "chunks of " << chunk;
  // The whole-text parser is the same reader.
  auto whole = imports::parse_delimited(text, ',');
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_EQ(whole->columns, expected[0]);
  ASSERT_EQ(whole->rows.size(), 5u);
  EXPECT_EQ(nlohmann::json::parse(whole->rows[3]), nlohmann::json::parse(R"({"name":"short","quote":"","n":""})"));

  // A quoted field left open is an error at the end, however the text came.
  delimited_reader open_quote(',', [](std::vector<std::string>&) { return status::success(); });
  ASSERT_TRUE(open_quote.feed("a,b\n1,\"never"));
  ASSERT_TRUE(open_quote.feed(" closed\n"));
  EXPECT_EQ(open_quote.finish().message(), "Error tokenizing data. C error: EOF inside string starting at row 1");
  // A text shorter than a BOM is still read.
  EXPECT_EQ(records_in_chunks("a", ',', 1), (std::vector<std::vector<std::string>>{{"a"}}));
}

TEST(ImportTabularStream, LinesDoNotDependOnTheChunking) {
  const std::string text = "one\r\ntwo\n\nthree\rfour\r\n\r\nfive";
  const std::vector<std::string> expected = {"one", "two", "", "three", "four", "", "five"};
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk)
    ASSERT_EQ(lines_in_chunks(text, chunk), expected) << "chunks of " << chunk;
}

// Lines of spaces and tabs are skipped as pandas skips them, wherever a chunk ends: a CR or CRLF
// after the blanks, at the end of the text without a newline, and not when the blank is the separator.
TEST(ImportTabularStream, BlankLinesAreSkippedWhateverTheChunking) {
  const std::string text = " \t\r\na,b\n  \n1,2\n\t \r \r\n  x,\"y\"\n,\n\"\"\n \t";
  const std::vector<std::vector<std::string>> expected = {
      {"a", "b"}, {"1", "2"}, {"  x", "y"}, {"", ""}, {""}};
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk)
    ASSERT_EQ(records_in_chunks(text, ',', chunk), expected) << "chunks of " << chunk;
  const std::string tsv = "a\tb\n \n\t\n  \t";
  const std::vector<std::vector<std::string>> tsv_expected = {{"a", "b"}, {"", ""}, {"  ", ""}};
  for (std::size_t chunk = 1; chunk <= tsv.size(); ++chunk)
    ASSERT_EQ(records_in_chunks(tsv, '\t', chunk), tsv_expected) << "chunks of " << chunk;
}

// Python's splitlines() boundaries, the multibyte ones (NEL, U+2028, U+2029) cut by chunk boundaries
// too; other characters sharing their lead bytes (Å, …, no-break space) are text.
TEST(ImportTabularStream, LinesSplitAsSplitlinesWhateverTheChunking) {
  const std::string text =
      "a\xC2\x85"
      "b\xE2\x80\xA8\xE2\x80\xA9"
      "c\v\f\x1c\x1d\x1e"
      "d\xC3\x85\xE2\x80\xA6\xC2\xA0\r\xE2\x80\xA9\xC2";
  const std::vector<std::string> expected = {
      "a", "b", "", "c", "", "", "", "", "d\xC3\x85\xE2\x80\xA6\xC2\xA0", "", "\xC2"};
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk)
    ASSERT_EQ(lines_in_chunks(text, chunk), expected) << "chunks of " << chunk;
}

TEST(ImportTabularStream, TyperNamesTheRaggedLine) {
  column_typer t({"a", "b"});
  std::vector<std::string> ok = {"1", "2"}, ragged = {"1", "2", "3"};
  ASSERT_TRUE(t.add(ok, 2));
  auto st = t.add(ragged, 3);
  EXPECT_EQ(st.message(), "Error tokenizing data. C error: Expected 2 fields in line 3, saw 3");
}

// The lines pandas' messages name (read off pandas 1.5.3): a blank line counts, a record whose
// quoted field spans lines counts once; "line" is 1-based, an open quote's "row" 0-based.
TEST(ImportTabularStream, ErrorsNameTheLinesPandasNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a,b\n1,2\n3,4,5\n", "Expected 2 fields in line 3, saw 3"},
      {"a,b\n\n1,2\n\n3,4,5\n", "Expected 2 fields in line 5, saw 3"},
      {"a,b\n\"1\n1\",2\n3,4,5\n", "Expected 2 fields in line 3, saw 3"},
      {"a,b\n  \n1,2\n3,4,5", "Expected 2 fields in line 4, saw 3"},
      {"a,b\n1,2\n3,\"x\n", "EOF inside string starting at row 2"},
      {"a,b\n\n1,2\n\n3,\"x\ny", "EOF inside string starting at row 4"},
      {"a,b\n\"1\n1\",2\n3,\"x\n", "EOF inside string starting at row 2"},
      {"\"a\nb", "EOF inside string starting at row 0"},
      {"a,b\n1,2\r\n3,4\r\n5,\"x", "EOF inside string starting at row 3"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    auto parsed = imports::parse_delimited(text, ',');
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message(), "Error tokenizing data. C error: " + message);
  }
}

class ImportTabularStreamApi : public import_host {
 protected:
  // Every task of the project in id order, read in pages.
  std::vector<store::task> all_tasks(std::int64_t pid) {
    std::vector<store::task> out;
    for (;;) {
      auto page = app_->db().read()->list_project_tasks(pid, std::int64_t(out.size()), 50'000);
      EXPECT_TRUE(page) << page.error().message();
      if (!page || page->empty()) return out;
      for (auto& t : *page) out.push_back(std::move(t));
    }
  }
};

// The three through the API: a CSV's trailing line of blanks is no task and leaves its int column
// int; a float past the double range keeps its column text; a .txt splits on U+2028 and NEL too.
TEST_F(ImportTabularStreamApi, BlankLinesOverflowingFloatsAndUnicodeLineBreaks) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"t\" value=\"$text\"/></View>");
  auto r = post_files(pid, {{"blank.csv", "id,text\n1,a\n2,b\n  \n", "text/csv"}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  EXPECT_EQ(json::parse(r.body)["task_count"], 2);
  r = post_files(pid, {{"big.csv", "text,v\nx,1e400\ny,2\n", "text/csv"}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  r = post_files(pid, {{"lines.txt", "one\xE2\x80\xA8two\xC2\x85three\n", "text/plain"}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  EXPECT_EQ(json::parse(r.body)["task_count"], 3);
  auto ts = all_tasks(pid);
  ASSERT_EQ(ts.size(), 7u);
  EXPECT_EQ(json::parse(ts[1].data), json::parse(R"({"id": 2, "text": "b"})"));
  EXPECT_TRUE(json::parse(ts[1].data)["id"].is_number_integer()) << ts[1].data;
  EXPECT_EQ(json::parse(ts[2].data), json::parse(R"({"text": "x", "v": "1e400"})"));
  EXPECT_EQ(json::parse(ts[3].data), json::parse(R"({"text": "y", "v": "2"})"));
  EXPECT_EQ(json::parse(ts[4].data), json({{"text", "one"}}));
  EXPECT_EQ(json::parse(ts[6].data), json({{"text", "three"}}));
}

TEST_F(ImportTabularStreamApi, LargeCsvKeepsWholeColumnTyping) {
  start();
  const std::int64_t pid = make_project();
  constexpr int rows = 200'000;
  std::string csv = "id;score;flag;text;gap\n";
  csv.reserve(std::size_t(rows) * 48);
  for (int i = 1; i <= rows; ++i) {
    csv += std::to_string(i);
    csv += ';';
    csv += std::to_string(i) + ".5;";
    csv += (i % 2) ? "True;" : "False;";
    if (i % 1000 == 0)
      csv += "\"line one; \"\"quoted\"\"\nline two\";";
    else
      csv += "row " + std::to_string(i) + ";";
    // The last row leaves `gap` empty: pandas then reads the whole column as float.
    if (i != rows) csv += std::to_string(i * 2);
    csv += '\n';
  }
  auto r = post_files(pid, {{"big.csv", csv, "text/csv"}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  auto j = json::parse(r.body);
  EXPECT_EQ(j["task_count"], rows);
  EXPECT_EQ(j["data_columns"], json({"id", "score", "flag", "text", "gap"}));
  auto ts = all_tasks(pid);
  ASSERT_EQ(ts.size(), std::size_t(rows));
  // Tasks come back in import order.
  auto first = json::parse(ts.front().data);
  EXPECT_EQ(first, json::parse(R"({"id": 1, "score": 1.5, "flag": true, "text": "row 1", "gap": 2.0})"));
  EXPECT_TRUE(first["gap"].is_number_float()) << ts.front().data;
  EXPECT_NE(ts.front().data.find("2.0"), std::string::npos) << "written as Python writes a float";
  EXPECT_TRUE(first["id"].is_number_integer());
  auto quoted = json::parse(ts[999].data);
  EXPECT_EQ(quoted["text"], "line one; \"quoted\"\nline two");
  EXPECT_EQ(quoted["id"], 1000);
  auto last = json::parse(ts.back().data);
  EXPECT_EQ(last["gap"], "");
  EXPECT_EQ(last["flag"], false);
  EXPECT_EQ(last["id"], rows);
}

TEST_F(ImportTabularStreamApi, LargeTsvAndTxt) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"t\" value=\"$text\"/></View>");
  constexpr int rows = 100'000;
  std::string tsv = "text\tn\n", txt;
  for (int i = 0; i < rows; ++i) {
    tsv += "tab row " + std::to_string(i) + "\t" + std::to_string(i) + "\n";
    txt += "line " + std::to_string(i) + (i % 3 == 0 ? "\r\n" : "\n");
  }
  auto r = post_files(pid, {{"big.tsv", tsv, "text/tab-separated-values"}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  EXPECT_EQ(json::parse(r.body)["task_count"], rows);
  r = post_files(pid, {{"big.txt", txt, "text/plain"}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  EXPECT_EQ(json::parse(r.body)["task_count"], rows);
  auto ts = all_tasks(pid);
  ASSERT_EQ(ts.size(), std::size_t(2 * rows));
  EXPECT_EQ(json::parse(ts[rows - 1].data), json::parse(R"({"text": "tab row 99999", "n": 99999})"));
  EXPECT_EQ(json::parse(ts[rows].data), json({{"text", "line 0"}}));
  EXPECT_EQ(json::parse(ts.back().data), json({{"text", "line 99999"}}));

  // A ragged row near the end of a large file refuses the whole file: nothing of it is imported.
  std::string ragged = "text\tn\n";
  for (int i = 0; i < rows; ++i) ragged += "r" + std::to_string(i) + "\t1\n";
  ragged += "x\t1\textra\n";
  r = post_files(pid, {{"ragged.tsv", ragged, "text/tab-separated-values"}});
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 500);
  EXPECT_NE(message_of(r).find("Expected 2 fields in line " + std::to_string(rows + 2) + ", saw 3"),
            std::string::npos)
      << r.body.substr(0, 500);
  EXPECT_EQ(project(pid).task_number, 2 * rows);
}

// A CSV's records wait in a scratch file between its two passes: unnamed, in the folder TMPDIR names.
// Where no file can be made there, the import fails saying which folder and why, and imports nothing.
TEST_F(ImportTabularStreamApi, CsvScratchFileGoesWhereTmpdirSays) {
  start();
  const std::int64_t pid = make_project();
  const char* was = std::getenv("TMPDIR");
  const std::optional<std::string> before = was ? std::optional<std::string>(was) : std::nullopt;
  const auto restore = [&] {
    if (before)
      ::setenv("TMPDIR", before->c_str(), 1);
    else
      ::unsetenv("TMPDIR");
  };
  ::setenv("TMPDIR", "/sys", 1);  // no file can be made in sysfs, even by root
  auto r = post_files(pid, {{"a.csv", "text,n\nx,1\ny,2\n", "text/csv"}});
  restore();
  EXPECT_GE(r.status, 500) << r.body;
  EXPECT_NE(message_of(r).find("cannot create a temporary file in /sys (TMPDIR chooses another folder): "),
            std::string::npos)
      << r.body;
  EXPECT_EQ(project(pid).task_number, 0);

  const fs::path scratch = root_ / "tmp";
  fs::create_directories(scratch);
  ::setenv("TMPDIR", scratch.c_str(), 1);
  r = post_files(pid, {{"a.csv", "text,n\nx,1\ny,2\n", "text/csv"}});
  restore();
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(project(pid).task_number, 2);
  EXPECT_TRUE(fs::is_empty(scratch));
}

}  // namespace
}  // namespace annot::host::import_testing
