// The labeling stream: next task for a user with locks (two users never get the same task while
// its lock lives), maximum_annotations, the three skip rules, sampling, the ground-truth-first,
// breadth-first and overlap-first queues, and hidden import rows.
#include <gtest/gtest.h>

#include <set>
#include <span>
#include <thread>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

class StoreStream : public ::testing::Test {
 protected:
  void SetUp() override {
    s = open_at(dir.db());
    ASSERT_TRUE(s);
    u1 = write<user>(*s, [](write_context& w) { return w.create_user({"u1@x.io"}); }).id;
    u2 = write<user>(*s, [](write_context& w) { return w.create_user({"u2@x.io"}); }).id;
  }
  void TearDown() override { expect_counters_consistent(dir.db()); }

  void make_project(std::int64_t tasks, project_fields f = {}) {
    pid = write<project>(*s, [&](write_context& w) { return w.create_project({f, std::nullopt}); }).id;
    t.clear();
    for (std::int64_t i = 0; i < tasks; ++i)
      t.push_back(write<task>(*s, [&](write_context& w) {
                    return w.create_task({pid, R"({"i":)" + std::to_string(i) + "}"});
                  }).id);
  }
  std::optional<std::int64_t> next(std::int64_t user, timestamp at = now(), std::uint64_t seed = 0) {
    auto r = write<std::optional<task>>(*s, [&](write_context& w) {
      next_task_request q;
      q.project_id = pid;
      q.user_id = user;
      q.lock_ttl = std::chrono::seconds(600);
      q.seed = seed;
      return w.next_task(q, at);
    });
    if (!r) return std::nullopt;
    return r->id;
  }
  void annotate(std::int64_t task_id, std::int64_t user, bool skip = false, bool ground_truth = false) {
    write<annotation>(*s, [&](write_context& w) {
      new_annotation a;
      a.task_id = task_id;
      a.completed_by = user;
      a.was_cancelled = skip;
      a.ground_truth = ground_truth;
      return w.create_annotation(a);
    });
  }
  std::int64_t make_user(const std::string& email) {
    return write<user>(*s, [&](write_context& w) { return w.create_user({email}); }).id;
  }

  temp_dir dir;
  std::unique_ptr<store> s;
  std::int64_t u1 = 0, u2 = 0, pid = 0;
  std::vector<std::int64_t> t;
};

TEST_F(StoreStream, TwoUsersNeverGetTheSameLockedTask) {
  make_project(3);
  EXPECT_EQ(next(u1), t[0]);
  EXPECT_EQ(next(u2), t[1]) << "t0 is locked by u1";
  EXPECT_EQ(next(u1), t[0]) << "a user keeps the task they hold";
  EXPECT_EQ(must(s->read()->task_locks(t[0], now())).size(), 1u);
  annotate(t[0], u1);
  EXPECT_EQ(next(u1), t[2]) << "t0 is done, t1 is u2's";
  EXPECT_EQ(must(s->read()->task_locks(t[0], now())).size(), 0u)
      << "taking a task releases the user's other locks";
  EXPECT_EQ(next(u2), t[1]);
  // Once u2's lock expires, t1 is free for u1 again (u1's own lock on t2 is released by then too).
  auto later = now() + std::chrono::seconds(601);
  EXPECT_EQ(next(u1, later), t[1]);
  annotate(t[1], u1);
  annotate(t[2], u2);
  EXPECT_EQ(next(u1), std::nullopt);
  EXPECT_EQ(next(u2), std::nullopt);
}

TEST_F(StoreStream, ConcurrentRequestsGetDistinctTasks) {
  make_project(40);
  std::vector<std::int64_t> users;
  for (int i = 0; i < 8; ++i)
    users.push_back(write<user>(*s, [&](write_context& w) {
                      return w.create_user({"c" + std::to_string(i) + "@x.io"});
                    }).id);
  std::mutex m;
  std::multiset<std::int64_t> got;
  std::vector<std::thread> ts;
  for (auto u : users)
    ts.emplace_back([&, u] {
      auto id = next(u);
      std::lock_guard lock(m);
      if (id) got.insert(*id);
    });
  for (auto& th : ts) th.join();
  EXPECT_EQ(got.size(), users.size());
  EXPECT_EQ(std::set<std::int64_t>(got.begin(), got.end()).size(), got.size()) << "no task handed out twice";
}

TEST_F(StoreStream, MaximumAnnotationsTakesTasksOutOfTheStream) {
  project_fields f;
  f.maximum_annotations = 2;
  make_project(2, f);
  EXPECT_EQ(next(u1), t[0]);
  EXPECT_EQ(next(u2), t[0]) << "overlap 2: both users may hold t0";
  annotate(t[0], u1);
  EXPECT_EQ(next(u1), t[1]) << "u1 already annotated t0";
  EXPECT_EQ(next(u2), t[0]);
  annotate(t[0], u2);
  EXPECT_TRUE(must(s->read()->get_task(t[0])).is_labeled);
  auto u3 = write<user>(*s, [](write_context& w) { return w.create_user({"u3@x.io"}); }).id;
  EXPECT_EQ(next(u3), t[1]) << "t0 reached maximum_annotations";
}

