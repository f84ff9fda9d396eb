// Core plugin: every generic control on the objects it can target (a text Doc, a picture Pic, a List
// from the probe and core plugins), a valid result and each kind of invalid one, with JSON paths.
#include <gtest/gtest.h>

#include <thread>

#include "config_test_support.hpp"

namespace {

using annot::severity;
using annot::test::accepted;
using annot::test::check;
using nlohmann::json;

const char* const config = R"(<View>
  <Doc name="doc" value="$text"/>
  <Pic name="pic" value="$image"/>
  <Pic name="pics" valueList="$images"/>
  <List name="items" value="$items"/>
  <Labels name="ner" toName="doc"><Label value="Person"/><Label value="Org" alias="ORG"/></Labels>
  <Labels name="single" toName="doc" choice="single"><Label value="A"/><Label value="B"/></Labels>
  <Labels name="dyn" toName="doc" value="$labels"/>
  <Labels name="tags" toName="pic"><Label value="Cat"/><Label value="Dog"/></Labels>
  <BoxLabels name="box" toName="pic,pics"><Label value="Car"/></BoxLabels>
  <Choices name="sentiment" toName="doc"><Choice value="Pos"/><Choice value="Neg"/></Choices>
  <Choices name="multi" toName="pic" choice="multiple"><Choice value="Indoor"/><Choice value="Night"/></Choices>
  <Choices name="nested" toName="doc" allowNested="true" choice="multiple">
    <Choice value="Animal"><Choice value="Cat"/><Choice value="Dog"/></Choice>
    <Choice value="Plant"/>
  </Choices>
  <Choices name="dynchoices" toName="doc" value="$options"/>
  <Choices name="onlist" toName="items"><Choice value="Good"/></Choices>
  <Taxonomy name="tax" toName="doc">
    <Choice value="Animal"><Choice value="Mammal"><Choice value="Cat"/></Choice></Choice>
    <Choice value="Plant"/>
  </Taxonomy>
  <Taxonomy name="remote" toName="doc" apiUrl="https://example.com/tree"/>
  <TextArea name="note" toName="doc"/>
  <TextArea name="ocr" toName="pic" perRegion="true"/>
  <Rating name="stars" toName="doc"/>
  <Rating name="hearts" toName="pic" maxRating="10"/>
  <Number name="count" toName="pic" min="1" max="10"/>
  <DateTime name="when" toName="doc"/>
  <DateTime name="day" toName="doc" format="%d.%m.%Y"/>
  <Doc name="left" value="$a"/>
  <Doc name="right" value="$b"/>
  <Pairwise name="pw" toName="left,right"/>
  <Ranker name="rank" toName="items"><Bucket name="best"/><Bucket name="ads"/></Ranker>
  <Relations><Relation value="knows"/></Relations>
</View>)";

const annot::host::config::compiled_config& model() {
  static auto c = accepted(config);
  return c;
}

std::string item(const std::string& from, const std::string& to, const std::string& type, const std::string& value,
                 const std::string& extra = "") {
  return R"({"id":"r1","from_name":")" + from + R"(","to_name":")" + to + R"(","type":")" + type +
         R"(","value":)" + value + extra + "}";
}
std::string one(const std::string& i) { return "[" + i + "]"; }

TEST(CoreControls, ConfigIsAcceptedWithoutWarnings) {
  EXPECT_TRUE(model().ok());
  for (const auto& w : model().warnings) ADD_FAILURE() << annot::host::config::describe(w);
}

// --- Labels: its geometry comes from the object ----------------------------------------------------

TEST(Labels, ValidSpanOnDocAndBoxOnPic) {
  json data = {{"text", "Ada met Bob"}};
  auto r = check(model(), "[" + item("ner", "doc", "labels", R"({"start":0,"end":3,"labels":["Person"]})") + "," +
                              item("ner", "doc", "labels", R"({"start":8,"end":11,"labels":["ORG"]})") + "," +
                              item("tags", "pic", "labels",
                                   R"({"x":1,"y":2,"width":30,"height":40,"rotation":0,"labels":["Cat"]})") +
                              "]",
                 &data);
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
}

