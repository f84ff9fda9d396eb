// The data manager over HTTP: every filter operator on Label Studio's filter fixtures
// (../shared/fixtures/ls-import-samples, loaded through the store) with the expected task ids,
// ordering, views (tabs) driving GET /api/tasks?view=, columns, and the bulk actions on
// selectedItems (included, and all:true with excluded).
#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

using ids = std::vector<std::int64_t>;

class DmApi : public ::testing::Test {
 protected:
  void SetUp() override {
    fixtures = shared_dir() / "fixtures" / "ls-import-samples";
    if (!fs::exists(fixtures / "int_tasks.json")) GTEST_SKIP() << "no fixtures at " << fixtures << " (set ANNOT_SHARED_DIR)";
    host.start();
    user = host.make_user("dm@example.com");
  }

  // Imports a fixture file into a new project through the store; its task ids in file order.
  ids load(const char* file) {
    auto [pid, tids] = store::testing::import_project(host.db(), store::testing::ls_tasks(store::testing::read_json(fixtures / file)));
    project_id = pid;
    return tids;
  }

  // Every id GET /api/tasks answers for `query` (all pages of `page_size`), checking the totals.
  ids query(const std::string& q, int page_size = 2) {
    ids out;
    for (int page = 1;; ++page) {
      auto r = host.call("GET", "/api/tasks?project=" + std::to_string(project_id) + "&page_size=" + std::to_string(page_size) +
                                    "&page=" + std::to_string(page) + "&query=" + url_encode(q),
                         user.auth);
      if (r.status == 404 && page > 1) break;
      if (r.status != 200) {
        ADD_FAILURE() << r.status << " " << r.body << " for " << q;
        return out;
      }
      auto j = api_host::body(r);
      for (const auto& t : j["tasks"]) out.push_back(t["id"].get<std::int64_t>());
      last_total = j["total"].get<std::int64_t>();
      last_annotations = j["total_annotations"].get<std::int64_t>();
      last_predictions = j["total_predictions"].get<std::int64_t>();
      if (j["tasks"].empty()) break;
    }
    EXPECT_EQ(std::int64_t(out.size()), last_total) << q;
    return out;
  }
  ids filter(const std::string& column, const std::string& op, const std::string& type, const std::string& value,
             const std::string& ordering = "[]") {
    return query(R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:)" + column + R"(","operator":")" + op +
                 R"(","type":")" + type + R"(","value":)" + value + "}]},\"ordering\":" + ordering + "}");
  }
  static ids pick(const ids& all, std::initializer_list<int> one_based) {
    ids out;
    for (int i : one_based) out.push_back(all.at(std::size_t(i - 1)));
    return out;
  }

  fs::path fixtures;
  api_host host;
  api_host::user_token user;
  std::int64_t project_id = 0;
  std::int64_t last_total = 0, last_annotations = 0, last_predictions = 0;
};

TEST_F(DmApi, NumberOperatorsOnIntTasks) {
  auto t = load("int_tasks.json");  // int_field: 1, 20, 30, 4, "50", missing
  ASSERT_EQ(t.size(), 6u);
  const std::string by_field = R"(["tasks:data.int_field"])";
  EXPECT_EQ(filter("data.int_field", "greater", "Number", "5", by_field), pick(t, {2, 3, 5}));
  EXPECT_EQ(filter("data.int_field", "greater_or_equal", "Number", "20"), pick(t, {2, 3, 5}));
  EXPECT_EQ(filter("data.int_field", "less", "Number", "20"), pick(t, {1, 4}));
  EXPECT_EQ(filter("data.int_field", "less_or_equal", "Number", "20"), pick(t, {1, 2, 4}));
  EXPECT_EQ(filter("data.int_field", "equal", "Number", "30"), pick(t, {3}));
  EXPECT_EQ(filter("data.int_field", "equal", "Number", R"("50")"), pick(t, {5}));
  EXPECT_EQ(filter("data.int_field", "not_equal", "Number", "30"), pick(t, {1, 2, 4, 5, 6}));
  EXPECT_EQ(filter("data.int_field", "in", "Number", R"({"min":10,"max":40})", by_field), pick(t, {2, 3}));
  EXPECT_EQ(filter("data.int_field", "not_in", "Number", R"({"min":10,"max":40})"), pick(t, {1, 4, 5, 6}));
  EXPECT_EQ(filter("data.int_field", "in_list", "Number", "[20,30]"), pick(t, {2, 3}));
  EXPECT_EQ(filter("data.int_field", "not_in_list", "Number", "[20,30]"), pick(t, {1, 4, 5}));
  EXPECT_EQ(filter("data.int_field", "empty", "Number", R"("true")"), pick(t, {6}));
  EXPECT_EQ(filter("data.int_field", "empty", "Number", "false"), pick(t, {1, 2, 3, 4, 5}));
  EXPECT_EQ(filter("data.int_field", "exists", "Number", "null"), pick(t, {1, 2, 3, 4, 5}));
  EXPECT_EQ(filter("data.int_field", "not_exists", "Number", "null"), pick(t, {6}));
  EXPECT_EQ(filter("annotations_ids", "empty", "String", R"("true")"), t);
  EXPECT_EQ(last_predictions, 1);
}

