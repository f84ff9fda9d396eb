// Audio plugin: Audio/AudioPlus config checks, and every control's results on them (valid, out of
// range, unknown label, wrong type, wrong target), through the config engine with the core plugin.
#include <annot_testing/config_harness.hpp>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>


extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);
extern "C" const annot_plugin_descriptor* annot_plugin_audio_entry(void);

namespace {

using namespace annot::testing;

const tag_catalog& catalog() {
  static const tag_catalog& c = catalog_of({annot_plugin_core_entry(), annot_plugin_audio_entry()});
  return c;
}

constexpr const char* audio_config = R"(<View>
  <Audio name="audio" value="$audio" cursorcolor="#FF0000" splitchannels="true"/>
  <AudioPlus name="old" value="$old"/>
  <Labels name="lbl" toName="audio" choice="multiple"><Label value="Speech"/><Label value="Noise"/></Labels>
  <Labels name="old_lbl" toName="old"><Label value="Speech"/></Labels>
  <Choices name="genre" toName="audio"><Choice value="Rock"/><Choice value="Pop"/></Choices>
  <Choices name="quality" toName="audio" perRegion="true"><Choice value="Clear"/><Choice value="Noisy"/></Choices>
  <Taxonomy name="tax" toName="audio"><Choice value="Music"><Choice value="Jazz"/></Choice></Taxonomy>
  <TextArea name="transcript" toName="audio" perRegion="true"/>
  <TextArea name="summary" toName="audio"/>
  <Rating name="stars" toName="audio" maxRating="5"/>
  <Number name="speakers" toName="audio" min="0" max="10"/>
  <DateTime name="recorded" toName="audio" only="date"/>
  <Pairwise name="pw" toName="audio,old"/>
</View>)";

const config_model& audio_model() {
  static compiled_config c = compile_config(audio_config, catalog());
  return *c.model;
}

class AudioResults : public ::testing::TestWithParam<result_case> {};

TEST(AudioConfig, CompilesWithEveryControl) {
  auto c = compile_config(audio_config, catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(c.warnings.empty()) << describe_all(c.warnings);
}

TEST_P(AudioResults, Check) { EXPECT_TRUE(meets(GetParam(), audio_model())); }

// The segment of every labels case; original_length bounds it.
#define SEG R"("original_length": 20, )"

const result_case labels_cases[] = {
    {"labels_valid", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels", )" SEG
                     R"("value": {"start": 1.5, "end": 3.25, "channel": 1, "labels": ["Speech", "Noise"]}})",
     "", severity::error, ""},
    {"labels_without_channel_or_length",
     R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["Noise"]}})",
     "", severity::error, ""},
    {"labels_extra_keys_kept", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels", "origin": "manual",
        "meta": {"text": ["note"]}, "score": 0.5, "value": {"start": 0, "end": 3, "labels": ["Noise"], "custom": 1}})",
     "", severity::error, ""},
    {"labels_past_the_end", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels", )" SEG
                            R"("value": {"start": 18, "end": 25, "labels": ["Speech"]}})",
     "value.end", severity::rule_break, "past the end of the audio (original_length 20 s)"},
    {"labels_start_past_the_end", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels", )" SEG
                                  R"("value": {"start": 21, "end": 25, "labels": ["Speech"]}})",
     "value.start", severity::rule_break, "past the end of the audio"},
    {"labels_negative_start", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": -1, "end": 3, "labels": ["Speech"]}})",
     "value.start", severity::rule_break, "below the minimum 0"},
    {"labels_negative_length", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": 5, "end": 3, "labels": ["Speech"]}})",
     "value.end", severity::error, "negative length"},
    {"labels_empty_segment", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": 3, "end": 3, "labels": ["Speech"]}})",
     "value.end", severity::rule_break, "the segment is empty"},
    {"labels_missing_end", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": 3, "labels": ["Speech"]}})",
     "value.end", severity::error, "is missing"},
    {"labels_start_not_a_number", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": "3", "end": 4, "labels": ["Speech"]}})",
     "value.start", severity::error, "expects a number"},
    {"labels_negative_channel", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": 1, "end": 4, "channel": -1, "labels": ["Speech"]}})",
     "value.channel", severity::rule_break, "below the minimum 0"},
    {"labels_fractional_channel", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": 1, "end": 4, "channel": 0.5, "labels": ["Speech"]}})",
     "value.channel", severity::error, "expects an integer"},
    {"labels_length_not_a_number", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "original_length": "20s", "value": {"start": 1, "end": 4, "labels": ["Speech"]}})",
     "original_length", severity::error, "must be a number"},
    {"labels_unknown_label", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "labels",
        "value": {"start": 1, "end": 4, "labels": ["Drums"]}})",
     "value.labels[0]", severity::rule_break, "is not a label of"},
    {"labels_wrong_type", R"({"id": "a", "from_name": "lbl", "to_name": "audio", "type": "choices",
        "value": {"start": 1, "end": 4, "choices": ["Speech"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"labels_wrong_target", R"({"id": "a", "from_name": "lbl", "to_name": "old", "type": "labels",
        "value": {"start": 1, "end": 4, "labels": ["Speech"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"labels_on_audioplus_valid", R"({"id": "a", "from_name": "old_lbl", "to_name": "old", "type": "labels",
        "value": {"start": 1, "end": 4, "labels": ["Speech"]}})",
     "", severity::error, ""},
    {"labels_on_audioplus_negative_length", R"({"id": "a", "from_name": "old_lbl", "to_name": "old", "type": "labels",
        "value": {"start": 4, "end": 1, "labels": ["Speech"]}})",
     "value.end", severity::error, "negative length"},
};
INSTANTIATE_TEST_SUITE_P(Labels, AudioResults, ::testing::ValuesIn(labels_cases),
                         case_name);

