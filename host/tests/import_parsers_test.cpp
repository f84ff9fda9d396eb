// The import's building blocks on their own: the top-level task splitter fed in awkward chunks,
// the simdjson item parser, pandas-like CSV typing, TXT lines and the streaming multipart reader.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "import/json_splitter.hpp"
#include "import/multipart.hpp"
#include "import/tabular.hpp"
#include "import/task_item.hpp"

namespace annot::host::imports {
namespace {

using nlohmann::json;

// Splits `doc` fed `step` bytes at a time; returns the items or the error message.
std::vector<std::string> split(std::string_view doc, std::size_t step, std::string* error = nullptr) {
  std::vector<std::string> items;
  json_splitter s([&](std::string_view item) {
    items.emplace_back(item);
    return status::success();
  });
  for (std::size_t i = 0; i < doc.size(); i += step) {
    auto st = s.feed(doc.substr(i, step));
    if (!st) {
      if (error) *error = st.message();
      return items;
    }
  }
  auto st = s.finish();
  if (!st && error) *error = st.message();
  return items;
}

TEST(ImportSplitter, SplitsTopLevelItemsWhateverTheChunking) {
  const std::string doc =
      "\xEF\xBB\xBF [ {\"a\": \"x]}\\\"\", \"b\": [1, {\"c\": 2}]} ,\n{\"d\": \"\\\\\"}, 12, \"s,t\", true ]  \n";
  for (std::size_t step : {1, 2, 3, 7, 1000}) {
    SCOPED_TRACE(step);
    std::string err;
    auto items = split(doc, step, &err);
    EXPECT_EQ(err, "");
    ASSERT_EQ(items.size(), 5u);
    EXPECT_EQ(items[0], "{\"a\": \"x]}\\\"\", \"b\": [1, {\"c\": 2}]}");
    EXPECT_EQ(items[1], "{\"d\": \"\\\\\"}");
    EXPECT_EQ(items[2], "12");
    EXPECT_EQ(items[3], "\"s,t\"");
    EXPECT_EQ(items[4], "true");
  }
  // One task as the whole document.
  auto one = split(R"( {"text": "x"} )", 3);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], R"({"text": "x"})");
}

TEST(ImportSplitter, ALargeItemsBufferIsGivenBackOnceItIsSplit) {
  std::vector<std::size_t> sizes;
  json_splitter s([&](std::string_view item) {
    sizes.push_back(item.size());
    return status::success();
  });
  const std::string big = "{\"text\": \"" + std::string(9 << 20, 'x') + "\"}";
  ASSERT_TRUE(s.feed("[" + big + ", {\"text\": \"y\"}"));
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0], big.size());
  EXPECT_LT(s.held_bytes(), std::size_t(1) << 20) << "the large item's buffer is kept";
  ASSERT_TRUE(s.feed("]"));
  EXPECT_TRUE(s.finish());
}

TEST(ImportSplitter, RefusesBrokenStructure) {
  for (std::string doc : {"", "   ", "[{\"a\":1},]", "[{\"a\":1} {\"b\":2}]", "[{\"a\":1}", "[{\"a\":1}] x", "42",
                          "[,{\"a\":1}]", "[{\"a\": \"open]"}) {
    SCOPED_TRACE(doc);
    std::string err;
    split(doc, 2, &err);
    EXPECT_NE(err, "");
    EXPECT_NE(err.find("at byte"), std::string::npos) << err;
  }
}

