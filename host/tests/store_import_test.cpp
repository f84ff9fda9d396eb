// Import staging (invisible until published, counters and summary applied on publish, other
// writers not blocked), failed imports removed, and crash safety: a process killed with SIGKILL
// mid-import leaves nothing of the import after restart, and every write acknowledged before a
// SIGKILL is there after restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

std::vector<import_task> generated(int n, int offset = 0) {
  std::vector<import_task> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& t = out[std::size_t(i)];
    t.data = R"({"image":"https://example.com/)" + std::to_string(offset + i) + R"(.jpg","split":")" +
             (i % 2 ? "train" : "test") + "\"}";
    import_prediction p;
    p.result = R"([{"from_name":"label","to_name":"image","type":"choices","value":{"choices":["cat"]}}])";
    p.score = 0.5;
    p.model_version = "m1";
    t.predictions.push_back(p);
  }
  return out;
}

TEST(StoreImport, StagedRowsAreInvisibleUntilPublished) {
  ANNOT_SKIP_WITHOUT_FIXTURES();
  temp_dir dir;
  auto s = open_at(dir.db());
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  auto imp = write<import_record>(*s, [&](write_context& w) {
    return w.begin_import({p.id, std::nullopt, {}, R"({"source":"test"})"});
  });
  EXPECT_EQ(imp.status, import_status::created);
  auto tasks = ls_tasks(read_json(fixtures() / "tasks_annotations_predictions.json"));
  auto batch = write<staged_batch>(*s, [&](write_context& w) { return w.stage_tasks(imp.id, tasks); });
  ASSERT_EQ(batch.task_ids.size(), 6u);
  EXPECT_EQ(batch.annotation_count, 4);
  EXPECT_EQ(batch.prediction_count, 3);

  {
    auto r = s->read();
    EXPECT_EQ(r->get_task(batch.task_ids[0]).error().code(), errc::not_found);
    EXPECT_TRUE(must(r->list_project_tasks(p.id, 0, 100)).empty());
    EXPECT_TRUE(must(r->list_annotations(batch.task_ids)).empty());
    EXPECT_TRUE(must(r->list_task_predictions(batch.task_ids)).empty());
    EXPECT_TRUE(must(r->model_versions(p.id)).empty());
    auto q = must(parse_dm_query(p.id, R"({"filters":{"conjunction":"and","items":[
        {"filter":"filter:tasks:id","operator":"greater","type":"Number","value":0}]}})"));
    EXPECT_EQ(must(r->query_tasks(q)).total, 0);
    EXPECT_EQ(must(r->query_tasks(must(parse_dm_query(p.id, "{}")))).tasks.size(), 0u);
    auto pr = must(r->get_project(p.id));
    EXPECT_EQ(pr.task_number, 0);
    EXPECT_EQ(pr.total_annotations_number, 0);
    EXPECT_TRUE(must(r->get_project_summary(p.id)).all_data_columns.empty());
    EXPECT_EQ(must(r->get_import(imp.id)).status, import_status::in_progress);
    EXPECT_EQ(r->import_task_ids(imp.id).error().code(), errc::failed_precondition);
  }
  expect_counters_consistent(dir.db());

  // Other writers go on meanwhile, in the same project.
  auto other = write<task>(*s, [&](write_context& w) { return w.create_task({p.id, R"({"text":"live"})"}); });
  EXPECT_EQ(other.inner_id, 7) << "inner ids never collide with staged rows";
  EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, 1);

  import_outcome o;
  o.duration = 1.5;
  o.found_formats = R"({".json":1})";
  o.data_columns = R"(["int_field","text"])";
  auto done = write<import_record>(*s, [&](write_context& w) { return w.publish_import(imp.id, o); });
  EXPECT_EQ(done.status, import_status::completed);
  EXPECT_FALSE(done.rows_hidden);
  EXPECT_EQ(done.task_count, 6);
  EXPECT_EQ(done.annotation_count, 4);
  EXPECT_EQ(done.prediction_count, 3);
  EXPECT_EQ(done.found_formats, R"({".json":1})");
  EXPECT_EQ(done.meta, R"({"source":"test"})");
  EXPECT_TRUE(done.finished_at.has_value());

  auto r = s->read();
  auto pr = must(r->get_project(p.id));
  EXPECT_EQ(pr.task_number, 7);
  EXPECT_EQ(pr.total_annotations_number, 4);
  EXPECT_EQ(pr.total_predictions_number, 3);
  EXPECT_EQ(pr.num_tasks_with_annotations, 0)
      << "every imported annotation is ground truth, which Label Studio leaves out";
  EXPECT_EQ(pr.finished_task_number, 3);
  EXPECT_EQ(pr.ground_truth_number, 4);
  EXPECT_EQ(pr.model_version, "undefined") << "set from the last imported prediction when empty";
  auto sum = must(r->get_project_summary(p.id));
  EXPECT_EQ(sum.all_data_columns.at("text"), 7);
  EXPECT_EQ(sum.all_data_columns.at("int_field"), 4);
  EXPECT_EQ(sum.common_data_columns, std::vector<std::string>{"text"});
  EXPECT_EQ(sum.created_annotations.at("text_class|text|choices"), 4);
  EXPECT_EQ(sum.created_labels.at("text_class").at("class_A"), 3);
  EXPECT_EQ(sum.created_labels.at("text_class").at("class_TESTING"), 1);
  EXPECT_EQ(must(r->import_task_ids(imp.id)), batch.task_ids);
  EXPECT_EQ(must(r->list_annotations(batch.task_ids)).size(), 4u);
  r.reset();
  expect_counters_consistent(dir.db());

  auto again = s->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp.id, tasks); });
  EXPECT_EQ(again.error().code(), errc::failed_precondition);
  EXPECT_EQ(s->run([&](write_context& w) { return w.fail_import(imp.id, "late"); }).code(),
            errc::failed_precondition);
}

