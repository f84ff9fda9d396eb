// Data-manager actions and views on data the test makes itself (dm_api_test.cpp runs Label Studio's
// filter fixtures): an action given a view acts on the view's tasks only; delete_tasks_annotations
// narrowed to one annotator, with the tasks' drafts; renaming a view keeps its filters; a regex filter
// that would backtrack for ages on a long text neither crashes nor hangs the server; model versions
// as a list and empty results; a page past any end is a 404; predictions_to_annotations and
// remove_duplicates; two actions undoing each other (predictions_to_annotations, delete_tasks_annotations)
// both end.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

class DmActionsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    host.start();
    pid = host.make_project(
        "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice "
        "value=\"a\"/></Choices></View>",
        R"({"text":"Text"})");
    for (int i = 0; i < 6; ++i) {
      json data = {{"text", "t" + std::to_string(i)}, {"group", i % 2 ? "b" : "a"}};
      auto t = host.db().run<store::task>(
          [&](store::write_context& w) { return w.create_task({.project_id = pid, .data = data.dump()}); });
      ASSERT_TRUE(t) << t.error().message();
      tasks.push_back(t->id);
    }
    owner = host.make_user("owner@example.com", true);
    other = host.make_user("other@example.com");
  }

  std::int64_t make_view(const json& data) {
    auto r = host.call("POST", "/api/dm/views", owner.auth, json{{"project", pid}, {"data", data}});
    EXPECT_EQ(r.status, 201) << r.body;
    return api_host::body(r).value("id", std::int64_t(0));
  }
  void annotate(const api_host::user_token& who, std::int64_t task) {
    json body = {{"result", json::array({json{{"from_name", "c"},
                                              {"to_name", "text"},
                                              {"type", "choices"},
                                              {"value", {{"choices", {"a"}}}}}})}};
    auto r = host.call("POST", "/api/tasks/" + std::to_string(task) + "/annotations", who.auth, body);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void draft(const api_host::user_token& who, std::int64_t task) {
    auto r = host.call("POST", "/api/tasks/" + std::to_string(task) + "/drafts", who.auth,
                       json{{"result", json::array()}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::int64_t count(const char* table) {
    std::int64_t n = 0;
    auto r = host.db().read();
    for (std::int64_t t : tasks) {
      if (std::string_view(table) == "annotations") {
        auto a = r->list_annotations(std::span(&t, 1));
        if (a) n += static_cast<std::int64_t>(a->size());
      } else {
        auto d = r->list_drafts(std::span(&t, 1), std::nullopt);
        if (d) n += static_cast<std::int64_t>(d->size());
      }
    }
    return n;
  }
  std::int64_t task_number() { return host.db().read()->get_project(pid)->task_number; }

  static json group_filter(const char* group) {
    return {{"conjunction", "and"},
            {"items", json::array({json{{"filter", "filter:tasks:data.group"},
                                        {"operator", "equal"},
                                        {"type", "String"},
                                        {"value", group}}})}};
  }

  api_host host;
  std::int64_t pid = 0;
  std::vector<std::int64_t> tasks;
  api_host::user_token owner, other;
};

// Label Studio's get_prepare_params: with `view`, the view's filters decide, not the body's selection.
TEST_F(DmActionsApi, AnActionGivenAViewActsOnTheViewsTasksOnly) {
  const std::int64_t view = make_view({{"filters", group_filter("b")}});
  auto r = host.call(
      "POST",
      "/api/dm/actions?id=delete_tasks&project=" + std::to_string(pid) + "&view=" + std::to_string(view),
      owner.auth, json{{"selectedItems", {{"all", true}, {"excluded", json::array()}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 3);
  EXPECT_EQ(task_number(), 3);
  for (std::size_t i = 0; i < tasks.size(); ++i)
    EXPECT_EQ(bool(host.db().read()->get_task(tasks[i])), i % 2 == 0) << "task " << i;
  // A view of another project, or none, is refused and deletes nothing.
  auto p2 = host.make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  auto v2 = host.call("POST", "/api/dm/views", owner.auth, json{{"project", p2}, {"data", json::object()}});
  ASSERT_EQ(v2.status, 201) << v2.body;
  r = host.call("POST",
                "/api/dm/actions?id=delete_tasks&project=" + std::to_string(pid) +
                    "&view=" + std::to_string(api_host::body(v2)["id"].get<std::int64_t>()),
                owner.auth, json{{"selectedItems", {{"all", true}}}});
  EXPECT_EQ(r.status, 400) << r.body;
  r = host.call("POST", "/api/dm/actions?id=delete_tasks&project=" + std::to_string(pid) + "&view=987654",
                owner.auth, json{{"selectedItems", {{"all", true}}}});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(task_number(), 3);
}

// The annotations dialog's `annotator`: only that user's annotations and drafts go; without it, every
// annotation and every draft of the selected tasks, task-level drafts on tasks without annotations too.
TEST_F(DmActionsApi, DeletingAnnotationsKeepsOtherAnnotatorsAndTakesTheDrafts) {
  annotate(owner, tasks[0]);
  annotate(other, tasks[0]);
  annotate(other, tasks[1]);
  draft(owner, tasks[0]);
  draft(other, tasks[2]);  // a task without annotations
  // The dialog offers the users with annotations or drafts in the project; it sends the id as text.
  auto list = host.call("GET", "/api/dm/actions?project=" + std::to_string(pid), owner.auth);
  ASSERT_EQ(list.status, 200) << list.body;
  json options;
  for (const auto& a : api_host::body(list))
    if (a["id"] == "delete_tasks_annotations") options = a["dialog"]["form"][0]["fields"][0]["options"];
  ASSERT_EQ(options.size(), 2u) << options.dump();
  EXPECT_EQ(options[0]["value"], std::to_string(owner.id));
  EXPECT_EQ(options[1]["value"], std::to_string(other.id));
  const std::string target = "/api/dm/actions?id=delete_tasks_annotations&project=" + std::to_string(pid);
  auto r = host.call("POST", target, owner.auth,
                     json{{"selectedItems", {{"all", true}, {"excluded", json::array()}}},
                          {"annotator", std::to_string(other.id)}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 2);
  EXPECT_EQ(count("annotations"), 1) << "the owner's annotation stays";
  EXPECT_EQ(count("drafts"), 1) << "the owner's draft stays, the other user's goes";
  EXPECT_EQ(host.db().read()->get_project(pid)->total_annotations_number, 1);
  r = host.call("POST", target, owner.auth, json{{"selectedItems", {{"all", true}}}, {"annotator", "x"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(count("annotations"), 1);
  r = host.call("POST", target, owner.auth, json{{"selectedItems", {{"all", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 1);
  EXPECT_EQ(count("annotations"), 0);
  EXPECT_EQ(count("drafts"), 0);
}

// ViewSerializer.update keeps the filters and ordering an update does not name.
TEST_F(DmActionsApi, RenamingAViewKeepsItsFilters) {
  const std::int64_t view =
      make_view({{"title", "B"}, {"filters", group_filter("b")}, {"ordering", {"-tasks:id"}}});
  auto r = host.call("PATCH", "/api/dm/views/" + std::to_string(view), owner.auth,
                     json{{"data", {{"title", "Renamed"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json data = api_host::body(r)["data"];
  EXPECT_EQ(data["title"], "Renamed");
  EXPECT_EQ(data["filters"], group_filter("b"));
  EXPECT_EQ(data["ordering"], json({"-tasks:id"}));
  auto list = host.call("GET", "/api/tasks?view=" + std::to_string(view), owner.auth);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(api_host::body(list)["total"], 3);
  EXPECT_EQ(api_host::body(list)["tasks"][0]["id"], tasks[5]);
  // Filters named in the update replace the old ones.
  r = host.call("PATCH", "/api/dm/views/" + std::to_string(view), owner.auth,
                json{{"data", {{"title", "A"}, {"filters", group_filter("a")}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["data"]["filters"], group_filter("a"));
}

// std::regex recursed once per character: "(a|b)*c" over 20 KB overflowed the stack and killed the
// server. The search now gives up within a budget: no match, and the server answers the next request.
TEST_F(DmActionsApi, ARegexThatBacktracksOnALongTextNeitherCrashesNorHangs) {
  std::string longest;
  for (int i = 0; i < 100'000; ++i) longest += "ab";
  auto t = host.db().run<store::task>([&](store::write_context& w) {
    return w.create_task({.project_id = pid, .data = json{{"text", longest}, {"group", "long"}}.dump()});
  });
  ASSERT_TRUE(t) << t.error().message();
  auto regex = [&](const std::string& pattern) {
    json q = {{"filters",
               {{"conjunction", "and"},
                {"items", json::array({json{{"filter", "filter:tasks:data.text"},
                                            {"operator", "regex"},
                                            {"type", "String"},
                                            {"value", pattern}}})}}}};
    return host.call("GET", "/api/tasks?project=" + std::to_string(pid) + "&query=" + url_encode(q.dump()),
                     owner.auth);
  };
  auto r = regex("(a|b)*c");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["total"], 0);
  r = regex("^(ab)+$");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["total"], 1) << "a long text still matches a pattern that holds";
  r = regex("^t[13]$");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["total"], 2);
  r = regex("\\w+é");  // Unicode classes, as Python 3 reads them
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(host.call("GET", "/api/projects/" + std::to_string(pid), owner.auth).status, 200);
}

// Two filters as Label Studio's UI sends them: model versions picked from a list (any of them), and an
// annotation whose result is an empty list counting as no result.
TEST_F(DmActionsApi, ModelVersionListsAndEmptyResults) {
  for (auto [task, version] : {std::pair{tasks[0], "m1"}, {tasks[1], "m2"}, {tasks[2], "m3"}}) {
    auto r = host.call("POST", "/api/predictions", owner.auth,
                       json{{"task", task}, {"result", json::array()}, {"model_version", version}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto r = host.call("POST", "/api/tasks/" + std::to_string(tasks[3]) + "/annotations", owner.auth,
                     json{{"result", json::array()}});
  ASSERT_EQ(r.status, 201) << r.body;
  annotate(owner, tasks[4]);
  auto ids_of = [&](const char* column, const char* op, const json& value) {
    json q = {{"filters",
               {{"conjunction", "and"},
                {"items", json::array({json{{"filter", std::string("filter:tasks:") + column},
                                            {"operator", op},
                                            {"type", "List"},
                                            {"value", value}}})}}}};
    auto res = host.call(
        "GET", "/api/tasks?project=" + std::to_string(pid) + "&query=" + url_encode(q.dump()), owner.auth);
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::int64_t> out;
    const json page = api_host::body(res);
    for (const auto& t : page["tasks"]) out.push_back(t["id"].get<std::int64_t>());
    std::sort(out.begin(), out.end());
    return out;
  };
  using ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids_of("predictions_model_versions", "contains", json{"m1", "m3"}), (ids{tasks[0], tasks[2]}));
  EXPECT_EQ(ids_of("predictions_model_versions", "not_contains", json{"m1"}),
            (ids{tasks[1], tasks[2], tasks[3], tasks[4], tasks[5]}));
  EXPECT_EQ(ids_of("annotations_results", "empty", false), (ids{tasks[4]}));
  EXPECT_EQ(ids_of("annotations_results", "empty", true),
            (ids{tasks[0], tasks[1], tasks[2], tasks[3], tasks[5]}));
}

// Label Studio's predictions_to_annotations: one annotation per prediction not converted before, by the
// caller, of the chosen model versions; the dialog lists the project's versions.
TEST_F(DmActionsApi, PredictionsBecomeAnnotationsOnce) {
  const json choice = json::array(
      {json{{"from_name", "c"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", {"a"}}}}}});
  std::map<std::string, std::int64_t> predictions;
  for (auto [task, version] :
       {std::pair{tasks[0], "m1"}, {tasks[0], "m2"}, {tasks[1], "m1"}, {tasks[2], "m3"}}) {
    auto r = host.call("POST", "/api/predictions", owner.auth,
                       json{{"task", task}, {"result", choice}, {"model_version", version}});
    ASSERT_EQ(r.status, 201) << r.body;
    predictions[std::to_string(task) + version] = api_host::body(r)["id"].get<std::int64_t>();
  }
  auto list = host.call("GET", "/api/dm/actions?project=" + std::to_string(pid), owner.auth);
  ASSERT_EQ(list.status, 200) << list.body;
  json options;
  for (const auto& a : api_host::body(list))
    if (a["id"] == "predictions_to_annotations") options = a["dialog"]["form"][0]["fields"][0]["options"];
  std::vector<std::string> versions = options.get<std::vector<std::string>>();
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<std::string>{"m1", "m2", "m3"}));

  const std::string target = "/api/dm/actions?id=predictions_to_annotations&project=" + std::to_string(pid);
  const json all = {{"all", true}, {"excluded", json::array()}};
  auto run = [&](const json& body) {
    auto r = host.call("POST", target, other.auth, body);
    EXPECT_EQ(r.status, 200) << r.body;
    return api_host::body(r).value("detail", std::string());
  };
  EXPECT_EQ(run({{"selectedItems", all}, {"model_version", "m1"}}), "Created 2 annotations");
  auto made = host.db().read()->list_annotations(std::span(&tasks[0], 1));
  ASSERT_TRUE(made);
  ASSERT_EQ(made->size(), 1u);
  EXPECT_EQ(made->front().completed_by, other.id);
  EXPECT_EQ(made->front().parent_prediction, predictions[std::to_string(tasks[0]) + "m1"]);
  EXPECT_EQ(json::parse(made->front().result), choice);
  EXPECT_EQ(host.db().read()->get_task(tasks[0])->total_annotations, 1);
  EXPECT_TRUE(host.db().read()->get_task(tasks[1])->is_labeled);
  EXPECT_EQ(host.db().read()->get_project(pid)->total_annotations_number, 2);
  // Converted predictions are not taken again; a list of versions takes any of them.
  EXPECT_EQ(run({{"selectedItems", all}, {"model_version", "m1"}}), "Created 0 annotations");
  EXPECT_EQ(run({{"selectedItems", all}, {"model_version", {"m1", "m2"}}}), "Created 1 annotations");
  auto bad = host.call("POST", target, owner.auth, json{{"selectedItems", all}, {"model_version", 5}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  // Without a version, every prediction left, of the selected tasks only.
  EXPECT_EQ(run({{"selectedItems", {{"all", false}, {"included", {tasks[1]}}}}}), "Created 0 annotations");
  EXPECT_EQ(run({{"selectedItems", all}}), "Created 1 annotations");
  EXPECT_EQ(host.db().read()->get_project(pid)->total_annotations_number, 4);
  EXPECT_EQ(count("annotations"), 4);
}

// A bulk action walks the tasks selected when it started, once: annotations made beside it (another action,
// an annotator) do not keep it going. It repeated chunks while the last one changed something, so
// delete_tasks_annotations ran as long as annotations kept coming, and with predictions_to_annotations on the
// same tasks the two fed each other forever (no answer, a core busy, ids in the millions).
// A tab of thousands of filters reads like one of a few (SQLite refuses an expression more than 1,000 deep:
// the items were one chain, and a tab of ~1,000 broke the task list, /next and actions with a 500).
TEST_F(DmActionsApi, ATabOfThousandsOfFiltersIsRead) {
  for (const char* conjunction : {"and", "or"}) {
    json items = json::array();
    for (int i = 0; i < 3000; ++i)
      items.push_back({{"filter", "filter:tasks:id"},
                       {"operator", "greater"},
                       {"type", "Number"},
                       {"value", i % 2 ? 0 : -1}});
    items.push_back(group_filter("b")["items"][0]);
    const std::int64_t view = make_view({{"filters", {{"conjunction", conjunction}, {"items", items}}}});
    auto list = host.call("GET", "/api/tasks?view=" + std::to_string(view), owner.auth);
    ASSERT_EQ(list.status, 200) << list.body.substr(0, 300);
    EXPECT_EQ(api_host::body(list)["tasks"].size(), std::string_view(conjunction) == "and" ? 3u : 6u)
        << conjunction;
    EXPECT_EQ(host.call("GET", "/api/projects/" + std::to_string(pid) + "/next?view=" + std::to_string(view),
                        owner.auth)
                  .status,
              200);
  }
}

TEST_F(DmActionsApi, TwoActionsUndoingEachOtherBothEnd) {
  const json choice = json::array(
      {json{{"from_name", "c"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", {"a"}}}}}});
  auto p = host.call("POST", "/api/predictions", owner.auth, json{{"task", tasks[0]}, {"result", choice}});
  ASSERT_EQ(p.status, 201) << p.body;
  const json all = {{"selectedItems", {{"all", true}, {"excluded", json::array()}}}};
  const std::string base = "/api/dm/actions?project=" + std::to_string(pid) + "&id=";
  for (int round = 0; round < 30; ++round) {
    int status[2] = {0, 0};
    std::thread a(
        [&] { status[0] = host.call("POST", base + "predictions_to_annotations", owner.auth, all).status; });
    std::thread b(
        [&] { status[1] = host.call("POST", base + "delete_tasks_annotations", owner.auth, all).status; });
    a.join();
    b.join();
    ASSERT_EQ(status[0], 200) << "round " << round;
    ASSERT_EQ(status[1], 200) << "round " << round;
  }
}

// Label Studio's remove_duplicates: tasks with equal data (key order aside) keep one task, the first
// annotated one, which takes the others' annotations. A task holding only a skip counts as annotated
// (upstream aborts the whole action there).
TEST_F(DmActionsApi, DuplicatedTasksMergeIntoTheFirstAnnotatedOne) {
  auto add = [&](const std::string& data) {
    auto t = host.db().run<store::task>(
        [&](store::write_context& w) { return w.create_task({.project_id = pid, .data = data}); });
    EXPECT_TRUE(t) << t.error().message();
    return t ? t->id : 0;
  };
  const std::int64_t d1 = add(R"({"text":"d","group":"a"})"), d2 = add(R"({"text":"d","group":"a"})"),
                     d3 = add(R"({"text":"d","group":"a"})"), d4 = add(R"({"group": "a", "text": "d"})"),
                     e1 = add(R"({"text":"e"})"), e2 = add(R"({"text":"e"})");
  annotate(other, d3);
  annotate(owner, d4);
  draft(owner, d1);  // a task-level draft: it goes with its task
  auto skip = host.call("POST", "/api/tasks/" + std::to_string(e2) + "/annotations", owner.auth,
                        json{{"result", json::array()}, {"was_cancelled", true}});
  ASSERT_EQ(skip.status, 201) << skip.body;
  auto r = host.call("POST", "/api/dm/actions?id=remove_duplicates&project=" + std::to_string(pid),
                     owner.auth, json{{"selectedItems", {{"all", true}, {"excluded", json::array()}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 4);
  auto db = host.db().read();
  for (std::int64_t gone : {d1, d2, d4, e1}) EXPECT_FALSE(db->get_task(gone)) << "task " << gone;
  for (std::int64_t kept : {d3, e2}) EXPECT_TRUE(db->get_task(kept)) << "task " << kept;
  for (std::int64_t t : tasks) EXPECT_TRUE(db->get_task(t)) << "task " << t;
  auto merged = db->list_annotations(std::span(&d3, 1));
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->size(), 2u);
  EXPECT_EQ(db->get_task(d3)->total_annotations, 2);
  EXPECT_EQ(db->get_task(e2)->cancelled_annotations, 1);
  auto p = db->get_project(pid);
  EXPECT_EQ(p->task_number, 8);
  EXPECT_EQ(p->total_annotations_number, 2);
  EXPECT_EQ(p->skipped_annotations_number, 1);
  // Nothing left to merge: a second run deletes nothing.
  r = host.call("POST", "/api/dm/actions?id=remove_duplicates&project=" + std::to_string(pid), owner.auth,
                json{{"selectedItems", {{"all", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 0);
}

// Label Studio answers a 500 (float("abc")) for a Number filter whose value is no number; here it is a
// 400 that names the filter. A box just cleared (an empty value) still lists.
TEST_F(DmActionsApi, ANumberFilterNeedsANumber) {
  auto list = [&](const json& value, const char* op = "equal") {
    json q = {{"filters",
               {{"conjunction", "and"},
                {"items", json::array({json{{"filter", "filter:tasks:total_annotations"},
                                            {"operator", op},
                                            {"type", "Number"},
                                            {"value", value}}})}}}};
    return host.call("GET", "/api/tasks?project=" + std::to_string(pid) + "&query=" + url_encode(q.dump()),
                     owner.auth);
  };
  auto r = list("abc");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("must be a number"), std::string::npos) << r.body;
  EXPECT_EQ(list(json{{"min", "1"}, {"max", "x"}}, "in").status, 400);
  r = list("0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["total"], 6);
  EXPECT_EQ(list("").status, 200);
  EXPECT_EQ(list(json{{"min", 0}, {"max", "2"}}, "in").status, 200);
}

// Label Studio's shapes: a new tab goes after the last one whatever `order` it names; reset takes the
// project from the body; delete_tasks says what it deleted, and a project left without tasks loses its
// tabs and asks the page to reload.
TEST_F(DmActionsApi, TabsAndDeleteTasksAnswerAsLabelStudio) {
  const std::int64_t first = make_view({{"title", "one"}});
  auto r = host.call("POST", "/api/dm/views", owner.auth,
                     json{{"project", pid}, {"data", {{"title", "two"}}}, {"order", -5}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_GT(api_host::body(r)["order"].get<std::int64_t>(),
            api_host::body(host.call("GET", "/api/dm/views/" + std::to_string(first), owner.auth))["order"]
                .get<std::int64_t>());
  EXPECT_EQ(host.call("POST", "/api/dm/views", owner.auth, json{{"project", pid}, {"order", "x"}}).status,
            400);

  const std::string target = "/api/dm/actions?id=delete_tasks&project=" + std::to_string(pid);
  r = host.call("POST", target, owner.auth,
                json{{"selectedItems", {{"all", false}, {"included", {tasks[0]}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["detail"], "Deleted 1 tasks");
  EXPECT_EQ(api_host::body(r)["reload"], false);
  EXPECT_EQ(
      api_host::body(host.call("GET", "/api/dm/views?project=" + std::to_string(pid), owner.auth)).size(),
      2u);
  r = host.call("POST", target, owner.auth, json{{"selectedItems", {{"all", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 5);
  EXPECT_EQ(api_host::body(r)["reload"], true);
  EXPECT_TRUE(
      api_host::body(host.call("GET", "/api/dm/views?project=" + std::to_string(pid), owner.auth)).empty());

  make_view({{"title", "again"}});
  r = host.call("DELETE", "/api/dm/views/reset", owner.auth, json{{"project", 424242}});
  EXPECT_EQ(r.status, 404) << r.body;
  r = host.call("DELETE", "/api/dm/views/reset", owner.auth, json{{"project", pid}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(
      api_host::body(host.call("GET", "/api/dm/views?project=" + std::to_string(pid), owner.auth)).empty());
}

TEST_F(DmActionsApi, APagePastAnyEndIsInvalid) {
  for (const char* page : {"92233720368547760", "9223372036854775807", "7"}) {
    auto r = host.call("GET", "/api/tasks?project=" + std::to_string(pid) + "&page_size=2&page=" + page,
                       owner.auth);
    EXPECT_EQ(r.status, 404) << page << ": " << r.body;
  }
  EXPECT_EQ(host.call("GET", "/api/tasks?project=" + std::to_string(pid) + "&page_size=2&page=3", owner.auth)
                .status,
            200);
}

// GET /api/dm/project: the project's JSON and what Label Studio's ProjectStateAPI adds to it, counting
// every annotation (a skip too) in annotation_count.
TEST_F(DmActionsApi, TheProjectStateCountsEveryAnnotation) {
  annotate(owner, tasks[0]);
  annotate(other, tasks[0]);
  auto skip = host.call("POST", "/api/tasks/" + std::to_string(tasks[1]) + "/annotations", other.auth,
                        json{{"result", json::array()}, {"was_cancelled", true}});
  ASSERT_EQ(skip.status, 201) << skip.body;
  auto r = host.call("GET", "/api/dm/project?project=" + std::to_string(pid), owner.auth);
  ASSERT_EQ(r.status, 200) << r.body;
  json state = api_host::body(r);
  json project = api_host::body(host.call("GET", "/api/projects/" + std::to_string(pid), owner.auth));
  for (const auto& [k, v] : project.items()) EXPECT_EQ(state[k], v) << k;
  EXPECT_EQ(state["task_count"], 6);
  EXPECT_EQ(state["annotation_count"], 3);
  EXPECT_EQ(state["total_annotations_number"], 2);
  for (const char* flag : {"can_delete_tasks", "can_manage_annotations", "can_manage_tasks"}) EXPECT_EQ(state[flag], true) << flag;
  for (const char* flag : {"source_syncing", "target_syncing"}) EXPECT_EQ(state[flag], false) << flag;

  EXPECT_EQ(host.call("GET", "/api/dm/project?project=999999", owner.auth).status, 404);
  EXPECT_EQ(host.call("GET", "/api/dm/project?project=x", owner.auth).status, 400);
  EXPECT_EQ(host.call("GET", "/api/dm/project", owner.auth).status, 400);
}

}  // namespace
}  // namespace annot::host::testing