TEST(Labels, UnknownLabelIsARuleBreakAtItsIndex) {
  auto r = check(model(), one(item("ner", "doc", "labels", R"({"start":0,"end":3,"labels":["Person","Place"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.labels[1]", severity::rule_break, "\"Place\" is not a label of <Labels name=\"ner\">");
}

TEST(Labels, AliasIsTheLabelResultsCarry) {
  auto r = check(model(), one(item("ner", "doc", "labels", R"({"start":0,"end":3,"labels":["Org"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.labels[0]", severity::rule_break, "\"Org\" is not a label");
}

TEST(Labels, WrongTypeOfLabelsIsAnError) {
  auto r = check(model(), one(item("ner", "doc", "labels", R"({"start":0,"end":3,"labels":"Person"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.labels", severity::error, "must be a list of label strings");
  r = check(model(), one(item("ner", "doc", "labels", R"({"start":0,"end":3,"labels":[7]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.labels[0]", severity::error, "must be a string");
  r = check(model(), one(item("ner", "doc", "labels", R"({"start":0,"end":3})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.labels", severity::error, "is missing");
}

TEST(Labels, SpanOutOfRangeOfTheTaskText) {
  json data = {{"text", "héllo"}};  // 5 UTF-16 units in 6 bytes
  auto r = check(model(), one(item("ner", "doc", "labels", R"({"start":0,"end":5,"labels":["Person"]})")), &data);
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("ner", "doc", "labels", R"({"start":2,"end":6,"labels":["Person"]})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.end", severity::rule_break, "past the end of the text (5 characters)");
  r = check(model(), one(item("ner", "doc", "labels", R"({"start":4,"end":2,"labels":["Person"]})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.end", severity::error, "greater than start");
  r = check(model(), one(item("ner", "doc", "labels", R"({"start":"0","end":2,"labels":["Person"]})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.start", severity::error, "expects an integer");
}

TEST(Labels, BoxGeometryOnPic) {
  auto r = check(model(), one(item("tags", "pic", "labels", R"({"x":101,"y":2,"width":30,"height":40,"labels":["Cat"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.x", severity::rule_break, "above the maximum 100");
  r = check(model(), one(item("tags", "pic", "labels", R"({"x":1,"y":2,"width":-3,"height":40,"labels":["Cat"]})")));
  ASSERT_NE(annot::test::at(r, "result[0].value.width"), nullptr) << annot::test::dump(r);
  EXPECT_EQ(r.errors, 1u) << annot::test::dump(r);  // negative size: an error (and below min: a rule break)
  r = check(model(), one(item("tags", "pic", "labels", R"({"x":1,"y":2,"height":40,"labels":["Cat"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.width", severity::error, "is missing");
}

TEST(Labels, SingleChoiceTakesOneLabel) {
  auto r = check(model(), one(item("single", "doc", "labels", R"({"start":0,"end":1,"labels":["A","B"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.labels", severity::rule_break, "one label per region");
}

TEST(Labels, DynamicLabelsAreNotCheckedAgainstTheConfig) {
  auto r = check(model(), one(item("dyn", "doc", "labels", R"({"start":0,"end":1,"labels":["Anything"]})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
}

TEST(Labels, WrongTargetAndWrongType) {
  auto r = check(model(), one(item("ner", "pic", "labels", R"({"start":0,"end":1,"labels":["Person"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].to_name", severity::rule_break, "\"pic\" is not a target of <Labels name=\"ner\">");
  r = check(model(), one(item("ner", "nowhere", "labels", R"({"start":0,"end":1,"labels":["Person"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].to_name", severity::rule_break, "\"nowhere\" names no tag");
  r = check(model(), one(item("ner", "doc", "choices", R"({"start":0,"end":1,"choices":["Person"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].type", severity::rule_break, "produces results of type \"labels\"");
  r = check(model(), one(item("nobody", "doc", "labels", R"({"start":0,"end":1,"labels":["Person"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].from_name", severity::rule_break, "\"nobody\" names no control tag");
}

// --- A data-type control's own payload (label_list checked by the host) ----------------------------

TEST(BoxLabels, OnBothTargetsAndItemIndex) {
  json data = {{"image", "a.jpg"}, {"images", {"1.jpg", "2.jpg"}}};
  auto r = check(model(),
                 "[" + item("box", "pic", "boxlabels", R"({"x":1,"y":1,"width":5,"height":5,"boxlabels":["Car"]})") +
                     "," +
                     item("box", "pics", "boxlabels", R"({"x":1,"y":1,"width":5,"height":5,"boxlabels":["Car"]})",
                          R"(,"item_index":1)") +
                     "]",
                 &data);
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("box", "pics", "boxlabels", R"({"x":1,"y":1,"width":5,"height":5,"boxlabels":["Car"]})",
                              R"(,"item_index":2)")),
            &data);
  EXPECT_ONE_ISSUE(r, "result[0].item_index", severity::rule_break, "shows 2 items");
  r = check(model(), one(item("box", "pics", "boxlabels", R"({"x":1,"y":1,"width":5,"height":5,"boxlabels":["Bus"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.boxlabels[0]", severity::rule_break, "\"Bus\" is not a label");
}

// --- Choices ---------------------------------------------------------------------------------------

TEST(Choices, ValidOnEveryObjectKind) {
  auto r = check(model(), "[" + item("sentiment", "doc", "choices", R"({"choices":["Pos"]})") + "," +
                              item("multi", "pic", "choices", R"({"choices":["Indoor","Night"]})") + "," +
                              item("onlist", "items", "choices", R"({"choices":["Good"]})") + "]");
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
}

TEST(Choices, UnknownChoiceWrongShapeAndTooMany) {
  auto r = check(model(), one(item("sentiment", "doc", "choices", R"({"choices":["Meh"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.choices[0]", severity::rule_break, "\"Meh\" is not a choice of <Choices name=\"sentiment\">");
  r = check(model(), one(item("sentiment", "doc", "choices", R"({"choices":"Pos"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.choices", severity::error, "must be a list of choice values");
  r = check(model(), one(item("sentiment", "doc", "choices", R"({"choices":[1]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.choices[0]", severity::error, "must be a string");
  r = check(model(), one(item("sentiment", "doc", "choices", R"({"choices":["Pos","Neg"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.choices", severity::rule_break, "takes one choice");
  r = check(model(), one(item("sentiment", "pic", "choices", R"({"choices":["Pos"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].to_name", severity::rule_break, "not a target");
}

TEST(Choices, PerRegionGeometryUsesTheObjectsFallbackRegion) {
  auto r = check(model(), one(item("multi", "pic", "choices",
                                   R"({"x":1,"y":2,"width":3,"height":4,"choices":["Night"]})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("multi", "pic", "choices", R"({"x":150,"y":2,"width":3,"height":4,"choices":["Night"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.x", severity::rule_break, "above the maximum 100");
}

TEST(Choices, NestedPathsAndDynamicChoices) {
  auto r = check(model(), one(item("nested", "doc", "choices", R"({"choices":[["Animal","Cat"],"Plant"]})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("nested", "doc", "choices", R"({"choices":[["Plant","Cat"]]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.choices[0]", severity::rule_break, "is not a path of nested choices");
  r = check(model(), one(item("sentiment", "doc", "choices", R"({"choices":[["Pos"]]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.choices[0]", severity::error, "must be a string");
  r = check(model(), one(item("dynchoices", "doc", "choices", R"({"choices":["From data"]})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
}

// --- Taxonomy --------------------------------------------------------------------------------------

TEST(Taxonomy, PathsThroughTheTree) {
  auto r = check(model(), one(item("tax", "doc", "taxonomy", R"({"taxonomy":[["Animal","Mammal","Cat"],["Plant"]]})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("tax", "doc", "taxonomy", R"({"taxonomy":[["Animal","Cat"]]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.taxonomy[0]", severity::rule_break, "[\"Animal\", \"Cat\"] is not a path");
  r = check(model(), one(item("tax", "doc", "taxonomy", R"({"taxonomy":["Animal"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.taxonomy[0]", severity::error, "non-empty list of strings");
  r = check(model(), one(item("tax", "doc", "taxonomy", R"({"taxonomy":{"Animal":1}})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.taxonomy", severity::error, "must be a list of paths");
  r = check(model(), one(item("remote", "doc", "taxonomy", R"({"taxonomy":[["From","API"]]})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
}

// --- TextArea --------------------------------------------------------------------------------------

TEST(TextArea, ListOrSingleStringAndPerRegion) {
  auto r = check(model(), "[" + item("note", "doc", "textarea", R"({"text":["a","b"]})") + "," +
                              item("note", "doc", "textarea", R"({"text":"one string, as Label Studio accepts"})") +
                              "," + item("ocr", "pic", "textarea", R"({"x":1,"y":1,"width":2,"height":2,"text":["Hi"]})") +
                              "]");
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  // Label Studio's transcription example: to_name is the TextArea itself, text a single string.
  r = check(model(), one(item("note", "note", "textarea", R"({"text":"Mario"})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("note", "doc", "textarea", R"({"text":5})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.text", severity::error, "must be a list of strings");
  r = check(model(), one(item("note", "doc", "textarea", R"({"text":["ok",null]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.text[1]", severity::error, "must be a string");
  r = check(model(), one(item("ocr", "pic", "textarea", R"({"x":1,"y":1,"width":0,"height":2,"text":["Hi"]})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.width", severity::error, "greater than 0");
}

// --- Rating, Number, DateTime ------------------------------------------------------------------------

TEST(Rating, RangeAndType) {
  auto r = check(model(), "[" + item("stars", "doc", "rating", R"({"rating":5})") + "," +
                              item("hearts", "pic", "rating", R"({"rating":10})") + "]");
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("stars", "doc", "rating", R"({"rating":6})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.rating", severity::rule_break, "above maxRating=\"5\"");
  r = check(model(), one(item("stars", "doc", "rating", R"({"rating":-1})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.rating", severity::error, "whole number of 0 or more");
  r = check(model(), one(item("stars", "doc", "rating", R"({"rating":2.5})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.rating", severity::error, "whole number");
  r = check(model(), one(item("stars", "doc", "rating", R"({"rating":"3"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.rating", severity::error, "got string");
}

TEST(Number, MinMaxAndType) {
  auto r = check(model(), one(item("count", "pic", "number", R"({"number":2.5})")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("count", "pic", "number", R"({"number":0})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.number", severity::rule_break, "below min=\"1\"");
  r = check(model(), one(item("count", "pic", "number", R"({"number":11})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.number", severity::rule_break, "above max=\"10\"");
  r = check(model(), one(item("count", "pic", "number", R"({"number":"2"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.number", severity::error, "must be a number");
}

TEST(DateTime, FormatAndType) {
  auto r = check(model(), "[" + item("when", "doc", "datetime", R"({"datetime":"1991-05-22T09:17"})") + "," +
                              item("day", "doc", "datetime", R"({"datetime":"22.05.1991"})") + "]");
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("day", "doc", "datetime", R"({"datetime":"1991-05-22"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.datetime", severity::rule_break, "does not match format=\"%d.%m.%Y\"");
  r = check(model(), one(item("when", "doc", "datetime", R"({"datetime":"yesterday"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.datetime", severity::rule_break, "ISO 8601");
  r = check(model(), one(item("when", "doc", "datetime", R"({"datetime":19910522})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.datetime", severity::error, "must be a string");
}

// --- Pairwise, Ranker, Relations ---------------------------------------------------------------------

TEST(Pairwise, BothToNameForms) {
  auto r = check(model(), "[" + item("pw", "pw", "pairwise", R"({"selected":"left"})") + "," +
                              item("pw", "right", "pairwise", R"({"selected":"right"})") + "," +
                              item("pw", "left,right", "pairwise", R"({"selected":"right"})") + "]");
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("pw", "pw", "pairwise", R"({"selected":"middle"})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.selected", severity::rule_break, "\"left\" or \"right\"");
  r = check(model(), one(item("pw", "pw", "pairwise", R"({"selected":1})")));
  EXPECT_ONE_ISSUE(r, "result[0].value.selected", severity::error, "must be");
  r = check(model(), one(item("pw", "doc", "pairwise", R"({"selected":"left"})")));
  EXPECT_ONE_ISSUE(r, "result[0].to_name", severity::rule_break, "not a target of <Pairwise name=\"pw\">");
}

TEST(Ranker, BothValueFormsBucketsAndIds) {
  json data = {{"items", {{{"id", "a"}, {"title", "A"}}, {{"id", "b"}, {"title", "B"}}}}};
  auto r = check(model(), "[" + item("rank", "items", "ranker", R"({"ranker":{"best":["a"],"ads":["b"],"_":[]}})") +
                              "," + item("rank", "items", "ranker", R"({"ranker":{"rank":["b","a"]}})") + "," +
                              item("rank", "items", "ranker", R"({"ranker":["a","b"]})") + "]",
                 &data);
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), one(item("rank", "items", "ranker", R"({"ranker":{"worst":["a"]}})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.ranker.worst", severity::rule_break, "neither a <Bucket>");
  r = check(model(), one(item("rank", "items", "ranker", R"({"ranker":["a","zzz"]})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.ranker[1]", severity::rule_break, "\"zzz\" is not the id of an item");
  r = check(model(), one(item("rank", "items", "ranker", R"({"ranker":{"best":"a"}})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.ranker.best", severity::error, "must be a list of item ids");
  r = check(model(), one(item("rank", "items", "ranker", R"({"ranker":"a"})")), &data);
  EXPECT_ONE_ISSUE(r, "result[0].value.ranker", severity::error, "must be an object");
}

TEST(Relations, EndpointsDirectionAndLabels) {
  std::string a = item("ner", "doc", "labels", R"({"start":0,"end":1,"labels":["Person"]})");
  std::string b = R"({"id":"r2","from_name":"ner","to_name":"doc","type":"labels","value":{"start":2,"end":3,"labels":["Person"]}})";
  auto r = check(model(), "[" + a + "," + b +
                              R"(,{"from_id":"r1","to_id":"r2","type":"relation","direction":"right","labels":["knows"]}])");
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
  r = check(model(), "[" + a + R"(,{"from_id":"r1","type":"relation"}])");
  EXPECT_ONE_ISSUE(r, "result[1].to_id", severity::error, "a relation needs from_id and to_id");
  r = check(model(), "[" + a + R"(,{"from_id":"r1","to_id":"gone","type":"relation"}])");
  EXPECT_ONE_ISSUE(r, "result[1].to_id", severity::rule_break, "\"gone\" is not the id of a result");
  r = check(model(), "[" + a + "," + b + R"(,{"from_id":"r1","to_id":"r2","type":"relation","direction":"up"}])");
  EXPECT_ONE_ISSUE(r, "result[2].direction", severity::rule_break, "\"left\", \"right\" or \"bi\"");
  r = check(model(), "[" + a + "," + b + R"(,{"from_id":"r1","to_id":"r2","type":"relation","labels":["hates"]}])");
  EXPECT_ONE_ISSUE(r, "result[2].labels[0]", severity::rule_break, "\"hates\" is not a label of <Relations>");
}

// --- The envelope ----------------------------------------------------------------------------------

TEST(Envelope, ErrorsNoConsumerCanUse) {
  auto r = check(model(), R"([5])");
  EXPECT_ONE_ISSUE(r, "result[0]", severity::error, "must be an object");
  r = check(model(), R"([{"from_name":"ner","to_name":"doc","value":{}}])");
  EXPECT_ONE_ISSUE(r, "result[0].type", severity::error, "needs \"type\"");
  r = check(model(), R"([{"from_name":"ner","to_name":"doc","type":"labels","value":[1]}])");
  EXPECT_ONE_ISSUE(r, "result[0].value", severity::error, "must be an object");
  r = check(model(), R"([{"from_name":"ner","to_name":"doc","type":"labels"}])");
  EXPECT_ONE_ISSUE(r, "result[0].value", severity::error, "is missing");
  r = check(model(), R"({"not":"a list"})");
  EXPECT_ONE_ISSUE(r, "result", severity::error, "must be a list");
}

TEST(Envelope, UnknownExtraKeysAreKept) {
  auto r = check(model(), one(item("sentiment", "doc", "choices", R"({"choices":["Pos"],"future_key":{"x":1}})",
                                   R"(,"origin":"manual","meta":{"text":["n"]},"readonly":true,"new_top":[1])")));
  EXPECT_TRUE(r.clean()) << annot::test::dump(r);
}

TEST(Envelope, SafeFromSeveralThreadsAtOnce) {
  json data = {{"text", "Ada met Bob"}};
  std::string results = "[";
  for (int i = 0; i < 200; ++i) {
    if (i) results += ",";
    results += item("ner", "doc", "labels", R"({"start":0,"end":)" + std::to_string(i % 15 + 1) + R"(,"labels":["Person"]})");
  }
  results += "]";
  auto expected = check(model(), results, &data);
  EXPECT_EQ(expected.rule_breaks, 52u) << annot::test::dump(expected);
  std::vector<std::thread> threads;
  std::vector<std::size_t> counts(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k) counts[t] += check(model(), results, &data).issues.size();
    });
  for (auto& t : threads) t.join();
  for (auto c : counts) EXPECT_EQ(c, 20 * expected.issues.size());
}

}  // namespace
