// Store schema and plumbing: migrations from an empty file and idempotent, `annot db` status and
// migrate, opening without migrating, timestamps, password hashes and random identifiers.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "store/secrets.hpp"
#include "store/store.hpp"
#include "store/time.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

TEST(StoreSchema, MigratesAnEmptyFileAndIsIdempotent) {
  temp_dir dir;
  store_options o;
  o.location = dir.db().string();
  auto before = db_status(o);
  EXPECT_FALSE(before.ok()) << "status must not create a database";
  EXPECT_FALSE(fs::exists(dir.db()));

  auto first = db_migrate(o);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->current_version, first->latest_version);
  EXPECT_GE(first->latest_version, 1);
  for (const auto& m : first->migrations) EXPECT_TRUE(m.applied_at.has_value()) << m.name;

  auto second = db_migrate(o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->current_version, first->current_version);
  ASSERT_EQ(second->migrations.size(), first->migrations.size());
  for (std::size_t i = 0; i < first->migrations.size(); ++i)
    EXPECT_EQ(second->migrations[i].applied_at, first->migrations[i].applied_at)
        << "re-applied " << first->migrations[i].name;

  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM schema_migrations"), std::int64_t(first->migrations.size()));
  for (const char* table : {"users", "tokens", "settings", "projects", "tasks", "annotations", "drafts",
                            "predictions", "file_uploads", "imports", "import_summary", "views", "task_locks",
                            "project_summary", "data_indexes"})
    EXPECT_EQ(r.scalar(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                       table + "'"),
              1)
        << table;
  EXPECT_EQ(r.rows("PRAGMA journal_mode")[0][0], "wal");
}

TEST(StoreSchema, OpenMigratesAndReopenKeepsData) {
  temp_dir dir;
  std::int64_t pid = 0;
  {
    auto s = open_at(dir.db());
    ASSERT_TRUE(s);
    pid = write<project>(*s, [](write_context& w) {
            project_fields f;
            f.title = "kept";
            return w.create_project({f, std::nullopt});
          }).id;
  }
  auto s = open_at(dir.db());
  ASSERT_TRUE(s);
  auto p = s->read()->get_project(pid);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->title, "kept");
  auto st = db_status({dir.db().string()});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->current_version, st->latest_version);
}

TEST(StoreSchema, RefusesToOpenUnmigratedWhenAskedNotToMigrate) {
  temp_dir dir;
  store_options o;
  o.location = "sqlite:" + dir.db().string();
  o.migrate = false;
  auto r = open_store(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), errc::failed_precondition);
  EXPECT_NE(r.error().message().find("annot db migrate"), std::string::npos) << r.error().message();
  o.migrate = true;
  EXPECT_TRUE(open_store(o).ok());
  o.migrate = false;
  EXPECT_TRUE(open_store(o).ok());
}

// `annot export` opens the database read-only: it reads what a writing store wrote (also while that
// store is open and writes more), refuses writes and an old schema, and creates no database.
TEST(StoreSchema, ReadOnlyOpenReadsAndRefusesWrites) {
  temp_dir dir;
  store_options ro;
  ro.read_only = true;
  ro.readers = 1;
  ro.location = dir.db().string();
  auto missing = open_store(ro);
  ASSERT_FALSE(missing.ok());
  EXPECT_FALSE(fs::exists(dir.db())) << "a read-only open created the database";

  auto writing = open_at(dir.db());
  ASSERT_TRUE(writing);
  const auto make_project = [](store& s, const char* title) {
    return write<project>(s,
                          [title](write_context& w) {
                            project_fields f;
                            f.title = title;
                            return w.create_project({f, std::nullopt});
                          })
        .id;
  };
  const std::int64_t first = make_project(*writing, "first");
  auto opened = open_store(ro);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  std::unique_ptr<store> reading = std::move(*opened);
  store& r = *reading;
  EXPECT_EQ(r.read()->get_project(first)->title, "first");

  const status refused = r.run([](write_context& w) -> status {
    project_fields f;
    f.title = "never";
    return w.create_project({f, std::nullopt}).ok() ? status() : status(errc::internal, "create failed");
  });
  EXPECT_EQ(refused.code(), errc::failed_precondition) << refused.message();
  EXPECT_NE(refused.message().find("read-only"), std::string::npos) << refused.message();

  // Another store's commit shows once the reader's kept snapshot is over (at most 10 ms).
  const std::int64_t second = make_project(*writing, "second");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  auto seen = r.read()->get_project(second);
  ASSERT_TRUE(seen.ok()) << seen.error().message();
  EXPECT_EQ(seen->title, "second");
  reading.reset();
  writing.reset();
  EXPECT_EQ(raw_db(dir.db()).scalar("SELECT count(*) FROM projects WHERE title = 'never'"), 0);

  // A database that needs migrations is refused, and left as it is.
  temp_dir old;
  std::ofstream(old.db()).flush();  // an empty file is an empty SQLite database
  ro.location = old.db().string();
  auto unmigrated = open_store(ro);
  ASSERT_FALSE(unmigrated.ok());
  EXPECT_EQ(unmigrated.error().code(), errc::failed_precondition);
  EXPECT_NE(unmigrated.error().message().find("annot db migrate"), std::string::npos)
      << unmigrated.error().message();
  EXPECT_EQ(raw_db(old.db()).scalar("SELECT count(*) FROM sqlite_schema"), 0);
}

