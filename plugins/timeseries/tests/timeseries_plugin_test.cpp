// timeseries plugin: TimeSeries/Channel/MultiChannel/TimeSeriesLabels config checks, and the time-range
// results of every control that can target a TimeSeries, through the config engine with the core plugin.
#include <annot_testing/config_harness.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>


extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);
extern "C" const annot_plugin_descriptor* annot_plugin_timeseries_entry(void);

namespace {

using namespace annot::testing;

const tag_catalog& catalog() {
  static const tag_catalog& c = catalog_of({annot_plugin_core_entry(), annot_plugin_timeseries_entry()});
  return c;
}

constexpr const char* ts_config = R"(<View>
  <TimeSeries name="ts" value="$ts" valueType="json" timeColumn="time" timeDisplayFormat=",.0f">
    <Channel column="speed" units="m/s" strokeColor="#1f77b4" interpolation="curveLinear"/>
    <MultiChannel height="300">
      <Channel column="a" legend="A"/>
      <Channel column="b" legend="B"/>
    </MultiChannel>
  </TimeSeries>
  <TimeSeries name="rows" value="$rows" valueType="json">
    <Channel column="v"/>
  </TimeSeries>
  <TimeSeriesLabels name="lbl" toName="ts"><Label value="Run"/><Label value="Walk"/></TimeSeriesLabels>
  <TimeSeriesLabels name="row_lbl" toName="rows"><Label value="Peak"/></TimeSeriesLabels>
  <Labels name="extra" toName="ts"><Label value="Noise"/></Labels>
  <Choices name="kind" toName="ts"><Choice value="Indoor"/><Choice value="Outdoor"/></Choices>
  <Choices name="conf" toName="ts" perRegion="true"><Choice value="Sure"/><Choice value="Unsure"/></Choices>
  <Taxonomy name="tax" toName="ts"><Choice value="Sport"><Choice value="Running"/></Choice></Taxonomy>
  <TextArea name="note" toName="ts" perRegion="true"/>
  <Rating name="stars" toName="ts"/>
  <Number name="steps" toName="ts" min="0"/>
  <DateTime name="day" toName="ts" only="date"/>
  <Pairwise name="pw" toName="ts,rows"/>
</View>)";

const config_model& ts_model() {
  static compiled_config c = compile_config(ts_config, catalog());
  return *c.model;
}