const result_case choices_cases[] = {
    {"choices_whole_audio", R"({"id": "c", "from_name": "genre", "to_name": "audio", "type": "choices",
        "value": {"choices": ["Rock"]}})",
     "", severity::error, ""},
    {"choices_per_region", R"({"id": "a", "from_name": "quality", "to_name": "audio", "type": "choices", )" SEG
                           R"("value": {"start": 1, "end": 2, "channel": 0, "choices": ["Clear"]}})",
     "", severity::error, ""},
    {"choices_per_region_past_the_end", R"({"id": "a", "from_name": "quality", "to_name": "audio", "type": "choices", )" SEG
                                        R"("value": {"start": 1, "end": 22, "choices": ["Clear"]}})",
     "value.end", severity::rule_break, "past the end of the audio"},
    {"choices_per_region_half_a_segment", R"({"id": "a", "from_name": "quality", "to_name": "audio", "type": "choices",
        "value": {"start": 1, "choices": ["Clear"]}})",
     "value.end", severity::error, "needs start and end together"},
    {"choices_channel_without_segment", R"({"id": "a", "from_name": "quality", "to_name": "audio", "type": "choices",
        "value": {"channel": 1, "choices": ["Clear"]}})",
     "value.channel", severity::error, "cannot be placed"},
    {"choices_unknown_choice", R"({"id": "c", "from_name": "genre", "to_name": "audio", "type": "choices",
        "value": {"choices": ["Jazz"]}})",
     "value.choices[0]", severity::rule_break, ""},
    {"choices_wrong_type", R"({"id": "c", "from_name": "genre", "to_name": "audio", "type": "labels",
        "value": {"labels": ["Rock"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"choices_wrong_target", R"({"id": "c", "from_name": "genre", "to_name": "old", "type": "choices",
        "value": {"choices": ["Rock"]}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"taxonomy_valid", R"({"id": "t", "from_name": "tax", "to_name": "audio", "type": "taxonomy",
        "value": {"taxonomy": [["Music", "Jazz"]]}})",
     "", severity::error, ""},
    {"taxonomy_per_region_negative_length", R"({"id": "t", "from_name": "tax", "to_name": "audio", "type": "taxonomy",
        "value": {"start": 4, "end": 2, "taxonomy": [["Music"]]}})",
     "value.end", severity::error, "negative length"},
    {"taxonomy_unknown_path", R"({"id": "t", "from_name": "tax", "to_name": "audio", "type": "taxonomy",
        "value": {"taxonomy": [["Jazz"]]}})",
     "value.taxonomy[0]", severity::rule_break, ""},
    {"taxonomy_wrong_type", R"({"id": "t", "from_name": "tax", "to_name": "audio", "type": "choices",
        "value": {"choices": ["Music"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"taxonomy_wrong_target", R"({"id": "t", "from_name": "tax", "to_name": "old", "type": "taxonomy",
        "value": {"taxonomy": [["Music"]]}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(Choices, AudioResults, ::testing::ValuesIn(choices_cases),
                         case_name);

const result_case textarea_cases[] = {
    {"transcription_of_a_segment", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "textarea", )" SEG
                                   R"("value": {"start": 1.5, "end": 3.25, "channel": 1, "text": ["hello there"]}})",
     "", severity::error, ""},
    {"transcription_text_as_a_string", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "textarea",
        "value": {"start": 1.5, "end": 3.25, "text": "hello there"}})",
     "", severity::error, ""},
    {"transcription_of_the_whole_audio", R"({"id": "s", "from_name": "summary", "to_name": "audio", "type": "textarea",
        "value": {"text": ["a talk about jazz"]}})",
     "", severity::error, ""},
    {"transcription_past_the_end", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "textarea", )" SEG
                                   R"("value": {"start": 19, "end": 20.5, "text": ["hi"]}})",
     "value.end", severity::rule_break, "past the end of the audio"},
    {"transcription_negative_length", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "textarea",
        "value": {"start": 3, "end": 2, "text": ["hi"]}})",
     "value.end", severity::error, "negative length"},
    {"transcription_start_not_a_number", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "textarea",
        "value": {"start": null, "end": 2, "text": ["hi"]}})",
     "value.start", severity::error, "expects a number"},
    {"transcription_not_text", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "textarea",
        "value": {"start": 1, "end": 2, "text": [3]}})",
     "value.text[0]", severity::error, "must be a string"},
    {"transcription_wrong_type", R"({"id": "a", "from_name": "transcript", "to_name": "audio", "type": "labels",
        "value": {"start": 1, "end": 2, "labels": ["hi"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"transcription_wrong_target", R"({"id": "a", "from_name": "transcript", "to_name": "old", "type": "textarea",
        "value": {"start": 1, "end": 2, "text": ["hi"]}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(TextArea, AudioResults, ::testing::ValuesIn(textarea_cases),
                         case_name);

const result_case input_cases[] = {
    {"rating_valid", R"({"id": "r", "from_name": "stars", "to_name": "audio", "type": "rating", "value": {"rating": 4}})",
     "", severity::error, ""},
    {"rating_per_region_valid", R"({"id": "a", "from_name": "stars", "to_name": "audio", "type": "rating",
        "value": {"start": 0, "end": 1, "rating": 4}})",
     "", severity::error, ""},
    {"rating_out_of_range", R"({"id": "r", "from_name": "stars", "to_name": "audio", "type": "rating", "value": {"rating": 9}})",
     "value.rating", severity::rule_break, ""},
    {"rating_per_region_segment_out_of_range", R"({"id": "r", "from_name": "stars", "to_name": "audio", "type": "rating",
        "value": {"start": -2, "end": 1, "rating": 3}})",
     "value.start", severity::rule_break, "below the minimum 0"},
    {"rating_wrong_type", R"({"id": "r", "from_name": "stars", "to_name": "audio", "type": "number", "value": {"number": 4}})",
     "type", severity::rule_break, "produces results of type"},
    {"rating_wrong_target", R"({"id": "r", "from_name": "stars", "to_name": "old", "type": "rating", "value": {"rating": 4}})",
     "to_name", severity::rule_break, "is not a target of"},
    {"number_valid", R"({"id": "n", "from_name": "speakers", "to_name": "audio", "type": "number", "value": {"number": 2}})",
     "", severity::error, ""},
    {"number_out_of_range", R"({"id": "n", "from_name": "speakers", "to_name": "audio", "type": "number", "value": {"number": 11}})",
     "value.number", severity::rule_break, ""},
    {"number_per_region_negative_length", R"({"id": "n", "from_name": "speakers", "to_name": "audio", "type": "number",
        "value": {"start": 2, "end": 1, "number": 1}})",
     "value.end", severity::error, "negative length"},
    {"number_wrong_type", R"({"id": "n", "from_name": "speakers", "to_name": "audio", "type": "rating", "value": {"rating": 2}})",
     "type", severity::rule_break, "produces results of type"},
    {"number_wrong_target", R"({"id": "n", "from_name": "speakers", "to_name": "nowhere", "type": "number", "value": {"number": 2}})",
     "to_name", severity::rule_break, "names no tag"},
    {"datetime_valid", R"({"id": "d", "from_name": "recorded", "to_name": "audio", "type": "datetime",
        "value": {"datetime": "2024-05-01"}})",
     "", severity::error, ""},
    {"datetime_not_a_string", R"({"id": "d", "from_name": "recorded", "to_name": "audio", "type": "datetime",
        "value": {"datetime": 20240501}})",
     "value.datetime", severity::error, ""},
    {"datetime_per_region_past_the_end", R"({"id": "d", "from_name": "recorded", "to_name": "audio", "type": "datetime", )" SEG
                                         R"("value": {"start": 30, "end": 31, "datetime": "2024-05-01"}})",
     "value.start", severity::rule_break, "past the end of the audio"},
    {"datetime_wrong_type", R"({"id": "d", "from_name": "recorded", "to_name": "audio", "type": "textarea",
        "value": {"text": ["2024"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"datetime_wrong_target", R"({"id": "d", "from_name": "recorded", "to_name": "old", "type": "datetime",
        "value": {"datetime": "2024-05-01"}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(Inputs, AudioResults, ::testing::ValuesIn(input_cases),
                         case_name);

const result_case pairwise_cases[] = {
    {"pairwise_to_itself", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "left"}})",
     "", severity::error, ""},
    {"pairwise_to_an_audio", R"({"id": "p", "from_name": "pw", "to_name": "old", "type": "pairwise", "value": {"selected": "right"}})",
     "", severity::error, ""},
    {"pairwise_out_of_range", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "middle"}})",
     "value.selected", severity::rule_break, ""},
    {"pairwise_wrong_type", R"({"id": "p", "from_name": "pw", "to_name": "pw", "type": "choices", "value": {"choices": ["left"]}})",
     "type", severity::rule_break, "produces results of type"},
    {"pairwise_wrong_target", R"({"id": "p", "from_name": "pw", "to_name": "genre", "type": "pairwise", "value": {"selected": "left"}})",
     "to_name", severity::rule_break, "is not a target of"},
};
INSTANTIATE_TEST_SUITE_P(Pairwise, AudioResults, ::testing::ValuesIn(pairwise_cases),
                         case_name);