TEST_F(DmApi, StringOperators) {
  auto t = load("int_tasks.json");  // text: "Test example phrase 1", x2 .. x6
  EXPECT_EQ(filter("data.text", "contains", "String", R"("PHRASE")"), pick(t, {1}));
  EXPECT_EQ(filter("data.text", "not_contains", "String", R"("phrase")"), pick(t, {2, 3, 4, 5, 6}));
  EXPECT_EQ(filter("data.text", "starts_with", "String", R"("x")"), pick(t, {2, 3, 4, 5, 6}));
  EXPECT_EQ(filter("data.text", "ends_with", "String", R"("5")"), pick(t, {5}));
  EXPECT_EQ(filter("data.text", "equal", "String", R"("x3")"), pick(t, {3}));
  EXPECT_EQ(filter("data.text", "not_equal", "String", R"("x3")"), pick(t, {1, 2, 4, 5, 6}));
  EXPECT_EQ(filter("data.text", "regex", "String", R"("^x[2-4]$")"), pick(t, {2, 3, 4}));
  EXPECT_EQ(filter("data.text", "in_list", "String", R"(["x2","x6"])"), pick(t, {2, 6}));
  EXPECT_EQ(filter("data.text", "greater", "String", R"("x4")"), pick(t, {5, 6}));
  EXPECT_EQ(filter("data.text", "less", "String", R"("x3")"), pick(t, {1, 2}));
}

// A filter whose value is null or missing (half-entered in the UI) is skipped, as Label Studio's
// apply_filters does: it lists every task instead of none.
TEST_F(DmApi, ItemsWithoutAValueAreSkipped) {
  auto t = load("int_tasks.json");
  EXPECT_EQ(filter("data.text", "equal", "String", "null"), t);
  EXPECT_EQ(filter("total_annotations", "greater", "Number", "null"), t);
  EXPECT_EQ(filter("data.int_field", "empty", "Number", "null"), t);
  EXPECT_EQ(
      query(
          R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:data.text","operator":"equal","type":"String"}]}})"),
      t);
  // Only the item with a value narrows the list, under either conjunction.
  for (const char* conjunction : {"and", "or"})
    EXPECT_EQ(
        query(
            std::string(R"({"filters":{"conjunction":")") + conjunction +
            R"(","items":[{"filter":"filter:tasks:data.text","operator":"contains","type":"String","value":null},)"
            R"({"filter":"filter:tasks:data.text","operator":"equal","type":"String","value":"x3"}]}})"),
        pick(t, {3}))
        << conjunction;
  // The item itself must still be well formed.
  auto r = host.call(
      "GET",
      "/api/tasks?project=" + std::to_string(project_id) + "&query=" +
          url_encode(
              R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:nope","operator":"equal","value":null}]}})"),
      user.auth);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("nope"), std::string::npos) << r.body;
}

TEST_F(DmApi, EmptyAndExistsOnStrTasks) {
  auto t = load("str_tasks.json");  // text: "x1", "", null, (missing; other: "o1")
  EXPECT_EQ(filter("data.text", "empty", "String", R"("true")", R"(["tasks:data.text"])"), pick(t, {2, 3, 4}));
  EXPECT_EQ(filter("data.text", "empty", "String", "false"), pick(t, {1}));
  EXPECT_EQ(filter("data.text", "exists", "String", "null"), pick(t, {1, 2, 3}));
  EXPECT_EQ(filter("data.text", "not_exists", "String", "null"), pick(t, {4}));
  EXPECT_EQ(filter("data.other", "equal", "String", R"("o1")"), pick(t, {4}));
}

