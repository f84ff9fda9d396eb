// Text plugin: results of every control on Text, Paragraphs, Table and Chat: a valid one, and each
// kind of invalid one, refused with the JSON path of the problem.
#include <cmath>

#include "harness.hpp"
#include "text_common.hpp"

namespace {

using namespace text_test;
using annot::severity;

constexpr const char* text_config = R"(<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sent" toName="text" perRegion="true"><Choice value="Pos"/><Choice value="Neg"/></Choices>
  <TextArea name="note" toName="text" perRegion="true"/>
  <Paragraphs name="dialog" value="$dialog" textKey="line" nameKey="who"/>
  <ParagraphLabels name="pl" toName="dialog"><Label value="Question"/><Label value="Answer"/></ParagraphLabels>
  <Labels name="plab" toName="dialog"><Label value="Topic"/></Labels>
  <Choices name="pcls" toName="dialog" perRegion="true"><Choice value="Rude"/></Choices>
  <Table name="menu" value="$menu"/>
  <Choices name="dish" toName="menu"><Choice value="Tuna"/><Choice value="Egg"/></Choices>
  <Chat name="chat" value="$messages"/>
  <TextArea name="reply" toName="chat"/>
  <Rating name="quality" toName="chat"/>
  <Number name="turns" toName="chat"/>
</View>)";

const config_model& model() {
  static auto m = accepted(text_config);
  return *m;
}

// "Hi 😀 Bob" is 8 code points (Label Studio's unit; 9 UTF-16 code units: the emoji is a surrogate pair), 11
// UTF-8 bytes.
const json task = {{"text", "Hi \xF0\x9F\x98\x80 Bob"},
                   {"dialog",
                    {{{"who", "A"}, {"line", "Hello there"}},
                     {{"who", "B"}, {"line", "Hi"}},
                     {{"who", "A"}, {"line", "How are you?"}}}},
                   {"menu", {{"fish", "tuna"}, {"price", 3}}},
                   {"messages", {{{"role", "user"}, {"content", "hello"}}}}};

json item(const std::string& from, const std::string& to, const std::string& type, json value) {
  return {{"id", "a1"}, {"from_name", from}, {"to_name", to}, {"type", type}, {"value", std::move(value)}};
}

result_report one(const json& it, bool with_task = true) {
  return check(model(), json::array({it}), with_task ? &task : nullptr);
}

// ---- Text ---------------------------------------------------------------------------------------

TEST(TextSpan, ValidSpansAreClean) {
  EXPECT_TRUE(clean(one(item("ner", "text", "labels", {{"start", 0}, {"end", 2}, {"text", "Hi"}, {"labels", {"PER"}}}))));
  // To the end of the text, emoji included: 8 code points.
  EXPECT_TRUE(
      clean(one(item("ner", "text", "labels", {{"start", 3}, {"end", 8}, {"labels", {"PER", "ORG"}}}))));
  // Offsets written as 3.0 are still whole numbers.
  EXPECT_TRUE(clean(one(item("ner", "text", "labels", {{"start", 3.0}, {"end", 5}, {"labels", {"ORG"}}}))));
}

TEST(TextSpan, OutOfRangeIsARuleBreak) {
  // 9 would be the end in UTF-16 units: past the end in code points.
  auto r = one(item("ner", "text", "labels", {{"start", 3}, {"end", 9}, {"labels", {"PER"}}}));
  EXPECT_TRUE(
      has_issue(r, severity::rule_break, "result[0].value.end", "past the end of the text (8 characters"));
  EXPECT_EQ(r.errors, 0u);
  // Unknown text (no task): nothing to compare with.
  EXPECT_TRUE(clean(one(item("ner", "text", "labels", {{"start", 3}, {"end", 900}, {"labels", {"PER"}}}), false)));
}

