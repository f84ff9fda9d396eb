// The store cursor's reading thread: batches come out in order across their boundaries and equal to
// the same cursor reading on the caller's thread, rewind mid-run starts over, a reader error and a
// cancellation surface from next() after the tasks read before them, and a cursor destroyed
// mid-run stops its thread.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "export/store_cursor.hpp"
#include "export_cursor_support.hpp"
#include "test_host.hpp"

namespace {

using annot::host::testing::read_texts;

using nlohmann::json;
using namespace annot::host;

using annot::host::testing::export_text_config;

// `count` tasks of a new project, every other one annotated, every fifth with a draft: returns the
// project and its task ids in order.
std::pair<std::int64_t, std::vector<std::int64_t>> make_tasks(annot::host::testing::api_host& host, int count) {
  auto user = host.make_user("prefetch@example.com");
  const std::int64_t pid = host.make_project(export_text_config);
  std::vector<std::int64_t> ids;
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < count; ++i) {
      store::new_task n;
      n.project_id = pid;
      n.data = json{{"text", "task number " + std::to_string(i)}}.dump();
      auto t = w.create_task(n);
      if (!t) return t.error();
      ids.push_back(t->id);
      if (i % 2 == 0) {
        store::new_annotation a;
        a.task_id = t->id;
        a.completed_by = user.id;
        a.result = R"([{"from_name":"label","to_name":"text","type":"labels","value":{"start":0,"end":4,"labels":["A"]}}])";
        if (auto made_a = w.create_annotation(a); !made_a) return made_a.error();
      }
      if (i % 5 == 0) {
        store::new_draft d;
        d.task_id = t->id;
        d.user_id = user.id;
        if (auto dr = w.create_draft(d); !dr) return dr.error();
      }
    }
    return 0;
  });
  EXPECT_TRUE(made) << made.error().message();
  return {pid, ids};
}


std::int64_t id_of(const std::string& text) { return json::parse(text)["id"].get<std::int64_t>(); }

TEST(ExportPrefetch, BatchesKeepTheirOrderAndEqualReadingOnTheCallersThread) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 203);
  for (bool only_annotated : {false, true}) {
    exporting::cursor_options o;
    o.project_id = pid;
    o.only_annotated = only_annotated;
    o.batch = 7;
    o.prefetch = 0;
    exporting::store_cursor plain(host.db(), o);
    const auto expected = read_texts(plain);
    ASSERT_EQ(expected.size(), only_annotated ? 102u : 203u);
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(id_of(expected[i]), ids[only_annotated ? 2 * i : i]) << i;
    for (std::size_t prefetch : {1u, 2u, 3u, 40u}) {
      o.prefetch = prefetch;
      std::vector<std::int64_t> progress;
      o.progress = [&](std::int64_t done) { progress.push_back(done); };
      exporting::store_cursor ahead(host.db(), o);
      EXPECT_EQ(read_texts(ahead), expected) << "prefetch " << prefetch;
      EXPECT_EQ(ahead.delivered(), static_cast<std::int64_t>(expected.size()));
      // One call per batch handed out, with the tasks before it. A pass reads the project's first
      // task alone, then batches of its next 7 tasks; only-annotated keeps the even ones of them.
      std::vector<std::int64_t> batches;
      for (std::int64_t first = 0, before = 0; first < 203; first = first == 0 ? 1 : first + 7) {
        batches.push_back(before);
        for (std::int64_t i = first; i < std::min<std::int64_t>(first == 0 ? 1 : first + 7, 203); ++i)
          before += !only_annotated || i % 2 == 0;
      }
      EXPECT_EQ(progress, batches);
      o.progress = nullptr;
    }
  }
  // Selected ids go through the same thread.
  exporting::cursor_options o;
  o.project_id = pid;
  o.only_annotated = false;
  o.batch = 3;
  o.ids = {ids[100], ids[4], ids[5], ids[6], ids[7], ids[150], ids[9]};
  exporting::store_cursor picked(host.db(), o);
  std::vector<std::int64_t> got;
  for (const auto& t : read_texts(picked)) got.push_back(id_of(t));
  EXPECT_EQ(got, (std::vector<std::int64_t>{ids[4], ids[5], ids[6], ids[7], ids[9], ids[100], ids[150]}));
}