// "ts" runs from time 100 to 190; "rows" has 5 rows, so its time axis is rows 0 to 4.
const json& task_data() {
  static json data = {
      {"ts",
       {{"time", {100, 110, 120, 130, 140, 150, 160, 170, 180, 190}},
        {"speed", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
        {"a", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"b", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}}},
      {"rows", {{"v", {5, 4, 3, 2, 1}}}}};
  return data;
}

class TimeSeriesResults : public ::testing::TestWithParam<result_case> {};

TEST_P(TimeSeriesResults, Check) { EXPECT_TRUE(meets(GetParam(), ts_model(), &task_data())); }

#define RANGE R"({"id": "r", "from_name": "lbl", "to_name": "ts", "type": "timeserieslabels", "value": {)"

const result_case timeserieslabels_cases[] = {
    {"valid", RANGE R"("start": 110, "end": 150, "instant": false, "timeserieslabels": ["Run"]}})", "", severity::error,
     ""},
    {"valid_whole_series", RANGE R"("start": 100, "end": 190, "instant": false, "timeserieslabels": ["Walk"]}})", "",
     severity::error, ""},
    {"valid_instant", RANGE R"("start": 120, "end": 120, "instant": true, "timeserieslabels": ["Run"]}})", "",
     severity::error, ""},
    {"valid_time_strings", RANGE R"("start": "2020-10-14 20:42:25", "end": "2020-10-14 20:46:15", "instant": false,
        "timeserieslabels": ["Run"]}})",
     "", severity::error, ""},
    {"before_the_series", RANGE R"("start": 50, "end": 150, "instant": false, "timeserieslabels": ["Run"]}})",
     "value.start", severity::rule_break, "before the start of the series (the series runs from time 100 to 190)"},
    {"past_the_series", RANGE R"("start": 150, "end": 200, "instant": false, "timeserieslabels": ["Run"]}})",
     "value.end", severity::rule_break, "past the end of the series"},
    {"negative_length", RANGE R"("start": 150, "end": 120, "instant": false, "timeserieslabels": ["Run"]}})",
     "value.end", severity::error, "negative length"},
    {"instant_that_is_a_range", RANGE R"("start": 110, "end": 120, "instant": true, "timeserieslabels": ["Run"]}})",
     "value.end", severity::rule_break, "an instant (instant: true) is one point"},
    {"instant_missing", RANGE R"("start": 110, "end": 120, "timeserieslabels": ["Run"]}})", "value.instant",
     severity::rule_break, "Label Studio's SDK requires it"},
    {"instant_not_a_boolean", RANGE R"("start": 110, "end": 120, "instant": "no", "timeserieslabels": ["Run"]}})",
     "value.instant", severity::error, "expects true or false"},
    {"start_missing", RANGE R"("end": 120, "instant": false, "timeserieslabels": ["Run"]}})", "value.start",
     severity::error, "is missing"},
    {"start_not_a_time", RANGE R"("start": {"t": 1}, "end": 120, "instant": false, "timeserieslabels": ["Run"]}})",
     "value.start", severity::error, "must be a number in the units of the time column"},
    {"end_empty_string", RANGE R"("start": "2020-10-14", "end": "", "instant": false, "timeserieslabels": ["Run"]}})",
     "value.end", severity::error, "got an empty string"},
    {"unknown_label", RANGE R"("start": 110, "end": 120, "instant": false, "timeserieslabels": ["Swim"]}})",
     "value.timeserieslabels[0]", severity::rule_break, "is not a label of"},
    {"labels_missing", RANGE R"("start": 110, "end": 120, "instant": false}})", "value.timeserieslabels",
     severity::error, "is missing"},
    {"wrong_type", R"({"id": "r", "from_name": "lbl", "to_name": "ts", "type": "labels",
        "value": {"start": 110, "end": 120, "instant": false, "labels": ["Run"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"wrong_target", R"({"id": "r", "from_name": "lbl", "to_name": "rows", "type": "timeserieslabels",
        "value": {"start": 1, "end": 2, "instant": false, "timeserieslabels": ["Run"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"row_axis_valid", R"({"id": "r", "from_name": "row_lbl", "to_name": "rows", "type": "timeserieslabels",
        "value": {"start": 0, "end": 4, "instant": false, "timeserieslabels": ["Peak"]}})",
     "", severity::error, ""},
    {"row_axis_past_the_last_row", R"({"id": "r", "from_name": "row_lbl", "to_name": "rows", "type": "timeserieslabels",
        "value": {"start": 2, "end": 5, "instant": false, "timeserieslabels": ["Peak"]}})",
     "value.end", severity::rule_break, "(the series runs from row 0 to 4)"},
    {"row_axis_negative", R"({"id": "r", "from_name": "row_lbl", "to_name": "rows", "type": "timeserieslabels",
        "value": {"start": -1, "end": 2, "instant": false, "timeserieslabels": ["Peak"]}})",
     "value.start", severity::rule_break, "before the start of the series"},
};
INSTANTIATE_TEST_SUITE_P(TimeSeriesLabels, TimeSeriesResults, ::testing::ValuesIn(timeserieslabels_cases),
                         case_name);

