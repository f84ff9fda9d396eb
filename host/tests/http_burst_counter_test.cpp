// burst_counter: when the server gives the heap back after memory-heavy handlers.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "http/burst_counter.hpp"

using annot::host::http::burst_counter;

TEST(BurstCounter, OneAtATimeIsNoBurst) {
  burst_counter c;
  for (int i = 0; i < 3; ++i) {
    c.started();
    EXPECT_FALSE(c.finished());
  }
}

TEST(BurstCounter, TheLastOfOverlappingOnesEndsTheBurst) {
  burst_counter c;
  c.started();
  c.started();
  c.started();
  EXPECT_FALSE(c.finished());
  c.started();  // joins the burst still running
  EXPECT_FALSE(c.finished());
  EXPECT_FALSE(c.finished());
  EXPECT_TRUE(c.finished());
  // Counting starts again: a lone one after the burst is no burst.
  c.started();
  EXPECT_FALSE(c.finished());
}

TEST(BurstCounter, TwoThatOverlapOnlyInPartAreABurst) {
  burst_counter c;
  c.started();
  c.started();
  EXPECT_FALSE(c.finished());
  // The second outlives the first and a third comes and goes meanwhile: one burst, ended by the last.
  c.started();
  EXPECT_FALSE(c.finished());
  EXPECT_TRUE(c.finished());
}

TEST(BurstCounter, ThreadsRacingEndOneBurstEachTime) {
  burst_counter c;
  for (int round = 0; round < 50; ++round) {
    constexpr int n = 8;
    for (int i = 0; i < n; ++i) c.started();  // all in flight before any ends
    std::atomic<int> ends{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back([&] { ends += c.finished() ? 1 : 0; });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ends.load(), 1) << "round " << round;
  }
}
