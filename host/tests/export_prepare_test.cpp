// Task preparers (SDK 1.5) on the host's cursors: every task is prepared exactly once and comes out in
// order, the same whether the reading thread or the consumer prepared it; a slow consumer gets help
// from the reading thread, on the batch it is in too; a preparer's error surfaces at its task; letting the
// preparer go mid-pass gives the rest as JSON text and no further call; a cursor destroyed mid-pass does not
// hang.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "export/file_cursor.hpp"
#include "export/store_cursor.hpp"
#include "export_cursor_support.hpp"
#include "test_host.hpp"

namespace {

using annot::host::testing::read_texts;

using nlohmann::json;
using namespace annot::host;

// Prepares a task as "<id>|<size of its text>", counting calls and the threads they ran on; fails at
// task `fail_id` when set.
class recording_preparer final : public annot::task_preparer {
 public:
  std::int64_t fail_id = 0;
  annot::status prepare(std::string_view task_json, std::string& prepared) const noexcept override {
    calls.fetch_add(1);
    const std::int64_t id = json::parse(task_json)["id"].get<std::int64_t>();
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
      prepared_on[id] = std::this_thread::get_id();
    }
    if (id == fail_id) return annot::status(annot::errc::invalid_argument, "cannot prepare task " + std::to_string(id));
    prepared += std::to_string(id) + "|" + std::to_string(task_json.size());
    return {};
  }
  mutable std::atomic<int> calls{0};
  mutable std::mutex mutex;
  mutable std::set<std::thread::id> threads;
  mutable std::map<std::int64_t, std::thread::id> prepared_on;  // task id -> the thread that prepared it
};

std::string prepared_form(const std::string& text) {
  return std::to_string(json::parse(text)["id"].get<std::int64_t>()) + "|" + std::to_string(text.size());
}

std::pair<std::int64_t, std::vector<std::int64_t>> make_tasks(annot::host::testing::api_host& host, int count) {
  const std::int64_t pid = host.make_project(annot::host::testing::export_text_config);
  std::vector<std::int64_t> ids;
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < count; ++i) {
      store::new_task n;
      n.project_id = pid;
      // Texts of different sizes, so a task out of place shows in its prepared form.
      n.data = json{{"text", std::string(static_cast<std::size_t>(i % 13), 'x') + std::to_string(i)}}.dump();
      auto t = w.create_task(n);
      if (!t) return t.error();
      ids.push_back(t->id);
    }
    return 0;
  });
  EXPECT_TRUE(made) << made.error().message();
  return {pid, ids};
}


exporting::cursor_options options_for(std::int64_t pid, std::int64_t batch, std::size_t prefetch) {
  exporting::cursor_options o;
  o.project_id = pid;
  o.only_annotated = false;
  o.batch = batch;
  o.prefetch = prefetch;
  return o;
}

// Each task's prepared form, in order: what a cursor with a recording_preparer must give.
std::vector<std::string> expected_prepared(annot::host::testing::api_host& host, std::int64_t pid) {
  exporting::store_cursor plain(host.db(), options_for(pid, 1000, 0));
  std::vector<std::string> out;
  for (const auto& t : read_texts(plain)) out.push_back(prepared_form(t));
  return out;
}

TEST(ExportPrepare, EveryTaskIsPreparedOnceAndComesOutInOrder) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 450);
  const std::vector<std::string> expected = expected_prepared(host, pid);
  ASSERT_EQ(expected.size(), ids.size());
  // Batches of one piece and of several (a piece is 16 tasks), read on the caller's thread or ahead.
  for (std::int64_t batch : {7, 64, 200, 1000})
    for (std::size_t prefetch : {0u, 1u, 2u, 5u}) {
      recording_preparer preparer;
      exporting::store_cursor cursor(host.db(), options_for(pid, batch, prefetch));
      ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
      EXPECT_EQ(read_texts(cursor), expected) << "batch " << batch << ", prefetch " << prefetch;
      EXPECT_EQ(preparer.calls.load(), static_cast<int>(ids.size())) << "batch " << batch << ", prefetch " << prefetch;
      EXPECT_EQ(cursor.delivered(), static_cast<std::int64_t>(ids.size()));
      ASSERT_TRUE(cursor.prepare_with(nullptr).ok());
    }
}

