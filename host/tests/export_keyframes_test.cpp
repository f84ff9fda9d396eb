// The export serializer's Label Studio pre-processing: interpolate_key_frames (videorectangle
// keyframes expanded into every frame, as label_studio_sdk's extract_key_frames does) and the
// stored exports' annotation filter (usual / ground_truth / skipped, a disjunction).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "export/task_serializer.hpp"

namespace {

using annot::host::exporting::append_task_json;
using annot::host::exporting::has_annotations;
using annot::host::exporting::interpolate_key_frames;
using annot::host::exporting::keeps_annotation;
using annot::host::exporting::serialize_options;
using json = nlohmann::ordered_json;
namespace store = annot::host::store;

json expand(const json& results) { return json::parse(interpolate_key_frames(results.dump())); }

json video_box(json sequence, json frames_count = 10, json duration = 0.4) {
  json value = {{"sequence", std::move(sequence)}};
  if (!frames_count.is_null()) value["framesCount"] = frames_count;
  if (!duration.is_null()) value["duration"] = duration;
  value["labels"] = {"Car"};
  return {{"id", "v1"}, {"from_name", "box"}, {"to_name", "video"}, {"type", "videorectangle"}, {"value", value}};
}

TEST(ExportKeyFrames, LinearBetweenEnabledKeyframesUpToTheNext) {
  json k1 = {{"frame", 1}, {"enabled", true}, {"x", 10}, {"y", 20}, {"width", 30}, {"height", 40},
             {"rotation", 0}, {"time", 0.04}};
  json k5 = {{"frame", 5}, {"enabled", false}, {"x", 50}, {"y", 20}, {"width", 30}, {"height", 40},
             {"rotation", 0}, {"time", 0.2}};
  // Given out of order: the keyframes stay, the sequence comes out ordered by frame.
  json out = expand(json::array({video_box({k5, k1})}));
  ASSERT_EQ(out.size(), 1u);
  const json& seq = out[0]["value"]["sequence"];
  ASSERT_EQ(seq.size(), 5u) << seq.dump();
  EXPECT_EQ(seq[0], k1);
  EXPECT_EQ(seq[4], k5);
  const double xs[] = {20.0, 30.0, 40.0}, times[] = {0.08, 0.12, 0.16};
  for (int i = 0; i < 3; ++i) {
    const json& f = seq[1 + i];
    SCOPED_TRACE(f.dump());
    EXPECT_EQ(f["frame"], 2 + i);
    EXPECT_TRUE(f["x"].is_number_float());
    EXPECT_DOUBLE_EQ(f["x"].get<double>(), xs[i]);
    // Unchanged values keep their type: ints stay ints.
    EXPECT_TRUE(f["y"].is_number_integer());
    EXPECT_EQ(f["y"], 20);
    EXPECT_EQ(f["width"], 30);
    EXPECT_EQ(f["rotation"], 0);
    EXPECT_EQ(f["time"].get<double>(), times[i]) << "rounded to 2 decimals";
    EXPECT_EQ(f["enabled"], true);
    EXPECT_EQ(f["auto"], true);
  }
  // The keyframe's keys in its order, then "auto" (Python's dict.update on a copy).
  EXPECT_EQ(seq[1].dump(),
            R"({"frame":2,"enabled":true,"x":20.0,"y":20,"width":30,"height":40,"rotation":0,"time":0.08,"auto":true})");
  // Everything else in the result is kept.
  EXPECT_EQ(out[0]["value"]["labels"], json({"Car"}));
  EXPECT_EQ(out[0]["value"]["framesCount"], 10);
  EXPECT_EQ(out[0]["id"], "v1");
}

TEST(ExportKeyFrames, LastEnabledKeyframeRunsToTheEndOfTheVideo) {
  json k8 = {{"frame", 8}, {"enabled", true}, {"x", 1.5}, {"y", 2}, {"width", 3}, {"height", 4},
             {"rotation", 0}, {"time", 0.32}};
  json seq = expand(json::array({video_box({k8})}))[0]["value"]["sequence"];
  ASSERT_EQ(seq.size(), 3u) << seq.dump();
  EXPECT_EQ(seq[1]["frame"], 9);
  EXPECT_EQ(seq[2]["frame"], 10);
  EXPECT_EQ(seq[1]["x"], 1.5);
  // Time spread from the keyframe to the duration.
  EXPECT_EQ(seq[1]["time"].get<double>(), 0.36);
  EXPECT_EQ(seq[2]["time"].get<double>(), 0.4);
  // Without a duration, the keyframe's time (rounded).
  seq = expand(json::array({video_box({k8}, 10, nullptr)}))[0]["value"]["sequence"];
  ASSERT_EQ(seq.size(), 3u);
  EXPECT_EQ(seq[2]["time"].get<double>(), 0.32);
  // Without framesCount nothing follows the last keyframe.
  seq = expand(json::array({video_box({k8}, nullptr, nullptr)}))[0]["value"]["sequence"];
  EXPECT_EQ(seq.size(), 1u);
}

// framesCount and frame numbers are the client's: a region asking for more than a million added frames
// (1e15 would never end) is exported with its keyframes as stored.
TEST(ExportKeyFrames, AbsurdFrameCountsKeepTheKeyframesAsStored) {
  json k1 = {{"frame", 1}, {"enabled", true}, {"x", 1},        {"y", 2},
             {"width", 3}, {"height", 4},     {"rotation", 0}, {"time", 0.04}};
  EXPECT_EQ(expand(json::array({video_box({k1}, 1e15, nullptr)}))[0]["value"]["sequence"].size(), 1u);
  json far = k1;
  far["frame"] = 1e300;
  EXPECT_EQ(expand(json::array({video_box({k1, far}, 10, nullptr)}))[0]["value"]["sequence"].size(), 2u);
  EXPECT_EQ(expand(json::array({video_box({k1}, 1'000'002, nullptr)}))[0]["value"]["sequence"].size(), 1u);
  // A million added frames is the most made; past it the caller is told which region stayed.
  std::vector<std::string> told;
  const auto warn = [&](std::string_view m) { told.emplace_back(m); };
  const std::string at_cap =
      interpolate_key_frames(json::array({video_box({k1}, 1'000'001, nullptr)}).dump(), warn);
  EXPECT_EQ(json::parse(at_cap)[0]["value"]["sequence"].size(), 1'000'001u);
  EXPECT_TRUE(told.empty());
  (void)interpolate_key_frames(json::array({video_box({k1, far}, 10, nullptr)}).dump(), warn);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0],
            "the videorectangle region \"v1\" asks for 1e+300 interpolated frames, more than the 1000000 "
            "allowed: its "
            "keyframes are exported as stored");
}