TEST(StoreImport, KeepsTimestampsAndOriginalIds) {
  ANNOT_SKIP_WITHOUT_FIXTURES();
  temp_dir dir;
  auto s = open_at(dir.db());
  auto export_item = read_json(fixtures() / "previous_export.json");
  auto [pid, ids] = import_project(*s, ls_tasks(nlohmann::json::array({export_item})));
  auto anns = must(s->read()->list_annotations(ids));
  ASSERT_EQ(anns.size(), 1u);
  EXPECT_EQ(*anns[0].import_id, 5678);
  EXPECT_EQ(to_iso8601(anns[0].created_at), "2021-07-06T06:06:25.927570Z");
  EXPECT_EQ(to_iso8601(anns[0].updated_at), "2021-07-06T06:44:08.446371Z");
  EXPECT_FALSE(anns[0].ground_truth);
  EXPECT_TRUE(anns[0].bulk_created);
  EXPECT_EQ(to_iso8601(*must(s->read()->get_task(ids[0])).completed_at), "2021-07-06T06:06:25.927570Z");
  (void)pid;
}

TEST(StoreImport, BadBatchesWriteNothingAndFailedImportsArePurged) {
  temp_dir dir;
  store_options o;
  o.purge_batch = 7;
  auto s = open_at(dir.db(), o);
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  auto imp = write<import_record>(*s, [&](write_context& w) { return w.begin_import({p.id}); });
  write<staged_batch>(*s, [&](write_context& w) { return w.stage_tasks(imp.id, generated(30)); });
  auto bad = generated(3);
  bad[2].data = R"({"image": oops})";
  auto r = s->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp.id, bad); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), errc::invalid_argument);
  EXPECT_NE(r.error().message().find("task 2"), std::string::npos) << r.error().message();
  // Data the store's reader cannot keep exactly is named for what it is, not as "not an object".
  for (const auto& [data, words] : std::vector<std::pair<std::string, std::string>>{
           {R"({"n": 123456789012345678901234567890})", "a number beyond 64-bit integers"},
           {R"({"s": "lone \ud800 x"})", "lone UTF-16 surrogate"},
           {R"([1, 2])", "data must be a JSON object"}}) {
    bad = generated(1);
    bad[0].data = data;
    r = s->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp.id, bad); });
    ASSERT_FALSE(r.ok()) << data;
    EXPECT_NE(r.error().message().find(words), std::string::npos) << r.error().message();
  }
  bad = generated(2);
  bad[1].annotations.push_back({});
  bad[1].annotations[0].result = R"({"a":1})";
  r = s->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp.id, bad); });
  EXPECT_NE(r.error().message().find("annotations[0].result"), std::string::npos) << r.error().message();
  // So is a result the store cannot keep: not "must be a JSON list" for a list it cannot read.
  bad[1].annotations[0].result = R"([{"value": {"x": 123456789012345678901234567890}}])";
  r = s->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp.id, bad); });
  EXPECT_NE(r.error().message().find("annotations[0].result holds a number beyond 64-bit integers"),
            std::string::npos)
      << r.error().message();
  raw_db db(dir.db());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tasks"), 30);

  must(s->run([&](write_context& w) { return w.fail_import(imp.id, "the file was truncated"); }));
  s->drain();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tasks"), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM predictions"), 0);
  auto rec = must(s->read()->get_import(imp.id));
  EXPECT_EQ(rec.status, import_status::failed);
  EXPECT_EQ(rec.error, "the file was truncated");
  EXPECT_EQ(rec.task_count, 0) << "a failed import keeps none of the rows it staged";
  EXPECT_EQ(rec.prediction_count, 0);
  EXPECT_FALSE(rec.rows_hidden);
  EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, 0);
  expect_counters_consistent(dir.db());
}