// A consumer slower than the reading thread: the reading thread, its queue full, prepares pieces
// waiting there; the result is the same.
TEST(ExportPrepare, TheReadingThreadPreparesForASlowConsumer) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 600);
  const std::vector<std::string> expected = expected_prepared(host, pid);
  recording_preparer preparer;
  exporting::store_cursor cursor(host.db(), options_for(pid, 200, 2));
  ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
  EXPECT_EQ(read_texts(cursor, SIZE_MAX, std::chrono::microseconds(200)), expected);
  EXPECT_EQ(preparer.calls.load(), 600);
  // The consumer may prepare some pieces too (when it takes a batch before the reading thread got to it),
  // or none (under load the reading thread can be ahead from the start).
  std::lock_guard lock(preparer.mutex);
  EXPECT_TRUE(preparer.threads.size() > 1 || !preparer.threads.count(std::this_thread::get_id()))
      << "the reading thread prepared nothing";
}

// Batches of three pieces, one waiting in the queue at most: the consumer takes the first batch, reads
// its first task and stalls; the reading thread reads the next batch and prepares the consumer's other
// two pieces from the far end. Before, it only helped with batches still in the queue.
TEST(ExportPrepare, TheReadingThreadHelpsWithTheBatchBeingConsumed) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 600);
  const std::vector<std::string> expected = expected_prepared(host, pid);
  recording_preparer preparer;
  exporting::store_cursor cursor(host.db(), options_for(pid, 48, 1));
  ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
  auto got = read_texts(cursor, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (auto& t : read_texts(cursor)) got.push_back(std::move(t));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(preparer.calls.load(), 600);
  std::lock_guard lock(preparer.mutex);
  ASSERT_EQ(preparer.prepared_on.size(), ids.size());
  EXPECT_NE(preparer.prepared_on.at(ids[47]), std::this_thread::get_id()) << "the batch's last piece";
  EXPECT_NE(preparer.prepared_on.at(ids[16]), std::this_thread::get_id()) << "the batch's second piece";
}

// The preparer fails at one task: the tasks before it come out, then its error, again on later calls;
// rewind drops the preparer, so the next pass gives JSON text.
TEST(ExportPrepare, APreparersErrorSurfacesAtItsTask) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 300);
  for (std::size_t prefetch : {0u, 2u})
    for (std::size_t at : {0u, 1u, 64u, 150u, 299u}) {
      recording_preparer preparer;
      preparer.fail_id = ids[at];
      exporting::store_cursor cursor(host.db(), options_for(pid, 100, prefetch));
      ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
      std::size_t got = 0;
      const annot::status error = annot::host::testing::read_until_error(cursor, [&](std::string_view t) {
        EXPECT_EQ(t.substr(0, t.find('|')), std::to_string(ids[got]));
        ++got;
      });
      EXPECT_EQ(got, at);
      EXPECT_EQ(error.code(), annot::errc::invalid_argument);
      EXPECT_EQ(error.message(), "cannot prepare task " + std::to_string(ids[at]));
      std::string_view t;
      auto again = cursor.next(t);
      ASSERT_FALSE(again.ok());
      EXPECT_EQ(again.error().message(), error.message());
      ASSERT_TRUE(cursor.rewind().ok());
      const auto second = read_texts(cursor);
      ASSERT_EQ(second.size(), ids.size());
      EXPECT_EQ(json::parse(second[at])["id"], ids[at]);
    }
}