const result_case other_control_cases[] = {
    {"labels_valid", R"({"id": "r", "from_name": "extra", "to_name": "ts", "type": "labels",
        "value": {"start": 110, "end": 150, "instant": false, "labels": ["Noise"]}})",
     "", severity::error, ""},
    {"labels_out_of_range", R"({"id": "r", "from_name": "extra", "to_name": "ts", "type": "labels",
        "value": {"start": 110, "end": 999, "instant": false, "labels": ["Noise"]}})",
     "value.end", severity::rule_break, "past the end of the series"},
    {"labels_unknown_label", R"({"id": "r", "from_name": "extra", "to_name": "ts", "type": "labels",
        "value": {"start": 110, "end": 150, "instant": false, "labels": ["Run"]}})",
     "value.labels[0]", severity::rule_break, "is not a label of"},
    {"labels_wrong_type", R"({"id": "r", "from_name": "extra", "to_name": "ts", "type": "timeserieslabels",
        "value": {"start": 110, "end": 150, "instant": false, "timeserieslabels": ["Noise"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"labels_wrong_target", R"({"id": "r", "from_name": "extra", "to_name": "rows", "type": "labels",
        "value": {"start": 1, "end": 2, "instant": false, "labels": ["Noise"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"choices_whole_series", R"({"id": "c", "from_name": "kind", "to_name": "ts", "type": "choices",
        "value": {"choices": ["Indoor"]}})",
     "", severity::error, ""},
    {"choices_per_region", R"({"id": "r", "from_name": "conf", "to_name": "ts", "type": "choices",
        "value": {"start": 110, "end": 150, "instant": false, "choices": ["Sure"]}})",
     "", severity::error, ""},
    {"choices_per_region_out_of_range", R"({"id": "r", "from_name": "conf", "to_name": "ts", "type": "choices",
        "value": {"start": 10, "end": 150, "instant": false, "choices": ["Sure"]}})",
     "value.start", severity::rule_break, "before the start of the series"},
    {"choices_per_region_half_a_range", R"({"id": "r", "from_name": "conf", "to_name": "ts", "type": "choices",
        "value": {"start": 110, "choices": ["Sure"]}})",
     "value.end", severity::error, "needs start and end together"},
    {"choices_unknown_choice", R"({"id": "c", "from_name": "kind", "to_name": "ts", "type": "choices",
        "value": {"choices": ["Underwater"]}})",
     "value.choices[0]", severity::rule_break, ""},
    {"choices_wrong_type", R"({"id": "c", "from_name": "kind", "to_name": "ts", "type": "labels",
        "value": {"labels": ["Indoor"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"choices_wrong_target", R"({"id": "c", "from_name": "kind", "to_name": "rows", "type": "choices",
        "value": {"choices": ["Indoor"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"taxonomy_valid", R"({"id": "x", "from_name": "tax", "to_name": "ts", "type": "taxonomy",
        "value": {"taxonomy": [["Sport", "Running"]]}})",
     "", severity::error, ""},
    {"taxonomy_per_region_negative_length", R"({"id": "x", "from_name": "tax", "to_name": "ts", "type": "taxonomy",
        "value": {"start": 150, "end": 110, "taxonomy": [["Sport"]]}})",
     "value.end", severity::error, "negative length"},
    {"taxonomy_unknown_path", R"({"id": "x", "from_name": "tax", "to_name": "ts", "type": "taxonomy",
        "value": {"taxonomy": [["Running"]]}})",
     "value.taxonomy[0]", severity::rule_break, ""},
    {"taxonomy_wrong_type", R"({"id": "x", "from_name": "tax", "to_name": "ts", "type": "rating", "value": {"rating": 1}})",
     "type", severity::rule_break, "produces results of type"},
    {"taxonomy_wrong_target", R"({"id": "x", "from_name": "tax", "to_name": "rows", "type": "taxonomy",
        "value": {"taxonomy": [["Sport"]]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"textarea_per_region", R"({"id": "r", "from_name": "note", "to_name": "ts", "type": "textarea",
        "value": {"start": 110, "end": 150, "instant": false, "text": ["sprint"]}})",
     "", severity::error, ""},
    {"textarea_per_region_past_the_series", R"({"id": "r", "from_name": "note", "to_name": "ts", "type": "textarea",
        "value": {"start": 180, "end": 195, "text": ["sprint"]}})",
     "value.end", severity::rule_break, "past the end of the series"},
    {"textarea_wrong_type", R"({"id": "r", "from_name": "note", "to_name": "ts", "type": "choices",
        "value": {"choices": ["sprint"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"textarea_wrong_target", R"({"id": "r", "from_name": "note", "to_name": "rows", "type": "textarea",
        "value": {"text": ["sprint"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"rating_valid", R"({"id": "s", "from_name": "stars", "to_name": "ts", "type": "rating", "value": {"rating": 2}})",
     "", severity::error, ""},
    {"rating_out_of_range", R"({"id": "s", "from_name": "stars", "to_name": "ts", "type": "rating", "value": {"rating": -2}})",
     "value.rating", severity::error, ""},
    {"rating_wrong_type", R"({"id": "s", "from_name": "stars", "to_name": "ts", "type": "number", "value": {"number": 2}})",
     "type", severity::rule_break, "produces results of type"},
    {"rating_wrong_target", R"({"id": "s", "from_name": "stars", "to_name": "rows", "type": "rating", "value": {"rating": 2}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"number_valid", R"({"id": "n", "from_name": "steps", "to_name": "ts", "type": "number", "value": {"number": 12}})",
     "", severity::error, ""},
    {"number_out_of_range", R"({"id": "n", "from_name": "steps", "to_name": "ts", "type": "number", "value": {"number": -12}})",
     "value.number", severity::rule_break, ""},
    {"number_wrong_type", R"({"id": "n", "from_name": "steps", "to_name": "ts", "type": "rating", "value": {"rating": 12}})",
     "type", severity::rule_break, "produces results of type"},
    {"number_wrong_target", R"({"id": "n", "from_name": "steps", "to_name": "rows", "type": "number", "value": {"number": 12}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"datetime_valid", R"({"id": "d", "from_name": "day", "to_name": "ts", "type": "datetime", "value": {"datetime": "2020-10-14"}})",
     "", severity::error, ""},
    {"datetime_not_a_string", R"({"id": "d", "from_name": "day", "to_name": "ts", "type": "datetime", "value": {"datetime": true}})",
     "value.datetime", severity::error, ""},
    {"datetime_wrong_type", R"({"id": "d", "from_name": "day", "to_name": "ts", "type": "textarea", "value": {"text": ["x"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"datetime_wrong_target", R"({"id": "d", "from_name": "day", "to_name": "rows", "type": "datetime",
        "value": {"datetime": "2020-10-14"}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"pairwise_to_itself", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "left"}})",
     "", severity::error, ""},
    {"pairwise_to_a_series", R"({"id": "p", "from_name": "pw", "to_name": "rows", "type": "pairwise", "value": {"selected": "left"}})",
     "", severity::error, ""},
    {"pairwise_out_of_range", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": 1}})",
     "value.selected", severity::error, ""},
    {"pairwise_wrong_type", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "choices", "value": {"choices": ["left"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"pairwise_wrong_target", R"({"id": "p", "from_name": "pw", "to_name": "kind", "type": "pairwise", "value": {"selected": "left"}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(OtherControls, TimeSeriesResults, ::testing::ValuesIn(other_control_cases),
                         case_name);

TEST(TimeSeriesResults, WithoutTaskDataOnlyTheShapeIsChecked) {
  json items = json::parse(R"([{"id": "r", "from_name": "lbl", "to_name": "ts", "type": "timeserieslabels",
      "value": {"start": 1602708145233, "end": 1602708375312, "instant": false, "timeserieslabels": ["Walk"]}}])");
  EXPECT_TRUE(validate_results(ts_model(), items).clean()) << describe_all(validate_results(ts_model(), items));
}

TEST(TimeSeriesResults, TimeColumnNameIgnoresCase) {
  // The editor lower-cases column names, so timeColumn="time" reads a column written "Time".
  json data = {{"ts", {{"Time", {5, 6, 7}}, {"speed", {1, 2, 3}}}}, {"rows", {{"v", {1}}}}};
  json items = json::parse(R"([{"id": "r", "from_name": "lbl", "to_name": "ts", "type": "timeserieslabels",
      "value": {"start": 5, "end": 8, "instant": false, "timeserieslabels": ["Walk"]}}])");
  result_check_options options;
  options.task_data = &data;
  result_report r = validate_results(ts_model(), items, options);
  ASSERT_EQ(r.issues.size(), 1u) << describe_all(r);
  EXPECT_EQ(r.issues[0].path, "result[0].value.end");
  EXPECT_NE(r.issues[0].message.find("from time 5 to 7"), std::string::npos) << r.issues[0].message;
}

TEST(TimeSeriesResults, UrlDataAndFormattedTimesHaveNoBounds) {
  json data = {{"ts", "https://example.com/series.csv"},
               {"rows", {{"time", {"2020-01-01", "2020-01-02"}}, {"v", {1, 2}}}}};
  json items = json::parse(R"([
      {"id": "r", "from_name": "lbl", "to_name": "ts", "type": "timeserieslabels",
       "value": {"start": -5, "end": 1e15, "instant": false, "timeserieslabels": ["Walk"]}}])");
  result_check_options options;
  options.task_data = &data;
  EXPECT_TRUE(validate_results(ts_model(), items, options).clean())
      << describe_all(validate_results(ts_model(), items, options));
}