// ---- crash safety -------------------------------------------------------------------------------------

// Reads exactly n bytes unless the writer end closed.
bool read_all(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t k = ::read(fd, p, n);
    if (k <= 0) return false;
    p += k;
    n -= std::size_t(k);
  }
  return true;
}

void write_all(int fd, const void* buf, std::size_t n) {
  auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t k = ::write(fd, p, n);
    if (k <= 0) _exit(3);
    p += k;
    n -= std::size_t(k);
  }
}

TEST(StoreCrash, AnImportKilledMidwayIsRemovedAtRestart) {
  temp_dir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child: earlier data published, then an import that never finishes.
    close(fds[0]);
    store_options o;
    o.location = dir.db().string();
    auto s = open_store(o);
    if (!s) _exit(2);
    auto& st = **s;
    auto p = st.run<project>([](write_context& w) { return w.create_project({}); });
    auto imp0 = st.run<import_record>([&](write_context& w) { return w.begin_import({p->id}); });
    (void)st.run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp0->id, generated(5)); });
    (void)st.run<import_record>([&](write_context& w) { return w.publish_import(imp0->id, {}); });
    auto imp = st.run<import_record>([&](write_context& w) { return w.begin_import({p->id}); });
    std::int64_t header[2] = {p->id, imp->id};
    write_all(fds[1], header, sizeof header);
    for (int batch = 0;; ++batch) {
      auto b = st.run<staged_batch>(
          [&](write_context& w) { return w.stage_tasks(imp->id, generated(500, batch * 500)); });
      if (!b) _exit(4);
      char one = 1;
      write_all(fds[1], &one, 1);
    }
  }
  close(fds[1]);
  std::int64_t header[2];
  ASSERT_TRUE(read_all(fds[0], header, sizeof header));
  char c;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(read_all(fds[0], &c, 1));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  {
    raw_db before(dir.db());
    EXPECT_GE(before.scalar("SELECT count(*) FROM tasks WHERE import_id = " + std::to_string(header[1])),
              2000)
        << "the import was well under way";
  }

  auto s = open_at(dir.db());
  ASSERT_TRUE(s);
  auto rec = must(s->read()->get_import(header[1]));
  EXPECT_EQ(rec.status, import_status::failed);
  EXPECT_NE(rec.error.find("interrupted"), std::string::npos);
  EXPECT_TRUE(must(s->read()->list_project_tasks(header[0], 0, 100)).size() == 5u)
      << "hidden from the first moment";
  s->drain();
  raw_db after(dir.db());
  EXPECT_EQ(after.scalar("SELECT count(*) FROM tasks WHERE import_id = " + std::to_string(header[1])), 0);
  EXPECT_EQ(after.scalar("SELECT count(*) FROM tasks"), 5);
  EXPECT_EQ(after.scalar("SELECT count(*) FROM predictions"), 5);
  EXPECT_EQ(must(s->read()->get_project(header[0])).task_number, 5);
  expect_counters_consistent(dir.db());
}

