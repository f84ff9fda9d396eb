// video plugin: Video/VideoRectangle/TimelineLabels config checks, and the results of every control
// that can target a Video (keyframe sequences, frame ranges, per-region repeats), through the config
// engine with the core plugin.
#include <annot_testing/config_harness.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>


extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);
extern "C" const annot_plugin_descriptor* annot_plugin_video_entry(void);

namespace {

using namespace annot::testing;

const tag_catalog& catalog() {
  static const tag_catalog& c = catalog_of({annot_plugin_core_entry(), annot_plugin_video_entry()});
  return c;
}

constexpr const char* video_config = R"(<View>
  <Video name="video" value="$video" frameRate="25" timelineHeight="80"/>
  <Video name="clip" value="$clip" frameRate="$fps"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="lbl" toName="video"><Label value="Car"/><Label value="Person"/></Labels>
  <TimelineLabels name="timeline" toName="video"><Label value="Moving"/><Label value="Still"/></TimelineLabels>
  <Choices name="genre" toName="video"><Choice value="Drama"/><Choice value="Sports"/></Choices>
  <Choices name="state" toName="video" perRegion="true"><Choice value="Parked"/><Choice value="Driving"/></Choices>
  <Taxonomy name="tax" toName="video"><Choice value="Vehicle"><Choice value="Car"/></Choice></Taxonomy>
  <TextArea name="note" toName="video" perRegion="true"/>
  <Rating name="stars" toName="video"/>
  <Number name="cars" toName="video" max="100"/>
  <DateTime name="shot" toName="video"/>
  <Pairwise name="pw" toName="video,clip"/>
</View>)";

const config_model& video_model() {
  static compiled_config c = compile_config(video_config, catalog());
  return *c.model;
}

class VideoResults : public ::testing::TestWithParam<result_case> {};

TEST_P(VideoResults, Check) { EXPECT_TRUE(meets(GetParam(), video_model())); }

#define BOX R"({"id": "t", "from_name": "box", "to_name": "video", "type": "videorectangle", "value": {"framesCount": 100, )"
#define KF1 R"({"frame": 1, "enabled": true, "x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0, "time": 0.04})"
#define KF9 R"({"frame": 9, "enabled": false, "x": 12, "y": 22, "width": 30, "height": 40, "rotation": 0, "time": 0.36})"