// --- Registration and config checks --------------------------------------------------------------

TEST(TimeSeriesConfig, CompilesWithEveryControl) {
  auto c = compile_config(ts_config, catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(c.warnings.empty()) << describe_all(c.warnings);
  ASSERT_EQ(c.model->data_keys().size(), 2u);
  EXPECT_EQ(c.model->data_keys()[0].types,
            (std::vector<annot::data_type>{annot::data_type::dict, annot::data_type::list, annot::data_type::str}));
}

TEST(TimeSeriesConfig, RegistersItsTags) {
  for (const char* tag : {"TimeSeries", "Channel", "MultiChannel", "TimeSeriesLabels"}) {
    const tag_entry* e = catalog().find_tag(tag);
    ASSERT_NE(e, nullptr) << tag;
    EXPECT_EQ(e->owner, "timeseries");
  }
  EXPECT_EQ(catalog().find_tag("Channel")->role, tag_role::visual);
  EXPECT_EQ(catalog().find_region("TimeSeries", "timeserieslabels")->spec.geometry, "time_range");
  EXPECT_EQ(catalog().find_region("TimeSeries", "rating")->spec.result_type, "*");
}

TEST(TimeSeriesConfig, ChannelsOutsideTheirParentAreRefusedOnTheirLines) {
  auto c = compile_config(R"(<View>
  <TimeSeries name="ts" value="$ts" valueType="json">
    <Channel column="ok"/>
  </TimeSeries>
  <Channel column="stray"/>
  <View>
    <MultiChannel>
      <Channel column="inside_a_stray_group"/>
    </MultiChannel>
  </View>
</View>)",
                          catalog());
  ASSERT_EQ(c.errors.size(), 2u) << describe_all(c.errors);
  EXPECT_EQ(c.errors[0].code, "parent");
  EXPECT_EQ(c.errors[0].line, 5u);
  EXPECT_EQ(c.errors[0].tag, "Channel");
  EXPECT_NE(c.errors[0].message.find("must be inside <MultiChannel>, <TimeSeries>"), std::string::npos)
      << c.errors[0].message;
  EXPECT_EQ(c.errors[1].code, "parent");
  EXPECT_EQ(c.errors[1].line, 7u);
  EXPECT_EQ(c.errors[1].tag, "MultiChannel");
}