// `annot export` (or `annot user`) opening the database while `annot serve` imports must leave the
// server's import alone: only a store that has the database to itself fails imports in progress.
TEST(StoreImport, AnImportInProgressSurvivesAnotherProcessOpeningTheDatabase) {
  temp_dir dir;
  std::int64_t project_id = 0, import_id = 0;
  {
    auto server = open_at(dir.db());
    ASSERT_TRUE(server);
    auto p = must(server->run<project>([](write_context& w) { return w.create_project({}); }));
    project_id = p.id;
    auto imp = must(server->run<import_record>([&](write_context& w) { return w.begin_import({p.id}); }));
    import_id = imp.id;
    must(server->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp.id, generated(50)); }));
    {
      // A second store on the same file (flock conflicts between two opens of one process as
      // between two processes): the import is not its to fail.
      auto cli = open_at(dir.db());
      ASSERT_TRUE(cli);
      EXPECT_EQ(must(cli->read()->get_import(import_id)).status, import_status::in_progress);
    }
    must(server->run<staged_batch>([&](write_context& w) { return w.stage_tasks(import_id, generated(50, 50)); }));
    auto done = must(server->run<import_record>([&](write_context& w) { return w.publish_import(import_id, {}); }));
    EXPECT_EQ(done.status, import_status::completed);
    EXPECT_EQ(must(server->read()->list_project_tasks(project_id, 0, 1000)).size(), 100u);
    // An import left unfinished when every store has closed was interrupted.
    auto left = must(server->run<import_record>([&](write_context& w) { return w.begin_import({project_id}); }));
    import_id = left.id;
  }
  auto restarted = open_at(dir.db());
  ASSERT_TRUE(restarted);
  auto rec = must(restarted->read()->get_import(import_id));
  EXPECT_EQ(rec.status, import_status::failed);
  EXPECT_NE(rec.error.find("interrupted"), std::string::npos);
}

// `annot import` killed while `annot serve` runs: the server's store fails the import (and purges its staged
// rows) within a few sweeps, without a restart; while the importing process lives, no sweep touches it.
TEST(StoreImport, AnImportWhoseProcessIsKilledIsFailedWhileTheServerRuns) {
  temp_dir dir;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  // Forked before this process opens anything (no thread of ours is inside a lock).
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto s = open_store({dir.db().string()});
    if (!s) _exit(2);
    auto p = (*s)->run<project>([](write_context& w) { return w.create_project({}); });
    auto imp = (*s)->run<import_record>([&](write_context& w) { return w.begin_import({p->id}); });
    auto staged =
        (*s)->run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp->id, generated(50)); });
    if (!p || !imp || !staged) _exit(3);
    char one = 1;
    if (::write(ready[1], &one, 1) != 1) _exit(4);
    for (;;) pause();  // importing, as far as anyone can tell
  }
  close(ready[1]);
  char got = 0;
  ASSERT_EQ(::read(ready[0], &got, 1), 1) << "the importing process did not get going";
  close(ready[0]);

  store_options o;
  o.interrupted_import_sweep = std::chrono::milliseconds(20);
  auto server = open_at(dir.db(), o);
  ASSERT_TRUE(server);
  auto imports = must(server->read()->list_imports(1));
  ASSERT_EQ(imports.size(), 1u);
  const std::int64_t import_id = imports[0].id;
  // Alive: untouched by the open and by a dozen sweeps.
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(must(server->read()->get_import(import_id)).status, import_status::in_progress);
  EXPECT_EQ(raw_db(dir.db()).scalar("SELECT count(*) FROM tasks"), 50);

  kill(child, SIGKILL);
  int st = 0;
  waitpid(child, &st, 0);
  import_record rec;
  for (int i = 0; i < 500; ++i) {
    rec = must(server->read()->get_import(import_id));
    if (rec.status != import_status::in_progress) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(rec.status, import_status::failed) << "still in progress 10 s after its process was killed";
  EXPECT_NE(rec.error.find("interrupted"), std::string::npos) << rec.error;
  server->drain();  // the purge its failure queued
  EXPECT_EQ(raw_db(dir.db()).scalar("SELECT count(*) FROM tasks"), 0);

  // The server's own imports are held too: one in progress survives a second store's open and sweeps.
  auto own = must(server->run<import_record>([&](write_context& w) { return w.begin_import({1}); }));
  {
    auto other = open_at(dir.db(), o);
    ASSERT_TRUE(other);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(must(other->read()->get_import(own.id)).status, import_status::created);
  }
  EXPECT_EQ(
      must(server->run<import_record>([&](write_context& w) { return w.publish_import(own.id, {}); })).status,
      import_status::completed);
}

