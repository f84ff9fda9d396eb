// html plugin: HyperText/HyperTextLabels config checks, XPath-span results of every control that can
// target HyperText, and the document measure, through the config engine with the core plugin.
#include <annot_testing/config_harness.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/json_view.hpp"
#include "html_text.hpp"
#include "xpath_span.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);
extern "C" const annot_plugin_descriptor* annot_plugin_html_entry(void);

namespace {

using namespace annot::testing;

const tag_catalog& catalog() {
  static const tag_catalog& c = catalog_of({annot_plugin_core_entry(), annot_plugin_html_entry()});
  return c;
}

constexpr const char* html_config = R"(<View>
  <HyperText name="doc" value="$html" saveTextResult="yes" granularity="word"/>
  <HyperText name="other" value="$other" encoding="base64"/>
  <HyperTextLabels name="ner" toName="doc" choice="multiple"><Label value="Person"/><Label value="Place"/></HyperTextLabels>
  <Labels name="lbl" toName="doc"><Label value="Quote"/></Labels>
  <Choices name="topic" toName="doc"><Choice value="News"/><Choice value="Blog"/></Choices>
  <Choices name="tone" toName="doc" perRegion="true"><Choice value="Neutral"/><Choice value="Angry"/></Choices>
  <Taxonomy name="tax" toName="doc"><Choice value="Europe"><Choice value="France"/></Choice></Taxonomy>
  <TextArea name="note" toName="doc" perRegion="true"/>
  <Rating name="stars" toName="doc"/>
  <Number name="words" toName="doc" min="0"/>
  <DateTime name="written" toName="doc"/>
  <Pairwise name="pw" toName="doc,other"/>
</View>)";

// 31 characters of text in 3 elements: at most 31 + 2 * 3 = 37 global offsets.
constexpr const char* task_html = "<div><p>Ada <b>Lovelace</b> was</p>born in London.</div>";

const config_model& html_model() {
  static compiled_config c = compile_config(html_config, catalog());
  return *c.model;
}

const json& task_data() {
  // "other" is base64 of "<p>Hi</p>": 2 characters in one element, bound 4.
  static json data = {{"html", task_html}, {"other", "PHA+SGk8L3A+"}};
  return data;
}

class HtmlResults : public ::testing::TestWithParam<result_case> {};

TEST_P(HtmlResults, Check) { EXPECT_TRUE(meets(GetParam(), html_model(), &task_data())); }

#define SPAN R"("start": "/div[1]/p[1]/b[1]/text()[1]", "end": "/div[1]/p[1]/b[1]/text()[1]", "startOffset": 0, "endOffset": 8)"

