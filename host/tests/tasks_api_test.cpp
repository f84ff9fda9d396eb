// End to end over real HTTP on 127.0.0.1 against a real SQLite file: tasks, filters, annotations,
// drafts, predictions (create, update, delete), a refused invalid result naming its JSON path, and a
// restart of the host after which everything written is still there.
#include <gtest/gtest.h>

#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

class TasksApi : public ::testing::Test {
 protected:
  api_host host;
};

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += char(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

TEST_F(TasksApi, EndToEndScenarioSurvivesRestart) {
  host.start();
  auto alice = host.make_user("alice@example.com");
  const auto pid = host.make_project(image_config(), R"({"image":"Image"})", {"image"});
  const std::string P = std::to_string(pid);

  // ---- tasks from POST /api/tasks and the store (the import routes' part of the scenario, JSON, CSV,
  // TSV, TXT and two uploaded images, is in e2e_scenario_test.cpp, which uses the REST API only).
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = host.call("POST", "/api/tasks", alice.auth,
                       {{"project", pid}, {"data", {{"image", "/img/" + std::to_string(i) + ".png"}, {"split", i == 1 ? "test" : "train"}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    auto t = api_host::body(r);
    EXPECT_EQ(t["project"], pid);
    EXPECT_EQ(t["data"]["split"], i == 1 ? "test" : "train");
    EXPECT_EQ(t["inner_id"], i + 1);
    ids.push_back(t["id"].get<std::int64_t>());
  }
  {
    auto t = host.db().run<store::task>([&](store::write_context& w) {
      return w.create_task({.project_id = pid, .data = R"({"image":"/img/3.png","split":"train"})"});
    });
    ASSERT_TRUE(t) << t.error().message();
    ids.push_back(t->id);
  }
  // Task data that does not fit the config is refused with Label Studio's message.
  auto bad_task = host.call("POST", "/api/tasks", alice.auth, {{"project", pid}, {"data", {{"text", "x"}}}});
  EXPECT_EQ(bad_task.status, 400);
  EXPECT_NE(bad_task.body.find("\\\"image\\\" key is expected in task data"), std::string::npos) << bad_task.body;
  EXPECT_EQ(host.call("POST", "/api/tasks", alice.auth, {{"project", 999}, {"data", {{"image", "x"}}}}).status, 400);
  EXPECT_EQ(host.call("POST", "/api/tasks", alice.auth, "{not json").status, 400);
  EXPECT_EQ(host.call("POST", "/api/tasks", {}, {{"project", pid}, {"data", {{"image", "x"}}}}).status, 401);

  // ---- list and filter
  auto all = host.call("GET", "/api/tasks?project=" + P, alice.auth);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(api_host::body(all)["total"], 4);
  const std::string query =
      R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:data.split","operator":"equal","type":"String","value":"train"}]},"ordering":["-tasks:id"]})";
  auto filtered = host.call("GET", "/api/tasks?project=" + P + "&query=" + url_encode(query), alice.auth);
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  auto fj = api_host::body(filtered);
  EXPECT_EQ(fj["total"], 3);
  ASSERT_EQ(fj["tasks"].size(), 3u);
  EXPECT_EQ(fj["tasks"][0]["id"], ids[3]);
  EXPECT_EQ(fj["tasks"][2]["id"], ids[0]);
  auto bad_query = host.call("GET", "/api/tasks?project=" + P + "&query=" + url_encode(R"({"filters":{"items":[{"filter":"filter:tasks:nope","operator":"equal","type":"String","value":1}]}})"), alice.auth);
  EXPECT_EQ(bad_query.status, 400) << bad_query.body;
  EXPECT_EQ(host.call("GET", "/api/tasks?project=" + P + "&page=9", alice.auth).status, 404);
  EXPECT_EQ(host.call("GET", "/api/tasks?project=abc", alice.auth).status, 400);

  // ---- annotation: valid, then refused ones naming the path
  const std::string T0 = std::to_string(ids[0]);
  auto ann = host.call("POST", "/api/tasks/" + T0 + "/annotations", alice.auth,
                       {{"result", {box(), choice()}}, {"lead_time", 12.5}});
  ASSERT_EQ(ann.status, 201) << ann.body;
  auto aj = api_host::body(ann);
  EXPECT_EQ(aj["task"], ids[0]);
  EXPECT_EQ(aj["completed_by"], alice.id);
  EXPECT_EQ(aj["lead_time"], 12.5);
  EXPECT_EQ(aj["result"][0]["value"]["rectanglelabels"][0], "Cat");
  const auto ann_id = aj["id"].get<std::int64_t>();
  {
    json broken = box();
    broken["value"]["width"] = "wide";
    auto r = host.call("POST", "/api/tasks/" + T0 + "/annotations", alice.auth, {{"result", {choice(), broken}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("result[1].value.width"), std::string::npos) << r.body;
    auto rule = host.call("POST", "/api/tasks/" + T0 + "/annotations", alice.auth, {{"result", {box(10, "Horse"), choice()}}});
    EXPECT_EQ(rule.status, 400) << "strict_results refuses rule breaks";
    EXPECT_NE(rule.body.find("result[0]"), std::string::npos) << rule.body;
    auto not_list = host.call("POST", "/api/tasks/" + T0 + "/annotations", alice.auth, {{"result", {{"a", 1}}}});
    EXPECT_EQ(not_list.status, 400);
    EXPECT_NE(not_list.body.find("must be list"), std::string::npos) << not_list.body;
    EXPECT_EQ(host.call("POST", "/api/tasks/99999/annotations", alice.auth, {{"result", json::array()}}).status, 404);
  }
  // Skipped annotation and a duplicate unique_id.
  auto skipped = host.call("POST", "/api/tasks/" + std::to_string(ids[1]) + "/annotations", alice.auth,
                           {{"result", json::array()}, {"was_cancelled", true}, {"unique_id", "u-1"}});
  ASSERT_EQ(skipped.status, 201) << skipped.body;
  EXPECT_EQ(api_host::body(skipped)["was_cancelled"], true);
  EXPECT_EQ(host.call("POST", "/api/tasks/" + std::to_string(ids[2]) + "/annotations", alice.auth,
                      {{"result", json::array()}, {"unique_id", "u-1"}})
                .status,
            409);
  // The filter on annotations now sees it.
  const std::string annotated =
      R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:total_annotations","operator":"greater_or_equal","type":"Number","value":1}]}})";
  auto fa = api_host::body(host.call("GET", "/api/tasks?project=" + P + "&query=" + url_encode(annotated), alice.auth));
  ASSERT_EQ(fa["total"], 1) << fa.dump();
  EXPECT_EQ(fa["tasks"][0]["id"], ids[0]);
  EXPECT_EQ(fa["total_annotations"], 1);

  // Update the annotation.
  auto patched = host.call("PATCH", "/api/annotations/" + std::to_string(ann_id), alice.auth,
                           {{"result", {box(30, "Dog"), choice("bad")}}, {"ground_truth", true}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(api_host::body(patched)["ground_truth"], true);
  EXPECT_EQ(api_host::body(patched)["result"][0]["value"]["x"], 30);
  EXPECT_EQ(host.call("PATCH", "/api/annotations/" + std::to_string(ann_id), alice.auth, {{"result", {box(-5000)}}}).status, 400);

  // ---- draft
  auto draft = host.call("POST", "/api/tasks/" + std::to_string(ids[2]) + "/drafts", alice.auth,
                         {{"result", {box(40)}}, {"lead_time", 3}});
  ASSERT_EQ(draft.status, 201) << draft.body;
  const auto draft_id = api_host::body(draft)["id"].get<std::int64_t>();
  EXPECT_EQ(api_host::body(draft)["user"], "alice@example.com");  // str(user), as upstream
  auto dpatch = host.call("PATCH", "/api/drafts/" + std::to_string(draft_id), alice.auth, {{"result", {box(41)}}});
  ASSERT_EQ(dpatch.status, 200) << dpatch.body;
  EXPECT_EQ(api_host::body(dpatch)["result"][0]["value"]["x"], 41);
  // A second draft, deleted.
  auto d2 = host.call("POST", "/api/tasks/" + std::to_string(ids[3]) + "/drafts", alice.auth, {{"result", json::array()}});
  ASSERT_EQ(d2.status, 201);
  EXPECT_EQ(host.call("DELETE", "/api/drafts/" + std::to_string(api_host::body(d2)["id"].get<std::int64_t>()), alice.auth).status, 204);

  // ---- predictions: create, shorthand, update, delete
  auto pred = host.call("POST", "/api/predictions", alice.auth,
                        {{"task", ids[2]}, {"result", {box(50)}}, {"score", 0.75}, {"model_version", "v1"}});
  ASSERT_EQ(pred.status, 201) << pred.body;
  const auto pred_id = api_host::body(pred)["id"].get<std::int64_t>();
  auto shorthand = host.call("POST", "/api/predictions", alice.auth, {{"task", ids[3]}, {"result", "good"}, {"model_version", "v2"}});
  ASSERT_EQ(shorthand.status, 201) << shorthand.body;
  EXPECT_EQ(api_host::body(shorthand)["result"][0]["value"]["choices"][0], "good");
  auto bad_pred = host.call("POST", "/api/predictions", alice.auth, {{"task", ids[3]}, {"result", {box(10, "Horse")}}});
  EXPECT_EQ(bad_pred.status, 400);
  auto ppatch = host.call("PATCH", "/api/predictions/" + std::to_string(pred_id), alice.auth, {{"score", 0.5}});
  ASSERT_EQ(ppatch.status, 200) << ppatch.body;
  EXPECT_EQ(api_host::body(ppatch)["score"], 0.5);
  auto versions = api_host::body(host.call("GET", "/api/projects/" + P + "/model-versions", alice.auth));
  EXPECT_EQ(versions, json({{"v1", 1}, {"v2", 1}}));
  EXPECT_EQ(host.call("DELETE", "/api/predictions/" + std::to_string(api_host::body(shorthand)["id"].get<std::int64_t>()), alice.auth).status, 204);
  auto imported = host.call("POST", "/api/projects/" + P + "/import/predictions", alice.auth,
                            json::array({{{"task", ids[0]}, {"result", {box(1)}}, {"score", "0.9"}, {"model_version", "v3"}},
                                         {{"task", ids[1]}, {"result", {box(2)}}}}));
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(api_host::body(imported), json({{"created", 2}}));
  auto bad_import = host.call("POST", "/api/projects/" + P + "/import/predictions", alice.auth,
                              json::array({{{"task", ids[0]}, {"result", {box(1)}}}, {{"task", ids[1]}, {"result", {box(1, "Horse")}}}}));
  EXPECT_EQ(bad_import.status, 400);
  EXPECT_NE(bad_import.body.find("[1].result[0]"), std::string::npos) << bad_import.body;

  // ---- delete: an annotation and a task
  auto extra = host.call("POST", "/api/tasks/" + std::to_string(ids[3]) + "/annotations", alice.auth, {{"result", {box(), choice()}}});
  ASSERT_EQ(extra.status, 201);
  EXPECT_EQ(host.call("DELETE", "/api/annotations/" + std::to_string(api_host::body(extra)["id"].get<std::int64_t>()), alice.auth).status, 204);
  auto doomed = host.call("POST", "/api/tasks", alice.auth, {{"project", pid}, {"data", {{"image", "/img/x.png"}}}});
  ASSERT_EQ(doomed.status, 201);
  const std::string doomed_id = std::to_string(api_host::body(doomed)["id"].get<std::int64_t>());
  EXPECT_EQ(host.call("DELETE", "/api/tasks/" + doomed_id, alice.auth).status, 204);
  EXPECT_EQ(host.call("GET", "/api/tasks/" + doomed_id, alice.auth).status, 404);
  // PATCH a task's data.
  auto tpatch = host.call("PATCH", "/api/tasks/" + std::to_string(ids[3]), alice.auth,
                          {{"data", {{"image", "/img/3b.png"}, {"split", "test"}}}});
  ASSERT_EQ(tpatch.status, 200) << tpatch.body;
  EXPECT_EQ(api_host::body(tpatch)["data"]["image"], "/img/3b.png");

  // What the client saw before the restart.
  auto before_task = api_host::body(host.call("GET", "/api/tasks/" + T0, alice.auth));
  auto before_list = api_host::body(host.call("GET", "/api/tasks?project=" + P + "&fields=all", alice.auth));
  auto before_draft = api_host::body(host.call("GET", "/api/drafts/" + std::to_string(draft_id), alice.auth));
  auto before_preds = api_host::body(host.call("GET", "/api/predictions?project=" + P, alice.auth));
  ASSERT_EQ(before_task["annotations"].size(), 1u);
  ASSERT_EQ(before_preds.size(), 3u);

  // ---- restart on the same data directory
  host.start();
  auto after_task = api_host::body(host.call("GET", "/api/tasks/" + T0, alice.auth));
  auto after_list = api_host::body(host.call("GET", "/api/tasks?project=" + P + "&fields=all", alice.auth));
  // created_ago may tick over a minute between the two reads; compare everything else.
  auto strip = [](json j) {
    std::function<void(json&)> walk = [&](json& v) {
      if (v.is_object()) {
        v.erase("created_ago");
        for (auto& [k, c] : v.items()) walk(c);
      } else if (v.is_array()) {
        for (auto& c : v) walk(c);
      }
    };
    walk(j);
    return j;
  };
  EXPECT_EQ(strip(after_task), strip(before_task));
  EXPECT_EQ(strip(after_list), strip(before_list));
  EXPECT_EQ(api_host::body(host.call("GET", "/api/drafts/" + std::to_string(draft_id), alice.auth)), before_draft);
  EXPECT_EQ(strip(api_host::body(host.call("GET", "/api/predictions?project=" + P, alice.auth))), strip(before_preds));
  EXPECT_EQ(api_host::body(host.call("GET", "/api/annotations/" + std::to_string(ann_id), alice.auth))["ground_truth"], true);
  EXPECT_EQ(after_list["total"], 4);
  EXPECT_EQ(after_list["total_annotations"], 1);
  EXPECT_EQ(after_list["total_predictions"], 3);
}

TEST_F(TasksApi, RelaxedResultsStoreRuleBreaks) {
  api::api_settings s;
  s.strict_results = false;
  host.start(s);
  auto u = host.make_user("relaxed@example.com");
  const auto pid = host.make_project(image_config(), R"({"image":"Image"})");
  auto t = host.call("POST", "/api/tasks", u.auth, {{"project", pid}, {"data", {{"image", "a.png"}}}});
  ASSERT_EQ(t.status, 201);
  const std::string tid = std::to_string(api_host::body(t)["id"].get<std::int64_t>());
  EXPECT_EQ(host.call("POST", "/api/tasks/" + tid + "/annotations", u.auth, {{"result", {box(10, "Horse"), choice()}}}).status, 201)
      << "an unknown label is a rule break: stored when strict_results is off";
  json broken = box();
  broken["value"].erase("width");
  EXPECT_EQ(host.call("POST", "/api/tasks/" + tid + "/annotations", u.auth, {{"result", {broken}}}).status, 400)
      << "errors are refused either way";
}

// A result imported with a rule break (Label Studio stored it) can be saved again unchanged, as the editor
// sends it back: updating the annotation, or submitting a new one from it; a changed or new item with a rule
// break is refused.
TEST_F(TasksApi, UnchangedStoredItemsKeepTheirRuleBreaks) {
  host.start();
  auto u = host.make_user("keeper@example.com");
  const auto pid = host.make_project(image_config(), R"({"image":"Image"})");
  const json horse = box(10, "Horse");  // "Horse" is no label of the config: a rule break
  json tasks =
      json::array({{{"data", {{"image", "a.png"}}}, {"annotations", {{{"result", {horse, choice()}}}}}}});
  auto imported = host.call("POST", "/api/projects/" + std::to_string(pid) + "/import", u.auth, tasks);
  ASSERT_EQ(imported.status, 201) << imported.body;
  auto listed = host.call("GET", "/api/tasks?project=" + std::to_string(pid), u.auth);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json task = api_host::body(listed)["tasks"][0];
  const std::string tid = std::to_string(task["id"].get<std::int64_t>());
  auto anns = host.call("GET", "/api/tasks/" + tid + "/annotations", u.auth);
  ASSERT_EQ(anns.status, 200) << anns.body;
  const std::int64_t aid = api_host::body(anns)[0]["id"].get<std::int64_t>();
  const std::string one = "/api/annotations/" + std::to_string(aid);

  EXPECT_EQ(host.call("PATCH", one, u.auth, {{"result", {choice("bad"), horse}}}).status, 200)
      << "the stored item, unchanged, with another item changed";
  auto moved = host.call("PATCH", one, u.auth, {{"result", {box(20, "Horse"), choice()}}});
  EXPECT_EQ(moved.status, 400) << "a changed item is checked in full";
  EXPECT_NE(moved.body.find("result[0]"), std::string::npos) << moved.body;
  EXPECT_EQ(host.call("POST", "/api/tasks/" + tid + "/annotations", u.auth,
                      {{"result", {horse}}, {"parent_annotation", aid}})
                .status,
            201);
  EXPECT_EQ(host.call("POST", "/api/tasks/" + tid + "/annotations", u.auth, {{"result", {horse}}}).status,
            400)
      << "without the annotation it starts from, the item is new";
}

TEST_F(TasksApi, BareProjectListPagesAndDeleteAll) {
  host.start();
  auto u = host.make_user("bare@example.com");
  const auto pid = host.make_project("<View></View>");
  const std::string P = std::to_string(pid);
  for (int i = 0; i < 120; ++i)
    ASSERT_EQ(host.call("POST", "/api/tasks", u.auth, {{"project", pid}, {"data", {{"n", i}}}}).status, 201);
  auto first = api_host::body(host.call("GET", "/api/projects/" + P + "/tasks", u.auth));
  ASSERT_TRUE(first.is_array());
  EXPECT_EQ(first.size(), 50u);
  EXPECT_EQ(first[0]["data"]["n"], 0);
  auto third = api_host::body(host.call("GET", "/api/projects/" + P + "/tasks/?page=3", u.auth));
  EXPECT_EQ(third.size(), 20u);
  EXPECT_EQ(third[0]["data"]["n"], 100);
  EXPECT_EQ(host.call("GET", "/api/projects/" + P + "/tasks?page=4", u.auth).status, 404);
  // Pages whose offset is beyond 64 bits are past the end too (their product once wrapped to the first).
  for (const char* q : {"page=4611686018427387905&page_size=4", "page=3&page_size=9223372036854775807",
                        "page=9223372036854775807&page_size=9223372036854775807"}) {
    auto r = host.call("GET", "/api/projects/" + P + "/tasks?" + q, u.auth);
    EXPECT_EQ(r.status, 404) << q << ": " << r.body;
    EXPECT_EQ(api_host::body(r)["detail"], "Invalid page.") << q;
  }
  EXPECT_EQ(api_host::body(host.call("GET", "/api/projects/" + P + "/tasks?page=1&page_size=9223372036854775807",
                                     u.auth))
                .size(),
            120u)
      << "a huge page size is capped, not refused";
  auto sl = api_host::body(host.call("GET", "/api/projects/" + P + "/tasks?start=5&length=2", u.auth));
  ASSERT_EQ(sl.size(), 2u);
  EXPECT_EQ(sl[1]["data"]["n"], 6);
  EXPECT_EQ(host.call("DELETE", "/api/projects/" + P + "/tasks", u.auth).status, 204);
  EXPECT_EQ(api_host::body(host.call("GET", "/api/tasks?project=" + P, u.auth))["total"], 0);
  EXPECT_EQ(host.call("GET", "/api/projects/424242/tasks", u.auth).status, 404);
}

// Label Studio's TaskSimpleSerializer embeds each task's annotations and predictions in the bare
// list, as AnnotationSerializer and PredictionSerializer write them.
TEST_F(TasksApi, BareProjectListCarriesEachTasksAnnotationsAndPredictions) {
  host.start();
  auto u = host.make_user("rows@example.com");
  const auto pid = host.make_project(image_config(), R"({"image":"Image"})", {"image"});
  const std::string P = std::to_string(pid);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = host.call("POST", "/api/tasks", u.auth, {{"project", pid}, {"data", {{"image", "a.png"}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(std::to_string(api_host::body(r)["id"].get<std::int64_t>()));
  }
  auto annotate = [&](const std::string& task, double x) {
    ASSERT_EQ(host.call("POST", "/api/tasks/" + task + "/annotations", u.auth, {{"result", {box(x)}}}).status, 201);
  };
  annotate(ids[1], 11);
  annotate(ids[1], 12);
  annotate(ids[3], 31);
  ASSERT_EQ(host.call("POST", "/api/predictions", u.auth,
                      {{"task", std::stoll(ids[2])}, {"result", {box(21)}}, {"model_version", "m1"}})
                .status,
            201);
  auto list = api_host::body(host.call("GET", "/api/projects/" + P + "/tasks", u.auth));
  ASSERT_EQ(list.size(), 4u);
  auto xs = [](const json& rows) {
    std::vector<double> out;
    for (const auto& r : rows) out.push_back(r["result"][0]["value"]["x"]);
    return out;
  };
  using v = std::vector<double>;
  EXPECT_EQ(xs(list[0]["annotations"]), v{});
  EXPECT_EQ(xs(list[1]["annotations"]), (v{11, 12}));
  EXPECT_EQ(xs(list[2]["annotations"]), v{});
  EXPECT_EQ(xs(list[2]["predictions"]), v{21});
  EXPECT_EQ(list[2]["predictions"][0]["model_version"], "m1");
  EXPECT_EQ(xs(list[3]["annotations"]), v{31});
  EXPECT_EQ(list[3]["annotations"][0]["task"].get<std::int64_t>(), std::stoll(ids[3]));
  EXPECT_EQ(list[3]["annotations"][0]["completed_by"], u.id);
  EXPECT_NE(list[3]["annotations"][0]["created_username"].get<std::string>().find("rows@example.com"),
            std::string::npos);
  auto second = api_host::body(host.call("GET", "/api/projects/" + P + "/tasks?page=2&page_size=2", u.auth));
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(xs(second[0]["predictions"]), v{21}) << "a later page carries its own tasks' rows";
  EXPECT_EQ(xs(second[1]["annotations"]), v{31});
}

// GET /api/tasks pages as Django REST framework's PageNumberPagination does: a page that is not a
// whole number >= 1 is 404 {"detail": "Invalid page."}, as is a page past the end; an empty one is
// the first.
TEST_F(TasksApi, InvalidPagesAreNotFound) {
  host.start();
  auto u = host.make_user("pages@example.com");
  const std::string P = std::to_string(host.make_project("<View></View>"));
  ASSERT_EQ(
      host.call("POST", "/api/tasks", u.auth, {{"project", std::stoll(P)}, {"data", {{"n", 1}}}}).status,
      201);
  for (const char* page : {"0", "-1", "x", "1.5", "99"}) {
    auto r = host.call("GET", "/api/tasks?project=" + P + "&page=" + page, u.auth);
    EXPECT_EQ(r.status, 404) << "page=" << page << ": " << r.body;
    EXPECT_EQ(api_host::body(r)["detail"], "Invalid page.") << "page=" << page;
  }
  for (const char* page : {"1", ""})
    EXPECT_EQ(
        api_host::body(host.call("GET", "/api/tasks?project=" + P + "&page=" + page, u.auth))["tasks"].size(),
        1u)
        << "page=" << page;
}

}  // namespace
}  // namespace annot::host::testing

namespace annot::host::testing {
namespace {

// Query spellings Label Studio's scripts use: predictions by task__project, and any fields= other than
// "all" read as task_only; PUT is a full update.
TEST_F(TasksApi, ListQueriesAsLabelStudioReadsThem) {
  host.start();
  auto alice = host.make_user("alice@example.com");
  const char* config = "<View><Text name=\"text\" value=\"$text\"/></View>";
  std::vector<std::int64_t> projects, predictions;
  for (int i = 0; i < 2; ++i) {
    projects.push_back(host.make_project(config));
    auto t = host.call("POST", "/api/tasks", alice.auth,
                       {{"project", projects.back()}, {"data", {{"text", "x"}}}});
    ASSERT_EQ(t.status, 201) << t.body;
    auto p =
        host.call("POST", "/api/predictions", alice.auth,
                  {{"task", api_host::body(t)["id"]}, {"result", json::array()}, {"model_version", "v"}});
    ASSERT_EQ(p.status, 201) << p.body;
    predictions.push_back(api_host::body(p)["id"].get<std::int64_t>());
  }
  auto listed = [&](const std::string& query) {
    std::vector<std::int64_t> ids;
    for (const auto& p : api_host::body(host.call("GET", "/api/predictions?" + query, alice.auth)))
      ids.push_back(p["id"].get<std::int64_t>());
    return ids;
  };
  const std::string second = std::to_string(projects[1]);
  EXPECT_EQ(listed("task__project=" + second), std::vector<std::int64_t>{predictions[1]});
  EXPECT_EQ(listed("project=" + second), std::vector<std::int64_t>{predictions[1]});
  EXPECT_TRUE(listed("project=" + std::to_string(projects[0]) + "&task__project=" + second).empty());
  EXPECT_EQ(host.call("GET", "/api/predictions?task__project=x", alice.auth).status, 400);

  auto tasks = host.call("GET", "/api/tasks?project=" + second + "&fields=whatever", alice.auth);
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  ASSERT_EQ(api_host::body(tasks)["tasks"].size(), 1u);

  // PUT updates tasks, annotations and drafts as a full update: with what a create requires (the
  // task's data, the draft's result; an annotation requires nothing). AnnotationsApi tests the 400s.
  const std::string task =
      "/api/tasks/" + std::to_string(api_host::body(tasks)["tasks"][0]["id"].get<std::int64_t>());
  auto put_task = host.call("PUT", task, alice.auth, {{"data", {{"text", "put"}}}, {"meta", {{"k", 1}}}});
  ASSERT_EQ(put_task.status, 200) << put_task.body;
  EXPECT_EQ(api_host::body(put_task)["meta"]["k"], 1);
  // An annotation and a draft of the task, each created and then PUT with a new lead_time.
  for (const auto& [collection, item] :
       {std::pair<std::string, std::string>{task + "/annotations", "/api/annotations/"},
        {task + "/drafts", "/api/drafts/"}}) {
    auto made = host.call("POST", collection, alice.auth, {{"result", json::array()}});
    ASSERT_EQ(made.status, 201) << made.body;
    auto put = host.call("PUT", item + std::to_string(api_host::body(made)["id"].get<std::int64_t>()),
                         alice.auth, {{"lead_time", 2.5}, {"result", json::array()}});
    ASSERT_EQ(put.status, 200) << collection << ": " << put.body;
    EXPECT_EQ(api_host::body(put)["lead_time"], 2.5) << collection;
  }
}

}  // namespace
}  // namespace annot::host::testing
