// The export reader's two ways through a batch, seen through the store cursor: rows walked over a
// dense id range (tasks and annotations written in order, another project's rows in between) and
// the index path (ids spread out by another project's many tasks); annotations added to earlier
// tasks later come back under their task in id order; only-annotated batches that hold no task
// do not end the export; a project whose ids do not grow with its inner ids (the store never writes
// one, the dense walk assumes it and checks) loses no task; the work of an export grows with the
// project's size, not with its square, nor with other projects' tasks created between its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "export/store_cursor.hpp"
#include "export_cursor_support.hpp"
#include "sqlite_step_count.hpp"
#include "test_host.hpp"

namespace {

using nlohmann::json;
using namespace annot::host;
using annot::host::testing::read_all;

using annot::host::testing::export_text_config;

struct fixture {
  annot::host::testing::api_host host;
  std::int64_t user = 0;
  fixture() {
    host.start();
    user = host.make_user("reader@example.com").id;
  }
  std::int64_t task(store::write_context& w, std::int64_t project) {
    store::new_task n;
    n.project_id = project;
    n.data = json{{"text", "t"}}.dump();
    auto t = w.create_task(n);
    if (!t) throw std::runtime_error(t.error().message());
    return t->id;
  }
  // The upload a file import of "tasks.csv" makes (stored as "0123abcd-tasks.csv").
  annot::result<store::file_upload> upload(store::write_context& w, std::int64_t project) {
    store::new_file_upload u;
    u.project_id = project;
    u.file = std::to_string(project) + "/0123abcd-tasks.csv";
    u.original_name = "tasks.csv";
    return w.create_file_upload(u);
  }
  std::int64_t annotate(store::write_context& w, std::int64_t task_id) {
    store::new_annotation a;
    a.task_id = task_id;
    a.completed_by = user;
    a.result = "[]";
    auto made = w.create_annotation(a);
    if (!made) throw std::runtime_error(made.error().message());
    return made->id;
  }
};

// Checks every exported task against `expected` (task id -> its annotation ids in order).
void check(const std::vector<json>& tasks, const std::vector<std::int64_t>& order,
           std::map<std::int64_t, std::vector<std::int64_t>>& expected) {
  ASSERT_EQ(tasks.size(), order.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const std::int64_t id = tasks[i]["id"];
    EXPECT_EQ(id, order[i]) << i;
    std::vector<std::int64_t> got;
    for (const auto& a : tasks[i]["annotations"]) {
      EXPECT_EQ(a["task"], id);
      got.push_back(a["id"]);
    }
    EXPECT_EQ(got, expected[id]) << "task " << id;
  }
}

TEST(ExportReader, DenseAndSpreadBatchesLateAnnotationsAndEmptyBatches) {
  fixture f;
  const std::int64_t dense = f.host.make_project(export_text_config), spread = f.host.make_project(export_text_config),
                     other = f.host.make_project(export_text_config);
  std::vector<std::int64_t> dense_tasks, spread_tasks;
  std::map<std::int64_t, std::vector<std::int64_t>> annotations;
  auto made = f.host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < 40; ++i) {
      // Dense: one of `other`'s tasks (annotated) after each of its own.
      const std::int64_t t = f.task(w, dense);
      dense_tasks.push_back(t);
      if (i >= 12) annotations[t].push_back(f.annotate(w, t));  // the first 12 stay unannotated
      f.annotate(w, f.task(w, other));
    }
    // Annotations added later to earlier tasks, close enough to keep the range dense: they come
    // after the others in id order and must be put back under their tasks.
    for (std::int64_t t : {dense_tasks[30], dense_tasks[12], dense_tasks[30]}) annotations[t].push_back(f.annotate(w, t));
    for (int i = 0; i < 12; ++i) {
      // Spread: 150 of `other`'s tasks (and their annotations) between two of its own.
      const std::int64_t t = f.task(w, spread);
      spread_tasks.push_back(t);
      annotations[t].push_back(f.annotate(w, t));
      for (int k = 0; k < 150; ++k) f.annotate(w, f.task(w, other));
    }
    // And far away (the index path).
    for (std::int64_t t : {spread_tasks[0], spread_tasks[11], spread_tasks[0]}) annotations[t].push_back(f.annotate(w, t));
    return 0;
  });
  ASSERT_TRUE(made) << made.error().message();

  for (std::int64_t batch : {5, 7, 1000}) {
    for (bool only_annotated : {false, true}) {
      for (std::int64_t project : {dense, spread}) {
        exporting::cursor_options o;
        o.project_id = project;
        o.only_annotated = only_annotated;
        o.batch = batch;
        exporting::store_cursor cursor(f.host.db(), o);
        std::vector<std::int64_t> order = project == dense ? dense_tasks : spread_tasks;
        // The first 12 dense tasks are unannotated: with batch 5 or 7, whole batches hold no task.
        if (only_annotated) std::erase_if(order, [&](std::int64_t t) { return annotations[t].empty(); });
        SCOPED_TRACE("batch " + std::to_string(batch) + (only_annotated ? " annotated" : " all") +
                     (project == dense ? " dense" : " spread"));
        check(read_all(cursor), order, annotations);
      }
    }
  }
}