// --- Registration and config checks --------------------------------------------------------------

TEST(AudioConfig, RegistersAudioAndAudioPlusWithTheirRegions) {
  for (const char* tag : {"Audio", "AudioPlus"}) {
    const tag_entry* e = catalog().find_tag(tag);
    ASSERT_NE(e, nullptr) << tag;
    EXPECT_EQ(e->owner, "audio");
    EXPECT_EQ(e->role, tag_role::object);
    ASSERT_NE(catalog().find_region(tag, "labels"), nullptr);
    EXPECT_EQ(catalog().find_region(tag, "labels")->spec.geometry, "seconds_span");
    EXPECT_EQ(catalog().find_region(tag, "textarea")->spec.result_type, "textarea");
    EXPECT_EQ(catalog().find_region(tag, "rating")->spec.result_type, "*");
  }
  EXPECT_EQ(catalog().find_tag("audioplus"), catalog().find_tag("AudioPlus"));
}

TEST(AudioConfig, DataKeysAndTypes) {
  auto c = compile_config(audio_config, catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  ASSERT_EQ(c.model->data_keys().size(), 2u);
  EXPECT_EQ(c.model->data_keys()[0].key, "audio");
  EXPECT_EQ(c.model->data_keys()[0].types, std::vector<annot::data_type>{annot::data_type::str});
  EXPECT_EQ(c.model->data_keys()[1].key, "old");
}

TEST(AudioConfig, ControlThatCannotLabelAudioIsRefusedOnItsLine) {
  auto c = compile_config(R"(<View>
  <Audio name="audio" value="$audio"/>
  <Ranker name="rank" toName="audio"/>
</View>)",
                          catalog());
  ASSERT_EQ(c.errors.size(), 1u) << describe_all(c.errors);
  EXPECT_EQ(c.errors[0].code, "target");
  EXPECT_EQ(c.errors[0].line, 3u);
  EXPECT_EQ(c.errors[0].attribute, "toName");
  EXPECT_NE(c.errors[0].message.find("cannot label <Audio name=\"audio\">"), std::string::npos) << c.errors[0].message;
}

