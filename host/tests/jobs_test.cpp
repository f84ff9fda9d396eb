// The job pool: ordering, progress, results, failures, cancellation and completion callbacks.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>

#include "jobs/job_runner.hpp"

namespace annot::host::jobs {
namespace {

job_snapshot wait_finished(job_runner& runner, job_id id) {
  std::promise<job_snapshot> done;
  auto fut = done.get_future();
  EXPECT_TRUE(runner.when_finished(id, [&done](const job_snapshot& s) { done.set_value(s); }));
  EXPECT_EQ(fut.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  return fut.get();
}

TEST(JobRunner, RunsAJobToCompletionWithProgressAndResult) {
  job_runner runner({.threads = 2});
  auto id = runner.submit("count", [](job_context& ctx) {
    for (int i = 1; i <= 100; ++i) ctx.set_progress(i, 100);
    ctx.set_result({{"counted", 100}});
    return status::success();
  });
  auto snap = wait_finished(runner, id);
  EXPECT_EQ(snap.state, job_state::completed);
  EXPECT_EQ(snap.done, 100u);
  EXPECT_EQ(snap.total, 100u);
  EXPECT_EQ(snap.result["counted"], 100);
  EXPECT_TRUE(snap.started_at && snap.finished_at);
  auto json = snap.to_json();
  EXPECT_EQ(json["state"], "completed");
  EXPECT_DOUBLE_EQ(json["progress"]["fraction"].get<double>(), 1.0);
}

TEST(JobRunner, ProgressIsVisibleWhileRunning) {
  job_runner runner({.threads = 1});
  std::latch reached_half(1), may_finish(1);
  auto id = runner.submit("half", [&](job_context& ctx) {
    ctx.set_progress(5, 10);
    ctx.set_message("halfway");
    reached_half.count_down();
    may_finish.wait();
    ctx.set_progress(10, 10);
    return status::success();
  });
  reached_half.wait();
  auto mid = runner.get(id);
  ASSERT_TRUE(mid);
  EXPECT_EQ(mid->state, job_state::running);
  EXPECT_EQ(mid->done, 5u);
  EXPECT_EQ(mid->message, "halfway");
  may_finish.count_down();
  EXPECT_EQ(wait_finished(runner, id).state, job_state::completed);
}

TEST(JobRunner, FailureAndExceptionAreReportedNotFatal) {
  job_runner runner({.threads = 1});
  auto failed = runner.submit("bad", [](job_context&) { return status(errc::invalid_argument, "row 3 is broken"); });
  auto thrown = runner.submit("throws", [](job_context&) -> status { throw std::runtime_error("disk on fire"); });
  auto a = wait_finished(runner, failed);
  auto b = wait_finished(runner, thrown);
  EXPECT_EQ(a.state, job_state::failed);
  EXPECT_EQ(a.error, "row 3 is broken");
  EXPECT_EQ(b.state, job_state::failed);
  EXPECT_EQ(b.error, "disk on fire");
}

TEST(JobRunner, CancelsRunningAndQueuedJobs) {
  job_runner runner({.threads = 1});
  std::latch started(1);
  auto running = runner.submit("loop", [&](job_context& ctx) {
    started.count_down();
    while (!ctx.cancel_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return status(errc::cancelled, "stopped at the user's request");
  });
  auto queued = runner.submit("never", [](job_context&) { return status::success(); });
  started.wait();
  EXPECT_TRUE(runner.cancel(queued));
  EXPECT_EQ(runner.get(queued)->state, job_state::cancelled);
  EXPECT_TRUE(runner.cancel(running));
  auto snap = wait_finished(runner, running);
  EXPECT_EQ(snap.state, job_state::cancelled);
  EXPECT_FALSE(runner.cancel(running)) << "a finished job cannot be cancelled again";
  EXPECT_FALSE(runner.cancel(9999));
}

TEST(JobRunner, WhenFinishedOnAFinishedJobCallsAtOnce) {
  job_runner runner({.threads = 1});
  auto id = runner.submit("quick", [](job_context&) { return status::success(); });
  wait_finished(runner, id);
  bool called = false;
  EXPECT_TRUE(runner.when_finished(id, [&](const job_snapshot& s) { called = s.state == job_state::completed; }));
  EXPECT_TRUE(called);
  EXPECT_FALSE(runner.when_finished(424242, [](const job_snapshot&) {}));
}

TEST(JobRunner, RunsJobsInParallelOnSeveralThreads) {
  job_runner runner({.threads = 2});
  std::latch both(2);
  // Each job waits for the other: this only finishes if two run at once.
  auto a = runner.submit("a", [&](job_context&) { both.arrive_and_wait(); return status::success(); });
  auto b = runner.submit("b", [&](job_context&) { both.arrive_and_wait(); return status::success(); });
  EXPECT_EQ(wait_finished(runner, a).state, job_state::completed);
  EXPECT_EQ(wait_finished(runner, b).state, job_state::completed);
}

TEST(JobRunner, ShutdownCancelsQueuedJobsAndStopsRunningOnes) {
  std::atomic<bool> saw_cancel{false};
  job_id queued_id = 0;
  std::latch started(1);
  auto runner = std::make_unique<job_runner>(job_runner_options{.threads = 1});
  runner->submit("loop", [&](job_context& ctx) {
    started.count_down();
    while (!ctx.cancel_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    saw_cancel = true;
    return status(errc::cancelled, "");
  });
  bool queued_cancelled = false;
  queued_id = runner->submit("queued", [](job_context&) { return status::success(); });
  runner->when_finished(queued_id, [&](const job_snapshot& s) { queued_cancelled = s.state == job_state::cancelled; });
  started.wait();
  runner.reset();
  EXPECT_TRUE(saw_cancel);
  EXPECT_TRUE(queued_cancelled);
}

TEST(JobRunner, FinishedJobsArePrunedBeyondTheLimit) {
  job_runner runner({.threads = 1, .retention = std::chrono::seconds(3600), .max_finished = 3});
  job_id last = 0;
  for (int i = 0; i < 6; ++i) {
    last = runner.submit("n", [](job_context&) { return status::success(); });
    wait_finished(runner, last);
  }
  // Pruning happens on submit: the newest stay, the oldest went.
  EXPECT_LE(runner.list().size(), 4u);
  EXPECT_TRUE(runner.get(last));
  EXPECT_FALSE(runner.get(1));
}

}  // namespace
}  // namespace annot::host::jobs