TEST(ImportItemParser, DataWrappersAnnotationsAndPredictions) {
  item_parser p;
  auto parse = [&](std::string text, parsed_item& out) {
    text.append(json_splitter::padding, ' ');
    return p.parse(std::string_view(text.data(), text.size() - json_splitter::padding), json_splitter::padding, out);
  };
  parsed_item it;
  ASSERT_TRUE(parse(R"({"text": "bare", "annotations": [{"result": []}]})", it));
  EXPECT_FALSE(it.wrapped);
  EXPECT_EQ(json::parse(it.task.data), json::parse(R"({"text": "bare", "annotations": [{"result": []}]})"));
  EXPECT_TRUE(it.task.annotations.empty()) << "a bare item's keys are all data";

  ASSERT_TRUE(parse(R"({"data": {"text":   "x"}, "meta": {"k": 1}, "id": 5,
    "annotations": [{"id": 9, "result": [{"a": 1}], "completed_by": {"email": "a@b.c"}, "was_cancelled": true,
                     "lead_time": 2.5, "created_at": "2021-01-02T03:04:05Z"}],
    "predictions": [{"result": [], "score": "bad", "model_version": 3}, {"result": [], "score": 0.25}]})",
                    it));
  EXPECT_TRUE(it.wrapped);
  EXPECT_EQ(it.task.data, R"({"text":   "x"})") << "raw text kept byte for byte";
  EXPECT_EQ(it.task.meta, R"({"k": 1})");
  ASSERT_EQ(it.task.annotations.size(), 1u);
  const auto& a = it.task.annotations[0];
  EXPECT_EQ(a.result, R"([{"a": 1}])");
  EXPECT_EQ(a.import_id, 9);
  EXPECT_TRUE(a.was_cancelled);
  EXPECT_TRUE(a.ground_truth) << "Label Studio's default for imported annotations";
  EXPECT_EQ(a.lead_time, 2.5);
  EXPECT_TRUE(a.created_at.has_value());
  EXPECT_EQ(it.annotators[0].k, annotator_ref::kind::email);
  EXPECT_EQ(it.annotators[0].email, "a@b.c");
  ASSERT_EQ(it.task.predictions.size(), 2u);
  EXPECT_FALSE(it.task.predictions[0].score.has_value()) << "a bad score becomes null";
  EXPECT_EQ(it.task.predictions[0].model_version, "3");
  EXPECT_EQ(it.task.predictions[1].score, 0.25);

  // A falsy data is no wrapper: the item is the data.
  ASSERT_TRUE(parse(R"({"data": {}, "x": 1})", it));
  EXPECT_FALSE(it.wrapped);
  // A truthy non-dict data is refused; so is a non-object item.
  EXPECT_EQ(parse(R"({"data": "text"})", it).message(), "Task item should be dict");
  EXPECT_EQ(parse("12", it).message(), "Task item should be dict");
  EXPECT_FALSE(parse(R"({"data": {"a": 1}, "annotations": [{"result": 5}]})", it));
  // A wrapped item's lists are refused when they are not lists, as Django REST framework refuses them; in a
  // flat item the same keys are data.
  EXPECT_EQ(parse(R"({"data": {"a": 1}, "annotations": 5})", it).message(),
            "annotations: Expected a list of items but got type \"int\".");
  EXPECT_EQ(parse(R"({"predictions": {"result": []}, "data": {"a": 1}})", it).message(),
            "predictions: Expected a list of items but got type \"dict\".");
  EXPECT_EQ(parse(R"({"data": {"a": 1}, "drafts": null})", it).message(),
            "drafts: This field may not be null.");
  EXPECT_EQ(parse(R"({"data": {"a": 1}, "annotations": "x"})", it).message(),
            "annotations: Expected a list of items but got type \"str\".");
  ASSERT_TRUE(parse(R"({"text": "t", "annotations": 5})", it));
  EXPECT_FALSE(it.wrapped);
  EXPECT_EQ(json::parse(it.task.data), json::parse(R"({"text": "t", "annotations": 5})"));
  EXPECT_FALSE(parse(R"({"data": {"a": 1}, "annotations": [{"result": [}]})", it));
}