TEST_F(DmApi, FloatOrderingAndSigns) {
  auto t = load("float_tasks.json");  // b: 789,123,456; c: 4.56, 12.3, -7.89
  EXPECT_EQ(query(R"({"ordering":["tasks:data.b"]})"), pick(t, {2, 3, 1}));
  EXPECT_EQ(query(R"({"ordering":["tasks:-data.c"]})"), pick(t, {2, 1, 3}));
  EXPECT_EQ(filter("data.c", "less", "Number", "0"), pick(t, {3}));
  EXPECT_EQ(filter("data.c", "greater", "Number", "0"), pick(t, {1, 2}));
}

TEST_F(DmApi, CountersAndResultsOnAnnotatedTasks) {
  auto t = load("tasks_annotations_predictions.json");
  ASSERT_EQ(t.size(), 6u);
  // annotations per task: 1, 2, 1, 0, 0, 0; predictions: 1, 1, 0, 0, 0, 1
  EXPECT_EQ(filter("total_annotations", "greater_or_equal", "Number", "1"), pick(t, {1, 2, 3}));
  EXPECT_EQ(last_total, 3);
  EXPECT_EQ(last_annotations, 4);
  EXPECT_EQ(last_predictions, 2);
  EXPECT_EQ(filter("total_predictions", "greater", "Number", "0"), pick(t, {1, 2, 6}));
  EXPECT_EQ(filter("annotations_results", "contains", "String", R"("class_testing")"), pick(t, {3}));
  EXPECT_EQ(filter("predictions_results", "contains", "String", R"("PREDICTIONS_TESTING")"), pick(t, {6}));
  EXPECT_EQ(filter("predictions_model_versions", "equal", "List", R"("model_version_A")"), pick(t, {1, 2}));
  EXPECT_EQ(filter("completed_at", "empty", "Datetime", "false"), pick(t, {1, 2, 3}));
  EXPECT_EQ(filter("ground_truth", "equal", "Boolean", "true"), pick(t, {1, 2, 3}));
  EXPECT_EQ(filter("avg_lead_time", "greater", "Number", "3.5"), pick(t, {2}));
  EXPECT_EQ(filter("created_at", "greater", "Datetime", R"("2000-01-01T00:00:00Z")"), t);
  EXPECT_EQ(filter("inner_id", "in_list", "Number", "[1,6]"), pick(t, {1, 6}));
  EXPECT_EQ(query(R"({"ordering":["tasks:-total_annotations"]})"), pick(t, {2, 3, 1, 6, 5, 4}));
  // The list item carries the computed columns; fields=all embeds the rows.
  auto one = api_host::body(host.call("GET", "/api/tasks?fields=all&page_size=1&project=" + std::to_string(project_id), user.auth));
  ASSERT_EQ(one["tasks"].size(), 1u);
  EXPECT_EQ(one["tasks"][0]["annotations"].size(), 1u);
  EXPECT_EQ(one["tasks"][0]["predictions_model_versions"], "model_version_A");
}