TEST(StoreSchema, RefusesADatabaseFromANewerBuild) {
  temp_dir dir;
  store_options o{dir.db().string()};
  ASSERT_TRUE(db_migrate(o).ok());
  {
    sqlite3* db = nullptr;
    sqlite3_open(dir.db().string().c_str(), &db);
    sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (9999, '9999_future', 0)", nullptr, nullptr,
                 nullptr);
    sqlite3_close(db);
  }
  auto r = open_store(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("newer"), std::string::npos) << r.error().message();
}

// 0004 recounts num_tasks_with_annotations of a database written before it (every task with an
// annotation then; a task whose only annotation is ground truth no longer counts).
TEST(StoreSchema, MigrationRecountsTasksWithAnnotations) {
  temp_dir dir;
  {
    auto s = open_at(dir.db());
    ASSERT_TRUE(s);
    auto pid = write<project>(*s, [](write_context& w) { return w.create_project({}); }).id;
    for (bool ground_truth : {true, false}) {
      auto tid = write<task>(*s, [&](write_context& w) { return w.create_task({pid, R"({"x":1})"}); }).id;
      write<annotation>(*s, [&](write_context& w) {
        new_annotation a;
        a.task_id = tid;
        a.ground_truth = ground_truth;
        return w.create_annotation(a);
      });
    }
  }
  {
    raw_db r(dir.db());
    r.rows("UPDATE projects SET num_tasks_with_annotations = 2");
    r.rows("DELETE FROM schema_migrations WHERE version = 4");
  }
  store_options o{dir.db().string()};
  ASSERT_TRUE(db_migrate(o).ok());
  EXPECT_EQ(raw_db(dir.db()).scalar("SELECT num_tasks_with_annotations FROM projects"), 1);
}

// 0012 moves the three config texts of every project, deleted ones included, from the projects row to
// project_configs, byte for byte, and gives each project a config version.
TEST(StoreSchema, MigrationMovesConfigTextsOutOfTheProjectsRow) {
  temp_dir dir;
  std::string labels;
  for (int i = 0; i < 3000; ++i) labels += "<Label value=\"class " + std::to_string(i) + "\"/>";
  const std::string config = "<View><Text name=\"t\" value=\"$text\"/><Labels name=\"l\" toName=\"t\">" +
                             labels + "</Labels></View>";
  std::int64_t big = 0, gone = 0;
  {
    auto s = open_at(dir.db());
    ASSERT_TRUE(s);
    big = write<project>(*s, [&](write_context& w) {
            new_project np;
            np.fields.label_config = config;
            np.fields.parsed_label_config = std::string(R"({"l": {"type": "Labels", "n\u00e9": 1}})");
            np.fields.control_weights = std::string(R"({"l": {"overall": 0.5}})");
            return w.create_project(np);
          }).id;
    gone = write<project>(*s, [](write_context& w) { return w.create_project({}); }).id;
  }
  {
    // The schema before 0012: the texts in the projects row, no project_configs, no version.
    raw_db r(dir.db());
    r.rows("ALTER TABLE projects ADD COLUMN label_config TEXT NOT NULL DEFAULT '<View></View>'");
    r.rows("ALTER TABLE projects ADD COLUMN parsed_label_config TEXT NOT NULL DEFAULT '{}'");
    r.rows("ALTER TABLE projects ADD COLUMN control_weights TEXT NOT NULL DEFAULT '{}'");
    r.rows(
        "UPDATE projects SET (label_config, parsed_label_config, control_weights) = (SELECT label_config, "
        "parsed_label_config, control_weights FROM project_configs WHERE project_id = projects.id)");
    r.rows("UPDATE projects SET deleted_at = 1 WHERE id = " + std::to_string(gone));
    r.rows("DROP TABLE project_configs");
    r.rows("ALTER TABLE projects DROP COLUMN config_version");
    r.rows("DELETE FROM schema_migrations WHERE version = 12");
  }
  store_options o{dir.db().string()};
  ASSERT_TRUE(db_migrate(o).ok());
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM pragma_table_info('projects') WHERE name IN ('label_config', "
                     "'parsed_label_config', 'control_weights')"),
            0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM project_configs"), 2) << "the deleted project's too";
  EXPECT_EQ(r.scalar("SELECT count(DISTINCT config_version) FROM projects WHERE length(config_version) = 32"),
            2);
  auto s = open_at(dir.db());
  ASSERT_TRUE(s);
  auto p = must(s->read()->get_project(big));
  EXPECT_EQ(p.label_config, config);
  EXPECT_EQ(p.parsed_label_config, R"({"l": {"type": "Labels", "n\u00e9": 1}})");
  EXPECT_EQ(p.control_weights, R"({"l": {"overall": 0.5}})");
}