TEST_F(StoreStream, SkipRequeueForOthers) {
  make_project(2);  // REQUEUE_FOR_OTHERS is the default
  EXPECT_EQ(next(u1), t[0]);
  annotate(t[0], u1, /*skip=*/true);
  EXPECT_EQ(next(u1), t[1]);
  annotate(t[1], u1);
  EXPECT_EQ(next(u1), std::nullopt) << "a skipped task does not come back to the same user";
  EXPECT_EQ(next(u2), t[0]) << "but others get it";
}

TEST_F(StoreStream, SkipRequeueForMe) {
  project_fields f;
  f.skip_queue = std::string(skip_requeue_for_me);
  make_project(2, f);
  EXPECT_EQ(next(u1), t[0]);
  annotate(t[0], u1, true);
  EXPECT_EQ(next(u1), t[1]) << "other tasks come first";
  annotate(t[1], u1);
  EXPECT_EQ(next(u1), t[0]) << "then the skipped one comes back to the user";
}

TEST_F(StoreStream, SkipIgnoreSkipped) {
  project_fields f;
  f.skip_queue = std::string(skip_ignore_skipped);
  make_project(2, f);
  EXPECT_EQ(next(u1), t[0]);
  annotate(t[0], u1, true);
  EXPECT_TRUE(must(s->read()->get_task(t[0])).is_labeled) << "a skip completes the task";
  EXPECT_EQ(next(u2), t[1]);
  EXPECT_EQ(next(u1), std::nullopt);
}

TEST_F(StoreStream, UniformAndUncertaintySampling) {
  project_fields f;
  f.sampling = std::string(sampling_uniform);
  make_project(6, f);
  std::set<std::int64_t> seen;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    auto id = next(u1, now(), seed);
    ASSERT_TRUE(id);
    seen.insert(*id);
    must(s->run([&](write_context& w) { return w.unlock_user_tasks(pid, u1); }));
  }
  EXPECT_GE(seen.size(), 3u) << "uniform sampling spreads over the tasks";

  f.sampling = std::string(sampling_uncertainty);
  make_project(3, f);
  std::vector<new_prediction> ps(3);
  double scores[] = {0.9, 0.1, 0.5};
  for (int i = 0; i < 3; ++i) {
    ps[i].task_id = t[i];
    ps[i].score = scores[i];
  }
  write<std::vector<std::int64_t>>(*s, [&](write_context& w) { return w.create_predictions(ps); });
  EXPECT_EQ(next(u1), t[1]) << "the least certain prediction first";
  EXPECT_EQ(next(u2), t[2]);
}

// The queues Label Studio tries before the project's sampling, in its order: show_ground_truth_first,
// then (maximum_annotations > 1) breadth first, the tasks others annotated most.
TEST_F(StoreStream, GroundTruthFirstThenBreadthFirst) {
  auto u3 = make_user("u3@x.io"), u4 = make_user("u4@x.io");
  project_fields f;
  f.maximum_annotations = 3;
  make_project(4, f);
  annotate(t[1], u3);
  annotate(t[2], u3, false, /*ground_truth=*/true);
  annotate(t[3], u3);
  annotate(t[3], u4, /*skip=*/true);
  EXPECT_EQ(next(u1), t[3]) << "breadth first: two annotations (a skip counts) before one";
  EXPECT_EQ(next(u2), t[3]) << "overlap 3: u2 may hold it too";
  EXPECT_EQ(next(u4), t[1]) << "u4 skipped t3: then one annotation, first in sequence (ground truth or not)";
  EXPECT_EQ(next(u3), t[0]) << "u3 annotated the others";

  f.show_ground_truth_first = true;
  make_project(3, f);
  annotate(t[1], u3);
  annotate(t[2], u3, false, /*ground_truth=*/true);
  EXPECT_EQ(next(u1), t[2]) << "show_ground_truth_first: the ground-truth task first";
  annotate(t[2], u1);
  EXPECT_EQ(next(u1), t[1]) << "then breadth first";
  EXPECT_EQ(next(u2), t[2]) << "u2 has not seen the ground-truth task";

  f.show_ground_truth_first = false;
  f.maximum_annotations = 1;
  make_project(3, f);
  annotate(t[1], u3, /*skip=*/true);
  EXPECT_EQ(next(u1), t[0]) << "maximum_annotations 1: no breadth first";
}

// The breadth-first pick walks tasks_project_breadth from the highest count down and stops at the
// first task the user may take (the statement in ops_stream.cpp orders by the same expression), so a
// /next never reads every open task of a large project to find the count to start from.
TEST_F(StoreStream, BreadthFirstWalksTheCountIndex) {
  project_fields f;
  f.maximum_annotations = 2;
  make_project(3, f);
  raw_db r(dir.db());
  auto plan = r.rows(
      "EXPLAIN QUERY PLAN SELECT t.total_annotations + t.cancelled_annotations, t.id FROM tasks t "
      "WHERE t.project_id = " +
      std::to_string(pid) +
      " AND t.is_labeled = 0 ORDER BY t.total_annotations + t.cancelled_annotations DESC, "
      "t.inner_id LIMIT 1");
  std::string all;
  for (auto& row : plan) all += row.back() + "\n";
  EXPECT_NE(all.find("tasks_project_breadth"), std::string::npos) << all;
  EXPECT_EQ(all.find("TEMP B-TREE"), std::string::npos) << "no sort: the index gives the order\n" << all;
}