// An id list (ids[], a tab, a selection) read dense, as a range walk keeping the listed tasks, or
// spread, by lookups: the tasks left out, the other project's tasks between the listed ones and
// their annotations stay out; annotations added later come back under their tasks.
TEST(ExportReader, IdListsDenseAndSpreadReadOnlyTheirTasks) {
  fixture f;
  const std::int64_t project = f.host.make_project(export_text_config), other = f.host.make_project(export_text_config);
  std::vector<std::int64_t> tasks;
  std::map<std::int64_t, std::vector<std::int64_t>> annotations;
  auto made = f.host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < 60; ++i) {
      const std::int64_t t = f.task(w, project);
      tasks.push_back(t);
      if (i % 3 != 0) annotations[t].push_back(f.annotate(w, t));
      f.annotate(w, f.task(w, other));
    }
    for (std::int64_t t : {tasks[40], tasks[2], tasks[40]}) annotations[t].push_back(f.annotate(w, t));
    // Far away: a task that makes the whole list spread.
    for (int k = 0; k < 500; ++k) f.task(w, other);
    const std::int64_t far = f.task(w, project);
    tasks.push_back(far);
    annotations[far].push_back(f.annotate(w, far));
    return 0;
  });
  ASSERT_TRUE(made) << made.error().message();
  const std::int64_t far = tasks.back();

  std::vector<std::int64_t> all_but(tasks.begin(), tasks.end() - 1);
  std::erase_if(all_but, [&](std::int64_t t) { return t == tasks[2] || t == tasks[7] || t == tasks[40]; });
  std::vector<std::int64_t> with_far = all_but;
  with_far.push_back(far);
  for (std::int64_t batch : {5, 16, 1000}) {
    for (bool only_annotated : {false, true}) {
      for (const auto* ids : {&all_but, &with_far}) {
        exporting::cursor_options o;
        o.project_id = project;
        o.only_annotated = only_annotated;
        o.batch = batch;
        o.ids = *ids;
        o.ids.push_back(tasks[3]);  // listed twice, and out of order
        exporting::store_cursor cursor(f.host.db(), o);
        std::vector<std::int64_t> order = *ids;
        if (only_annotated) std::erase_if(order, [&](std::int64_t t) { return annotations[t].empty(); });
        SCOPED_TRACE("batch " + std::to_string(batch) + (only_annotated ? " annotated" : " all") +
                     (ids == &all_but ? " dense" : " with a far task"));
        check(read_all(cursor), order, annotations);
      }
    }
  }
}