// The million is the task's, not each region's: twenty regions of 999,999 frames each (a 7 KB import)
// took the server's memory until it died. The first region that fits is expanded; the rest stay as
// stored, the caller told of each; a task's annotations share the same million.
TEST(ExportKeyFrames, ATasksRegionsShareOneMillionFrames) {
  json k1 = {{"frame", 1}, {"enabled", true}, {"x", 1},        {"y", 2},
             {"width", 3}, {"height", 4},     {"rotation", 0}, {"time", 0.04}};
  json regions = json::array();
  for (int i = 0; i < 20; ++i) {
    json r = video_box({k1}, 600'001, nullptr);
    r["id"] = "r" + std::to_string(i);
    regions.push_back(std::move(r));
  }
  std::vector<std::string> told;
  const auto warn = [&](std::string_view m) { told.emplace_back(m); };
  const json out = json::parse(interpolate_key_frames(regions.dump(), warn));
  ASSERT_EQ(out.size(), 20u);
  EXPECT_EQ(out[0]["value"]["sequence"].size(), 600'001u);
  for (int i = 1; i < 20; ++i) EXPECT_EQ(out[i]["value"]["sequence"].size(), 1u) << i;
  ASSERT_EQ(told.size(), 19u);
  EXPECT_EQ(
      told[0],
      "the videorectangle region \"r1\" asks for 600000 interpolated frames, more than the 400000 left of "
      "the task's 1000000 allowed: its keyframes are exported as stored");

  store::task t;
  t.id = 7;
  t.project_id = 1;
  t.data = R"({"video": "/v.mp4"})";
  std::vector<store::annotation> anns(2);
  for (int i = 0; i < 2; ++i) {
    anns[i].id = i + 1;
    anns[i].task_id = 7;
    anns[i].project_id = 1;
    anns[i].result = json::array({video_box({k1}, 600'001, nullptr)}).dump();
  }
  serialize_options o;
  o.interpolate_key_frames = true;
  std::vector<std::string> logged;
  annot::host::exporting::serialize_lookups l;
  l.warn = [&](std::string_view m) { logged.emplace_back(m); };
  std::string task_json;
  append_task_json(task_json, t, anns, {}, {}, o, l);
  const json task = json::parse(task_json);
  EXPECT_EQ(task["annotations"][0]["result"][0]["value"]["sequence"].size(), 600'001u);
  EXPECT_EQ(task["annotations"][1]["result"][0]["value"]["sequence"].size(), 1u);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].rfind("task 7: ", 0), 0u) << logged[0];
}

TEST(ExportKeyFrames, DisabledSpansEmptySequencesAndOtherResults) {
  json a = {{"frame", 1}, {"enabled", false}, {"x", 0}, {"y", 0}, {"width", 1}, {"height", 1}, {"rotation", 0},
            {"time", 0.0}};
  json b = {{"frame", 4}, {"enabled", true}, {"x", 0}, {"y", 0}, {"width", 1}, {"height", 1}, {"rotation", 0},
            {"time", 0.12}};
  json c = {{"frame", 6}, {"enabled", false}, {"x", 0}, {"y", 0}, {"width", 1}, {"height", 1}, {"rotation", 0},
            {"time", 0.2}};
  json text_span = {{"id", "t"}, {"type", "labels"}, {"value", {{"start", 0}, {"end", 3}}}};
  json out = expand(json::array({text_span, video_box({a, b, c}), video_box(json::array())}));
  ASSERT_EQ(out.size(), 2u) << "the empty sequence is dropped: " << out.dump();
  EXPECT_EQ(out[0], text_span);
  const json& seq = out[1]["value"]["sequence"];
  // 1 (disabled: nothing until 4), 4, 5 (between 4 and 6), 6 (disabled: nothing after).
  std::vector<int> frames;
  for (const auto& f : seq) frames.push_back(f["frame"].get<int>());
  EXPECT_EQ(frames, (std::vector<int>{1, 4, 5, 6}));
  EXPECT_EQ(seq[2]["auto"], true);
  EXPECT_EQ(seq[2]["time"].get<double>(), 0.16);
  // The type is compared without case; text that is not a list is left as it is.
  json upper = video_box({b}, 5, nullptr);
  upper["type"] = "VideoRectangle";
  EXPECT_EQ(expand(json::array({upper}))[0]["value"]["sequence"].size(), 2u);
  EXPECT_EQ(interpolate_key_frames("not json"), "not json");
}

store::annotation make_annotation(std::int64_t id, bool ground_truth, bool cancelled, std::string result = "[]") {
  store::annotation a;
  a.id = id;
  a.task_id = 1;
  a.project_id = 1;
  a.ground_truth = ground_truth;
  a.was_cancelled = cancelled;
  a.result = std::move(result);
  return a;
}

TEST(ExportAnnotationFilter, DisjunctionOfKindsAndInterpolationInTheTaskJson) {
  const store::annotation usual = make_annotation(1, false, false), gt = make_annotation(2, true, false),
                          skipped = make_annotation(3, false, true);
  using filter = serialize_options::annotation_filter;
  EXPECT_TRUE(keeps_annotation(std::nullopt, skipped));
  EXPECT_TRUE(keeps_annotation(filter{}, usual));
  EXPECT_FALSE(keeps_annotation(filter{}, gt)) << "usual is neither ground truth nor cancelled";
  EXPECT_FALSE(keeps_annotation(filter{}, skipped));
  EXPECT_TRUE(keeps_annotation(filter{false, true, false}, gt));
  EXPECT_FALSE(keeps_annotation(filter{false, true, false}, usual));
  EXPECT_TRUE(keeps_annotation(filter{false, false, true}, skipped));
  EXPECT_TRUE(keeps_annotation(filter{false, false, false}, gt)) << "nothing chosen: every annotation";

  store::task t;
  t.id = 1;
  t.project_id = 1;
  t.data = R"({"video": "/v.mp4"})";
  json k = {{"frame", 1}, {"enabled", true}, {"x", 0}, {"y", 0}, {"width", 1}, {"height", 1}, {"rotation", 0},
            {"time", 0.0}};
  std::vector<store::annotation> anns = {usual, gt, skipped};
  anns[0].result = json::array({video_box({k}, 3, nullptr)}).dump();
  serialize_options o;
  o.annotations = filter{false, true, true};
  std::string out;
  append_task_json(out, t, anns, {}, {}, o, {});
  json j = json::parse(out);
  ASSERT_EQ(j["annotations"].size(), 2u);
  EXPECT_EQ(j["annotations"][0]["id"], 2);
  EXPECT_EQ(j["annotations"][1]["id"], 3);
  EXPECT_TRUE(has_annotations(out));

  o.annotations = filter{};
  o.interpolate_key_frames = true;
  out.clear();
  append_task_json(out, t, anns, {}, {}, o, {});
  j = json::parse(out);
  ASSERT_EQ(j["annotations"].size(), 1u);
  EXPECT_EQ(j["annotations"][0]["result"][0]["value"]["sequence"].size(), 3u) << out;

  o.annotations = filter{false, true, false};
  anns.erase(anns.begin() + 1);
  out.clear();
  append_task_json(out, t, anns, {}, {}, o, {});
  EXPECT_FALSE(has_annotations(out)) << out;
  EXPECT_EQ(json::parse(out)["annotations"], json::array());
}

}  // namespace