TEST(TextSpan, BrokenSpansAreErrors) {
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", -1}, {"end", 2}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.start", "cannot be negative"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", 4}, {"end", 4}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.end", "not after start"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", 5}, {"end", 2}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.end", "reversed"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"end", 2}, {"labels", {"PER"}}})), severity::error,
                        "result[0].value.start", "is missing"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", "0"}, {"end", 2}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.start", "expects an integer"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", 0.5}, {"end", 2}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.start", "expects an integer"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", 0}, {"end", 2}, {"text", 5}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.text"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", 0}, {"end", std::nan("")}, {"labels", {"PER"}}})),
                        severity::error, "result[0].value.end", "not a finite number"));
}

TEST(TextSpan, UnknownLabelWrongTypeWrongTarget) {
  json v = {{"start", 0}, {"end", 2}, {"labels", {"PER", "LOC"}}};
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", v)), severity::rule_break, "result[0].value.labels[1]",
                        "\"LOC\" is not a label"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "labels", {{"start", 0}, {"end", 2}, {"labels", "PER"}})),
                        severity::error, "result[0].value.labels"));
  EXPECT_TRUE(has_issue(one(item("ner", "text", "hypertextlabels", v)), severity::rule_break, "result[0].type"));
  EXPECT_TRUE(has_issue(one(item("ner", "menu", "labels", v)), severity::rule_break, "result[0].to_name",
                        "is not a target of"));
  EXPECT_TRUE(has_issue(one(item("ner", "txt", "labels", v)), severity::rule_break, "result[0].to_name", "names no tag"));
}

TEST(TextSpan, ExtraKeysAreKept) {
  json it = item("ner", "text", "labels", {{"start", 0}, {"end", 2}, {"labels", {"PER"}}, {"globalOffsets", {{"start", 0}}}});
  it["origin"] = "prediction";
  it["readonly"] = true;
  EXPECT_TRUE(clean(one(it)));
}

TEST(TextSpan, PerRegionResultsRepeatTheSpanOrNone) {
  EXPECT_TRUE(clean(one(item("sent", "text", "choices", {{"start", 0}, {"end", 2}, {"choices", {"Pos"}}}))));
  EXPECT_TRUE(clean(one(item("sent", "text", "choices", {{"choices", {"Neg"}}}))));
  EXPECT_TRUE(clean(one(item("note", "text", "textarea", {{"start", 3}, {"end", 8}, {"text", {"an emoji"}}}))));
  EXPECT_TRUE(has_issue(one(item("sent", "text", "choices", {{"start", 0}, {"end", 20}, {"choices", {"Pos"}}})),
                        severity::rule_break, "result[0].value.end", "past the end"));
  EXPECT_TRUE(has_issue(one(item("note", "text", "textarea", {{"start", 3}, {"text", {"x"}}})), severity::error,
                        "result[0].value.end", "is missing"));
  EXPECT_TRUE(has_issue(one(item("sent", "text", "choices", {{"start", 0}, {"end", "2"}, {"choices", {"Pos"}}})),
                        severity::error, "result[0].value.end", "expects an integer"));
}

TEST(TextSpan, TextLengthFollowsTheDisplayedText) {
  auto length_of = [](const char* attrs, json data) -> std::optional<double> {
    auto m = accepted(std::string("<View><Text name=\"t\" value=\"$v\" ") + attrs +
                      "/><Labels name=\"l\" toName=\"t\"><Label value=\"A\"/></Labels></View>");
    json d = {{"v", data}};
    // Probe with an end far away: the rule break message carries the length.
    auto r = check(*m, json::array({item("l", "t", "labels", {{"start", 0}, {"end", 1000000}, {"labels", {"A"}}})}), &d);
    for (const auto& i : r.issues) {
      auto at = i.message.find("(");
      if (i.path == "result[0].value.end" && at != std::string::npos) return std::stod(i.message.substr(at + 1));
    }
    return std::nullopt;
  };
  EXPECT_EQ(length_of("", "abc"), 3.0);
  EXPECT_EQ(length_of("", "\xC3\xA9t\xC3\xA9"), 3.0);             // "été": 3 code points, 5 bytes
  EXPECT_EQ(length_of("", "\xE4\xB8\xAD\xE6\x96\x87"), 2.0);       // two CJK characters
  EXPECT_EQ(length_of("", "\xF0\x9F\x91\x8D\xF0\x9F\x91\x8D"), 2.0);  // two emoji, one code point each
  EXPECT_EQ(length_of("", 12345), 5.0);                               // numbers are shown as text
  EXPECT_EQ(length_of("encoding=\"base64\"", "aGVsbG8gd29ybGQ="), 11.0);  // "hello world"
  EXPECT_EQ(length_of("encoding=\"base64unicode\"", "w6l0w6k="), 3.0);    // "été"
  EXPECT_EQ(length_of("valueType=\"url\"", "https://example.com/a.txt"), std::nullopt);
  EXPECT_EQ(length_of("", json::array({"a", "b"})), std::nullopt);
}