const result_case hypertextlabels_cases[] = {
    {"valid", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "globalOffsets": {"start": 4, "end": 12}, "text": "Lovelace", "hypertextlabels": ["Person"]}})",
     "", severity::error, ""},
    {"valid_across_nodes_and_elements", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]/p[1]", "end": "/div[1]/text()[1]", "startOffset": 0, "endOffset": 6,
                  "hypertextlabels": ["Person", "Place"]}})",
     "", severity::error, ""},
    {"valid_without_offsets", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]", "end": "/div[1]", "hypertextlabels": ["Place"]}})",
     "", severity::error, ""},
    {"global_offsets_past_the_document", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "globalOffsets": {"start": 30, "end": 40}, "hypertextlabels": ["Person"]}})",
     "value.globalOffsets.end", severity::rule_break, "past the end of the document, whose text has at most 37"},
    {"global_offsets_negative_length", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "globalOffsets": {"start": 12, "end": 4}, "hypertextlabels": ["Person"]}})",
     "value.globalOffsets.end", severity::error, "negative length"},
    {"global_offsets_not_numbers", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "globalOffsets": {"start": "4", "end": 12}, "hypertextlabels": ["Person"]}})",
     "value.globalOffsets.start", severity::error, "must be a number"},
    {"global_offsets_not_an_object", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "globalOffsets": [4, 12], "hypertextlabels": ["Person"]}})",
     "value.globalOffsets", severity::error, "expects an object"},
    {"negative_offset", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]/p[1]/text()[1]", "end": "/div[1]/p[1]/text()[1]", "startOffset": -1,
                  "endOffset": 3, "hypertextlabels": ["Person"]}})",
     "value.startOffset", severity::rule_break, "below the minimum 0"},
    {"end_offset_before_start_offset_in_one_node", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]/p[1]/text()[1]", "end": "/div[1]/p[1]/text()[1]", "startOffset": 3,
                  "endOffset": 1, "hypertextlabels": ["Person"]}})",
     "value.endOffset", severity::error, "negative length"},
    {"empty_span_in_one_node", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]/p[1]/text()[1]", "end": "/div[1]/p[1]/text()[1]", "startOffset": 2,
                  "endOffset": 2, "hypertextlabels": ["Person"]}})",
     "value.endOffset", severity::rule_break, "the span is empty"},
    {"fractional_offset", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]", "end": "/div[1]", "startOffset": 0.5, "endOffset": 3, "hypertextlabels": ["Person"]}})",
     "value.startOffset", severity::error, "expects an integer"},
    {"not_an_xpath", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "div > p", "end": "/div[1]", "hypertextlabels": ["Person"]}})",
     "value.start", severity::error, "not an XPath"},
    {"xpath_position_zero", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]", "end": "/div[0]/p[1]", "hypertextlabels": ["Person"]}})",
     "value.end", severity::error, "not an XPath"},
    {"xpath_not_a_string", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": 4, "end": "/div[1]", "hypertextlabels": ["Person"]}})",
     "value.start", severity::error, "expects a string"},
    {"missing_end", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {"start": "/div[1]", "hypertextlabels": ["Person"]}})",
     "value.end", severity::error, "is missing"},
    {"unknown_label", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "hypertextlabels": ["Date"]}})",
     "value.hypertextlabels[0]", severity::rule_break, "is not a label of"},
    {"labels_not_a_list", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "hypertextlabels": "Person"}})",
     "value.hypertextlabels", severity::error, "must be a list"},
    {"wrong_type", R"({"id": "a", "from_name": "ner", "to_name": "doc", "type": "labels",
        "value": {)" SPAN R"(, "labels": ["Person"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"wrong_target", R"({"id": "a", "from_name": "ner", "to_name": "other", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "hypertextlabels": ["Person"]}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(HyperTextLabels, HtmlResults, ::testing::ValuesIn(hypertextlabels_cases),
                         case_name);

const result_case other_control_cases[] = {
    {"labels_valid", R"({"id": "a", "from_name": "lbl", "to_name": "doc", "type": "labels",
        "value": {)" SPAN R"(, "labels": ["Quote"]}})",
     "", severity::error, ""},
    {"labels_missing_span", R"({"id": "a", "from_name": "lbl", "to_name": "doc", "type": "labels",
        "value": {"labels": ["Quote"]}})",
     "value.start", severity::error, "is missing"},
    {"labels_out_of_range", R"({"id": "a", "from_name": "lbl", "to_name": "doc", "type": "labels",
        "value": {)" SPAN R"(, "globalOffsets": {"start": 0, "end": 99}, "labels": ["Quote"]}})",
     "value.globalOffsets.end", severity::rule_break, "past the end of the document"},
    {"labels_unknown_label", R"({"id": "a", "from_name": "lbl", "to_name": "doc", "type": "labels",
        "value": {)" SPAN R"(, "labels": ["Person"]}})",
     "value.labels[0]", severity::rule_break, "is not a label of"},
    {"labels_wrong_type", R"({"id": "a", "from_name": "lbl", "to_name": "doc", "type": "hypertextlabels",
        "value": {)" SPAN R"(, "hypertextlabels": ["Quote"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"labels_wrong_target", R"({"id": "a", "from_name": "lbl", "to_name": "other", "type": "labels",
        "value": {)" SPAN R"(, "labels": ["Quote"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"choices_whole_document", R"({"id": "c", "from_name": "topic", "to_name": "doc", "type": "choices", "value": {"choices": ["News"]}})",
     "", severity::error, ""},
    {"choices_per_region", R"({"id": "a", "from_name": "tone", "to_name": "doc", "type": "choices",
        "value": {)" SPAN R"(, "choices": ["Angry"]}})",
     "", severity::error, ""},
    {"choices_per_region_half_a_span", R"({"id": "a", "from_name": "tone", "to_name": "doc", "type": "choices",
        "value": {"end": "/div[1]", "choices": ["Angry"]}})",
     "value.start", severity::error, "needs start and end together"},
    {"choices_per_region_offset_alone", R"({"id": "a", "from_name": "tone", "to_name": "doc", "type": "choices",
        "value": {"startOffset": 3, "choices": ["Angry"]}})",
     "value.startOffset", severity::error, "cannot be placed"},
    {"choices_per_region_out_of_range", R"({"id": "a", "from_name": "tone", "to_name": "doc", "type": "choices",
        "value": {)" SPAN R"(, "globalOffsets": {"start": 40, "end": 41}, "choices": ["Angry"]}})",
     "value.globalOffsets.end", severity::rule_break, "past the end of the document"},
    {"choices_unknown_choice", R"({"id": "c", "from_name": "topic", "to_name": "doc", "type": "choices", "value": {"choices": ["Opinion"]}})",
     "value.choices[0]", severity::rule_break, ""},
    {"choices_wrong_type", R"({"id": "c", "from_name": "topic", "to_name": "doc", "type": "taxonomy", "value": {"taxonomy": [["News"]]}})",
     "type", severity::rule_break, "produces results of type"},
    {"choices_wrong_target", R"({"id": "c", "from_name": "topic", "to_name": "other", "type": "choices", "value": {"choices": ["News"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"taxonomy_valid", R"({"id": "t", "from_name": "tax", "to_name": "doc", "type": "taxonomy", "value": {"taxonomy": [["Europe", "France"]]}})",
     "", severity::error, ""},
    {"taxonomy_unknown_path", R"({"id": "t", "from_name": "tax", "to_name": "doc", "type": "taxonomy", "value": {"taxonomy": [["France"]]}})",
     "value.taxonomy[0]", severity::rule_break, ""},
    {"taxonomy_per_region_bad_xpath", R"({"id": "t", "from_name": "tax", "to_name": "doc", "type": "taxonomy",
        "value": {"start": "/div[1]/", "end": "/div[1]", "taxonomy": [["Europe"]]}})",
     "value.start", severity::error, "not an XPath"},
    {"taxonomy_wrong_type", R"({"id": "t", "from_name": "tax", "to_name": "doc", "type": "choices", "value": {"choices": ["Europe"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"taxonomy_wrong_target", R"({"id": "t", "from_name": "tax", "to_name": "ner", "type": "taxonomy", "value": {"taxonomy": [["Europe"]]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"textarea_per_region", R"({"id": "a", "from_name": "note", "to_name": "doc", "type": "textarea",
        "value": {)" SPAN R"(, "text": ["the first programmer"]}})",
     "", severity::error, ""},
    {"textarea_per_region_negative_length", R"({"id": "a", "from_name": "note", "to_name": "doc", "type": "textarea",
        "value": {)" SPAN R"(, "globalOffsets": {"start": 9, "end": 2}, "text": ["x"]}})",
     "value.globalOffsets.end", severity::error, "negative length"},
    {"textarea_not_text", R"({"id": "a", "from_name": "note", "to_name": "doc", "type": "textarea", "value": {"text": {"a": 1}}})",
     "value.text", severity::error, ""},
    {"textarea_wrong_type", R"({"id": "a", "from_name": "note", "to_name": "doc", "type": "choices", "value": {"choices": ["x"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"textarea_wrong_target", R"({"id": "a", "from_name": "note", "to_name": "other", "type": "textarea", "value": {"text": ["x"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"rating_valid", R"({"id": "r", "from_name": "stars", "to_name": "doc", "type": "rating", "value": {"rating": 5}})",
     "", severity::error, ""},
    {"rating_out_of_range", R"({"id": "r", "from_name": "stars", "to_name": "doc", "type": "rating", "value": {"rating": 6}})",
     "value.rating", severity::rule_break, ""},
    {"rating_wrong_type", R"({"id": "r", "from_name": "stars", "to_name": "doc", "type": "number", "value": {"number": 5}})",
     "type", severity::rule_break, "produces results of type"},
    {"rating_wrong_target", R"({"id": "r", "from_name": "stars", "to_name": "other", "type": "rating", "value": {"rating": 5}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"number_valid", R"({"id": "n", "from_name": "words", "to_name": "doc", "type": "number", "value": {"number": 5}})",
     "", severity::error, ""},
    {"number_out_of_range", R"({"id": "n", "from_name": "words", "to_name": "doc", "type": "number", "value": {"number": -5}})",
     "value.number", severity::rule_break, ""},
    {"number_wrong_type", R"({"id": "n", "from_name": "words", "to_name": "doc", "type": "datetime", "value": {"datetime": "5"}})",
     "type", severity::rule_break, "produces results of type"},
    {"number_wrong_target", R"({"id": "n", "from_name": "words", "to_name": "other", "type": "number", "value": {"number": 5}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"datetime_valid", R"({"id": "d", "from_name": "written", "to_name": "doc", "type": "datetime", "value": {"datetime": "1843-09-01T10:00"}})",
     "", severity::error, ""},
    {"datetime_not_a_string", R"({"id": "d", "from_name": "written", "to_name": "doc", "type": "datetime", "value": {"datetime": ["1843"]}})",
     "value.datetime", severity::error, ""},
    {"datetime_wrong_type", R"({"id": "d", "from_name": "written", "to_name": "doc", "type": "rating", "value": {"rating": 1}})",
     "type", severity::rule_break, "produces results of type"},
    {"datetime_wrong_target", R"({"id": "d", "from_name": "written", "to_name": "other", "type": "datetime", "value": {"datetime": "1843"}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"pairwise_to_itself", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "left"}})",
     "", severity::error, ""},
    {"pairwise_to_a_document", R"({"id": "p", "from_name": "pw", "to_name": "other", "type": "pairwise", "value": {"selected": "left"}})",
     "", severity::error, ""},
    {"pairwise_out_of_range", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "both"}})",
     "value.selected", severity::rule_break, ""},
    {"pairwise_wrong_type", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "choices", "value": {"choices": ["left"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"pairwise_wrong_target", R"({"id": "p", "from_name": "pw", "to_name": "topic", "type": "pairwise", "value": {"selected": "left"}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(OtherControls, HtmlResults, ::testing::ValuesIn(other_control_cases),
                         case_name);

TEST(HtmlConfig, CompilesWithEveryControl) {
  auto c = compile_config(html_config, catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(c.warnings.empty()) << describe_all(c.warnings);
  ASSERT_EQ(c.model->data_keys().size(), 2u);
  EXPECT_EQ(c.model->data_keys()[0].types, std::vector<annot::data_type>{annot::data_type::str});
}

TEST(HtmlConfig, HyperTextLabelsOnAnotherObjectIsRefusedOnItsLine) {
  auto c = compile_config(R"(<View>
  <List name="items" value="$items"/>
  <HyperText name="doc" value="$html"/>
  <HyperTextLabels name="ner" toName="items">
    <Label value="Person"/>
  </HyperTextLabels>
</View>)",
                          catalog());
  ASSERT_EQ(c.errors.size(), 1u) << describe_all(c.errors);
  EXPECT_EQ(c.errors[0].code, "target");
  EXPECT_EQ(c.errors[0].line, 4u);
  EXPECT_EQ(c.errors[0].attribute, "toName");
  EXPECT_NE(c.errors[0].message.find("cannot label <List name=\"items\">: it labels only <HyperText>"), std::string::npos)
      << c.errors[0].message;
}

TEST(HtmlConfig, ControlThatCannotLabelHyperTextIsRefusedOnItsLine) {
  auto c = compile_config(R"(<View>
  <HyperText name="doc" value="$html"/>

  <Ranker name="rank" toName="doc"/>
</View>)",
                          catalog());
  ASSERT_EQ(c.errors.size(), 1u) << describe_all(c.errors);
  EXPECT_EQ(c.errors[0].code, "target");
  EXPECT_EQ(c.errors[0].line, 4u);
  EXPECT_NE(c.errors[0].message.find("cannot label <HyperText name=\"doc\">"), std::string::npos) << c.errors[0].message;
}

TEST(HtmlConfig, AttributeWarningsCarryTheirLine) {
  auto c = compile_config(R"(<View>
  <HyperText name="doc" value="$html"
     valueType="file" encoding="gzip" inline="yes" highlightColor="#12345" zoom="2"/>
  <HyperTextLabels name="ner" toName="doc" choice="many" opacity="2"><Label value="A"/></HyperTextLabels>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  std::vector<std::pair<std::string, std::uint32_t>> got;
  for (const auto& w : c.warnings) got.emplace_back(w.attribute, w.line);
  std::vector<std::pair<std::string, std::uint32_t>> want{{"valueType", 2},      {"encoding", 2}, {"inline", 2},
                                                          {"highlightColor", 2}, {"zoom", 2},     {"choice", 4},
                                                          {"opacity", 4}};
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want) << describe_all(c.warnings);
}

TEST(HtmlConfig, DynamicLabelsSkipTheLabelCheck) {
  auto c = compile_config(R"(<View>
  <HyperText name="doc" value="$html"/>
  <HyperTextLabels name="ner" toName="doc" value="$labels"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  json items = json::parse(R"([{"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
      "value": {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 0, "endOffset": 2,
                "hypertextlabels": ["Anything"]}}])");
  EXPECT_TRUE(validate_results(*c.model, items).clean()) << describe_all(validate_results(*c.model, items));
}

TEST(HtmlResults, Base64DocumentIsMeasuredDecoded) {
  // "other" decodes to "<p>Hi</p>": bound 2 + 2 = 4, so a span ending at 4 fits and one ending at 5 does not.
  for (auto [end, clean] : {std::pair{4, true}, std::pair{5, false}}) {
    json items = json::array({{{"id", "p"},
                               {"from_name", "ner"},
                               {"to_name", "other"},
                               {"type", "hypertextlabels"},
                               {"value",
                                {{"start", "/p[1]/text()[1]"},
                                 {"end", "/p[1]/text()[1]"},
                                 {"globalOffsets", {{"start", 0}, {"end", end}}},
                                 {"hypertextlabels", {"Person"}}}}}});
    auto c = compile_config(R"(<View><HyperText name="other" value="$other" encoding="base64"/>
      <HyperTextLabels name="ner" toName="other"><Label value="Person"/></HyperTextLabels></View>)",
                            catalog());
    ASSERT_TRUE(c.ok()) << describe_all(c.errors);
    result_check_options options;
    options.task_data = &task_data();
    result_report r = validate_results(*c.model, items, options);
    EXPECT_EQ(r.clean(), clean) << end << describe_all(r);
  }
}