// The dense walk takes a batch's id range from its first and last task by inner id, and the cursor
// walks child rows alongside tasks by id. Here a project's inner ids are permuted by hand (no store
// operation does that): reversed, so that a batch's first task has its largest id, and two tasks
// swapped, so that a batch's id range misses one of its tasks. Neither may lose a task or a row.
TEST(ExportReader, InnerIdsThatDoNotGrowWithIdsLoseNoTask) {
  for (const bool reversed : {true, false}) {
    fixture f;
    const std::int64_t project = f.host.make_project(export_text_config);
    std::vector<std::int64_t> tasks;
    std::map<std::int64_t, std::vector<std::int64_t>> annotations;
    auto made = f.host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
      for (int i = 0; i < 30; ++i) {
        const std::int64_t t = f.task(w, project);
        tasks.push_back(t);
        if (i % 3 != 0) annotations[t].push_back(f.annotate(w, t));
      }
      return 0;
    });
    ASSERT_TRUE(made) << made.error().message();
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((f.host.root() / "data" / "annot.db").c_str(), &raw), SQLITE_OK);
    sqlite3_busy_timeout(raw, 5000);
    const std::string p = std::to_string(project);
    // Through negative values: inner ids are unique per project.
    const std::string sql =
        reversed ? "UPDATE tasks SET inner_id = -inner_id WHERE project_id = " + p +
                       "; UPDATE tasks SET inner_id = 31 + inner_id WHERE project_id = " + p + ";"
                 : "UPDATE tasks SET inner_id = -inner_id WHERE project_id = " + p + " AND inner_id IN (6, 21);" +
                       "UPDATE tasks SET inner_id = 27 + inner_id WHERE project_id = " + p + " AND inner_id IN (-6, -21);";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(raw);
    std::vector<std::int64_t> order = tasks;
    if (reversed)
      std::reverse(order.begin(), order.end());
    else
      std::swap(order[5], order[20]);
    for (std::int64_t batch : {4, 7, 30, 1000}) {
      for (bool only_annotated : {false, true}) {
        exporting::cursor_options o;
        o.project_id = project;
        o.only_annotated = only_annotated;
        o.batch = batch;
        exporting::store_cursor cursor(f.host.db(), o);
        std::vector<std::int64_t> expected = order;
        if (only_annotated) std::erase_if(expected, [&](std::int64_t t) { return annotations[t].empty(); });
        SCOPED_TRACE("batch " + std::to_string(batch) + (only_annotated ? " annotated" : " all") +
                     (reversed ? " reversed" : " swapped"));
        check(read_all(cursor), expected, annotations);
      }
    }
  }
}

// Each batch is read in a snapshot of its own, so a project deleted after the export began is gone
// from the next batch. That must end the export with an error, never as the end of the tasks: the
// download would end with "]" and look whole, a stored export would be "completed" (the id-list path
// alike).
TEST(ExportReader, AProjectDeletedDuringTheExportIsAnErrorNotTheEnd) {
  for (const bool by_ids : {false, true}) {
    SCOPED_TRACE(by_ids ? "id list" : "whole project");
    fixture f;
    const std::int64_t project = f.host.make_project(export_text_config);
    std::vector<std::int64_t> ids;
    auto made = f.host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
      for (int i = 0; i < 200; ++i) ids.push_back(f.task(w, project));
      return 0;
    });
    ASSERT_TRUE(made) << made.error().message();
    exporting::cursor_options o;
    o.project_id = project;
    o.only_annotated = false;
    o.batch = 5;
    if (by_ids) o.ids = ids;
    exporting::store_cursor cursor(f.host.db(), o);
    std::string_view text;
    auto first = cursor.next(text);
    ASSERT_TRUE(first.ok() && *first) << (first.ok() ? "no task" : first.error().message());
    auto deleted = f.host.db().run([&](store::write_context& w) { return w.delete_project(project); });
    ASSERT_TRUE(deleted.ok()) << deleted.message();
    std::size_t read = 1;
    annot::result<bool> more = true;
    while ((more = cursor.next(text)).ok() && *more) ++read;
    ASSERT_FALSE(more.ok()) << "the export ended as if complete after " << read << " of 200 tasks";
    EXPECT_NE(more.error().message().find("was deleted while it was being exported"), std::string::npos)
        << more.error().message();
    EXPECT_LT(read, 200u);
  }
}

// The SQLite steps of exporting a project of `n` tasks (of one upload, as a file import makes
// them; every other one annotated) batch by batch.
std::int64_t export_steps(int n, bool only_annotated) {
  annot::host::testing::sqlite_step_count steps;
  fixture f;
  const std::int64_t project = f.host.make_project(export_text_config);
  auto made = f.host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    auto upload = f.upload(w, project);
    if (!upload) return upload.error();
    for (int i = 0; i < n; ++i) {
      store::new_task t;
      t.project_id = project;
      t.data = json{{"text", "t"}}.dump();
      t.file_upload_id = upload->id;
      auto task = w.create_task(t);
      if (!task) return task.error();
      if (i % 2 == 0) f.annotate(w, task->id);
    }
    return 0;
  });
  EXPECT_TRUE(made) << made.error().message();
  exporting::cursor_options o;
  o.project_id = project;
  o.only_annotated = only_annotated;
  o.batch = 100;
  exporting::store_cursor cursor(f.host.db(), o);
  steps.reset();
  const auto tasks = read_all(cursor);
  EXPECT_EQ(tasks.size(), only_annotated ? (n + 1) / 2 : n);
  if (!tasks.empty()) {
    EXPECT_EQ(tasks.back()["file_upload"], "0123abcd-tasks.csv");
  }
  return steps.count();
}