TEST(TimeSeriesConfig, LabelsForAnotherObjectAreRefusedOnTheirLines) {
  auto c = compile_config(R"(<View>
  <List name="items" value="$items"/>
  <TimeSeries name="ts" value="$ts"><Channel column="v"/></TimeSeries>
  <TimeSeriesLabels name="lbl" toName="items"><Label value="Run"/></TimeSeriesLabels>
  <Ranker name="rank" toName="ts"/>
</View>)",
                          catalog());
  ASSERT_EQ(c.errors.size(), 2u) << describe_all(c.errors);
  EXPECT_EQ(c.errors[0].line, 4u);
  EXPECT_NE(c.errors[0].message.find("cannot label <List name=\"items\">: it labels only <TimeSeries>"),
            std::string::npos)
      << c.errors[0].message;
  EXPECT_EQ(c.errors[1].line, 5u);
  EXPECT_NE(c.errors[1].message.find("cannot label <TimeSeries name=\"ts\">"), std::string::npos) << c.errors[1].message;
}

TEST(TimeSeriesConfig, AttributeWarningsCarryTheirLine) {
  auto c = compile_config(R"(<View>
  <TimeSeries name="ts" value="$ts" timeFormat="%Y-%m-%d" valueType="csv">
    <Channel legend="no column" interpolation="curveSmooth" strokeWidth="thick"/>
  </TimeSeries>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  std::vector<std::tuple<std::uint32_t, std::string, std::string>> got;
  for (const auto& w : c.warnings) got.emplace_back(w.line, w.attribute, w.code);
  std::vector<std::tuple<std::uint32_t, std::string, std::string>> want{
      {2, "timeFormat", "plugin"},           {2, "valueType", "attribute_value"},
      {3, "column", "required_attribute"},   {3, "interpolation", "attribute_value"},
      {3, "strokeWidth", "attribute_value"}};
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want) << describe_all(c.warnings);
}

TEST(TimeSeriesResults, AnyJsonKindAnywhereIsReportedNotCrashed) {
  EXPECT_GT(
      expect_any_json_kind_reported(ts_model(), {timeserieslabels_cases, other_control_cases}, &task_data()),
      1000u);
}

TEST(TimeSeriesConfig, SingleChoiceTakesOneLabelPerRegion) {
  expect_single_choice_takes_one_label(
      catalog(), R"(<View>
  <TimeSeries name="ts" value="$ts"><Channel column="v"/></TimeSeries>
  <TimeSeriesLabels name="tsl" toName="ts" choice="single"><Label value="A"/><Label value="B"/></TimeSeriesLabels>
</View>)",
      R"([{"id": "a", "from_name": "tsl", "to_name": "ts", "type": "timeserieslabels",
      "value": {"start": 1, "end": 2, "instant": false, "timeserieslabels": ["A"]}}])",
      R"([{"id": "a", "from_name": "tsl", "to_name": "ts", "type": "timeserieslabels",
      "value": {"start": 1, "end": 2, "instant": false, "timeserieslabels": ["A", "B"]}}])",
      "result[0].value.timeserieslabels");
}

}  // namespace