const result_case videorectangle_cases[] = {
    {"valid", BOX R"("duration": 4, "sequence": [)" KF1 ", " KF9 R"(], "labels": ["Car"]}})", "", severity::error, ""},
    {"valid_rotated_box_past_the_edge", BOX R"("sequence": [{"frame": 3, "x": 90, "y": 10, "width": 20, "height": 10,
        "rotation": 45}]}})",
     "", severity::error, ""},
    {"box_past_the_edge", BOX R"("sequence": [{"frame": 3, "x": 90, "y": 10, "width": 20, "height": 10, "rotation": 0}]}})",
     "value.sequence[0].width", severity::rule_break, "outside the frame"},
    {"box_drawn_upwards", BOX R"("sequence": [{"frame": 3, "x": 10, "y": 90, "width": 20, "height": -15}]}})",
     "value.sequence[0].height", severity::rule_break, "drawn backwards"},
    {"box_of_zero_width", BOX R"("sequence": [{"frame": 3, "x": 10, "y": 10, "width": 0, "height": 15}]}})",
     "value.sequence[0].width", severity::rule_break, "the box is empty"},
    {"x_out_of_range", BOX R"("sequence": [{"frame": 3, "x": 120, "y": 10, "width": 20, "height": 10}]}})",
     "value.sequence[0].x", severity::rule_break, "from 0 to 100"},
    {"keyframes_out_of_order", BOX R"("sequence": [)" KF9 ", " KF1 R"(]}})", "value.sequence[1].frame",
     severity::rule_break, "increasing frame order"},
    {"repeated_keyframe", BOX R"("sequence": [)" KF1 ", " KF1 R"(]}})", "value.sequence[1].frame", severity::rule_break,
     "increasing frame order"},
    {"frame_past_frames_count", BOX R"("sequence": [{"frame": 101, "x": 1, "y": 1, "width": 2, "height": 2}]}})",
     "value.sequence[0].frame", severity::rule_break, "past the video's last frame (framesCount 100)"},
    {"frame_zero", BOX R"("sequence": [{"frame": 0, "x": 1, "y": 1, "width": 2, "height": 2}]}})",
     "value.sequence[0].frame", severity::rule_break, "numbered from 1"},
    {"fractional_frame", BOX R"("sequence": [{"frame": 2.5, "x": 1, "y": 1, "width": 2, "height": 2}]}})",
     "value.sequence[0].frame", severity::rule_break, "whole numbers"},
    {"negative_time", BOX R"("sequence": [{"frame": 2, "x": 1, "y": 1, "width": 2, "height": 2, "time": -1}]}})",
     "value.sequence[0].time", severity::rule_break, "seconds from the start"},
    {"rotation_out_of_range", BOX R"("sequence": [{"frame": 2, "x": 1, "y": 1, "width": 2, "height": 2, "rotation": 400}]}})",
     "value.sequence[0].rotation", severity::rule_break, "from -360 to 360"},
    {"missing_x", BOX R"("sequence": [{"frame": 2, "y": 1, "width": 2, "height": 2}]}})", "value.sequence[0].x",
     severity::error, "is missing"},
    {"missing_frame", BOX R"("sequence": [{"x": 1, "y": 1, "width": 2, "height": 2}]}})", "value.sequence[0].frame",
     severity::error, "is missing"},
    {"width_not_a_number", BOX R"("sequence": [{"frame": 2, "x": 1, "y": 1, "width": "2", "height": 2}]}})",
     "value.sequence[0].width", severity::error, "must be a number"},
    {"enabled_not_a_boolean", BOX R"("sequence": [{"frame": 2, "enabled": "yes", "x": 1, "y": 1, "width": 2, "height": 2}]}})",
     "value.sequence[0].enabled", severity::error, "true or false"},
    {"keyframe_not_an_object", BOX R"("sequence": [)" KF1 R"(, [9, 12, 22]]}})", "value.sequence[1]", severity::error,
     "must be a keyframe object"},
    {"no_keyframes", BOX R"("sequence": []}})", "value.sequence", severity::error, "has no keyframes"},
    {"no_sequence", BOX R"("labels": ["Car"]}})", "value.sequence", severity::error, "is missing"},
    {"sequence_not_a_list", BOX R"("sequence": {"frame": 1}}})", "value.sequence", severity::error, "expects an array"},
    {"frames_count_negative", R"({"id": "t", "from_name": "box", "to_name": "video", "type": "videorectangle",
        "value": {"framesCount": -3, "sequence": [)" KF1 R"(]}})",
     "value.framesCount", severity::rule_break, "below the minimum 0"},
    {"labels_not_a_list", BOX R"("sequence": [)" KF1 R"(], "labels": "Car"}})", "value.labels", severity::error,
     "expects an array"},
    {"label_not_a_string", BOX R"("sequence": [)" KF1 R"(], "labels": [7]}})", "value.labels[0]", severity::error,
     "must be a string"},
    {"wrong_type", R"({"id": "t", "from_name": "box", "to_name": "video", "type": "rectanglelabels",
        "value": {"sequence": [)" KF1 R"(]}})",
     "type", severity::rule_break, "produces results of type"},
    {"wrong_target", R"({"id": "t", "from_name": "box", "to_name": "clip", "type": "videorectangle",
        "value": {"sequence": [)" KF1 R"(]}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(VideoRectangle, VideoResults, ::testing::ValuesIn(videorectangle_cases),
                         case_name);

#define SPAN R"({"id": "s", "from_name": "timeline", "to_name": "video", "type": "timelinelabels", "value": {)"

const result_case timeline_cases[] = {
    {"valid", SPAN R"("ranges": [{"start": 1, "end": 10}, {"start": 20, "end": 20}], "timelinelabels": ["Moving"]}})", "",
     severity::error, ""},
    {"negative_length", SPAN R"("ranges": [{"start": 10, "end": 5}], "timelinelabels": ["Moving"]}})",
     "value.ranges[0].end", severity::error, "negative length"},
    {"frame_zero", SPAN R"("ranges": [{"start": 0, "end": 5}], "timelinelabels": ["Moving"]}})", "value.ranges[0].start",
     severity::rule_break, "numbered from 1"},
    {"fractional_frame", SPAN R"("ranges": [{"start": 1, "end": 5.5}], "timelinelabels": ["Moving"]}})",
     "value.ranges[0].end", severity::rule_break, "whole numbers"},
    {"no_ranges", SPAN R"("ranges": [], "timelinelabels": ["Moving"]}})", "value.ranges", severity::error,
     "has no ranges"},
    {"ranges_missing", SPAN R"("timelinelabels": ["Moving"]}})", "value.ranges", severity::error, "is missing"},
    {"range_missing_end", SPAN R"("ranges": [{"start": 3}], "timelinelabels": ["Moving"]}})", "value.ranges[0].end",
     severity::error, "is missing"},
    {"range_not_an_object", SPAN R"("ranges": [[1, 5]], "timelinelabels": ["Moving"]}})", "value.ranges[0]",
     severity::error, "must be a frame range"},
    {"start_not_a_number", SPAN R"("ranges": [{"start": "1", "end": 5}], "timelinelabels": ["Moving"]}})",
     "value.ranges[0].start", severity::error, "must be a number"},
    {"unknown_label", SPAN R"("ranges": [{"start": 1, "end": 5}], "timelinelabels": ["Flying"]}})",
     "value.timelinelabels[0]", severity::rule_break, "is not a label of"},
    {"labels_missing", SPAN R"("ranges": [{"start": 1, "end": 5}]}})", "value.timelinelabels", severity::error,
     "is missing"},
    {"wrong_type", R"({"id": "s", "from_name": "timeline", "to_name": "video", "type": "labels",
        "value": {"ranges": [{"start": 1, "end": 5}], "labels": ["Moving"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"wrong_target", R"({"id": "s", "from_name": "timeline", "to_name": "clip", "type": "timelinelabels",
        "value": {"ranges": [{"start": 1, "end": 5}], "timelinelabels": ["Moving"]}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(TimelineLabels, VideoResults, ::testing::ValuesIn(timeline_cases),
                         case_name);

const result_case other_control_cases[] = {
    {"labels_on_a_track", R"({"id": "t", "from_name": "lbl", "to_name": "video", "type": "labels",
        "value": {"sequence": [)" KF1 R"(], "labels": ["Car"]}})",
     "", severity::error, ""},
    {"labels_on_a_span", R"({"id": "s", "from_name": "lbl", "to_name": "video", "type": "labels",
        "value": {"ranges": [{"start": 2, "end": 4}], "labels": ["Person"]}})",
     "", severity::error, ""},
    {"labels_without_geometry", R"({"id": "t", "from_name": "lbl", "to_name": "video", "type": "labels",
        "value": {"labels": ["Car"]}})",
     "value", severity::error, "has neither sequence nor ranges"},
    {"labels_out_of_range", R"({"id": "t", "from_name": "lbl", "to_name": "video", "type": "labels",
        "value": {"sequence": [{"frame": 1, "x": -5, "y": 1, "width": 2, "height": 2}], "labels": ["Car"]}})",
     "value.sequence[0].x", severity::rule_break, "from 0 to 100"},
    {"labels_unknown_label", R"({"id": "t", "from_name": "lbl", "to_name": "video", "type": "labels",
        "value": {"sequence": [)" KF1 R"(], "labels": ["Bus"]}})",
     "value.labels[0]", severity::rule_break, "is not a label of"},
    {"labels_wrong_type", R"({"id": "t", "from_name": "lbl", "to_name": "video", "type": "videorectangle",
        "value": {"sequence": [)" KF1 R"(], "labels": ["Car"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"labels_wrong_target", R"({"id": "t", "from_name": "lbl", "to_name": "clip", "type": "labels",
        "value": {"sequence": [)" KF1 R"(], "labels": ["Car"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"choices_whole_video", R"({"id": "c", "from_name": "genre", "to_name": "video", "type": "choices",
        "value": {"choices": ["Drama"]}})",
     "", severity::error, ""},
    {"choices_per_region_track", R"({"id": "t", "from_name": "state", "to_name": "video", "type": "choices",
        "value": {"framesCount": 100, "sequence": [)" KF1 ", " KF9 R"(], "choices": ["Parked"]}})",
     "", severity::error, ""},
    {"choices_per_region_span", R"({"id": "s", "from_name": "state", "to_name": "video", "type": "choices",
        "value": {"ranges": [{"start": 5, "end": 9}], "choices": ["Driving"]}})",
     "", severity::error, ""},
    {"choices_per_region_out_of_range", R"({"id": "t", "from_name": "state", "to_name": "video", "type": "choices",
        "value": {"framesCount": 5, "sequence": [)" KF9 R"(], "choices": ["Parked"]}})",
     "value.sequence[0].frame", severity::rule_break, "past the video's last frame"},
    {"choices_unknown_choice", R"({"id": "c", "from_name": "genre", "to_name": "video", "type": "choices",
        "value": {"choices": ["Horror"]}})",
     "value.choices[0]", severity::rule_break, ""},
    {"choices_wrong_type", R"({"id": "c", "from_name": "genre", "to_name": "video", "type": "rating", "value": {"rating": 1}})",
     "type", severity::rule_break, "produces results of type"},
    {"choices_wrong_target", R"({"id": "c", "from_name": "genre", "to_name": "clip", "type": "choices",
        "value": {"choices": ["Drama"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"taxonomy_valid", R"({"id": "x", "from_name": "tax", "to_name": "video", "type": "taxonomy",
        "value": {"taxonomy": [["Vehicle", "Car"]]}})",
     "", severity::error, ""},
    {"taxonomy_per_region_bad_range", R"({"id": "x", "from_name": "tax", "to_name": "video", "type": "taxonomy",
        "value": {"ranges": [{"start": 9, "end": 2}], "taxonomy": [["Vehicle"]]}})",
     "value.ranges[0].end", severity::error, "negative length"},
    {"taxonomy_unknown_path", R"({"id": "x", "from_name": "tax", "to_name": "video", "type": "taxonomy",
        "value": {"taxonomy": [["Car"]]}})",
     "value.taxonomy[0]", severity::rule_break, ""},
    {"taxonomy_wrong_type", R"({"id": "x", "from_name": "tax", "to_name": "video", "type": "choices",
        "value": {"choices": ["Vehicle"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"taxonomy_wrong_target", R"({"id": "x", "from_name": "tax", "to_name": "clip", "type": "taxonomy",
        "value": {"taxonomy": [["Vehicle"]]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"textarea_per_region", R"({"id": "t", "from_name": "note", "to_name": "video", "type": "textarea",
        "value": {"sequence": [)" KF1 R"(], "text": ["red car"]}})",
     "", severity::error, ""},
    {"textarea_per_region_broken_keyframe", R"({"id": "t", "from_name": "note", "to_name": "video", "type": "textarea",
        "value": {"sequence": [{"frame": 1}], "text": ["red car"]}})",
     "value.sequence[0].x", severity::error, "is missing"},
    {"textarea_wrong_type", R"({"id": "t", "from_name": "note", "to_name": "video", "type": "number", "value": {"number": 1}})",
     "type", severity::rule_break, "produces results of type"},
    {"textarea_wrong_target", R"({"id": "t", "from_name": "note", "to_name": "clip", "type": "textarea",
        "value": {"text": ["x"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"rating_valid", R"({"id": "r", "from_name": "stars", "to_name": "video", "type": "rating", "value": {"rating": 3}})",
     "", severity::error, ""},
    {"rating_out_of_range", R"({"id": "r", "from_name": "stars", "to_name": "video", "type": "rating", "value": {"rating": 30}})",
     "value.rating", severity::rule_break, ""},
    {"rating_wrong_type", R"({"id": "r", "from_name": "stars", "to_name": "video", "type": "choices", "value": {"choices": ["3"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"rating_wrong_target", R"({"id": "r", "from_name": "stars", "to_name": "clip", "type": "rating", "value": {"rating": 3}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"number_valid", R"({"id": "n", "from_name": "cars", "to_name": "video", "type": "number", "value": {"number": 7}})",
     "", severity::error, ""},
    {"number_out_of_range", R"({"id": "n", "from_name": "cars", "to_name": "video", "type": "number", "value": {"number": 700}})",
     "value.number", severity::rule_break, ""},
    {"number_wrong_type", R"({"id": "n", "from_name": "cars", "to_name": "video", "type": "textarea", "value": {"text": ["7"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"number_wrong_target", R"({"id": "n", "from_name": "cars", "to_name": "clip", "type": "number", "value": {"number": 7}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"datetime_valid", R"({"id": "d", "from_name": "shot", "to_name": "video", "type": "datetime",
        "value": {"datetime": "2020-01-01T00:00"}})",
     "", severity::error, ""},
    {"datetime_not_a_string", R"({"id": "d", "from_name": "shot", "to_name": "video", "type": "datetime", "value": {"datetime": 1}})",
     "value.datetime", severity::error, ""},
    {"datetime_wrong_type", R"({"id": "d", "from_name": "shot", "to_name": "video", "type": "number", "value": {"number": 1}})",
     "type", severity::rule_break, "produces results of type"},
    {"datetime_wrong_target", R"({"id": "d", "from_name": "shot", "to_name": "clip", "type": "datetime",
        "value": {"datetime": "2020-01-01T00:00"}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"pairwise_to_itself", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "right"}})",
     "", severity::error, ""},
    {"pairwise_to_a_video", R"({"id": "p", "from_name": "pw", "to_name": "clip", "type": "pairwise", "value": {"selected": "right"}})",
     "", severity::error, ""},
    {"pairwise_out_of_range", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "up"}})",
     "value.selected", severity::rule_break, ""},
    {"pairwise_wrong_type", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "number", "value": {"number": 1}})",
     "type", severity::rule_break, "produces results of type"},
    {"pairwise_wrong_target", R"({"id": "p", "from_name": "pw", "to_name": "box", "type": "pairwise", "value": {"selected": "left"}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(OtherControls, VideoResults, ::testing::ValuesIn(other_control_cases),
                         case_name);