TEST(TextSpan, CodePointLength) {
  using annot::plugins::text::code_point_length;
  EXPECT_EQ(code_point_length(""), 0u);
  EXPECT_EQ(code_point_length("abc"), 3u);
  EXPECT_EQ(code_point_length("\xF0\x9F\x98\x80"), 1u);  // an emoji: one code point (two UTF-16 units)
  EXPECT_EQ(code_point_length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(code_point_length("\xFF\xFE"), 2u);          // not UTF-8: one per byte
  EXPECT_EQ(code_point_length("\xE2\x82"), 2u);          // truncated sequence
}

// ---- Paragraphs ---------------------------------------------------------------------------------

json para(json start, json end, json extra = json::object()) {
  json v = {{"start", std::move(start)}, {"end", std::move(end)}, {"startOffset", 0}, {"endOffset", 2}};
  v.update(extra);
  return v;
}

TEST(ParagraphSpan, ValidSpansAreClean) {
  json v = para("0", "2", {{"endOffset", 12}, {"text", "Hello there"}});
  v["paragraphlabels"] = {"Question"};
  EXPECT_TRUE(clean(one(item("pl", "dialog", "paragraphlabels", v))));
  json n = para(1, 1);
  n["paragraphlabels"] = {"Answer"};
  EXPECT_TRUE(clean(one(item("pl", "dialog", "paragraphlabels", n))));
  json l = para("1", "2");
  l["labels"] = {"Topic"};
  EXPECT_TRUE(clean(one(item("plab", "dialog", "labels", l))));
  // Offsets are optional.
  EXPECT_TRUE(clean(one(item("pl", "dialog", "paragraphlabels", {{"start", "2"}, {"end", "2"}, {"paragraphlabels", {"Answer"}}}))));
}

TEST(ParagraphSpan, OutOfRangeIsARuleBreak) {
  json v = para("1", "3");
  v["paragraphlabels"] = {"Question"};
  auto r = one(item("pl", "dialog", "paragraphlabels", v));
  EXPECT_TRUE(has_issue(r, severity::rule_break, "result[0].value.end", "paragraph 3, but the task has 3 paragraphs"));
  EXPECT_EQ(r.errors, 0u);
  json off = para("0", "1", {{"endOffset", 3}});  // paragraph 1 is "Hi"
  off["paragraphlabels"] = {"Question"};
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", off)), severity::rule_break,
                        "result[0].value.endOffset", "past the end of paragraph 1 (2 characters)"));
  json so = para("1", "2", {{"startOffset", 5}});
  so["paragraphlabels"] = {"Question"};
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", so)), severity::rule_break,
                        "result[0].value.startOffset", "past the end of paragraph 1"));
  // Without the task, nothing to bound with.
  EXPECT_TRUE(clean(one(item("pl", "dialog", "paragraphlabels", v), false)));
}

