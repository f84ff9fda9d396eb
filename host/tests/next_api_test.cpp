// The labeling stream over HTTP: GET /api/projects/{id}/next locks its task so that two annotators
// never get the same one while the lock lives (also under concurrent requests), a task leaves the
// stream at maximum_annotations, skipped tasks follow the project's skip rule, and postponed tasks
// come back only when nothing else is left.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

class NextApi : public ::testing::Test {
 protected:
  void SetUp() override { host.start(); }

  std::int64_t project(std::int64_t max_annotations, std::string_view skip_queue, int tasks) {
    store::project_fields f;
    f.maximum_annotations = max_annotations;
    f.skip_queue = std::string(skip_queue);
    pid = host.make_project("<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"a\"/></Choices></View>",
                            R"({"text":"Text"})", {}, f);
    task_ids.clear();
    for (int i = 0; i < tasks; ++i) {
      auto t = host.db().run<store::task>([&](store::write_context& w) {
        return w.create_task({.project_id = pid, .data = R"({"text":"t)" + std::to_string(i) + "\"}"});
      });
      EXPECT_TRUE(t);
      task_ids.push_back(t->id);
    }
    return pid;
  }

  // The task id /next hands `who`, 0 for a 404 (nothing left).
  std::int64_t next(const api_host::user_token& who) {
    auto r = host.call("GET", "/api/projects/" + std::to_string(pid) + "/next", who.auth);
    if (r.status == 404) return 0;
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = api_host::body(r);
    for (const char* k : {"annotations", "predictions", "drafts", "data", "id"}) EXPECT_TRUE(j.contains(k)) << k;
    return j.value("id", std::int64_t(-1));
  }
  void annotate(const api_host::user_token& who, std::int64_t task, bool skip = false) {
    json body = {{"result", skip ? json::array() : json::array({json{{"from_name", "c"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", {"a"}}}}}})}};
    if (skip) body["was_cancelled"] = true;
    auto r = host.call("POST", "/api/tasks/" + std::to_string(task) + "/annotations", who.auth, body);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The editor's Postpone button: a draft with was_postponed.
  void postpone(const api_host::user_token& who, std::int64_t task) {
    json body = {{"result", json::array()}, {"was_postponed", true}};
    auto r = host.call("POST", "/api/tasks/" + std::to_string(task) + "/drafts", who.auth, body);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  api_host host;
  std::int64_t pid = 0;
  std::vector<std::int64_t> task_ids;
};

TEST_F(NextApi, LockedTasksGoToOneAnnotatorAtATime) {
  project(1, store::skip_requeue_for_others, 3);
  auto a = host.make_user("a@example.com"), b = host.make_user("b@example.com");
  EXPECT_EQ(next(a), task_ids[0]);
  EXPECT_EQ(next(b), task_ids[1]) << "task 0 is locked for a";
  EXPECT_EQ(next(a), task_ids[0]) << "a keeps the task it holds";
  annotate(a, task_ids[0]);
  EXPECT_EQ(next(a), task_ids[2]) << "task 1 is locked for b";
  annotate(b, task_ids[1]);
  EXPECT_EQ(next(b), 0) << "task 0 and 1 are done, task 2 is a's";
  annotate(a, task_ids[2]);
  EXPECT_EQ(next(a), 0);
  EXPECT_EQ(host.call("GET", "/api/projects/987654/next", a.auth).status, 404);
}

TEST_F(NextApi, ConcurrentAnnotatorsNeverShareATask) {
  project(1, store::skip_requeue_for_others, 16);
  std::vector<api_host::user_token> users;
  for (int i = 0; i < 8; ++i) users.push_back(host.make_user("c" + std::to_string(i) + "@example.com"));
  std::vector<std::int64_t> got(users.size() * 2);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < users.size(); ++i)
    threads.emplace_back([&, i] {
      got[2 * i] = next(users[i]);
      got[2 * i + 1] = next(users[i]);  // the same user again: the same task
    });
  for (auto& t : threads) t.join();
  std::set<std::int64_t> distinct;
  for (std::size_t i = 0; i < users.size(); ++i) {
    EXPECT_GT(got[2 * i], 0);
    EXPECT_EQ(got[2 * i], got[2 * i + 1]);
    distinct.insert(got[2 * i]);
  }
  EXPECT_EQ(distinct.size(), users.size());
}

TEST_F(NextApi, TaskLeavesTheStreamAtMaximumAnnotations) {
  project(2, store::skip_requeue_for_others, 1);
  auto a = host.make_user("m1@example.com"), b = host.make_user("m2@example.com"), c = host.make_user("m3@example.com");
  EXPECT_EQ(next(a), task_ids[0]);
  EXPECT_EQ(next(b), task_ids[0]) << "overlap 2: two annotators may hold it";
  EXPECT_EQ(next(c), 0) << "two holders reach the overlap";
  annotate(a, task_ids[0]);
  EXPECT_EQ(next(a), 0) << "a annotated it";
  annotate(b, task_ids[0]);
  EXPECT_EQ(next(c), 0) << "two annotations: the task left the stream";
}

TEST_F(NextApi, SkipRules) {
  {
    project(1, store::skip_requeue_for_others, 2);
    auto a = host.make_user("s1@example.com"), b = host.make_user("s2@example.com");
    EXPECT_EQ(next(a), task_ids[0]);
    annotate(a, task_ids[0], true);
    EXPECT_EQ(next(a), task_ids[1]) << "REQUEUE_FOR_OTHERS: a does not get its skipped task back";
    annotate(a, task_ids[1]);
    EXPECT_EQ(next(a), 0);
    EXPECT_EQ(next(b), task_ids[0]) << "but b does";
  }
  {
    project(1, store::skip_requeue_for_me, 2);
    auto a = host.make_user("s3@example.com");
    EXPECT_EQ(next(a), task_ids[0]);
    annotate(a, task_ids[0], true);
    EXPECT_EQ(next(a), task_ids[1]) << "REQUEUE_FOR_ME: other tasks first";
    annotate(a, task_ids[1]);
    EXPECT_EQ(next(a), task_ids[0]) << "then the skipped one comes back";
  }
  {
    project(1, store::skip_ignore_skipped, 2);
    auto a = host.make_user("s4@example.com"), b = host.make_user("s5@example.com");
    EXPECT_EQ(next(a), task_ids[0]);
    annotate(a, task_ids[0], true);
    EXPECT_EQ(next(b), task_ids[1]) << "IGNORE_SKIPPED: a skip completes the task";
  }
}

TEST_F(NextApi, PostponedTasksComeBackLast) {
  project(1, store::skip_requeue_for_others, 3);
  auto a = host.make_user("p1@example.com"), b = host.make_user("p2@example.com");
  EXPECT_EQ(next(a), task_ids[0]);
  postpone(a, task_ids[0]);
  EXPECT_EQ(next(a), task_ids[1]) << "a postponed task 0: the others come first";
  postpone(a, task_ids[1]);
  EXPECT_EQ(next(a), task_ids[2]);
  annotate(a, task_ids[2]);
  EXPECT_EQ(next(a), task_ids[0]) << "nothing else left: the task postponed first comes back";
  EXPECT_EQ(next(b), task_ids[1]) << "a's postponed tasks stay in b's queue; task 0 is a's again";
  annotate(a, task_ids[0]);
  EXPECT_EQ(next(a), 0) << "task 1 is b's";
  annotate(b, task_ids[1]);
  EXPECT_EQ(next(a), 0) << "every task is done";
}

TEST_F(NextApi, ExpiredLocksReleaseTheTask) {
  api::api_settings s;
  s.task_lock_ttl = std::chrono::seconds(1);
  host.start(s);
  project(1, store::skip_requeue_for_others, 1);
  auto a = host.make_user("e1@example.com"), b = host.make_user("e2@example.com");
  EXPECT_EQ(next(a), task_ids[0]);
  EXPECT_EQ(next(b), 0) << "locked for a";
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_EQ(next(b), task_ids[0]) << "a's lock expired";
}

}  // namespace
}  // namespace annot::host::testing