// --- Registration and config checks --------------------------------------------------------------

TEST(VideoConfig, CompilesWithEveryControl) {
  auto c = compile_config(video_config, catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(c.warnings.empty()) << describe_all(c.warnings);
  ASSERT_EQ(c.model->data_keys().size(), 2u);
  EXPECT_EQ(c.model->data_keys()[0].tag, "Video");
}

TEST(VideoConfig, RegistersItsTagsAndRegions) {
  for (const char* tag : {"Video", "VideoRectangle", "TimelineLabels"}) {
    const tag_entry* e = catalog().find_tag(tag);
    ASSERT_NE(e, nullptr) << tag;
    EXPECT_EQ(e->owner, "video");
  }
  EXPECT_EQ(catalog().find_region("Video", "videorectangle")->spec.geometry, "keyframe_sequence");
  EXPECT_EQ(catalog().find_region("Video", "timelinelabels")->spec.geometry, "frame_ranges");
  EXPECT_EQ(catalog().find_region("Video", "labels")->spec.geometry, "video_region");
  EXPECT_EQ(catalog().find_region("Video", "choices")->spec.result_type, "*");
}

TEST(VideoConfig, VideoToolsOnAnotherObjectAreRefusedOnTheirLines) {
  auto c = compile_config(R"(<View>
  <List name="items" value="$items"/>
  <Video name="video" value="$video"/>
  <VideoRectangle name="box" toName="items"/>
  <TimelineLabels name="timeline" toName="items">
    <Label value="Moving"/>
  </TimelineLabels>
  <Ranker name="rank" toName="video"/>
</View>)",
                          catalog());
  ASSERT_EQ(c.errors.size(), 3u) << describe_all(c.errors);
  EXPECT_EQ(c.errors[0].line, 4u);
  EXPECT_EQ(c.errors[0].tag, "VideoRectangle");
  EXPECT_NE(c.errors[0].message.find("cannot label <List name=\"items\">: it labels only <Video>"), std::string::npos)
      << c.errors[0].message;
  EXPECT_EQ(c.errors[1].line, 5u);
  EXPECT_EQ(c.errors[1].tag, "TimelineLabels");
  EXPECT_EQ(c.errors[2].line, 8u);
  EXPECT_NE(c.errors[2].message.find("cannot label <Video name=\"video\">"), std::string::npos) << c.errors[2].message;
  for (const auto& e : c.errors) {
    EXPECT_EQ(e.code, "target");
    EXPECT_EQ(e.attribute, "toName");
  }
}