TEST(StoreSchema, DbCommandsPrintStatus) {
  temp_dir dir;
  store_options o{dir.db().string()};
  std::ostringstream out, err;
  EXPECT_EQ(run_db_command("status", o, out, err), 1);
  EXPECT_NE(err.str().find("annot db status"), std::string::npos);
  out.str("");
  err.str("");
  EXPECT_EQ(run_db_command("migrate", o, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("applied 12 migration(s)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0001_initial"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0002_ids_never_reused"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0003_task_allow_skip"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0004_tasks_with_annotations"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0005_tasks_breadth_first"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0006_more_ids_never_reused"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0007_user_ids_never_reused"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0008_user_queue_by_project"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0009_data_index_declined"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0010_data_index_sampled"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0011_data_index_min_tasks"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("0012_project_configs"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("up to date"), std::string::npos) << out.str();
  out.str("");
  EXPECT_EQ(run_db_command("migrate", o, out, err), 0);
  EXPECT_NE(out.str().find("nothing to apply"), std::string::npos) << out.str();
  out.str("");
  EXPECT_EQ(run_db_command("status", o, out, err), 0);
  EXPECT_NE(out.str().find("applied  0001_initial"), std::string::npos) << out.str();
  EXPECT_EQ(run_db_command("frobnicate", o, out, err), 2);
  store_options pg{"postgresql://localhost/annot"};
  EXPECT_EQ(run_db_command("status", pg, out, err), 1);
  EXPECT_NE(err.str().find("PostgreSQL"), std::string::npos) << err.str();
}

TEST(StoreTime, FormatsAndParsesIso8601) {
  auto t = parse_iso8601("2021-03-09T22:16:08.728353Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(to_iso8601(*t), "2021-03-09T22:16:08.728353Z");
  // A zero fraction is left out, as Python's isoformat() (Label Studio's API and exports) does.
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-03-09T22:16:08Z")), "2021-03-09T22:16:08Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-03-09T22:16:08.000000Z")), "2021-03-09T22:16:08Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-03-09T22:16:08.000001Z")), "2021-03-09T22:16:08.000001Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-03-09T23:16:08.5+01:00")), "2021-03-09T22:16:08.500000Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-03-09 22:16")), "2021-03-09T22:16:00Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-03-10")), "2021-03-10T00:00:00Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2021-07-06T06:06:25.927570123-0230")), "2021-07-06T08:36:25.927570Z");
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2021-02-30"));
  EXPECT_FALSE(parse_iso8601("2021-03-09T25:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2021-03-09T10:00:00Zjunk"));
  auto a = now();
  EXPECT_EQ(parse_iso8601(to_iso8601(a)), a);
}

TEST(StoreSecrets, HashesPasswordsAndMakesTokens) {
  auto h = hash_password("s3cret!");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password(*h, "s3cret!"));
  EXPECT_FALSE(verify_password(*h, "s3cret?"));
  EXPECT_FALSE(verify_password("", "s3cret!"));
  EXPECT_FALSE(verify_password("garbage", "s3cret!"));
  EXPECT_NE(*hash_password("s3cret!"), *h) << "hashes are salted";
  auto k = random_hex(20);
  EXPECT_TRUE(std::regex_match(k, std::regex("[0-9a-f]{40}"))) << k;
  EXPECT_NE(random_hex(20), k);
  auto u = new_uuid();
  EXPECT_TRUE(
      std::regex_match(u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << u;
  auto v1 = new_uuid_v7();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto v2 = new_uuid_v7();
  EXPECT_TRUE(
      std::regex_match(v1, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << v1;
  EXPECT_LT(v1, v2) << "time-ordered";
}

}  // namespace
}  // namespace annot::host::store