// --- The pieces, directly ----------------------------------------------------------------------

TEST(XPath, EditorForms) {
  using annot::plugins::html::is_editor_xpath;
  for (const char* ok : {"/", "/div[1]", "/div[1]/p[2]/text()[1]", "/text()", "/text()[3]", "/html/body/p",
                         "/div[12]/svg:g[1]", "/DIV[1]/P[1]"})
    EXPECT_TRUE(is_editor_xpath(ok)) << ok;
  for (const char* bad : {"", "div[1]", "/div[", "/div[]", "/div[0]", "/div[1]/", "//div", "/div[a]",
                          "/text()/b[1]", "/div[1]x", "/p[1] ", "/div[-1]"})
    EXPECT_FALSE(is_editor_xpath(bad)) << bad;
}

TEST(HtmlText, CountsTextAndElements) {
  using annot::plugins::html::scan_html;
  auto s = scan_html(task_html);
  EXPECT_EQ(s.text_units, 31u);
  EXPECT_EQ(s.elements, 3u);
  // Comments, doctype, end tags and quoted '>' in attributes are markup; a stray '<' is text.
  s = scan_html(R"(<!DOCTYPE html><!-- a <b>comment</b> --><a title="x > y" href='z'>link</a> 1 < 2)");
  EXPECT_EQ(s.text_units, std::string_view("link 1 < 2").size());
  EXPECT_EQ(s.elements, 1u);
  // Offsets count code points, as Label Studio saves them: a 4-byte UTF-8 character is one (two
  // UTF-16 units in JavaScript), "é" is one.
  s = scan_html("<p>\xF0\x9F\x90\xB1 caf\xC3\xA9</p>");
  EXPECT_EQ(s.text_units, 6u);
  // Unterminated markup runs to the end without reading past it.
  s = scan_html("text<p class=\"unterminated");
  EXPECT_EQ(s.text_units, 4u);
  s = scan_html("<!-- never closed");
  EXPECT_EQ(s.text_units, 0u);
}

