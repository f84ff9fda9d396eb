// Easy export (GET /api/projects/{id}/export) with interpolate_key_frames: videorectangle keyframes
// expanded into every frame as the stored exports do; left as stored without it; a bad value is a 400.
// `annot export --interpolate-key-frames` does the same.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

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

const char* const video_tracking_config =
    "<View><Video name=\"video\" value=\"$video\"/><VideoRectangle name=\"box\" toName=\"video\"/></View>";

// The tasks of the project's easy JSON export with `query` appended; [] after a failure.
json api_tasks(api_host& h, std::int64_t pid, const annot::test::header_list& auth,
               const std::string& query) {
  auto r = h.call("GET", "/api/projects/" + std::to_string(pid) + "/export?exportType=JSON" + query, auth);
  EXPECT_EQ(r.status, 200) << r.body;
  json tasks = api_host::body(r);
  EXPECT_TRUE(tasks.is_array() && tasks.size() == 1u) << r.body.substr(0, 400);
  return tasks.is_array() ? tasks : json::array();
}

json sequence_of(const json& tasks) {
  if (tasks.empty()) return json::array();
  return tasks[0]["annotations"][0]["result"][0]["value"]["sequence"];
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `annot export PID --format JSON` into `out` with `flags`, on the stopped host's database; what it
// printed (the export result), or nullopt when the binary is not built.
std::optional<std::string> cli_export(api_host& h, std::int64_t pid, const std::filesystem::path& out,
                                      const std::string& flags) {
  const std::filesystem::path annot = std::filesystem::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!std::filesystem::exists(annot)) return std::nullopt;
  const std::filesystem::path printed = out.string() + ".printed";
  const std::string cmd = annot.string() + " export " + std::to_string(pid) +
                          " --format JSON --quiet --data-dir " + (h.root() / "data").string() +
                          " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR + " --out " + out.string() + " " +
                          flags + " >" + printed.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
  return read_file(printed);
}

TEST(ExportEasyKeyFrames, InterpolateKeyFramesExpandsTheSequence) {
  api_host h;
  h.start();
  auto user = h.make_user("video@example.com");
  const std::int64_t pid = project_with_two_keyframes(h, user.id, video_tracking_config);
  auto sequence = [&](const std::string& query) { return sequence_of(api_tasks(h, pid, user.auth, query)); };

  // Without the option (or with it false) the keyframes are exported as stored.
  EXPECT_EQ(sequence("").size(), 2u);
  EXPECT_EQ(sequence("&interpolate_key_frames=false").size(), 2u);

  // With it: frame 2 is added between the enabled keyframe 1 and keyframe 3 (disabled: nothing after).
  json seq = sequence("&interpolate_key_frames=true");
  ASSERT_EQ(seq.size(), 3u) << seq.dump();
  EXPECT_EQ(seq[0]["frame"], 1);
  EXPECT_EQ(seq[1]["frame"], 2);
  EXPECT_EQ(seq[1]["x"], 15.0);
  EXPECT_EQ(seq[1]["time"], 0.08);
  EXPECT_EQ(seq[1]["auto"], true);
  EXPECT_EQ(seq[2]["frame"], 3);
  // Label Studio's 1 spelling too.
  EXPECT_EQ(sequence("&interpolate_key_frames=1").size(), 3u);

  // Not a boolean: 400 naming the parameter.
  auto bad = h.call(
      "GET", "/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&interpolate_key_frames=maybe",
      user.auth);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("interpolate_key_frames"), std::string::npos) << bad.body;

  // The CLI on the same database, with and without --interpolate-key-frames.
  h.stop();
  auto cli_sequence = [&](const std::string& flag) {
    const std::filesystem::path out = h.root() / "cli.json";
    if (!cli_export(h, pid, out, flag)) return json();
    json tasks = json::parse(read_file(out), nullptr, false);
    EXPECT_TRUE(tasks.is_array() && tasks.size() == 1u) << tasks.dump().substr(0, 400);
    return tasks.is_array() ? sequence_of(tasks) : json::array();
  };
  const json plain = cli_sequence("");
  if (plain.is_null()) GTEST_SKIP() << "the annot binary is not built";
  EXPECT_EQ(plain.size(), 2u);
  EXPECT_EQ(cli_sequence("--interpolate-key-frames"), seq);
}

// A keyframe at frame 1e15 would make Label Studio loop until its memory runs out; Annot exports that
// region's keyframes as stored and says so in the export result.
TEST(ExportEasyKeyFrames, ARegionTooLongToInterpolateIsKeptAsStoredAndReported) {
  api_host h;
  h.start();
  auto user = h.make_user("far@example.com");
  json far = two_keyframe_video_box();
  far["value"]["sequence"][1]["frame"] = 1e15;
  const std::int64_t pid = project_with_two_keyframes(h, user.id, video_tracking_config, far);
  json tasks = api_tasks(h, pid, user.auth, "&interpolate_key_frames=true");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(sequence_of(tasks).size(), 2u);
  const std::int64_t task_id = tasks[0]["id"].get<std::int64_t>();
  const std::string expected = "task " + std::to_string(task_id) + ": the videorectangle region \"b1\" asks for 999999999999999 ";

  // A stored export keeps the warning in its record's report (it went to the server's log only).
  const std::string exports = "/api/projects/" + std::to_string(pid) + "/exports";
  auto created = h.call("POST", exports, user.auth, json{{"serialization_options", {{"interpolate_key_frames", true}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string one = exports + "/" + std::to_string(api_host::body(created)["id"].get<std::int64_t>());
  json meta;
  for (int i = 0; i < 400; ++i) {
    meta = api_host::body(h.call("GET", one, user.auth));
    if (meta["status"] == "completed" || meta["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(meta["status"], "completed") << meta.dump();
  EXPECT_EQ(meta["report"]["tasks"], 1) << meta.dump();
  EXPECT_EQ(meta["report"]["warning_count"], 1) << meta.dump();
  ASSERT_EQ(meta["report"]["warnings"].size(), 1u) << meta.dump();
  EXPECT_EQ(meta["report"]["warnings"][0].get<std::string>().rfind(expected, 0), 0u) << meta.dump();

  // The CLI prints the export result: the region is named there, with its task.
  h.stop();
  auto printed = cli_export(h, pid, h.root() / "far.json", "--interpolate-key-frames");
  if (!printed) GTEST_SKIP() << "the annot binary is not built";
  json result = json::parse(*printed, nullptr, false);
  ASSERT_TRUE(result.is_object()) << *printed;
  EXPECT_EQ(result["warning_count"], 1) << *printed;
  ASSERT_EQ(result["warnings"].size(), 1u) << *printed;
  const std::string warning = result["warnings"][0].get<std::string>();
  EXPECT_EQ(warning.rfind(expected, 0), 0u) << warning;
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
  EXPECT_EQ(sequence_of(api_tasks(h, pid, user.auth, "&interpolate_key_frames=true")).size(), 2u);
}

}  // namespace
}  // namespace annot::host::testing