TEST(AudioConfig, AttributeWarningsCarryTheirLine) {
  auto c = compile_config(R"(<View>
  <Labels name="lbl" toName="audio"><Label value="A"/></Labels>
  <Audio name="audio" value="$audio"
         decoder="mp3" defaultzoom="big" defaultvolume="2" waveheight="32" cursorcolor="not-a-colour" loop="true"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  auto find = [&](std::string_view attribute, std::string_view code) -> const config_issue* {
    for (const auto& w : c.warnings)
      if (w.attribute == attribute && w.code == code) return &w;
    return nullptr;
  };
  for (auto [attribute, code] : {std::pair{"decoder", "attribute_value"}, std::pair{"defaultzoom", "attribute_value"},
                                 std::pair{"defaultvolume", "attribute_value"}, std::pair{"cursorcolor", "attribute_value"},
                                 std::pair{"loop", "unknown_attribute"}}) {
    const config_issue* w = find(attribute, code);
    ASSERT_NE(w, nullptr) << attribute << describe_all(c.warnings);
    EXPECT_EQ(w->line, 3u) << attribute;
    EXPECT_EQ(w->tag, "Audio");
  }
  EXPECT_EQ(find("waveheight", "attribute_value"), nullptr);
  EXPECT_EQ(c.warnings.size(), 5u) << describe_all(c.warnings);
}

TEST(AudioConfig, MissingValueIsAWarning) {
  auto c = compile_config(R"(<View>
  <AudioPlus name="audio"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  ASSERT_EQ(c.warnings.size(), 1u) << describe_all(c.warnings);
  EXPECT_EQ(c.warnings[0].code, "required_attribute");
  EXPECT_EQ(c.warnings[0].line, 2u);
  EXPECT_EQ(c.warnings[0].attribute, "value");
}

TEST(AudioResults, ManyRegionsInOneList) {
  json items = json::array();
  for (int i = 0; i < 50; ++i) {
    items.push_back({{"id", "r" + std::to_string(i)},
                     {"from_name", "lbl"},
                     {"to_name", "audio"},
                     {"type", "labels"},
                     {"original_length", 100},
                     {"value", {{"start", i * 2}, {"end", i * 2 + 1.5}, {"channel", i % 2}, {"labels", {"Speech"}}}}});
    items.push_back({{"id", "r" + std::to_string(i)},
                     {"from_name", "transcript"},
                     {"to_name", "audio"},
                     {"type", "textarea"},
                     {"original_length", 100},
                     {"value", {{"start", i * 2}, {"end", i * 2 + 1.5}, {"channel", i % 2}, {"text", {"words"}}}}});
  }
  items.push_back({{"type", "relation"}, {"from_id", "r1"}, {"to_id", "r2"}, {"direction", "right"}});
  // One bad segment among them is reported at its own index.
  items[37]["value"]["end"] = 500;
  result_report r = validate_results(audio_model(), items);
  ASSERT_EQ(r.issues.size(), 1u) << describe_all(r);
  EXPECT_EQ(r.issues[0].path, "result[37].value.end");
  EXPECT_EQ(r.issues[0].level, severity::rule_break);
}

TEST(AudioResults, AnyJsonKindAnywhereIsReportedNotCrashed) {
  EXPECT_GT(expect_any_json_kind_reported(
                audio_model(), {labels_cases, choices_cases, textarea_cases, input_cases, pairwise_cases}),
            1000u);
}

}  // namespace