TEST(StoreCrash, EveryAcknowledgedWriteSurvivesSigkill) {
  temp_dir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    store_options o;
    o.location = dir.db().string();
    auto s = open_store(o);
    if (!s) _exit(2);
    auto& st = **s;
    auto p = st.run<project>([](write_context& w) { return w.create_project({}); });
    std::vector<std::int64_t> tasks;
    for (int i = 0; i < 16; ++i)
      tasks.push_back(st.run<task>([&](write_context& w) {
                          return w.create_task({p->id, R"({"i":1})"});
                        })->id);
    std::mutex pipe_mutex;
    // 32 writers, each keeping several annotations in flight; an id goes down the pipe only from
    // the callback, i.e. once its commit is durable.
    std::vector<std::thread> writers;
    for (int wi = 0; wi < 32; ++wi)
      writers.emplace_back([&, wi] {
        std::atomic<int> in_flight{0};
        for (std::uint64_t n = 0;; ++n) {
          while (in_flight.load() >= 4) std::this_thread::yield();
          ++in_flight;
          new_annotation a;
          a.task_id = tasks[std::size_t(wi) % tasks.size()];
          a.result =
              R"([{"from_name":"label","to_name":"image","type":"choices","value":{"choices":["cat"]}}])";
          st.submit<annotation>([a](write_context& w) { return w.create_annotation(a); },
                                [&](result<annotation> r) {
                                  if (r) {
                                    std::lock_guard lock(pipe_mutex);
                                    write_all(fds[1], &r->id, sizeof r->id);
                                  }
                                  --in_flight;
                                });
        }
      });
    for (auto& w : writers) w.join();
    _exit(0);
  }
  close(fds[1]);
  std::vector<std::int64_t> acked;
  std::int64_t id;
  while (acked.size() < 3000 && read_all(fds[0], &id, sizeof id)) acked.push_back(id);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  // What was already in the pipe was acknowledged too.
  while (read_all(fds[0], &id, sizeof id)) acked.push_back(id);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  ASSERT_GE(acked.size(), 3000u);

  auto s = open_at(dir.db());
  ASSERT_TRUE(s);
  std::set<std::int64_t> present;
  {
    raw_db r(dir.db());
    for (auto& row : r.rows("SELECT id FROM annotations")) present.insert(std::stoll(row[0]));
  }
  std::size_t missing = 0;
  for (auto a : acked)
    if (!present.count(a)) ++missing;
  EXPECT_EQ(missing, 0u) << "acknowledged annotations lost after SIGKILL";
  EXPECT_GE(present.size(), acked.size());
  expect_counters_consistent(dir.db());
}

}  // namespace
}  // namespace annot::host::store
