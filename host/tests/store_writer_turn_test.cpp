// Two writing stores on one database (as `annot serve` and `annot import` are): while one writes back
// to back, the other's writes still get their turn, instead of polling SQLite's lock until its busy
// timeout says "database is locked". Two stores of one process lock like two processes (their own
// open file descriptions of the lock file, SQLite's locks shared across the process).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/sqlite/writer_turn.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

TEST(StoreWriterTurn, AWriterBesideOneThatNeverPausesGetsItsTurn) {
  temp_dir dir;
  store_options one_per_transaction;
  one_per_transaction.max_batch = 1;
  auto busy = open_at(dir.db(), one_per_transaction);
  auto other = open_at(dir.db());
  ASSERT_TRUE(busy && other);
  auto p = must(busy->run<project>([](write_context& w) { return w.create_project({}); }));

  // The busy store: 1,000 queued units of 2 ms each, one transaction each, so that its writer begins the
  // next transaction the moment it commits one, for two seconds.
  constexpr std::int64_t queued = 1000;
  std::atomic<bool> other_done{false};
  std::atomic<std::int64_t> busy_units{0};
  for (std::int64_t i = 0; i < queued; ++i)
    busy->submit(
        [&](write_context& w) -> status {
          auto t = w.create_task({p.id, R"({"by":"busy"})"});
          if (!t) return t.error();
          if (!other_done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          return status::success();
        },
        [&](const status& s) {
          if (s.ok()) ++busy_units;
        });
  while (busy_units.load() < 10) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  // Twenty writes of the other store, each waiting for one turn of the busy store's. With SQLite's busy
  // handler alone they came only once the busy store's queue had run dry.
  int written = 0;
  std::string error;
  for (int i = 0; i < 20; ++i) {
    auto t = other->run<task>([&](write_context& w) { return w.create_task({p.id, R"({"by":"other"})"}); });
    if (!t) {
      error = t.error().message();
      break;
    }
    ++written;
  }
  const std::int64_t busy_meanwhile = busy_units.load();
  other_done = true;
  busy->drain();
  EXPECT_EQ(written, 20) << error;
  EXPECT_LT(busy_meanwhile, queued / 2) << "the other store wrote only once the busy one had stopped";
  EXPECT_EQ(busy_units.load(), queued);
  raw_db db(dir.db());
  EXPECT_EQ(db.scalar(R"(SELECT count(*) FROM tasks WHERE json_extract(data, '$.by') = 'other')"), 20);
  EXPECT_EQ(db.scalar(R"(SELECT count(*) FROM tasks WHERE json_extract(data, '$.by') = 'busy')"), queued);
}

// A process stopped in the middle of its turn (SIGSTOP, a debugger) must not hang the others' writes for
// good: past the wait limit the turn is given up and the write goes on under SQLite's busy handler. And the
// turns alternate: a holder ending its turn waits at the gate for the one already waiting.
TEST(StoreWriterTurn, ATurnHeldTooLongIsGivenUpAndAWaiterGoesFirst) {
  temp_dir dir;
  const std::string lock = dir.db().string() + ".annot-lock";
  sqlite::writer_turn stopped(lock), waiting(lock, std::chrono::milliseconds(100));
  ASSERT_TRUE(stopped.take());
  EXPECT_FALSE(waiting.take()) << "waited for a turn nobody gives back";
  stopped.end();
  EXPECT_TRUE(waiting.take());
  waiting.end();

  // `first` holds the turn; `second` waits for it (holding the gate); `first` ends its turn and asks for the
  // next at once: `second` has its turn before `first` gets another.
  sqlite::writer_turn first(lock), second(lock);
  ASSERT_TRUE(first.take());
  std::atomic<int> order{0}, second_at{0}, first_again_at{0};
  std::atomic<bool> second_had{false};
  std::thread t([&] {
    second_had = second.take();
    second_at = ++order;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    second.end();
  });
  // Until `second` is at the gate (byte 1 of the lock file, seen from a description of our own).
  const int probe = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(probe, 0);
  bool at_gate = false;
  for (int i = 0; i < 5000 && !at_gate; ++i) {
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    l.l_start = 1;
    l.l_len = 1;
    at_gate = ::fcntl(probe, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
    if (!at_gate) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(probe);
  EXPECT_TRUE(at_gate) << "a writer waiting for the turn does not hold the gate";
  first.end();
  first.take();
  first_again_at = ++order;
  first.end();
  t.join();
  EXPECT_TRUE(second_had.load());
  EXPECT_EQ(second_at.load(), 1);
  EXPECT_EQ(first_again_at.load(), 2);
}

}  // namespace
}  // namespace annot::host::store