TEST(ParagraphSpan, BrokenSpansAreErrors) {
  auto with_labels = [](json v) {
    v["paragraphlabels"] = {"Question"};
    return v;
  };
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", with_labels(para("2", "1")))), severity::error,
                        "result[0].value.end", "before the start paragraph"));
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", with_labels(para("first", "1")))), severity::error,
                        "result[0].value.start", "paragraph index"));
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", with_labels(para(-1, "1")))), severity::error,
                        "result[0].value.start", "paragraph index"));
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", with_labels(para("0", 1.5)))), severity::error,
                        "result[0].value.end", "paragraph index"));
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", with_labels(para("0", "1", {{"startOffset", -2}})))),
                        severity::error, "result[0].value.startOffset", "cannot be negative"));
  EXPECT_TRUE(has_issue(
      one(item("pl", "dialog", "paragraphlabels", with_labels(para("0", "0", {{"startOffset", 5}, {"endOffset", 2}})))),
      severity::error, "result[0].value.endOffset", "before startOffset"));
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", with_labels(para("0", "1", {{"endOffset", "2"}})))),
                        severity::error, "result[0].value.endOffset", "expects an integer"));
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", {{"end", "1"}, {"paragraphlabels", {"Question"}}})),
                        severity::error, "result[0].value.start", "is missing"));
}

TEST(ParagraphSpan, UnknownLabelWrongTypeWrongTarget) {
  json v = para("0", "1");
  v["paragraphlabels"] = {"Chit-chat"};
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", v)), severity::rule_break,
                        "result[0].value.paragraphlabels[0]", "\"Chit-chat\" is not a label"));
  json ok = para("0", "1");
  ok["paragraphlabels"] = {"Answer"};
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "labels", ok)), severity::rule_break, "result[0].type"));
  EXPECT_TRUE(has_issue(one(item("pl", "text", "paragraphlabels", ok)), severity::rule_break, "result[0].to_name",
                        "is not a target of"));
  json missing = para("0", "1");
  EXPECT_TRUE(has_issue(one(item("pl", "dialog", "paragraphlabels", missing)), severity::error,
                        "result[0].value.paragraphlabels", "is missing"));
}

TEST(ParagraphSpan, PerRegionResultsRepeatTheSpanOrNone) {
  json v = para("0", "1");
  v["choices"] = {"Rude"};
  EXPECT_TRUE(clean(one(item("pcls", "dialog", "choices", v))));
  EXPECT_TRUE(clean(one(item("pcls", "dialog", "choices", {{"choices", {"Rude"}}}))));
  json bad = para("0", "7");
  bad["choices"] = {"Rude"};
  EXPECT_TRUE(has_issue(one(item("pcls", "dialog", "choices", bad)), severity::rule_break, "result[0].value.end"));
}

// ---- Table and Chat: classification only ---------------------------------------------------------

TEST(TableAndChat, ClassificationResults) {
  EXPECT_TRUE(clean(one(item("dish", "menu", "choices", {{"choices", {"Tuna"}}}))));
  EXPECT_TRUE(has_issue(one(item("dish", "menu", "choices", {{"choices", {"Beef"}}})), severity::rule_break,
                        "result[0].value.choices[0]"));
  EXPECT_TRUE(has_issue(one(item("dish", "chat", "choices", {{"choices", {"Tuna"}}})), severity::rule_break,
                        "result[0].to_name", "is not a target of"));
  EXPECT_TRUE(clean(one(item("reply", "chat", "textarea", {{"text", {"Sure, here it is."}}}))));
  // A textarea whose text is a string rather than a list is accepted, as Label Studio does.
  EXPECT_TRUE(clean(one(item("reply", "chat", "textarea", {{"text", "Sure."}}))));
  EXPECT_TRUE(clean(one(item("quality", "chat", "rating", {{"rating", 4}}))));
  EXPECT_TRUE(clean(one(item("turns", "chat", "number", {{"number", 3}}))));
  EXPECT_TRUE(has_issue(one(item("quality", "chat", "rating", {{"stars", 4}})), severity::error,
                        "result[0].value.rating", "is missing"));
  // Span-like keys on a Table or Chat result mean nothing there and are kept unchecked.
  EXPECT_TRUE(clean(one(item("dish", "menu", "choices", {{"choices", {"Egg"}}, {"start", -5}}))));
}

}  // namespace
