// Helpers for the store tests: temporary databases, a raw SQLite handle for independent checks,
// Label Studio task lists turned into import batches, and an expectation that every maintained
// counter equals a fresh count of the rows.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "store/time.hpp"

namespace annot::host::store::testing {

namespace fs = std::filesystem;

class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "annot-store-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path db() const { return path_ / "annot.db"; }

 private:
  fs::path path_;
};

inline std::unique_ptr<store> open_at(const fs::path& db, store_options o = {}) {
  o.location = db.string();
  auto r = open_store(o);
  if (!r) ADD_FAILURE() << "open_store: " << r.error().message();
  return r ? std::move(*r) : nullptr;
}

template <class T>
T must(result<T> r, const char* what = "") {
  if (!r.ok()) {
    ADD_FAILURE() << what << ": " << r.error().message();
    throw std::runtime_error(std::string("store call failed: ") + what + ": " + r.error().message());
  }
  return std::move(*r);
}

inline void must(const status& s, const char* what = "") {
  if (!s.ok()) {
    ADD_FAILURE() << what << ": " << s.message();
    throw std::runtime_error(std::string("store call failed: ") + what + ": " + s.message());
  }
}

// A blocking write returning T.
template <class T, class F>
T write(store& s, F&& f) {
  return must(s.run<T>(std::function<result<T>(write_context&)>(std::forward<F>(f))), "write unit");
}

