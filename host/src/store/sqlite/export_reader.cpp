// The SQLite export reader: one unmapped connection, four cached statements per batch (tasks, then
// their annotations, drafts and predictions joined through the same task range, so no id lists),
// rows copied into the batch's reused strings.
#include "store/export_reader.hpp"

#include <string>

#include "store/sqlite/engine.hpp"
#include "store/sqlite/ops_impl.hpp"

namespace annot::host::store {
namespace sqlite {
namespace {

// The element `i` of `v`, appended when missing: existing elements are overwritten field by field.
template <class T>
T& slot(std::vector<T>& v, std::size_t i) {
  if (i == v.size()) v.emplace_back();
  return v[i];
}

// Steps `s` to the end, filling v[0..n) in place; v ends with exactly the rows read.
template <class T>
void read_rows(statement& s, std::vector<T>& v) {
  std::size_t n = 0;
  while (s.step()) read_row(s, slot(v, n++));
  v.resize(n);
}

class sqlite_export_reader final : public export_reader {
 public:
  explicit sqlite_export_reader(std::unique_ptr<connection> c) : db_(std::move(c)) {}

  status read_after(std::int64_t project_id, std::int64_t after_inner_id, std::int64_t limit, bool only_annotated,
                    export_batch& out) override {
    return in_snapshot([&] {
      // Visibility (task_visible_sql) is decided once per batch instead of per row: the project is
      // not being deleted, and the tasks of unpublished imports (usually none) are left out.
      auto p = db_->prepare("SELECT 1 FROM projects WHERE id = ?1 AND deleted_at IS NULL");
      p.args(project_id);
      if (!p.step()) {
        out.tasks.clear();
        return clear_children(out);
      }
      std::vector<std::int64_t> hidden;
      {
        auto h = db_->prepare("SELECT id FROM imports WHERE project_id = ?1 AND rows_hidden = 1");
        h.args(project_id);
        while (h.step()) hidden.push_back(h.i64(0));
      }
      // The project id is spelt in the SQL (see project_is).
      auto s = db_->prepare(cat(
          {"SELECT ", task_columns_sql, " FROM tasks t WHERE ", project_is("t.project_id", project_id),
           " AND t.inner_id > ?1",
           only_annotated ? " AND t.total_annotations + t.cancelled_annotations > 0" : "",
           hidden.empty() ? "" : " AND (t.import_id IS NULL OR t.import_id NOT IN (SELECT value FROM json_each(?3)))",
           " ORDER BY t.inner_id LIMIT ?2"}));
      s.args(after_inner_id, limit);
      if (!hidden.empty()) s.bind(3, ids_to_json(hidden));
      read_rows(s, out.tasks);
      if (out.tasks.empty()) return clear_children(out);
      // Inside a project ids grow with inner ids: the child rows of the batch are those of the
      // project in the batch's id range, read in (task_id, id) order from each table's task_id index
      // as one range. Rows of tasks left out in that range (hidden, not annotated) are skipped by
      // the caller's walk, which matches rows to tasks by id.
      const std::int64_t first = out.tasks.front().id, last = out.tasks.back().id;
      read_range(out, project_id, first, last);
    });
  }

  status read_ids(std::int64_t project_id, std::span<const std::int64_t> ids, export_batch& out) override {
    return in_snapshot([&] {
      const std::string list = ids_to_json(ids);
      const std::string where = cat({"WHERE t.id IN (SELECT value FROM json_each(?1)) AND ",
                                     project_is("t.project_id", project_id), " AND ", task_visible_sql});
      {
        auto s = db_->prepare(cat({"SELECT ", task_columns_sql, " FROM tasks t ", where, " ORDER BY t.id"}));
        s.args(list);
        read_rows(s, out.tasks);
      }
      if (out.tasks.empty()) return clear_children(out);
      read_children(out, where, [&](statement& s) { s.args(list); }, " ORDER BY t.id");
    });
  }

 private:
  template <class F>
  status in_snapshot(F&& f) {
    try {
      db_->run_cached("BEGIN");
      try {
        f();
      } catch (...) {
        db_->run_cached("ROLLBACK");
        throw;
      }
      db_->run_cached("COMMIT");
      return {};
    } catch (const store_error& e) {
      return status(e.code(), e.what());
    } catch (const std::bad_alloc&) {
      return status(errc::internal, "out of memory");
    } catch (const std::exception& e) {
      return status(errc::internal, e.what());
    }
  }

  static void clear_children(export_batch& out) {
    out.annotations.clear();
    out.drafts.clear();
    out.predictions.clear();
    out.upload_names.clear();
  }