// "empty" on a counter means zero (Label Studio turns it into = 0 / != 0); counters are never NULL.
TEST_F(DmApi, EmptyCountersMeanZero) {
  auto t = load("tasks_annotations_predictions.json");
  // annotations per task: 1, 2, 1, 0, 0, 0; predictions: 1, 1, 0, 0, 0, 1; nothing skipped.
  EXPECT_EQ(filter("total_annotations", "empty", "Number", "true"), pick(t, {4, 5, 6}));
  EXPECT_EQ(filter("total_annotations", "empty", "Number", "false"), pick(t, {1, 2, 3}));
  EXPECT_EQ(filter("total_predictions", "empty", "Number", R"("true")"), pick(t, {3, 4, 5}));
  EXPECT_EQ(filter("total_predictions", "empty", "Number", "false"), pick(t, {1, 2, 6}));
  EXPECT_EQ(filter("cancelled_annotations", "empty", "Number", "true"), t);
  EXPECT_EQ(filter("cancelled_annotations", "empty", "Number", "false"), ids{});
  auto r = host.call("POST", "/api/tasks/" + std::to_string(t[3]) + "/annotations", user.auth,
                     {{"result", json::array()}, {"was_cancelled", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(filter("cancelled_annotations", "empty", "Number", "true"), pick(t, {1, 2, 3, 5, 6}));
  EXPECT_EQ(filter("cancelled_annotations", "empty", "Number", "false"), pick(t, {4}));
  EXPECT_EQ(filter("total_annotations", "empty", "Number", "true"), pick(t, {4, 5, 6}))
      << "a skip is no annotation";
}

// annotations_ids with contains: the value is a list of ids split on commas, semicolons and spaces,
// each matched exactly (Label Studio's in_list on annotations.id), not a substring of the id text.
TEST_F(DmApi, AnnotationIdsMatchWholeIds) {
  auto t = load("tasks_annotations_predictions.json");  // annotations per task: 1, 2, 1, 0, 0, 0
  auto first_annotation = [&](std::int64_t task) {
    auto j =
        api_host::body(host.call("GET", "/api/tasks/" + std::to_string(task) + "/annotations", user.auth));
    EXPECT_FALSE(j.empty()) << j.dump();
    return j.empty() ? std::int64_t(0) : j[0]["id"].get<std::int64_t>();
  };
  const std::string x = std::to_string(first_annotation(t[0])), z = std::to_string(first_annotation(t[2]));
  // Task 5 gets annotations until one's id has task 1's id inside its digits ("1" in "10").
  bool overlapping = false;
  for (int i = 0; i < 40 && !overlapping; ++i) {
    auto r = host.call("POST", "/api/tasks/" + std::to_string(t[4]) + "/annotations", user.auth,
                       {{"result", json::array()}});
    ASSERT_EQ(r.status, 201) << r.body;
    auto id = std::to_string(api_host::body(r)["id"].get<std::int64_t>());
    overlapping = id != x && id.find(x) != std::string::npos;
  }
  ASSERT_TRUE(overlapping);
  auto ids_value = [](const std::string& v) { return "\"" + v + "\""; };
  EXPECT_EQ(filter("annotations_ids", "contains", "String", ids_value(x)), pick(t, {1}));
  EXPECT_EQ(filter("annotations_ids", "contains", "String", ids_value(x + "," + z)), pick(t, {1, 3}));
  EXPECT_EQ(filter("annotations_ids", "contains", "String", ids_value(x + "; " + z)), pick(t, {1, 3}));
  EXPECT_EQ(filter("annotations_ids", "contains", "String", ids_value("abc")), ids{});
  EXPECT_EQ(filter("annotations_ids", "not_contains", "String", ids_value(x + " " + z)),
            pick(t, {2, 4, 5, 6}));
  EXPECT_EQ(filter("annotations_ids", "equal", "String", ids_value(x)), pick(t, {1}));
  EXPECT_EQ(filter("annotations_ids", "equal", "String", ids_value("x1")), ids{});
}

TEST_F(DmApi, SelectedItemsInQueriesAndActions) {
  auto t = load("tasks_annotations_predictions.json");
  const std::string P = std::to_string(project_id);
  EXPECT_EQ(query(R"({"selectedItems":{"all":true,"excluded":[)" + std::to_string(t[0]) + "]}}"), pick(t, {2, 3, 4, 5, 6}));
  EXPECT_EQ(query(R"({"selectedItems":{"all":false,"included":[)" + std::to_string(t[1]) + "," + std::to_string(t[4]) + "]}}"),
            pick(t, {2, 5}));

  auto act = [&](const std::string& id, const json& body) {
    return host.call("POST", "/api/dm/actions?id=" + id + "&project=" + P, user.auth, body);
  };
  // Predictions of every task but the first: tasks 2 and 6 lose theirs.
  auto r = act("delete_tasks_predictions", {{"selectedItems", {{"all", true}, {"excluded", {t[0]}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 2);
  EXPECT_EQ(filter("total_predictions", "greater", "Number", "0"), pick(t, {1}));
  // Annotations of tasks 1..3 with a filter, except task 2.
  r = act("delete_tasks_annotations",
          {{"selectedItems", {{"all", true}, {"excluded", {t[1]}}}},
           {"filters", json::parse(R"({"conjunction":"and","items":[{"filter":"filter:tasks:total_annotations","operator":"greater","type":"Number","value":0}]})")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 2);
  EXPECT_EQ(filter("total_annotations", "greater", "Number", "0"), pick(t, {2}));
  // Drafts: one made over HTTP, deleted by the action.
  ASSERT_EQ(host.call("POST", "/api/tasks/" + std::to_string(t[3]) + "/drafts", user.auth, {{"result", json::array()}}).status, 201);
  r = act("delete_tasks_drafts", {{"selectedItems", {{"all", false}, {"included", {t[3]}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 1);
  // Tasks: all but two.
  r = act("delete_tasks", {{"selectedItems", {{"all", true}, {"excluded", {t[2], t[5]}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api_host::body(r)["processed_items"], 4);
  EXPECT_EQ(query("{}"), pick(t, {3, 6}));
  // Refusals.
  EXPECT_EQ(host.call("POST", "/api/dm/actions?project=" + P, user.auth, {{"selectedItems", {{"all", true}}}}).status, 422);
  EXPECT_EQ(act("no_such_action", {{"selectedItems", {{"all", true}}}}).status, 404);
  EXPECT_EQ(act("delete_tasks", json::object()).status, 400);
  EXPECT_EQ(act("delete_tasks", {{"selectedItems", {{"all", "yes"}}}}).status, 400);
  auto listed = api_host::body(host.call("GET", "/api/dm/actions?project=" + P, user.auth));
  ASSERT_TRUE(listed.is_array());
  EXPECT_GE(listed.size(), 4u);
}

TEST_F(DmApi, ViewsDriveTheTaskList) {
  auto t = load("int_tasks.json");
  const std::string P = std::to_string(project_id);
  json data = {{"title", "big"},
               {"filters", json::parse(R"({"conjunction":"and","items":[{"filter":"filter:tasks:data.int_field","operator":"greater","type":"Number","value":5}]})")},
               {"ordering", {"-tasks:id"}},
               {"hiddenColumns", {{"explore", json::array()}, {"labeling", json::array()}}}};
  auto created = host.call("POST", "/api/dm/views", user.auth, {{"project", project_id}, {"data", data}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto vid = api_host::body(created)["id"].get<std::int64_t>();
  EXPECT_EQ(api_host::body(created)["data"], data);
  auto listed = api_host::body(host.call("GET", "/api/tasks?view=" + std::to_string(vid), user.auth));
  ids got;
  for (const auto& x : listed["tasks"]) got.push_back(x["id"].get<std::int64_t>());
  EXPECT_EQ(got, pick(t, {5, 3, 2}));
  // PATCH the tab; bad filters are refused naming the problem.
  data["ordering"] = {"tasks:id"};
  auto patched = host.call("PATCH", "/api/dm/views/" + std::to_string(vid), user.auth, {{"data", data}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(api_host::body(host.call("GET", "/api/tasks?view=" + std::to_string(vid), user.auth))["tasks"][0]["id"], t[1]);
  auto bad = host.call("PATCH", "/api/dm/views/" + std::to_string(vid), user.auth,
                       json::parse(R"({"data":{"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:id","operator":"bogus","type":"Number","value":1}]}}})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("bogus"), std::string::npos) << bad.body;
  auto views = api_host::body(host.call("GET", "/api/dm/views?project=" + P, user.auth));
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(host.call("DELETE", "/api/dm/views/" + std::to_string(vid), user.auth).status, 204);
  EXPECT_EQ(host.call("GET", "/api/dm/views/" + std::to_string(vid), user.auth).status, 404);
  ASSERT_EQ(host.call("POST", "/api/dm/views", user.auth, {{"project", project_id}}).status, 201);
  EXPECT_EQ(host.call("DELETE", "/api/dm/views/reset?project=" + P, user.auth).status, 204);
  EXPECT_TRUE(api_host::body(host.call("GET", "/api/dm/views?project=" + P, user.auth)).empty());
  // Columns: the fixed ones and the data keys.
  auto cols = api_host::body(host.call("GET", "/api/dm/columns?project=" + P, user.auth));
  bool has_int_field = false, has_total = false;
  for (const auto& c : cols["columns"]) {
    has_int_field = has_int_field || (c["id"] == "int_field" && c["parent"] == "data");
    has_total = has_total || c["id"] == "total_annotations";
  }
  EXPECT_TRUE(has_int_field) << cols.dump();
  EXPECT_TRUE(has_total);
  EXPECT_EQ(host.call("GET", "/api/dm/columns", user.auth).status, 400);
}

}  // namespace
}  // namespace annot::host::testing
