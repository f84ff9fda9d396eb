// Easy export (GET /api/projects/{id}/export) with interpolate_key_frames: videorectangle keyframes
// expanded into every frame as the stored exports do; left as stored without it; a bad value is a 400.
// `annot export --interpolate-key-frames` does the same.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include "test_host.hpp"
#include "video_keyframes_fixture.hpp"

namespace annot::host::testing {
namespace {

// A project of `config` with one video task annotated by `user` with `region`.
std::int64_t project_with_two_keyframes(api_host& h, std::int64_t user, const std::string& config,
                                        const json& region = two_keyframe_video_box()) {
  const std::int64_t pid = h.make_project(config);
  auto task = h.db().run<store::task>([&](store::write_context& w) {
    store::new_task n;
    n.project_id = pid;
    n.data = R"({"video": "/data/v.mp4"})";
    return w.create_task(n);
  });
  EXPECT_TRUE(task) << task.error().message();
  auto ann = h.db().run<store::annotation>([&](store::write_context& w) {
    store::new_annotation n;
    n.task_id = task ? task->id : 0;
    n.result = json::array({region}).dump();
    n.completed_by = user;
    return w.create_annotation(n);
  });
  EXPECT_TRUE(ann) << ann.error().message();
  return pid;
}

TEST(ExportEasyKeyFrames, InterpolateKeyFramesExpandsTheSequence) {
  api_host h;
  h.start();
  auto user = h.make_user("video@example.com");
  const std::int64_t pid = project_with_two_keyframes(
      h, user.id,
      "<View><Video name=\"video\" value=\"$video\"/><VideoRectangle name=\"box\" toName=\"video\"/></View>");
  const std::string base = "/api/projects/" + std::to_string(pid) + "/export?exportType=JSON";

  auto sequence_of = [&](const std::string& query) {
    auto r = h.call("GET", base + query, user.auth);
    EXPECT_EQ(r.status, 200) << r.body;
    json tasks = api_host::body(r);
    EXPECT_TRUE(tasks.is_array() && tasks.size() == 1u) << r.body.substr(0, 400);
    if (!tasks.is_array() || tasks.empty()) return json::array();
    return tasks[0]["annotations"][0]["result"][0]["value"]["sequence"];
  };

  // Without the option (or with it false) the keyframes are exported as stored.
  EXPECT_EQ(sequence_of("").size(), 2u);
  EXPECT_EQ(sequence_of("&interpolate_key_frames=false").size(), 2u);

  // With it: frame 2 is added between the enabled keyframe 1 and keyframe 3 (disabled: nothing after).
  json seq = sequence_of("&interpolate_key_frames=true");
  ASSERT_EQ(seq.size(), 3u) << seq.dump();
  EXPECT_EQ(seq[0]["frame"], 1);
  EXPECT_EQ(seq[1]["frame"], 2);
  EXPECT_EQ(seq[1]["x"], 15.0);
  EXPECT_EQ(seq[1]["time"], 0.08);
  EXPECT_EQ(seq[1]["auto"], true);
  EXPECT_EQ(seq[2]["frame"], 3);
  // Label Studio's 1 spelling too.
  EXPECT_EQ(sequence_of("&interpolate_key_frames=1").size(), 3u);

  // Not a boolean: 400 naming the parameter.
  auto bad = h.call("GET", base + "&interpolate_key_frames=maybe", user.auth);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("interpolate_key_frames"), std::string::npos) << bad.body;