  // The child rows of the tasks with ids in [first, last], by task then id (rows of other
  // projects' tasks in the range, rare, are skipped by the walk like hidden ones).
  void read_range(export_batch& out, std::int64_t project_id, std::int64_t first, std::int64_t last) {
    {
      auto s = db_->prepare(cat({"SELECT ", annotation_columns_sql, " FROM annotations a WHERE a.task_id BETWEEN ?1 AND ?2 ORDER BY a.task_id, a.id"}));
      s.args(first, last);
      read_rows(s, out.annotations);
    }
    {
      auto s = db_->prepare(cat({"SELECT ", draft_columns_sql, " FROM drafts d WHERE d.task_id BETWEEN ?1 AND ?2 ORDER BY d.task_id, d.id"}));
      s.args(first, last);
      read_rows(s, out.drafts);
    }
    bool predictions = false, uploads = false;
    for (const task& t : out.tasks) {
      predictions = predictions || t.total_predictions > 0;
      uploads = uploads || t.file_upload_id;
    }
    out.predictions.clear();
    if (predictions) {
      auto s = db_->prepare(cat({"SELECT ", prediction_columns_sql, " FROM predictions p WHERE p.task_id BETWEEN ?1 AND ?2 ORDER BY p.task_id, p.id"}));
      s.args(first, last);
      read_rows(s, out.predictions);
    }
    std::size_t n = 0;
    if (uploads) {
      auto s = db_->prepare(cat({"SELECT f.id, f.file FROM file_uploads f WHERE f.id IN (SELECT t.file_upload_id FROM tasks t WHERE ",
                                 project_is("t.project_id", project_id), " AND t.id BETWEEN ?1 AND ?2) ORDER BY f.id"}));
      s.args(first, last);
      while (s.step()) {
        auto& [id, file] = slot(out.upload_names, n++);
        id = s.i64(0);
        assign_column(file, s, 1);
      }
    }
    out.upload_names.resize(n);
  }

  template <class Bind>
  void read_children(export_batch& out, const std::string& where, Bind bind, const char* order) {
    {
      auto s = db_->prepare(cat({"SELECT ", annotation_columns_sql,
                                 " FROM tasks t JOIN annotations a ON a.task_id = t.id ", where, order, ", a.id"}));
      bind(s);
      read_rows(s, out.annotations);
    }
    {
      auto s = db_->prepare(
          cat({"SELECT ", draft_columns_sql, " FROM tasks t JOIN drafts d ON d.task_id = t.id ", where, order, ", d.id"}));
      bind(s);
      read_rows(s, out.drafts);
    }
    // The tasks' counters say whether any prediction is there to read; their columns whether any
    // upload is.
    bool predictions = false, uploads = false;
    for (const task& t : out.tasks) {
      predictions = predictions || t.total_predictions > 0;
      uploads = uploads || t.file_upload_id;
    }
    out.predictions.clear();
    if (predictions) {
      auto s = db_->prepare(cat({"SELECT ", prediction_columns_sql,
                                 " FROM tasks t JOIN predictions p ON p.task_id = t.id ", where, order, ", p.id"}));
      bind(s);
      read_rows(s, out.predictions);
    }
    std::size_t n = 0;
    if (uploads) {
      auto s = db_->prepare(cat({"SELECT DISTINCT f.id, f.file FROM tasks t JOIN file_uploads f ON f.id = "
                                 "t.file_upload_id ",
                                 where, " ORDER BY f.id"}));
      bind(s);
      while (s.step()) {
        auto& [id, file] = slot(out.upload_names, n++);
        id = s.i64(0);
        assign_column(file, s, 1);
      }
    }
    out.upload_names.resize(n);
  }

  std::unique_ptr<connection> db_;
};

}  // namespace

result<std::unique_ptr<export_reader>> sqlite_store::open_export_reader() {
  try {
    auto c = connection::open(path_, connection::role::reader);
    // Pages come through SQLite's own cache (cache_size), not a mapping of the whole file.
    c->exec("PRAGMA mmap_size = 0");
    return std::unique_ptr<export_reader>(new sqlite_export_reader(std::move(c)));
  } catch (const store_error& e) {
    return status(e.code(), e.what());
  } catch (const std::exception& e) {
    return status(errc::internal, e.what());
  }
}

}  // namespace sqlite

result<std::unique_ptr<export_reader>> open_export_reader(store& s) {
  if (auto* sq = dynamic_cast<sqlite::sqlite_store*>(&s)) return sq->open_export_reader();
  return status(errc::unsupported, "the " + std::string(s.engine()) + " store has no export reader");
}

}  // namespace annot::host::store