// Python's json.loads keeps the last of repeated keys, at the first one's place, at any depth; so does the
// import, so that the store and every export see the data Label Studio keeps. Data without a repeated key
// keeps its bytes.
TEST(ImportItemParser, RepeatedDataKeysKeepTheLastValueAsPythonDoes) {
  item_parser p;
  auto parse = [&](std::string text, parsed_item& out) {
    text.append(json_splitter::padding, ' ');
    return p.parse(std::string_view(text.data(), text.size() - json_splitter::padding),
                   json_splitter::padding, out);
  };
  parsed_item it;
  ASSERT_TRUE(parse(R"({"text": "dup", "n": 1, "text": "dup2"})", it));
  EXPECT_EQ(it.task.data, R"({"text":"dup2","n":1})");
  ASSERT_TRUE(parse(R"({"data": {"a": {"x": 1, "y": [{"k": 1, "k": 2}], "x": 3}, "b": "\u00e9"}})", it));
  EXPECT_EQ(it.task.data, R"({"a":{"x":3,"y":[{"k":2}]},"b":"é"})");
  // Keys that are equal once unescaped are the same key.
  ASSERT_TRUE(parse(R"({"data": {"a": 1, "\u0061": 2}})", it));
  EXPECT_EQ(it.task.data, R"({"a":2})");
  // An object wider than the scan's first 16 keys.
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  ASSERT_TRUE(parse(wide + "\"k39\": \"last\"}", it));
  EXPECT_EQ(json::parse(it.task.data)["k39"], "last");
  EXPECT_EQ(json::parse(it.task.data).size(), 40u);
  ASSERT_TRUE(parse(wide + "\"k40\": 40}", it));
  EXPECT_EQ(it.task.data, wide + "\"k40\": 40}") << "no repeat: the bytes as given";
  // The same key in sibling objects is no repeat.
  ASSERT_TRUE(parse(R"({"data": {"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}]}})", it));
  EXPECT_EQ(it.task.data, R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}]})");
}

TEST(ImportTabular, PandasTypingAndSeparators) {
  auto t = parse_delimited("a,b,c,d,e\n1,x,1.5,True,\n2,3,2,False,\n,4,,True,7\n", ',');
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(json::parse(t->rows[0]), json::parse(R"({"a":1.0,"b":"x","c":1.5,"d":true,"e":""})"));
  EXPECT_TRUE(json::parse(t->rows[0])["a"].is_number_float()) << "an int column with a gap becomes float";
  EXPECT_EQ(json::parse(t->rows[1])["b"], "3") << "a text column keeps numbers as text";
  EXPECT_EQ(json::parse(t->rows[2])["e"], 7.0);
  auto q = parse_delimited("name,quote\n\"a, b\",\"say \"\"hi\"\"\nnext line\"\n", ',');
  ASSERT_TRUE(q);
  EXPECT_EQ(json::parse(q->rows[0]), json::parse(R"({"name":"a, b","quote":"say \"hi\"\nnext line"})"));
  EXPECT_EQ(detect_csv_separator("a;b;c\n1,2;3"), ';');
  EXPECT_EQ(detect_csv_separator("a,b;c\n"), ',');
  EXPECT_FALSE(parse_delimited("", ','));
  EXPECT_FALSE(parse_delimited("a,b\n1,2,3\n", ','));
  auto lines = parse_lines("one\r\ntwo\n\nthree");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(json::parse(lines[0]), json({{"$undefined$", "one"}}));
  EXPECT_EQ(json::parse(lines[2]), json({{"$undefined$", ""}}));
}

// pandas' header names: empty ones are "Unnamed: <index>", repeated ones get ".1", ".2", ... and skip
// names the header already has, so no column of the file is lost.
TEST(ImportTabular, HeaderNamesAreMadeUniqueAsPandasMakesThem) {
  auto t = parse_delimited("a,,a,b,a,a.1\n1,2,3,4,5,6\n", ',');
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->columns, (std::vector<std::string>{"a", "Unnamed: 1", "a.2", "b", "a.3", "a.1"}));
  EXPECT_EQ(json::parse(t->rows[0]), json::parse(R"({"a":1,"Unnamed: 1":2,"a.2":3,"b":4,"a.3":5,"a.1":6})"));
  auto twice = parse_delimited("x,x,x\n1,2,3\n", ',');
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->columns, (std::vector<std::string>{"x", "x.1", "x.2"}));
}