  // The CLI on the same database, with and without --interpolate-key-frames.
  const std::filesystem::path annot = std::filesystem::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!std::filesystem::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  h.stop();
  auto cli_sequence = [&](const std::string& flag) {
    const std::filesystem::path out = h.root() / "cli.json";
    const std::string cmd = annot.string() + " export " + std::to_string(pid) + " --format JSON --quiet --data-dir " +
                            (h.root() / "data").string() + " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR + " --out " +
                            out.string() + " " + flag + " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    json tasks = json::parse(text.str(), nullptr, false);
    EXPECT_TRUE(tasks.is_array() && tasks.size() == 1u) << text.str().substr(0, 400);
    if (!tasks.is_array() || tasks.empty()) return json::array();
    return tasks[0]["annotations"][0]["result"][0]["value"]["sequence"];
  };
  EXPECT_EQ(cli_sequence("").size(), 2u);
  json cli = cli_sequence("--interpolate-key-frames");
  EXPECT_EQ(cli, seq);
}

// A keyframe at frame 1e15 would make Label Studio loop until its memory runs out; Annot exports that
// region's keyframes as stored and says so in the export result.
TEST(ExportEasyKeyFrames, ARegionTooLongToInterpolateIsKeptAsStoredAndReported) {
  const std::filesystem::path annot = std::filesystem::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!std::filesystem::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  api_host h;
  h.start();
  auto user = h.make_user("far@example.com");
  json far = two_keyframe_video_box();
  far["value"]["sequence"][1]["frame"] = 1e15;
  const std::int64_t pid = project_with_two_keyframes(
      h, user.id,
      "<View><Video name=\"video\" value=\"$video\"/><VideoRectangle name=\"box\" toName=\"video\"/></View>",
      far);
  auto r = h.call(
      "GET", "/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&interpolate_key_frames=true",
      user.auth);
  ASSERT_EQ(r.status, 200) << r.body;
  json tasks = api_host::body(r);
  ASSERT_TRUE(tasks.is_array() && tasks.size() == 1u) << r.body.substr(0, 400);
  EXPECT_EQ(tasks[0]["annotations"][0]["result"][0]["value"]["sequence"].size(), 2u);
  const std::int64_t task_id = tasks[0]["id"].get<std::int64_t>();

  // The CLI prints the export result: the region is named there, with its task.
  h.stop();
  const std::filesystem::path out = h.root() / "far.json", report = h.root() / "far-report.json";
  const std::string cmd = annot.string() + " export " + std::to_string(pid) +
                          " --format JSON --quiet --data-dir " + (h.root() / "data").string() +
                          " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR + " --out " + out.string() +
                          " --interpolate-key-frames >" + report.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
  std::ifstream in(report);
  std::stringstream text;
  text << in.rdbuf();
  json result = json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(result.is_object()) << text.str();
  EXPECT_EQ(result["warning_count"], 1) << text.str();
  ASSERT_EQ(result["warnings"].size(), 1u) << text.str();
  const std::string warning = result["warnings"][0].get<std::string>();
  EXPECT_EQ(warning.rfind("task " + std::to_string(task_id) +
                              ": the videorectangle region \"b1\" asks for 999999999999999 ",
                          0),
            0u)
      << warning;
  EXPECT_NE(warning.find("exported as stored"), std::string::npos) << warning;
}

// Label Studio interpolates only in video object tracking projects (a VideoRectangle control): a
// videorectangle result imported into a TimelineLabels project stays as stored.
TEST(ExportEasyKeyFrames, ProjectsWithoutAVideoRectangleKeepTheirKeyframes) {
  api_host h;
  h.start();
  auto user = h.make_user("timeline@example.com");
  const std::int64_t pid = project_with_two_keyframes(
      h, user.id,
      "<View><Video name=\"video\" value=\"$video\"/><TimelineLabels name=\"tl\" toName=\"video\">"
      "<Label value=\"Run\"/></TimelineLabels></View>");
  auto r = h.call(
      "GET", "/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&interpolate_key_frames=true",
      user.auth);
  ASSERT_EQ(r.status, 200) << r.body;
  json tasks = api_host::body(r);
  ASSERT_TRUE(tasks.is_array() && tasks.size() == 1u) << r.body.substr(0, 400);
  EXPECT_EQ(tasks[0]["annotations"][0]["result"][0]["value"]["sequence"].size(), 2u);
}

}  // namespace
}  // namespace annot::host::testing