// prepare_with(preparer) mid-pass is refused; prepare_with(nullptr) mid-pass lets the preparer go: the
// rest comes as JSON text, and the preparer is never called again.
TEST(ExportPrepare, LettingThePreparerGoMidPassGivesTheRestAsText) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 500);
  exporting::store_cursor plain(host.db(), options_for(pid, 100, 0));
  const auto raw = read_texts(plain);
  for (std::size_t prefetch : {0u, 1u, 3u})
    for (std::size_t stop_at : {1u, 64u, 90u, 250u}) {
      auto preparer = std::make_unique<recording_preparer>();
      exporting::store_cursor cursor(host.db(), options_for(pid, 100, prefetch));
      ASSERT_TRUE(cursor.prepare_with(preparer.get()).ok());
      const auto head = read_texts(cursor, stop_at);
      ASSERT_EQ(head.size(), stop_at);
      recording_preparer other;
      EXPECT_EQ(cursor.prepare_with(&other).code(), annot::errc::failed_precondition);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the reading thread is on a piece, likely
      ASSERT_TRUE(cursor.prepare_with(nullptr).ok());
      const int calls = preparer->calls.load();
      preparer.reset();  // a call after this is a use after free (ASan, or a crash)
      const auto rest = read_texts(cursor);
      ASSERT_EQ(head.size() + rest.size(), raw.size());
      for (std::size_t i = 0; i < head.size(); ++i) EXPECT_EQ(head[i], prepared_form(raw[i]));
      for (std::size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i], raw[stop_at + i]);
      EXPECT_GE(calls, static_cast<int>(stop_at));
      EXPECT_EQ(other.calls.load(), 0);
    }
}

// Destroyed mid-pass while the reading thread prepares: no hang (ctest's timeout is the failure).
TEST(ExportPrepare, DestructionMidPassStopsThePreparingThread) {
  annot::host::testing::api_host host;
  host.start();
  auto [pid, ids] = make_tasks(host, 400);
  recording_preparer preparer;
  for (int round = 0; round < 40; ++round) {
    exporting::store_cursor cursor(host.db(), options_for(pid, round % 2 ? 50 : 130, 1 + round % 3));
    ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
    const auto head = read_texts(cursor, static_cast<std::size_t>(round * 9 % 400));
    if (round % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
}

// A stored export's file cursor prepares inside next(), with the same rules.
TEST(ExportPrepare, FileCursorPreparesInsideNext) {
  const auto dir = std::filesystem::temp_directory_path() / ("annot_prepare_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "tasks.json";
  std::vector<std::string> raw;
  {
    std::ofstream out(file);
    out << "[";
    for (int i = 1; i <= 30; ++i) {
      raw.push_back(json{{"id", i}, {"data", {{"text", std::string(static_cast<std::size_t>(i), 'y')}}}}.dump());
      out << (i > 1 ? ",\n" : "\n") << raw.back();
    }
    out << "\n]";
  }
  exporting::file_cursor cursor(file, 30);
  recording_preparer preparer;
  preparer.fail_id = 20;
  ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
  std::string_view t;
  for (int i = 0; i < 19; ++i) {
    ASSERT_TRUE(cursor.next(t).ok());
    EXPECT_EQ(t, prepared_form(raw[static_cast<std::size_t>(i)]));
  }
  EXPECT_EQ(cursor.prepare_with(&preparer).code(), annot::errc::failed_precondition);
  auto failed = cursor.next(t);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "cannot prepare task 20");
  EXPECT_FALSE(cursor.next(t).ok());
  ASSERT_TRUE(cursor.rewind().ok());
  EXPECT_EQ(read_texts(cursor), raw);  // rewind dropped the preparer
  ASSERT_TRUE(cursor.rewind().ok());
  preparer.fail_id = 0;
  ASSERT_TRUE(cursor.prepare_with(&preparer).ok());
  const auto head = read_texts(cursor, 5);
  ASSERT_TRUE(cursor.prepare_with(nullptr).ok());
  const auto rest = read_texts(cursor);
  ASSERT_EQ(rest.size(), 25u);
  EXPECT_EQ(head[4], prepared_form(raw[4]));
  EXPECT_EQ(rest[0], raw[5]);
  std::filesystem::remove_all(dir);
}

}  // namespace
