// Label Studio's Task.allow_skip over real HTTP: set by imports and POST/PATCH /api/tasks (true, false
// or null; anything else is a 400 naming it), shown by the task APIs, written by the JSON export and
// kept by a round trip through it; skipping an unskippable task is refused with a 400.
#include "import_test_support.hpp"

namespace annot::host::import_testing {
namespace {

class TaskAllowSkip : public import_host {
 protected:
  test::http_response send(const std::string& method, const std::string& target, const std::string& body) {
    test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    return c.request(method, target, body, auth({{"Content-Type", "application/json"}}));
  }
  // allow_skip of each task of the project, by id order.
  std::vector<json> flags(std::int64_t pid) {
    json listed = json::parse(get("/api/tasks?project=" + std::to_string(pid) + "&page_size=100").body);
    std::vector<json> out;
    for (const auto& t : listed["tasks"]) out.push_back(t["allow_skip"]);
    return out;
  }
};

TEST_F(TaskAllowSkip, ImportedSetShownExportedAndKeptByARoundTrip) {
  start();
  const char* config = "<View><Text name=\"text\" value=\"$text\"/></View>";
  const std::int64_t pid = make_project(config);
  auto r = post_json(pid, R"([{"data": {"text": "a"}, "allow_skip": false},
                              {"data": {"text": "b"}, "allow_skip": true},
                              {"data": {"text": "c"}, "allow_skip": null},
                              {"data": {"text": "d"}}])");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(flags(pid), (std::vector<json>{false, true, nullptr, true}));

  auto bad = post_json(pid, R"([{"data": {"text": "e"}, "allow_skip": "no"}])");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("allow_skip"), std::string::npos) << bad.body;
  EXPECT_EQ(flags(pid).size(), 4u) << "a refused import wrote tasks";

  // POST and PATCH /api/tasks.
  auto made =
      send("POST", "/api/tasks",
           R"({"project": )" + std::to_string(pid) + R"(, "data": {"text": "f"}, "allow_skip": false})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json::parse(made.body)["allow_skip"], false);
  const std::string made_path =
      "/api/tasks/" + std::to_string(json::parse(made.body)["id"].get<std::int64_t>());
  EXPECT_EQ(json::parse(get(made_path).body)["allow_skip"], false);
  auto patched = send("PATCH", made_path, R"({"allow_skip": true})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["allow_skip"], true);
  EXPECT_EQ(send("PATCH", made_path, R"({"allow_skip": 3})").status, 400);
  EXPECT_EQ(json::parse(get(made_path).body)["allow_skip"], true);

  // The JSON export writes it, and importing that export into a new project keeps it.
  auto exported =
      get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&download_all_tasks=true");
  ASSERT_EQ(exported.status, 200) << exported.body;
  json tasks = json::parse(exported.body);
  ASSERT_EQ(tasks.size(), 5u);
  std::vector<json> written;
  for (const auto& t : tasks) written.push_back(t["allow_skip"]);
  EXPECT_EQ(written, (std::vector<json>{false, true, nullptr, true, true}));
  const std::int64_t copy = make_project(config);
  ASSERT_EQ(post_json(copy, exported.body).status, 201);
  EXPECT_EQ(flags(copy), written);
}

TEST_F(TaskAllowSkip, SkippingAnUnskippableTaskIsRefused) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  ASSERT_EQ(
      post_json(pid, R"([{"data": {"text": "a"}, "allow_skip": false}, {"data": {"text": "b"}}])").status,
      201);
  json listed = json::parse(get("/api/tasks?project=" + std::to_string(pid) + "&page_size=100").body);
  const std::string fixed = std::to_string(listed["tasks"][0]["id"].get<std::int64_t>());
  const std::string free = std::to_string(listed["tasks"][1]["id"].get<std::int64_t>());

  auto refused =
      send("POST", "/api/tasks/" + fixed + "/annotations", R"({"result": [], "was_cancelled": true})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("cannot be skipped"), std::string::npos) << refused.body;
  EXPECT_EQ(json::parse(get("/api/tasks/" + fixed).body)["annotations"].size(), 0u);

  // Labeling it is fine; turning that annotation into a skip is refused too.
  auto labeled = send("POST", "/api/tasks/" + fixed + "/annotations", R"({"result": []})");
  ASSERT_EQ(labeled.status, 201) << labeled.body;
  const std::string annotation = std::to_string(json::parse(labeled.body)["id"].get<std::int64_t>());
  EXPECT_EQ(send("PATCH", "/api/annotations/" + annotation, R"({"was_cancelled": true})").status, 400);
  EXPECT_EQ(json::parse(get("/api/annotations/" + annotation).body)["was_cancelled"], false);

  // Other tasks skip as before.
  EXPECT_EQ(
      send("POST", "/api/tasks/" + free + "/annotations", R"({"result": [], "was_cancelled": true})").status,
      201);
}

}  // namespace
}  // namespace annot::host::import_testing
