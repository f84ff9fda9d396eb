// The labeling stream within a data-manager tab: GET /api/projects/{id}/next?view=V hands out only
// the tab's tasks (its saved filters) in the tab's ordering, still locking each task for one
// annotator; a bad or foreign view is a 4xx naming it.
#include <gtest/gtest.h>

#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

class NextViewApi : public ::testing::Test {
 protected:
  void SetUp() override {
    host.start();
    store::project_fields f;
    f.maximum_annotations = 1;
    pid = host.make_project(
        "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"a\"/></Choices></View>",
        R"({"text":"Text"})", {}, f);
    // Six tasks: odd ones in group "b", rank falling with the id (the tab orders by rank).
    for (int i = 0; i < 6; ++i) {
      json data = {{"text", "t" + std::to_string(i)}, {"group", i % 2 ? "b" : "a"}, {"rank", 10 - i}};
      auto t = host.db().run<store::task>(
          [&](store::write_context& w) { return w.create_task({.project_id = pid, .data = data.dump()}); });
      ASSERT_TRUE(t) << t.error().message();
      task_ids.push_back(t->id);
    }
    owner = host.make_user("owner@example.com");
  }

  std::int64_t make_view(std::int64_t project, const json& data) {
    auto r = host.call("POST", "/api/dm/views", owner.auth, json{{"project", project}, {"data", data}});
    EXPECT_EQ(r.status, 201) << r.body;
    return api_host::body(r).value("id", std::int64_t(0));
  }

  // The task id /next hands `who` (within `view` when given), 0 for a 404 (nothing left).
  std::int64_t next(const api_host::user_token& who, std::int64_t view = 0) {
    std::string target = "/api/projects/" + std::to_string(pid) + "/next";
    if (view) target += "?view=" + std::to_string(view);
    auto r = host.call("GET", target, who.auth);
    if (r.status == 404) return 0;
    EXPECT_EQ(r.status, 200) << r.body;
    return api_host::body(r).value("id", std::int64_t(-1));
  }
  void annotate(const api_host::user_token& who, std::int64_t task) {
    json body = {{"result", json::array({json{{"from_name", "c"}, {"to_name", "text"}, {"type", "choices"},
                                               {"value", {{"choices", {"a"}}}}}})}};
    auto r = host.call("POST", "/api/tasks/" + std::to_string(task) + "/annotations", who.auth, body);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  api_host host;
  std::int64_t pid = 0;
  std::vector<std::int64_t> task_ids;
  api_host::user_token owner;
};

TEST_F(NextViewApi, TheTabsFiltersAndOrderingDecideTheStreamAndLocksStillHold) {
  const json group_b = {{"title", "Group b by rank"},
                        {"filters",
                         {{"conjunction", "and"},
                          {"items", json::array({{{"filter", "filter:tasks:data.group"},
                                                  {"operator", "equal"},
                                                  {"type", "String"},
                                                  {"value", "b"}}})}}},
                        {"ordering", json::array({"tasks:data.rank"})}};
  const std::int64_t view = make_view(pid, group_b);
  ASSERT_GT(view, 0);
  auto a = host.make_user("a@example.com"), b = host.make_user("b@example.com"), c = host.make_user("c@example.com");

  // Group b is tasks 1, 3, 5; by rank ascending: 5, 3, 1.
  EXPECT_EQ(next(a, view), task_ids[5]);
  EXPECT_EQ(next(b, view), task_ids[3]) << "task 5 is locked for a";
  EXPECT_EQ(next(a, view), task_ids[5]) << "a keeps the task it holds";
  // c first takes a task outside the tab, then asks within the tab: the tab's next free task, and
  // taking it releases the other one.
  EXPECT_EQ(next(c), task_ids[0]) << "without a view: the project's sequential order";
  EXPECT_EQ(next(c, view), task_ids[1]);
  annotate(a, task_ids[5]);
  EXPECT_EQ(next(a, view), 0) << "3 is b's, 1 is c's: nothing left in the tab for a";
  EXPECT_EQ(next(a), task_ids[0]) << "the project still has tasks outside the tab (c let go of task 0)";
  annotate(b, task_ids[3]);
  annotate(c, task_ids[1]);
  EXPECT_EQ(next(b, view), 0) << "the tab is done";
  EXPECT_EQ(next(c, view), 0);

  // A tab with an ordering only (no filters): every task, newest id first, done ones left out.
  const std::int64_t by_id_desc = make_view(pid, {{"title", "newest"}, {"ordering", json::array({"-tasks:id"})}});
  auto d = host.make_user("d@example.com");
  EXPECT_EQ(next(d, by_id_desc), task_ids[4]) << "5 and 3 are done";
  EXPECT_EQ(next(b, by_id_desc), task_ids[2]) << "4 is d's";
}

TEST_F(NextViewApi, BadViewsAreRefusedByName) {
  auto a = host.make_user("a@example.com");
  const std::string base = "/api/projects/" + std::to_string(pid) + "/next?view=";
  auto r = host.call("GET", base + "abc", a.auth);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("view"), std::string::npos) << r.body;
  r = host.call("GET", base + "987654", a.auth);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("987654"), std::string::npos) << r.body;

  // A tab of another project.
  const std::int64_t other = host.make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  const std::int64_t foreign = make_view(other, {{"title", "elsewhere"}});
  ASSERT_GT(foreign, 0);
  r = host.call("GET", base + std::to_string(foreign), a.auth);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("belongs to project " + std::to_string(other)), std::string::npos) << r.body;

  // A tab whose saved filter names an unknown column (written to the store directly: the views API
  // may refuse it).
  const json bad_filter = {{"filters",
                            {{"conjunction", "and"},
                             {"items", json::array({{{"filter", "filter:tasks:no_such_column"},
                                                     {"operator", "equal"},
                                                     {"type", "Number"},
                                                     {"value", 1}}})}}}};
  auto broken = host.db().run<store::view>([&](store::write_context& w) {
    store::new_view v;
    v.project_id = pid;
    v.user_id = owner.id;
    v.data = bad_filter.dump();
    return w.create_view(v);
  });
  ASSERT_TRUE(broken) << broken.error().message();
  r = host.call("GET", base + std::to_string(broken->id), a.auth);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("no_such_column"), std::string::npos) << r.body;
  // Nothing was locked by the refused requests: the stream without a view starts at the first task.
  EXPECT_EQ(host.call("GET", "/api/projects/" + std::to_string(pid) + "/next", a.auth).status, 200);
}

}  // namespace
}  // namespace annot::host::testing
