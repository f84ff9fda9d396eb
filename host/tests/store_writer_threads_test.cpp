// The writer's side threads: callbacks run on the completion thread (drain() waits for what they
// queue), and under steady writes the WAL is folded back to its start at checkpoint_pages instead
// of growing with every commit, also with readers busy beside it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

// Small WAL threshold so that a few seconds of writes fold it many times.
store_options folding_options(unsigned readers = 1) {
  store_options o;
  o.checkpoint_pages = 1024;  // 4 MiB
  o.max_batch = 32;
  o.readers = readers;
  return o;
}

// ~60 MB of task data queued at once, so batches follow each other with no idle moment in which
// the checkpointer alone could let SQLite start the WAL over. Returns how many writes failed.
int queue_padded_tasks(store& s, std::int64_t project_id, int n) {
  const std::string pad(2000, 'x');
  std::atomic<int> failed{0};
  for (int i = 0; i < n; ++i) {
    s.submit(
        [&, i](write_context& w) -> status {
          auto t = w.create_task({project_id, R"({"n":)" + std::to_string(i) + R"(,"pad":")" + pad + R"("})"});
          return t.ok() ? status::success() : t.error();
        },
        [&](const status& st) {
          if (!st.ok()) ++failed;
        });
  }
  s.drain();
  return failed.load();
}

// The WAL file keeps the largest size it reached. Unfolded it holds every page written (more than
// the database); folded, checkpoint_pages plus what was written while the checkpointer held the
// checkpoint (the writer retries after each batch), the checkpointer run a fold waits for, or a
// fold waited 100 ms.
void expect_wal_folded(const temp_dir& dir) {
  auto wal = std::filesystem::file_size(dir.db().string() + "-wal");
  auto db = std::filesystem::file_size(dir.db());
  EXPECT_LT(wal, db / 2) << "WAL bytes " << wal << ", database bytes " << db;
}

TEST(StoreWriterThreads, DrainWaitsForWorkACallbackQueues) {
  temp_dir dir;
  auto s = open_at(dir.db());
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });

  std::atomic<bool> second_ran{false};
  std::atomic<bool> callback_thread_is_writer{true};
  std::atomic<std::thread::id> writer_id{};
  s->submit(
      [&](write_context& w) -> status {
        writer_id = std::this_thread::get_id();
        auto t = w.create_task({p.id, R"({"n":1})"});
        return t.ok() ? status::success() : t.error();
      },
      [&](const status& st) {
        EXPECT_TRUE(st.ok()) << st.message();
        callback_thread_is_writer = std::this_thread::get_id() == writer_id.load();
        // Queued from the callback, after the writer may already be idle: drain() must wait for it.
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        s->submit(
            [&](write_context& w) -> status {
              std::this_thread::sleep_for(std::chrono::milliseconds(30));
              auto t = w.create_task({p.id, R"({"n":2})"});
              second_ran = t.ok();
              return t.ok() ? status::success() : t.error();
            },
            nullptr);
      });
  s->drain();
  EXPECT_TRUE(second_ran.load());
  EXPECT_FALSE(callback_thread_is_writer.load());
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM tasks"), 2);
}

TEST(StoreWriterThreads, SteadyWritesFoldTheWalAtCheckpointPages) {
  temp_dir dir;
  auto s = open_at(dir.db(), folding_options());
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  constexpr int n = 30000;
  EXPECT_EQ(queue_padded_tasks(*s, p.id, n), 0);
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM tasks"), n);
  expect_wal_folded(dir);
}

// A read after a commit sees it, lease after lease on the same connection (a guard for any reuse
// of snapshots between leases).
TEST(StoreReaderSnapshots, AReadAfterACommitSeesIt) {
  temp_dir dir;
  store_options o;
  o.readers = 1;  // the same connection, lease after lease
  auto s = open_at(dir.db(), o);
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  for (int i = 1; i <= 50; ++i) {
    write<task>(*s, [&](write_context& w) { return w.create_task({p.id, R"({"n":1})"}); });
    EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, i);
    EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, i) << "the next lease is as new";
  }
}

// Readers used before steady writes and idle since must not stop the checkpoints at their marks:
// the WAL would then grow with every commit (a guard for any reuse of snapshots between leases).
TEST(StoreReaderSnapshots, AnIdleReadersSnapshotDoesNotHoldTheWalBack) {
  temp_dir dir;
  auto s = open_at(dir.db(), folding_options(4));
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  {
    // Four readers, all used before the writes.
    std::vector<read_lease> leases;
    for (int i = 0; i < 4; ++i) {
      leases.push_back(s->read());
      ASSERT_TRUE(leases.back()->get_project(p.id).ok());
    }
  }
  constexpr int n = 30000;
  EXPECT_EQ(queue_padded_tasks(*s, p.id, n), 0);
  EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, n);
  expect_wal_folded(dir);
}

// An idle host's readers, used once and idle since, must not hold another process's WAL back
// (`annot import` beside an idle `annot serve`): a kept snapshot ends once stale even with no
// lease to come (a guard for any reuse of snapshots between leases).
TEST(StoreReaderSnapshots, AnIdleStoresSnapshotDoesNotHoldAnotherStoresWalBack) {
  temp_dir dir;
  auto idle = open_at(dir.db(), folding_options(2));
  auto p = write<project>(*idle, [](write_context& w) { return w.create_project({}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // the writer is quiet: snapshots are kept
  {
    auto a = idle->read();
    auto b = idle->read();
    ASSERT_TRUE(a->get_project(p.id).ok());
    ASSERT_TRUE(b->get_project(p.id).ok());
  }
  auto other = open_at(dir.db(), folding_options());
  EXPECT_EQ(queue_padded_tasks(*other, p.id, 30000), 0);
  EXPECT_EQ(must(idle->read()->get_project(p.id)).task_number, 30000);
  expect_wal_folded(dir);
}

// Reads between the writer's batches (what an API under write load does: every POST reads its
// task first): the fold must still get the WAL to start over (a guard for any reuse of snapshots
// between leases, which made the WAL grow 5-20 fold here).
TEST(StoreReaderSnapshots, ReadsBetweenBatchesDoNotHoldTheWalBack) {
  temp_dir dir;
  auto s = open_at(dir.db(), folding_options(4));
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  std::atomic<bool> done{false};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      while (!done) {
        if (s->read()->get_project(p.id).ok()) ++reads;
      }
    });
  EXPECT_EQ(queue_padded_tasks(*s, p.id, 30000), 0);
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  expect_wal_folded(dir);
}

}  // namespace
}  // namespace annot::host::store