// Numbers as pandas' C parser reads them: spaces around them pass; integers past int64 are uint64
// when they fit and nothing is negative, else the column keeps its text; no hex, no "NAN" number.
TEST(ImportTabular, NumbersAsPandasReadsThem) {
  auto t = parse_delimited(
      "i,f,u,big,neg,gap,hex,nan\n 12 ,\t1.5 ,18446744073709551615,"
      "123456789012345678901234,-1,18446744073709551615,0x10,NAN\n"
      "+3,-2e3,9223372036854775808,1,9223372036854775808,NA,1,1\n",
      ',');
  ASSERT_TRUE(t) << t.error().message();
  const json r0 = json::parse(t->rows[0]), r1 = json::parse(t->rows[1]);
  EXPECT_EQ(r0["i"], 12);
  EXPECT_TRUE(r0["i"].is_number_integer());
  EXPECT_EQ(r1["i"], 3);
  EXPECT_EQ(r0["f"], 1.5);
  EXPECT_EQ(r1["f"], -2000.0);
  EXPECT_EQ(r0["u"], 18446744073709551615ull) << "uint64 when it fits";
  EXPECT_EQ(r1["u"], 9223372036854775808ull);
  EXPECT_EQ(r0["big"], "123456789012345678901234") << "past uint64: the text";
  EXPECT_EQ(r1["big"], "1");
  EXPECT_EQ(r0["neg"], "-1") << "a negative beside a uint64 value: the text";
  EXPECT_EQ(r1["neg"], "9223372036854775808");
  EXPECT_EQ(r1["gap"], "NA") << "uint64 with a missing value: read again with NA markers as text";
  EXPECT_EQ(r0["hex"], "0x10");
  EXPECT_EQ(r0["nan"], "NAN");
  EXPECT_EQ(r1["nan"], "1");
  auto inf = parse_delimited("v\ninf\n-Infinity\n2\n", ',');
  ASSERT_TRUE(inf);
  EXPECT_EQ(json::parse(inf->rows[2])["v"], 2.0) << "infinities make the column float";
}

// pandas' C tokenizer skips a line of spaces and tabs (skip_blank_lines), but not a blank that is the
// separator: in a TSV a line holding a tab is a record of missing values. The skipped line types no
// column; blanks before text stay in the field; a quoted empty field alone is a record.
TEST(ImportTabular, LinesOfBlanksAreSkippedAsPandasSkipsThem) {
  auto t = parse_delimited("id,text\n1,a\n2,b\n  \n", ',');
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(json::parse(t->rows[1]), json::parse(R"({"id":2,"text":"b"})"));
  EXPECT_TRUE(json::parse(t->rows[1])["id"].is_number_integer()) << "the skipped line types no column";
  auto csv = parse_delimited(" \t\nid;text\n1;a\n\t\n \t \r\n \r2;b\n  x;y\n \t", ';');
  ASSERT_TRUE(csv) << csv.error().message();
  EXPECT_EQ(csv->columns, (std::vector<std::string>{"id", "text"}));
  ASSERT_EQ(csv->rows.size(), 3u);
  EXPECT_EQ(json::parse(csv->rows[1]), json::parse(R"({"id":"2","text":"b"})"));
  EXPECT_EQ(json::parse(csv->rows[2]), json::parse(R"({"id":"  x","text":"y"})"))
      << "blanks before text are kept";
  auto tsv = parse_delimited("id\ttext\n1\ta\n  \n\t\n \t \n2\tb\n", '\t');
  ASSERT_TRUE(tsv) << tsv.error().message();
  ASSERT_EQ(tsv->rows.size(), 4u);
  EXPECT_EQ(json::parse(tsv->rows[1]), json::parse(R"({"id":"","text":""})")) << "a tab is the separator";
  EXPECT_EQ(json::parse(tsv->rows[2]), json::parse(R"({"id":" ","text":" "})"));
  auto quoted = parse_delimited("id\n1\n\"\"\n", ',');
  ASSERT_TRUE(quoted) << quoted.error().message();
  ASSERT_EQ(quoted->rows.size(), 2u);
  EXPECT_EQ(json::parse(quoted->rows[0]), json::parse(R"({"id":1.0})"));
  EXPECT_EQ(json::parse(quoted->rows[1]), json::parse(R"({"id":""})"));
  EXPECT_FALSE(parse_delimited("  \n\t\n", ',')) << "no header: no columns";
}