// Independent access to the database file: plain SQLite, none of the store's code.
class raw_db {
 public:
  explicit raw_db(const fs::path& p) {
    if (sqlite3_open_v2(p.string().c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + p.string());
  }
  ~raw_db() { sqlite3_close_v2(db_); }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  // Every row of a query, each column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_) + " in " + sql);
    std::vector<std::vector<std::string>> out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        auto t = sqlite3_column_text(s, i);
        row.push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    return out;
  }
  std::int64_t scalar(const std::string& sql) {
    auto r = rows(sql);
    if (r.empty() || r[0].empty() || r[0][0] == "NULL") return 0;
    return std::stoll(r[0][0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

// Every maintained counter (per task and per project) equals a fresh count of the rows.
inline void expect_counters_consistent(const fs::path& db) {
  raw_db r(db);
  auto bad_tasks = r.rows(
      "SELECT t.id FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.total_annotations <> (SELECT "
      "count(*) FROM annotations a WHERE a.task_id = t.id AND a.was_cancelled = 0) OR "
      "t.cancelled_annotations <> (SELECT count(*) FROM annotations a WHERE a.task_id = t.id AND "
      "a.was_cancelled = 1) OR t.total_predictions <> (SELECT count(*) FROM predictions x WHERE x.task_id = "
      "t.id) OR t.ground_truth <> EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = t.id AND "
      "a.ground_truth = 1) OR t.completed_at IS NOT (SELECT max(a.created_at) FROM annotations a WHERE "
      "a.task_id = t.id AND a.was_cancelled = 0) OR t.is_labeled <> ((SELECT count(*) FROM annotations a "
      "WHERE a.task_id = t.id AND (a.was_cancelled = 0 OR     p.skip_queue = 'IGNORE_SKIPPED')) >= "
      "t.overlap)");
  EXPECT_TRUE(bad_tasks.empty()) << "tasks with wrong counters, first: " << bad_tasks[0][0];
  const std::string visible =
      "t.project_id = p.id AND (t.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = "
      "t.import_id AND i.rows_hidden = 1))";
  auto bad_projects = r.rows(
      "SELECT p.id, p.task_number, p.total_annotations_number, p.skipped_annotations_number, "
      "p.total_predictions_number, p.num_tasks_with_annotations, p.finished_task_number, "
      "p.ground_truth_number, p.useful_annotation_number FROM projects p WHERE p.deleted_at IS NULL AND ("
      "p.task_number <> (SELECT count(*) FROM tasks t WHERE " +
      visible +
      ") OR p.total_annotations_number <> (SELECT count(*) FROM annotations a JOIN tasks t ON t.id = "
      "a.task_id "
      "WHERE " +
      visible +
      " AND a.was_cancelled = 0) OR p.skipped_annotations_number <> (SELECT count(*) FROM annotations a JOIN "
      "tasks t ON t.id = "
      "a.task_id WHERE " +
      visible +
      " AND a.was_cancelled = 1) OR p.total_predictions_number <> (SELECT count(*) FROM predictions x JOIN "
      "tasks t ON t.id = x.task_id "
      "WHERE " +
      visible +
      ") "
      "OR p.num_tasks_with_annotations <> (SELECT count(*) FROM tasks t WHERE " +
      visible +
      " AND EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = t.id AND a.ground_truth = 0 AND "
      "a.was_cancelled = 0)) "
      "OR p.finished_task_number <> (SELECT count(*) FROM tasks t WHERE " +
      visible +
      " AND t.is_labeled = 1) OR p.ground_truth_number <> (SELECT count(*) FROM annotations a JOIN tasks t "
      "ON "
      "t.id = a.task_id "
      "WHERE " +
      visible +
      " AND a.ground_truth = 1) OR p.useful_annotation_number <> (SELECT count(*) FROM annotations a JOIN "
      "tasks t ON t.id = a.task_id "
      "WHERE " +
      visible + " AND a.ground_truth = 0 AND a.was_cancelled = 0))");
  EXPECT_TRUE(bad_projects.empty()) << "project " << bad_projects[0][0] << " has wrong counters";
}

inline fs::path fixtures() {
  // host/tests/<this file> -> <repo>/../shared/fixtures/ls-import-samples. __FILE__ is relative to
  // the build directory when the compiler is given relative paths (<build>/bin/..).
  fs::path here = __FILE__;
  if (here.is_relative()) here = fs::path(ANNOT_TEST_BIN_DIR).parent_path() / here;
  return (here.parent_path() / ".." / ".." / ".." / "shared" / "fixtures" / "ls-import-samples")
      .lexically_normal();
}

// First statement of a test that reads the fixtures: skips it, saying why, where ../shared is absent.
#define ANNOT_SKIP_WITHOUT_FIXTURES()                                                                      \
  if (!fs::exists(fixtures()))                                                                             \
  GTEST_SKIP() << "Label Studio's fixtures are not at " << fixtures().string() << " (../shared beside the clone)"

inline nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// Label Studio's import shape (spec §3.3): an item without a truthy "data" key is the data itself;
// embedded annotations (ground_truth defaults to true on import) and predictions come along.
inline std::vector<import_task> ls_tasks(const nlohmann::json& list) {
  std::vector<import_task> out;
  for (const auto& item : list) {
    import_task t;
    bool wrapped = item.contains("data") && item["data"].is_object() && !item["data"].empty();
    t.data = wrapped ? item["data"].dump() : item.dump();
    if (wrapped && item.contains("annotations"))
      for (const auto& a : item["annotations"]) {
        import_annotation ia;
        ia.result = a.value("result", nlohmann::json::array()).dump();
        ia.was_cancelled = a.value("was_cancelled", false);
        ia.ground_truth = a.value("ground_truth", true);
        if (a.contains("lead_time") && a["lead_time"].is_number())
          ia.lead_time = a["lead_time"].get<double>();
        if (a.contains("id") && a["id"].is_number_integer()) ia.import_id = a["id"].get<std::int64_t>();
        if (a.contains("created_at")) ia.created_at = parse_iso8601(a["created_at"].get<std::string>());
        if (a.contains("updated_at")) ia.updated_at = parse_iso8601(a["updated_at"].get<std::string>());
        t.annotations.push_back(std::move(ia));
      }
    if (wrapped && item.contains("predictions"))
      for (const auto& p : item["predictions"]) {
        import_prediction ip;
        ip.result = p.value("result", nlohmann::json::array()).dump();
        if (p.contains("score") && p["score"].is_number()) ip.score = p["score"].get<double>();
        ip.model_version = p.value("model_version", std::string("undefined"));
        t.predictions.push_back(std::move(ip));
      }
    out.push_back(std::move(t));
  }
  return out;
}

// Creates a project and imports `tasks` into it (begin, one batch, publish).
inline std::pair<std::int64_t, std::vector<std::int64_t>> import_project(store& s,
                                                                         std::vector<import_task> tasks,
                                                                         project_fields fields = {}) {
  auto p = write<project>(s, [&](write_context& w) { return w.create_project({fields, std::nullopt}); });
  auto imp = write<import_record>(s, [&](write_context& w) { return w.begin_import({p.id}); });
  auto batch = write<staged_batch>(s, [&](write_context& w) { return w.stage_tasks(imp.id, tasks); });
  write<import_record>(s, [&](write_context& w) { return w.publish_import(imp.id, {}); });
  return {p.id, batch.task_ids};
}

inline std::vector<std::int64_t> ids_of(const std::vector<task>& ts) {
  std::vector<std::int64_t> out;
  for (const auto& t : ts) out.push_back(t.id);
  return out;
}

}  // namespace annot::host::store::testing
