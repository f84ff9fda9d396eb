// The offload pool: grows a thread for a task that would wait behind blocked ones, up to its cap;
// extra threads leave after lingering idle; join() runs what was posted and never loses a task.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/elastic_pool.hpp"

namespace annot::host::http {
namespace {

using namespace std::chrono_literals;

// A gate the tasks block on until it opens.
struct gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void wait() {
    std::unique_lock l(m);
    cv.wait(l, [&] { return open; });
  }
  void release() {
    std::lock_guard l(m);
    open = true;
    cv.notify_all();
  }
};

template <class Pred>
bool eventually(Pred p, std::chrono::milliseconds limit = 5000ms) {
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(5ms))
    if (p()) return true;
  return p();
}

TEST(ElasticPool, GrowsPastBlockedTasksUpToItsCapAndShrinksBack) {
  elastic_pool pool(2, 5, 100ms);
  EXPECT_EQ(pool.threads(), 2u);
  gate g;
  std::atomic<int> started{0}, done{0};
  for (int i = 0; i < 7; ++i)
    pool.post([&] {
      ++started;
      g.wait();
      ++done;
    });
  ASSERT_TRUE(eventually([&] { return started.load() == 5; })) << started.load();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(started.load(), 5) << "more threads than the cap";
  EXPECT_EQ(pool.threads(), 5u);
  g.release();
  ASSERT_TRUE(eventually([&] { return done.load() == 7; }));
  EXPECT_TRUE(eventually([&] { return pool.threads() == 2u; }))
      << "the extra threads stayed: " << pool.threads();
  // And it grows again after shrinking.
  gate g2;
  std::atomic<int> again{0};
  for (int i = 0; i < 4; ++i)
    pool.post([&] {
      ++again;
      g2.wait();
    });
  EXPECT_TRUE(eventually([&] { return again.load() == 4; }));
  g2.release();
}

TEST(ElasticPool, JoinRunsEveryPostedTaskAndLaterPostsAreDropped) {
  std::atomic<int> ran{0};
  {
    elastic_pool pool(1, 1);
    for (int i = 0; i < 100; ++i)
      pool.post([&] {
        std::this_thread::sleep_for(100us);
        ++ran;
      });
    pool.join();
    EXPECT_EQ(ran.load(), 100);
    pool.post([&] { ++ran; });
    pool.join();
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ElasticPool, AThrowingTaskDoesNotTakeItsThreadDown) {
  elastic_pool pool(1, 1);
  std::atomic<bool> after{false};
  pool.post([] { throw std::runtime_error("boom"); });
  pool.post([&] { after = true; });
  EXPECT_TRUE(eventually([&] { return after.load(); }));
}

}  // namespace
}  // namespace annot::host::http