TEST(VideoConfig, PlaybackAndFrameRateWarnings) {
  auto c = compile_config(R"(<View>
  <Video name="a" value="$a" defaultPlaybackSpeed="12"/>
  <Video name="b" value="$b" defaultPlaybackSpeed="1" minPlaybackSpeed="2"/>
  <Video name="c" value="$c" frameRate="0"/>
  <Video name="d" value="$d" frameRate="$fps" defaultPlaybackSpeed="2" minPlaybackSpeed="0.5"/>
  <Video name="e" value="$e" frameRate="fast" muted="maybe"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  std::vector<std::tuple<std::uint32_t, std::string, std::string>> got;
  for (const auto& w : c.warnings) got.emplace_back(w.line, w.attribute, w.code);
  std::vector<std::tuple<std::uint32_t, std::string, std::string>> want{
      {2, "defaultPlaybackSpeed", "plugin"}, {3, "minPlaybackSpeed", "plugin"}, {4, "frameRate", "plugin"},
      {6, "frameRate", "attribute_value"},   {6, "muted", "attribute_value"}};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want) << describe_all(c.warnings);
}

TEST(VideoResults, EveryKindOfRegionInOneList) {
  json items = json::parse(R"([
    {"id": "t1", "from_name": "box", "to_name": "video", "type": "videorectangle",
     "value": {"framesCount": 100, "sequence": [)" KF1 ", " KF9 R"(], "labels": ["Car"]}},
    {"id": "t1", "from_name": "state", "to_name": "video", "type": "choices",
     "value": {"framesCount": 100, "sequence": [)" KF1 ", " KF9 R"(], "choices": ["Parked"]}},
    {"id": "s1", "from_name": "timeline", "to_name": "video", "type": "timelinelabels",
     "value": {"ranges": [{"start": 3, "end": 7}], "timelinelabels": ["Still"]}},
    {"id": "s1", "from_name": "note", "to_name": "video", "type": "textarea",
     "value": {"ranges": [{"start": 3, "end": 7}], "text": ["waiting"]}},
    {"type": "relation", "from_id": "t1", "to_id": "s1", "direction": "bi"},
    {"id": "c", "from_name": "genre", "to_name": "video", "type": "choices", "value": {"choices": ["Sports"]}}
  ])");
  result_report r = validate_results(video_model(), items);
  EXPECT_TRUE(r.clean()) << describe_all(r);
}

TEST(VideoResults, AnyJsonKindAnywhereIsReportedNotCrashed) {
  EXPECT_GT(expect_any_json_kind_reported(video_model(),
                                          {videorectangle_cases, timeline_cases, other_control_cases}),
            1000u);
}

TEST(VideoConfig, SingleChoiceTakesOneLabelPerRegion) {
  expect_single_choice_takes_one_label(
      catalog(), R"(<View>
  <Video name="video" value="$video"/>
  <TimelineLabels name="tl" toName="video" choice="single"><Label value="A"/><Label value="B"/></TimelineLabels>
</View>)",
      R"([{"id": "a", "from_name": "tl", "to_name": "video", "type": "timelinelabels",
      "value": {"ranges": [{"start": 1, "end": 2}], "timelinelabels": ["A"]}}])",
      R"([{"id": "a", "from_name": "tl", "to_name": "video", "type": "timelinelabels",
      "value": {"ranges": [{"start": 1, "end": 2}], "timelinelabels": ["A", "B"]}}])",
      "result[0].value.timelinelabels");
}

}  // namespace