// pandas' float parser (precise_xstrtod) refuses a value past the double range, as an error and not
// an infinity: the column is then read as text, written as in the file, NA markers still "".
// Underflow is fine (0.0); an exponent of more than 17 digits is not a number.
TEST(ImportTabular, FloatsPastTheDoubleRangeKeepTheColumnText) {
  auto t = parse_delimited(
      "big,neg,zero,edge,max,tiny,long\n1e400,-1e999,0e400,1.7976931348623158e308,1.7976931348623157e308,1e-"
      "400,"
      "1e000000000000000001\n2, 1.5 ,NA,1,1,2,1\n",
      ',');
  ASSERT_TRUE(t) << t.error().message();
  const json r0 = json::parse(t->rows[0]), r1 = json::parse(t->rows[1]);
  EXPECT_EQ(r0["big"], "1e400");
  EXPECT_EQ(r1["big"], "2");
  EXPECT_EQ(r0["neg"], "-1e999");
  EXPECT_EQ(r1["neg"], " 1.5 ") << "text as written";
  EXPECT_EQ(r0["zero"], "0e400") << "pandas checks the exponent before the digits";
  EXPECT_EQ(r1["zero"], "") << "an NA marker is still missing";
  EXPECT_EQ(r0["edge"], "1.7976931348623158e308");
  EXPECT_EQ(r0["max"], 1.7976931348623157e308);
  EXPECT_EQ(r1["max"], 1.0);
  EXPECT_EQ(r0["tiny"], 0.0);
  EXPECT_TRUE(r0["tiny"].is_number_float());
  EXPECT_EQ(r0["long"], "1e000000000000000001");
}

// Python's str.splitlines(), which Label Studio splits a .txt with: the ASCII line and record
// separators, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR too, but no other character that holds
// their bytes; empty lines are tasks.
TEST(ImportTabular, TxtLinesSplitAsPythonSplitlines) {
  auto lines = parse_lines(
      "a\vb\fc\x1c"
      "d\x1d"
      "e\x1e"
      "f\xC2\x85g\xE2\x80\xA8h\xE2\x80\xA9i\n\n\xC3\x85\xE2\x80\xA6\xC2\xA0\t\x1f\r\n");
  std::vector<std::string> texts;
  for (auto& l : lines) texts.push_back(json::parse(l)["$undefined$"]);
  EXPECT_EQ(texts, (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i", "",
                                             "\xC3\x85\xE2\x80\xA6\xC2\xA0\t\x1f"}));
}