TEST(HtmlText, Base64) {
  using annot::plugins::html::decode_base64;
  EXPECT_EQ(decode_base64("PHA+SGk8L3A+"), "<p>Hi</p>");
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_EQ(decode_base64("YWI="), "ab");
  EXPECT_EQ(decode_base64("YWJj\nZGVm"), "abcdef");
  EXPECT_EQ(decode_base64("YWI"), "ab");  // padding is optional
  EXPECT_FALSE(decode_base64("Y"));
  EXPECT_FALSE(decode_base64("YW!j"));
  EXPECT_FALSE(decode_base64("YQ==YQ"));
}

TEST(HtmlText, MeasureFollowsValueTypeAndEncoding) {
  annot::plugins::html::hypertext_measure m;
  annot::object_instance o;
  json html = "<p>abc</p>";
  EXPECT_EQ(m.measure(o, make_ref(html)).length, 5.0);
  o.tag.attributes = {{"valueType", "url"}};
  EXPECT_FALSE(m.measure(o, make_ref(html)).length);
  o.tag.attributes = {{"encoding", "base64unicode"}};
  json encoded = "PHA+w6k8L3A+";  // "<p>é</p>" in UTF-8
  EXPECT_EQ(m.measure(o, make_ref(encoded)).length, 3.0);
  o.tag.attributes = {{"encoding", "base64"}};
  EXPECT_EQ(m.measure(o, make_ref(encoded)).length, 4.0);  // atob(): one character per byte
  json number = 5;
  EXPECT_FALSE(m.measure(o, make_ref(number)).length);
}

TEST(HtmlResults, AnyJsonKindAnywhereIsReportedNotCrashed) {
  EXPECT_GT(
      expect_any_json_kind_reported(html_model(), {hypertextlabels_cases, other_control_cases}, &task_data()),
      1000u);
}

TEST(HtmlConfig, SingleChoiceTakesOneLabelPerRegion) {
  expect_single_choice_takes_one_label(
      catalog(), R"(<View>
  <HyperText name="doc" value="$html"/>
  <HyperTextLabels name="ner" toName="doc" choice="single"><Label value="A"/><Label value="B"/></HyperTextLabels>
</View>)",
      R"([{"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
      "value": {"start": "/p[1]", "end": "/p[1]", "hypertextlabels": ["A"]}}])",
      R"([{"id": "a", "from_name": "ner", "to_name": "doc", "type": "hypertextlabels",
      "value": {"start": "/p[1]", "end": "/p[1]", "hypertextlabels": ["A", "B"]}}])",
      "result[0].value.hypertextlabels");
}

}  // namespace
