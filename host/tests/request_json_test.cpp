// Request bodies are parsed once, by simdjson (store/thread_json.hpp), and the nlohmann tree the routes
// read is built from its document: the tree must be the one nlohmann's own parse gives, and a large
// body must not leave its parser's memory behind on the thread.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "api/request_body.hpp"
#include "store/json_check.hpp"
#include "store/thread_json.hpp"

namespace {

using annot::host::store::json::parsed_json;

annot::host::http::request json_request(std::string body) {
  annot::host::http::request req;
  req.headers.set("Content-Type", "application/json");
  req.body = std::move(body);
  return req;
}

template <class Json>
void expect_as_nlohmann_parses(const std::string& body) {
  auto ours = annot::host::api::request_object<Json>(json_request(body));
  ASSERT_TRUE(ours) << body << ": " << ours.error().message();
  const Json theirs = Json::parse(body);
  EXPECT_EQ(*ours, theirs) << body;
  EXPECT_EQ(ours->dump(), theirs.dump()) << body;
  // The number kinds too: routes ask is_number_unsigned() and the like.
  for (const auto& [key, value] : theirs.items())
    EXPECT_EQ(int((*ours)[key].type()), int(value.type())) << body << " at " << key;
}

TEST(RequestJson, TheTreeIsTheOneNlohmannsParseGives) {
  const std::string bodies[] = {
      R"({})",
      R"({"a":1,"b":-2,"c":2.5,"d":1e3,"e":-0.0,"f":18446744073709551615,"g":-9223372036854775808})",
      R"({"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \n","t":"","u":"\u0000x"})",
      R"({"n":null,"t":true,"f":false,"arr":[],"obj":{},"nested":[[1,[2,{"x":[3]}]],{"y":null}]})",
      R"({"z":1,"a":2,"m":{"k2":1,"k1":2}})",
      R"({"dup":1,"other":2,"dup":3})",
      R"({"tiny":1e-400,"big":1.7976931348623157e308,"frac":0.1,"exp":2E-7,"int_as_float":10.0})",
      R"({"result":[{"id":"a","type":"rectanglelabels","value":{"x":12.5,"y":30.1,"width":20,"height":15.5,"rectanglelabels":["Bird"]}}]})",
  };
  for (const auto& body : bodies) {
    expect_as_nlohmann_parses<nlohmann::json>(body);
    expect_as_nlohmann_parses<nlohmann::ordered_json>(body);
  }
  // ordered_json keeps the body's key order, and a repeated key its first place with its last value.
  auto ordered = annot::host::api::request_object<nlohmann::ordered_json>(json_request(R"({"z":1,"a":2,"z":3})"));
  ASSERT_TRUE(ordered);
  EXPECT_EQ(ordered->dump(), R"({"z":3,"a":2})");
}

TEST(RequestJson, BadBodiesAreRefusedWithLabelStudiosMessages) {
  auto refused = [](const std::string& body) {
    auto r = annot::host::api::request_object<nlohmann::json>(json_request(body));
    return r ? std::string("accepted") : r.error().message();
  };
  EXPECT_EQ(refused("[1,2]"), "Invalid data. Expected a dictionary, but got list.");
  EXPECT_EQ(refused("\"text\""), "Invalid data. Expected a dictionary, but got string.");
  EXPECT_EQ(refused("12"), "Invalid data. Expected a dictionary, but got number.");
  EXPECT_EQ(refused("true"), "Invalid data. Expected a dictionary, but got boolean.");
  EXPECT_EQ(refused("null"), "Invalid data. Expected a dictionary, but got null.");
  EXPECT_EQ(refused("{\"a\":"), "JSON parse error - the body is not valid JSON");
  EXPECT_NE(refused("{\"a\":1e400}").find("beyond 64-bit integers and doubles"), std::string::npos);
  EXPECT_NE(refused("{\"a\":\"\\ud800\"}").find("lone UTF-16 surrogate"), std::string::npos);
  std::string wide = "{";
  for (int i = 0; i <= 10000; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  EXPECT_EQ(refused("{\"o\":" + wide + "}}"), "the body holds an object of more than 10000 keys");
}

TEST(RequestJson, TheWidestObjectOfABodyIsCounted) {
  auto widest = [](const std::string& text) {
    parsed_json parsed(text);
    return annot::host::store::json::widest_object(parsed.root().value_unsafe());
  };
  EXPECT_EQ(widest(R"({"a":1,"b":[{"c":1,"d":2,"e":3}]})"), 3u);
  EXPECT_EQ(widest("[1,2,3]"), 0u);
}

TEST(RequestJson, ALargeDocumentLeavesNoParserMemoryOnItsThread) {
  // Small documents keep the thread's buffers for the next; a large one gives them back.
  std::string small = "[" + std::string(100000, ' ') + "1]";
  { parsed_json parsed(small); ASSERT_FALSE(parsed.root().error()); }
  EXPECT_GE(parsed_json::retained_by_this_thread(), small.size());
  std::string large = "[\"" + std::string(parsed_json::keep_limit + 1000, 'x') + "\"]";
  {
    parsed_json parsed(large);
    ASSERT_FALSE(parsed.root().error());
    EXPECT_GE(parsed_json::retained_by_this_thread(), large.size());
  }
  EXPECT_LT(parsed_json::retained_by_this_thread(), std::size_t(1) << 20);
}

TEST(RequestJson, ATextWithItsOwnPaddingIsParsedWhereItIs) {
  // A large imported task's data comes with simdjson's padding in its spare capacity (the import's item
  // parser puts it there): the store parses it in place, without a copy in the thread's buffer.
  std::string text = "{\"a\":\"" + std::string(std::size_t(1) << 20, 'y') + "\"}";
  const std::size_t n = text.size();
  text.append(simdjson::SIMDJSON_PADDING, ' ');
  text.resize(n);
  auto retained_after = [&](std::size_t padding) {
    std::size_t retained = 0;
    std::thread([&] {  // a thread of its own, whose buffers start empty
      parsed_json parsed(text, padding);
      EXPECT_FALSE(parsed.root().error());
      EXPECT_EQ(parsed.root().value_unsafe()["a"].get_string().value_unsafe().size(), std::size_t(1) << 20);
      retained = parsed_json::retained_by_this_thread();
    })
        .join();
    return retained;
  };
  EXPECT_GE(retained_after(0), 2 * n);                    // copied, then parsed
  EXPECT_LT(retained_after(text.capacity() - n), 2 * n);  // parsed where it is
}

TEST(RequestJson, ANestedParseOnOneThreadKeepsTheOuterDocument) {
  parsed_json outer(R"({"outer":[1,2,3]})");
  {
    parsed_json inner(R"({"inner":"x"})");
    EXPECT_EQ(std::string_view(inner.root().value_unsafe()["inner"].get_string().value_unsafe()), "x");
  }
  EXPECT_EQ(outer.root().value_unsafe()["outer"].get_array().value_unsafe().size(), 3u);
}

}  // namespace