TEST(ImportMultipart, PartsInAnyChunking) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"abc\""), "abc");
  EXPECT_EQ(multipart_boundary("application/json"), std::nullopt);
  const std::string body =
      "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.csv\"\r\nContent-Type: text/csv\r\n\r\n"
      "x,y\r\n1,2\r\n--Xy\r\n\r\n--XyZ--\r\n";
  for (std::size_t step : {1, 3, 10, 4096}) {
    SCOPED_TRACE(step);
    std::size_t pos = 0;
    multipart_reader r("XyZ", [&]() -> result<std::string_view> {
      std::string_view v = std::string_view(body).substr(pos, step);
      pos += v.size();
      return v;
    });
    auto p1 = r.next_part();
    ASSERT_TRUE(p1 && *p1);
    EXPECT_EQ((*p1)->name, "note");
    EXPECT_FALSE((*p1)->filename);
    auto p2 = r.next_part();
    ASSERT_TRUE(p2 && *p2) << (p2 ? "" : p2.error().message());
    EXPECT_EQ((*p2)->filename, "a b.csv");
    EXPECT_EQ((*p2)->content_type, "text/csv");
    std::string content;
    for (;;) {
      auto c = r.read();
      ASSERT_TRUE(c);
      if (c->empty()) break;
      content.append(*c);
    }
    EXPECT_EQ(content, "x,y\r\n1,2\r\n--Xy\r\n") << "a partial delimiter is content";
    auto end = r.next_part();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
  }
  // Truncated bodies are errors, not hangs.
  std::string cut = body.substr(0, body.size() - 12);
  std::size_t pos = 0;
  multipart_reader r("XyZ", [&]() -> result<std::string_view> {
    std::string_view v = std::string_view(cut).substr(pos, 5);
    pos += v.size();
    return v;
  });
  bool failed = false;
  for (int i = 0; i < 10 && !failed; ++i) {
    auto p = r.next_part();
    if (!p) failed = true;
    else if (!*p) break;
  }
  EXPECT_TRUE(failed);
}

// filename* (RFC 5987) names the file when no plain filename is sent, and wins over one; a
// malformed or unknown-charset one leaves the plain name.
TEST(ImportMultipart, ExtendedFilenames) {
  EXPECT_EQ(disposition_filename(R"( name="file"; filename*=UTF-8''t%C3%A2ches%20%231.csv)"), "t\xC3\xA2" "ches #1.csv");
  EXPECT_EQ(disposition_filename(R"( name="file"; filename="taches.csv"; filename*=utf-8''t%C3%A2ches.csv)"),
            "t\xC3\xA2" "ches.csv");
  EXPECT_EQ(disposition_filename(R"( name="file"; filename*=iso-8859-1'fr't%E2ches.csv)"), "t\xC3\xA2" "ches.csv");
  EXPECT_EQ(disposition_filename(R"( name="file"; filename="plain.csv"; filename*=UTF-8''bad%2)"), "plain.csv");
  EXPECT_EQ(disposition_filename(R"( name="file"; filename="plain.csv"; filename*=koi8-r''x.csv)"), "plain.csv");
  EXPECT_EQ(disposition_filename(R"( name="file"; filename*=UTF-8''%zz.csv)"), std::nullopt);
  EXPECT_EQ(disposition_filename(R"( name="file")"), std::nullopt);
  EXPECT_EQ(disposition_filename(R"( name="file"; filename="a;b.csv")"), "a;b.csv");
}

// A file's name is its base name; a file part with none (a browser's empty file input sends
// filename="") is skipped whole, neither a file nor a field, as Django does.
TEST(ImportMultipart, FileNamesAreBaseNamesAndNamelessFilePartsAreSkipped) {
  EXPECT_EQ(file_base_name("C:\\fakepath\\a.csv"), "a.csv");
  EXPECT_EQ(file_base_name("../../etc/x.json"), "x.json");
  EXPECT_EQ(file_base_name("a\tb\x01.csv"), "ab.csv");
  EXPECT_EQ(file_base_name("dir/"), std::nullopt);
  EXPECT_EQ(file_base_name(".."), std::nullopt);
  EXPECT_EQ(file_base_name(""), std::nullopt);
  std::string body;
  for (int i = 0; i < 20000; ++i)  // many in a row: skipped in a loop, not by recursion
    body += "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n";
  body += "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\fakepath\\\\t.csv\"\r\n\r\nx\r\n--B--\r\n";
  std::size_t pos = 0;
  multipart_reader r("B", [&]() -> result<std::string_view> {
    std::string_view v = std::string_view(body).substr(pos, 4096);
    pos += v.size();
    return v;
  });
  auto p = r.next_part();
  ASSERT_TRUE(p && *p) << (p ? "no part" : p.error().message());
  EXPECT_EQ((*p)->filename, "t.csv");
  auto end = r.next_part();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);
}

}  // namespace
}  // namespace annot::host::imports