// Each batch's queries must be bounded by the batch, not by the project: a query that walks the
// whole project for every batch (as the upload names' once did, by the project index) made a JSON
// export of 200,000 file-imported tasks take 12 s instead of 0.6 s. Four times the tasks must cost
// about four times the steps; such a query makes it sixteen.
TEST(ExportReader, ExportWorkGrowsLinearlyWithTheProject) {
  for (bool only_annotated : {false, true}) {
    SCOPED_TRACE(only_annotated ? "annotated" : "all");
    const std::int64_t small = export_steps(1500, only_annotated), large = export_steps(6000, only_annotated);
    ASSERT_GT(small, 0) << "no SQLite step was counted";
    EXPECT_LT(static_cast<double>(large) / static_cast<double>(small), 5.0)
        << small << " steps, then " << large;
  }
}

// The SQLite steps of exporting project A (every task annotated, of one upload) when its tasks were
// created in turns with project B's: `chunks` alternates A's count and B's. Checks every exported
// task's annotations on the way.
std::int64_t export_steps_among(const std::vector<int>& chunks, bool items_only) {
  annot::host::testing::sqlite_step_count steps;
  fixture f;
  const std::int64_t a = f.host.make_project(export_text_config), b = f.host.make_project(export_text_config);
  std::vector<std::int64_t> order;
  std::map<std::int64_t, std::vector<std::int64_t>> expected;
  auto made = f.host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    auto upload = f.upload(w, a);
    if (!upload) return upload.error();
    for (std::size_t c = 0; c < chunks.size(); ++c)
      for (int i = 0; i < chunks[c]; ++i) {
        store::new_task t;
        t.project_id = c % 2 == 0 ? a : b;
        t.data = json{{"text", "t"}}.dump();
        if (c % 2 == 0) t.file_upload_id = upload->id;
        auto task = w.create_task(t);
        if (!task) return task.error();
        const std::int64_t annotation = f.annotate(w, task->id);
        if (c % 2 == 0) {
          order.push_back(task->id);
          expected[task->id].push_back(annotation);
        }
      }
    return 0;
  });
  EXPECT_TRUE(made) << made.error().message();
  exporting::cursor_options o;
  o.project_id = a;
  o.batch = 100;
  o.serialize.items_only = items_only;
  exporting::store_cursor cursor(f.host.db(), o);
  steps.reset();
  const auto tasks = read_all(cursor);
  EXPECT_EQ(tasks.size(), order.size());
  for (std::size_t i = 0; i < std::min(tasks.size(), order.size()); ++i) {
    EXPECT_EQ(tasks[i]["id"], order[i]) << i;
    std::vector<std::int64_t> got;
    for (const auto& annotation : tasks[i]["annotations"]) got.push_back(annotation["id"]);
    EXPECT_EQ(got, expected[order[i]]) << "task " << order[i];
  }
  if (!items_only && !tasks.empty()) {
    EXPECT_EQ(tasks.back()["file_upload"], "0123abcd-tasks.csv");
  }
  return steps.count();
}

// Another project's tasks created between a project's must not be read with it: a batch whose tasks
// straddled another project's import read every annotation of that import (one task added after
// another project's 20,000 doubled a 20,000-task JSON_MIN export), and projects filled in turns
// read each other's rows in every batch. A's export costs about what it costs alone.
TEST(ExportReader, AnotherProjectsTasksBetweenAProjectsAreNotRead) {
  for (bool items_only : {false, true}) {
    SCOPED_TRACE(items_only ? "items" : "tasks");
    const std::int64_t alone = export_steps_among({1200}, items_only);
    ASSERT_GT(alone, 0) << "no SQLite step was counted";
    const std::int64_t straddled = export_steps_among({650, 6000, 550}, items_only);
    std::vector<int> turns;
    for (int i = 0; i < 400; ++i) turns.insert(turns.end(), {3, 30});
    const std::int64_t in_turns = export_steps_among(turns, items_only);
    EXPECT_LT(static_cast<double>(straddled) / static_cast<double>(alone), 1.3) << alone << " steps alone, " << straddled;
    EXPECT_LT(static_cast<double>(in_turns) / static_cast<double>(alone), 1.3) << alone << " steps alone, " << in_turns;
  }
}

}  // namespace