TEST(ExportPrefetch, RewindMidRunStartsOver) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 120);
  exporting::cursor_options o;
  o.project_id = pid;
  o.only_annotated = false;
  o.batch = 10;
  o.prefetch = 2;
  exporting::store_cursor cursor(host.db(), o);
  // Stop inside a batch, at a batch boundary, and before anything was read.
  for (std::size_t stop_at : {35u, 20u, 1u, 0u}) {
    auto head = read_texts(cursor, stop_at);
    ASSERT_EQ(head.size(), stop_at);
    ASSERT_TRUE(cursor.rewind().ok());
    EXPECT_EQ(cursor.delivered(), 0);
    auto all = read_texts(cursor);
    ASSERT_EQ(all.size(), ids.size()) << "rewound after " << stop_at;
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(id_of(all[i]), ids[i]);
    for (std::size_t i = 0; i < head.size(); ++i) EXPECT_EQ(head[i], all[i]);
    ASSERT_TRUE(cursor.rewind().ok());
  }
  // A pass read to its end rewinds too (CSV's second pass).
  const auto first = read_texts(cursor);
  ASSERT_TRUE(cursor.rewind().ok());
  EXPECT_EQ(read_texts(cursor), first);
}

// The drafts table goes away under the export: the batches read before are handed out in order, then
// the reader's error, again on every later call; rewind after it reads again once the table is back.
TEST(ExportPrefetch, ReaderErrorSurfacesFromNext) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 100);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((host.root() / "data" / "annot.db").c_str(), &raw), SQLITE_OK);
  sqlite3_busy_timeout(raw, 5000);
  auto exec = [&](const char* sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(raw, sql, nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  };
  for (std::size_t prefetch : {0u, 1u, 2u}) {
    exporting::cursor_options o;
    o.project_id = pid;
    o.only_annotated = false;
    o.batch = 5;
    o.prefetch = prefetch;
    exporting::store_cursor cursor(host.db(), o);
    std::string_view t;
    ASSERT_TRUE(cursor.next(t).ok());
    std::vector<std::int64_t> got = {id_of(std::string(t))};
    exec("ALTER TABLE drafts RENAME TO drafts_away");
    const annot::status error = annot::host::testing::read_until_error(
        cursor, [&](std::string_view text) { got.push_back(id_of(std::string(text))); });
    EXPECT_NE(error.message().find("drafts"), std::string::npos) << error.message();
    // What came before the error is the start of the project, in order; at most the batches read
    // ahead (and the one being read) got through.
    ASSERT_LT(got.size(), ids.size());
    EXPECT_LE(got.size(), 5 * (prefetch + 2));
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], ids[i]);
    auto again = cursor.next(t);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().message(), error.message());
    exec("ALTER TABLE drafts_away RENAME TO drafts");
    ASSERT_TRUE(cursor.rewind().ok());
    EXPECT_EQ(read_texts(cursor).size(), ids.size());
  }
  sqlite3_close(raw);
}

TEST(ExportPrefetch, CancellationEndsTheRunAtTheNextBatch) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 100);
  std::atomic<bool> cancelled{false};
  exporting::cursor_options o;
  o.project_id = pid;
  o.only_annotated = false;
  o.batch = 10;
  o.cancelled = &cancelled;
  exporting::store_cursor cursor(host.db(), o);
  auto head = read_texts(cursor, 15);
  ASSERT_EQ(head.size(), 15u);
  cancelled = true;
  std::string_view t;
  // The batch being handed out (tasks 11-20: a pass reads one task, then batches of 10) finishes; the
  // next one is refused although it was read ahead.
  for (int i = 15; i < 21; ++i) ASSERT_TRUE(cursor.next(t).ok());
  auto more = cursor.next(t);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code(), annot::errc::cancelled);
}

// Destroyed before the end, the cursor stops its reading thread whether it is reading, waiting for
// room or done; a hang here is the test's failure (ctest's timeout).
TEST(ExportPrefetch, DestructionMidRunStopsTheReadingThread) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 300);
  for (int round = 0; round < 60; ++round) {
    exporting::cursor_options o;
    o.project_id = pid;
    o.only_annotated = false;
    o.batch = round % 3 == 0 ? 1 : 17;
    o.prefetch = 1 + round % 3;
    exporting::store_cursor cursor(host.db(), o);
    const std::size_t stop_at = static_cast<std::size_t>(round * 5 % 300);
    auto head = read_texts(cursor, stop_at);
    ASSERT_EQ(head.size(), stop_at);
    if (!head.empty()) {
      EXPECT_EQ(id_of(head.back()), ids[stop_at - 1]);
    }
    if (round % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let it fill the queue
  }
  // Never read: no thread was started, nothing to stop.
  exporting::cursor_options o;
  o.project_id = pid;
  exporting::store_cursor unused(host.db(), o);
  EXPECT_EQ(unused.delivered(), 0);
}

}  // namespace
