// util::parse_ordered_json gives what nlohmann::ordered_json::parse gives (order, repeated keys, numbers,
// errors), in linear time for objects of many members.
#include <gtest/gtest.h>

#include <string>

#include "util/ordered_json.hpp"

namespace annot::host::util {
namespace {

using ojson = nlohmann::ordered_json;

void expect_as_nlohmann(const std::string& text) {
  const ojson expected = ojson::parse(text, nullptr, false);
  const ojson got = parse_ordered_json(text);
  ASSERT_EQ(got.is_discarded(), expected.is_discarded()) << text;
  if (expected.is_discarded()) return;
  EXPECT_EQ(got.dump(), expected.dump()) << text;  // dump() keeps member order
  EXPECT_EQ(got, expected) << text;
}

TEST(UtilOrderedJson, ReadsWhatNlohmannReads) {
  for (const char* text :
       {R"({"b":1,"a":[true,false,null,{"z":"x","y":[]}],"c":{}})", R"([1,-2,3.5,1e-5,18446744073709551615,-9223372036854775808])",
        R"(123456789012345678901234567890)", R"("just a string")", R"({"a":1,"b":2,"a":3})",
        R"({"k":{"a":1},"k":[2]})", R"({"\u00e9t\u00e9":"\ud83d\ude00"})", "  [ ]  ", "{}", "null"})
    expect_as_nlohmann(text);
}

TEST(UtilOrderedJson, RefusesWhatNlohmannRefuses) {
  for (const char* text : {"", "{", R"({"a":1,})", "[1 2]", "nul", R"({"a":1}x)", "1e400", R"({"a":"\ud800"})"})
    expect_as_nlohmann(text);
}

// A labels_attrs of thousands of labels, with repeated keys before and after the key index starts.
TEST(UtilOrderedJson, LargeObjectsKeepOrderAndRepeatedKeys) {
  std::string text = "{";
  for (int i = 0; i < 3000; ++i) text += "\"label " + std::to_string(i) + "\":{\"value\":" + std::to_string(i) + "},";
  text += R"("label 3":"early again","label 2999":"late again","label 0":[0]})";
  const ojson got = parse_ordered_json(text);
  ASSERT_TRUE(got.is_object());
  EXPECT_EQ(got.size(), 3000u);
  EXPECT_EQ(got.begin().key(), "label 0");
  EXPECT_EQ(got["label 0"], ojson::array({0}));
  EXPECT_EQ(got["label 3"], "early again");
  EXPECT_EQ(got["label 2999"], "late again");
  EXPECT_EQ(got["label 1234"]["value"], 1234);
  expect_as_nlohmann(text);
}

}  // namespace
}  // namespace annot::host::util