// show_overlap_first: tasks with overlap > 1 come first while any is left for the user.
TEST_F(StoreStream, OverlapFirst) {
  project_fields f;
  f.maximum_annotations = 2;
  f.overlap_cohort_percentage = 25;
  auto split = [&] {
    std::vector<std::int64_t> wide, narrow;
    for (auto id : t) (must(s->read()->get_task(id)).overlap > 1 ? wide : narrow).push_back(id);
    return std::pair{wide, narrow};
  };
  std::vector<std::int64_t> users{u1, u2};
  for (int i = 3; i <= 5; ++i) users.push_back(make_user("o" + std::to_string(i) + "@x.io"));

  make_project(8, f);
  auto [wide, narrow] = split();
  ASSERT_EQ(wide.size(), 2u);
  EXPECT_NE(wide[0], t[0]) << "the test needs a narrow task first";
  EXPECT_EQ(next(users[0]), t[0]) << "without show_overlap_first, sequence order";

  f.show_overlap_first = true;
  make_project(8, f);
  std::tie(wide, narrow) = split();
  ASSERT_EQ(wide.size(), 2u);
  EXPECT_EQ(next(users[0]), wide[0]);
  EXPECT_EQ(next(users[1]), wide[0]) << "overlap 2: two holders";
  EXPECT_EQ(next(users[2]), wide[1]);
  EXPECT_EQ(next(users[3]), wide[1]);
  EXPECT_EQ(next(users[4]), narrow[0]) << "the wide tasks are all held: the others follow";
}

TEST_F(StoreStream, HiddenImportRowsAreNeverServed) {
  make_project(0);
  auto imp = write<import_record>(*s, [&](write_context& w) { return w.begin_import({pid}); });
  std::vector<import_task> staged(2);
  staged[0].data = R"({"i":1})";
  staged[1].data = R"({"i":2})";
  auto batch = write<staged_batch>(*s, [&](write_context& w) { return w.stage_tasks(imp.id, staged); });
  EXPECT_EQ(next(u1), std::nullopt);
  write<import_record>(*s, [&](write_context& w) { return w.publish_import(imp.id, {}); });
  EXPECT_EQ(next(u1), batch.task_ids[0]);
}

// The queue counters (GET /api/projects' queue_total / queue_done) leave out the tasks of an import not
// yet published, as every counter does, the user's annotations on them included; published, they count.
TEST_F(StoreStream, TheQueueLeavesOutHiddenImportRows) {
  make_project(2);
  annotate(t[0], u1);
  annotate(t[1], u1, /*skip=*/true);
  const auto queue = [&] {
    auto q = must(s->read()->user_queues(std::span(&pid, 1), u1));
    EXPECT_EQ(q.size(), 1u);
    return q.empty() ? user_queue{} : q[0];
  };
  // t0 labeled by u1, t1 skipped by u1 (and so labeled unless skips are ignored): both are u1's.
  const user_queue before = queue();
  EXPECT_EQ(before.done, 2);
  auto imp = write<import_record>(*s, [&](write_context& w) { return w.begin_import({pid}); });
  std::vector<import_task> staged(2);
  staged[0].data = R"({"i":10})";
  staged[1].data = R"({"i":11})";
  staged[0].annotations.push_back({.completed_by = u1});
  staged[1].annotations.push_back({.completed_by = u1, .was_cancelled = true});
  write<staged_batch>(*s, [&](write_context& w) { return w.stage_tasks(imp.id, staged); });
  const user_queue hidden = queue();
  EXPECT_EQ(hidden.total, before.total);
  EXPECT_EQ(hidden.done, before.done) << "the staged tasks are not there yet";
  write<import_record>(*s, [&](write_context& w) { return w.publish_import(imp.id, {}); });
  const user_queue published = queue();
  EXPECT_EQ(published.total, before.total + 2);
  EXPECT_EQ(published.done, before.done + 2);
}

TEST_F(StoreStream, BadRequests) {
  make_project(1);
  auto r = s->run<std::optional<task>>([&](write_context& w) {
    next_task_request q;
    q.project_id = 424242;
    q.user_id = u1;
    return w.next_task(q, now());
  });
  EXPECT_EQ(r.error().code(), errc::not_found);
  r = s->run<std::optional<task>>([&](write_context& w) {
    next_task_request q;
    q.project_id = pid;
    q.user_id = 424242;
    return w.next_task(q, now());
  });
  EXPECT_EQ(r.error().code(), errc::invalid_argument);
}

}  // namespace
}  // namespace annot::host::store
