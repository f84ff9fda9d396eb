// The SQLite export reader: one unmapped connection, cached statements per batch (tasks, then their
// annotations, drafts and predictions read as ranges over the tasks' dense runs of ids, or by the
// tasks' ids where the runs are short), rows copied into the batch's reused strings.
#include "store/export_reader.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

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
template <class T, class Read>
void read_rows(statement& s, std::vector<T>& v, Read read) {
  std::size_t n = 0;
  while (s.step()) read(s, slot(v, n++));
  v.resize(n);
}
template <class T>
void read_rows(statement& s, std::vector<T>& v) {
  read_rows(s, v, [](const statement& st, T& row) { read_row(st, row); });
}

// Gives `row` its defaults, except the text member `kept`, whose buffer the next read reuses (the
// batch's rows are refilled in place).
template <class Row>
void reset_keeping(Row& row, json_text Row::*kept) {
  json_text buffer = std::move(row.*kept);
  row = Row{};
  row.*kept = std::move(buffer);
}

// What an items export needs of a task (its id and data; the rest finds it and filters it), and the
// row read that fills only those fields (the others get their defaults).
constexpr const char* task_item_columns_sql =
    "t.id, t.project_id, t.inner_id, t.data, t.total_annotations, t.cancelled_annotations";
void read_item_row(const statement& s, task& t) {
  reset_keeping(t, &task::data);
  t.id = s.i64(0);
  t.project_id = s.i64(1);
  t.inner_id = s.i64(2);
  assign_column(t.data, s, 3);
  t.total_annotations = s.i64(4);
  t.cancelled_annotations = s.i64(5);
}

// What an items export writes of an annotation (export_rows::annotations_only), read the same way.
constexpr const char* annotation_item_columns_sql =
    "a.id, a.task_id, a.result, a.completed_by, a.was_cancelled, a.ground_truth, a.lead_time, a.created_at, "
    "a.updated_at";
void read_item_row(const statement& s, annotation& a) {
  reset_keeping(a, &annotation::result);
  a.id = s.i64(0);
  a.task_id = s.i64(1);
  assign_column(a.result, s, 2);
  a.completed_by = s.opt_i64(3);
  a.was_cancelled = s.boolean(4);
  a.ground_truth = s.boolean(5);
  a.lead_time = s.opt_f64(6);
  a.created_at = s.ts(7);
  a.updated_at = s.ts(8);
}

class sqlite_export_reader final : public export_reader {
 public:
  sqlite_export_reader(std::unique_ptr<connection> c, export_rows rows) : db_(std::move(c)), rows_(rows) {}

  status read_after(std::int64_t project_id, std::int64_t after_inner_id, std::int64_t limit, bool only_annotated,
                    export_batch& out) override {
    out.scanned_to = after_inner_id;
    out.more = false;
    return in_snapshot([&] {
      // Visibility (task_visible_sql) is decided once per batch instead of per row: the project is
      // not being deleted, and the tasks of unpublished imports (usually none) are left out.
      require_live_project(project_id);
      std::vector<std::int64_t> hidden;
      {
        auto h = db_->prepare("SELECT id FROM imports WHERE project_id = ?1 AND rows_hidden = 1");
        h.args(project_id);
        while (h.step()) hidden.push_back(h.i64(0));
      }
      // The batch is the project's next `limit` tasks by inner id. Inside a project ids grow with
      // inner ids (both are the largest + 1 when a task is inserted), so the batch's id range is
      // that of its first and its last task, found by two seeks on the (project_id, inner_id) index
      // (the project id is spelt in the SQL, see project_is). min()/max() over the batch's index
      // entries cost as much as a tenth of the export's reading. The walk below checks the ids and
      // takes the index path should they ever not grow together.
      const std::string own = project_is("project_id", project_id);
      std::int64_t count = 0, lo = 0, hi = 0, top = after_inner_id;
      {
        auto r = db_->prepare(cat({"SELECT id, inner_id FROM tasks WHERE ", own,
                                   " AND inner_id > ?1 ORDER BY inner_id LIMIT 1 OFFSET ?2"}));
        r.args(after_inner_id, limit - 1);
        if (r.step()) {
          count = limit;
          hi = r.i64(0);
          top = r.i64(1);
        }
      }
      if (count == 0) {
        // Fewer than `limit` left: the rest of the project.
        auto r = db_->prepare(cat({"SELECT count(*), max(id), max(inner_id) FROM tasks WHERE ", own, " AND inner_id > ?1"}));
        r.args(after_inner_id);
        if (r.step() && (count = r.i64(0)) > 0) {
          hi = r.i64(1);
          top = r.i64(2);
        }
      }
      out.scanned_to = top;
      out.more = count == limit;
      if (count == 0) {
        out.tasks.clear();
        return clear_children(out);
      }
      {
        auto r = db_->prepare(cat({"SELECT id FROM tasks WHERE ", own, " AND inner_id > ?1 ORDER BY inner_id LIMIT 1"}));
        r.args(after_inner_id);
        if (r.step()) lo = r.i64(0);
      }
      const std::string filters =
          cat({only_annotated ? " AND t.total_annotations + t.cancelled_annotations > 0" : "",
               hidden.empty() ? "" : " AND (t.import_id IS NULL OR t.import_id NOT IN (SELECT value FROM json_each(?3)))"});
      // When the batch's ids are dense (the project's tasks were not created interleaved with many
      // of another project's), the table is walked over that id range, page after page, instead of
      // a B-tree seek from the index into the table for every task; '+' keeps the planner off the
      // indexes. The filters are a column there, so that every task of the batch is counted.
      bool read = false;
      if (lo <= hi && hi - lo < 2 * count + 64) {
        const std::string keep = filters.empty() ? std::string("1") : cat({"(1", filters, ")"});
        auto s = db_->prepare(cat({"SELECT ", task_columns(), ", ", keep, " FROM tasks t WHERE t.id BETWEEN ?4 AND ?5 AND +t.project_id = ",
                                   std::to_string(project_id), " AND +t.inner_id > ?1 AND +t.inner_id <= ?2"}));
        s.args(after_inner_id, top);
        if (!hidden.empty()) s.bind(3, ids_to_json(hidden));
        s.bind(4, lo);
        s.bind(5, hi);
        const int keep_column = column_count(task_columns());
        std::size_t n = 0;
        std::int64_t seen = 0;
        while (s.step()) {
          ++seen;
          if (s.boolean(keep_column)) read_task(s, slot(out.tasks, n++));
        }
        out.tasks.resize(n);
        read = seen == count;
        const auto by_inner = [](const task& a, const task& b) { return a.inner_id < b.inner_id; };
        if (read && !std::is_sorted(out.tasks.begin(), out.tasks.end(), by_inner))
          std::sort(out.tasks.begin(), out.tasks.end(), by_inner);
      }
      if (!read) {
        auto s = db_->prepare(cat({"SELECT ", task_columns(), " FROM tasks t WHERE ", project_is("t.project_id", project_id),
                                   " AND t.inner_id > ?1 AND t.inner_id <= ?2", filters, " ORDER BY t.inner_id"}));
        s.args(after_inner_id, top);
        if (!hidden.empty()) s.bind(3, ids_to_json(hidden));
        read_tasks(s, out.tasks);
      }
      if (out.tasks.empty()) return clear_children(out);
      read_batch_children(out);
    });
  }

  status read_ids(std::int64_t project_id, std::span<const std::int64_t> ids, export_batch& out) override {
    return in_snapshot([&] {
      require_live_project(project_id);
      // A dense batch (a tab or a selection of a project whose tasks lie together) is walked over its
      // id range, keeping the listed ids, and its child rows over runs (read_batch_children), as
      // read_after reads a batch: a seek per id and per task's children cost a selection of all but one
      // of 200,000 tasks a quarter more than the whole project.
      if (!ids.empty() && std::is_sorted(ids.begin(), ids.end()) &&
          ids.back() - ids.front() < 2 * static_cast<std::int64_t>(ids.size()) + 64) {
        auto s = db_->prepare(cat({"SELECT ", task_columns(), " FROM tasks t WHERE t.id BETWEEN ?1 AND ?2 AND ",
                                   project_is("+t.project_id", project_id), " AND ", task_visible_sql,
                                   " ORDER BY t.id"}));
        s.args(ids.front(), ids.back());
        std::size_t n = 0;
        while (s.step())
          if (std::binary_search(ids.begin(), ids.end(), s.i64(0))) read_task(s, slot(out.tasks, n++));
        out.tasks.resize(n);
        if (out.tasks.empty()) return clear_children(out);
        return read_batch_children(out);
      }
      const std::string list = ids_to_json(ids);
      // The unary + keeps the planner on the id list (rowid lookups): without statistics it rates
      // the project's index as a handful of rows and scanned the whole project for every batch
      // (5 ms for one id of a 20,000-task project, 0.04 ms with the list driving).
      const std::string where = cat({"WHERE t.id IN (SELECT value FROM json_each(?1)) AND ",
                                     project_is("+t.project_id", project_id), " AND ", task_visible_sql});
      {
        auto s = db_->prepare(cat({"SELECT ", task_columns(), " FROM tasks t ", where, " ORDER BY t.id"}));
        s.args(list);
        read_tasks(s, out.tasks);
      }
      if (out.tasks.empty()) return clear_children(out);
      read_children(out, where, [&](statement& s) { s.args(list); }, " ORDER BY t.id");
    });
  }

 private:
  const char* task_columns() const {
    return rows_ == export_rows::annotations_only ? task_item_columns_sql : task_columns_sql;
  }
  const char* annotation_columns() const {
    return rows_ == export_rows::annotations_only ? annotation_item_columns_sql : annotation_columns_sql;
  }
  // The row read for this reader's columns (read_item_row or read_row).
  template <class Row>
  auto row_reader() const {
    return rows_ == export_rows::annotations_only ? +[](const statement& st, Row& r) { read_item_row(st, r); }
                                                  : +[](const statement& st, Row& r) { read_row(st, r); };
  }
  void read_tasks(statement& s, std::vector<task>& tasks) const { read_rows(s, tasks, row_reader<task>()); }
  void read_task(const statement& s, task& t) const {
    if (rows_ == export_rows::annotations_only)
      read_item_row(s, t);
    else
      read_row(s, t);
  }

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

  // Each batch is a snapshot of its own: a project deleted after the export began is gone from the
  // next one. That is an error, not the end of the tasks, or the export would end early and look
  // whole (a download finished with "]", a stored export "completed").
  void require_live_project(std::int64_t project_id) {
    auto p = db_->prepare("SELECT 1 FROM projects WHERE id = ?1 AND deleted_at IS NULL");
    p.args(project_id);
    if (!p.step())
      fail(errc::not_found,
           "project " + std::to_string(project_id) + " was deleted while it was being exported");
  }

  static void clear_children(export_batch& out) {
    out.annotations.clear();
    clear_extras(out);
  }
  static void clear_extras(export_batch& out) {
    out.drafts.clear();
    out.predictions.clear();
    out.upload_names.clear();
  }

  // A stretch of the batch's task ids read as one range of child rows.
  struct id_run {
    std::int64_t first = 0, last = 0, tasks = 0;
  };

  // The child rows of the batch's tasks, by task then id. A project's task ids mostly lie in a few
  // dense runs (an import writes its tasks one after another), each read as a range of child rows
  // (read_child_range); rows of tasks left out inside a run (hidden, not annotated, another
  // project's) are read too and skipped by the caller, which matches rows to tasks by id. A run ends
  // where the ids it would span outnumber twice its own tasks: one range over a batch whose tasks
  // straddle another project's import read all of that project's rows (JSON_MIN of 20,000 tasks,
  // 0.06 s, took 0.12 s when one task was added after another project's 20,000). A batch cut into
  // runs of a few tasks (projects filled in turns) is read by its task ids instead, a seek per task.
  void read_batch_children(export_batch& out) {
    batch_ids_.clear();
    for (const task& t : out.tasks) batch_ids_.push_back(t.id);
    std::sort(batch_ids_.begin(), batch_ids_.end());
    runs_.clear();
    for (const std::int64_t id : batch_ids_) {
      if (!runs_.empty() && id - runs_.back().first < 2 * (runs_.back().tasks + 1) + 64) {
        runs_.back().last = id;
        ++runs_.back().tasks;
      } else {
        runs_.push_back({id, id, 1});
      }
    }
    if (runs_.size() > 1 && runs_.size() * 16 > batch_ids_.size()) {
      const std::string list = ids_to_json(batch_ids_);
      read_children(out, "WHERE t.id IN (SELECT value FROM json_each(?1))", [&](statement& s) { s.args(list); },
                    " ORDER BY t.id");
      return;
    }
    read_child_runs(out.annotations, "annotations", "a", annotation_columns(), row_reader<annotation>());
    if (rows_ == export_rows::annotations_only) return clear_extras(out);
    read_child_runs(out.drafts, "drafts", "d", draft_columns_sql);
    bool predictions = false;
    for (const task& t : out.tasks) predictions = predictions || t.total_predictions > 0;
    if (predictions)
      read_child_runs(out.predictions, "predictions", "p", prediction_columns_sql);
    else
      out.predictions.clear();
    read_upload_names(out);
  }

  template <class T, class Read = void (*)(const statement&, T&)>
  void read_child_runs(std::vector<T>& v, const char* table, const char* alias, const char* columns,
                       Read read = &read_row) {
    std::size_t n = 0;
    for (const id_run& r : runs_) read_child_range(v, n, table, alias, columns, r.first, r.last, read);
    v.resize(n);
  }

  // The stored names of the batch's uploads (usually one), by upload id, looked up by the ids the
  // tasks hold.
  void read_upload_names(export_batch& out) {
    upload_ids_.clear();
    for (const task& t : out.tasks)
      if (t.file_upload_id) upload_ids_.push_back(*t.file_upload_id);
    std::size_t n = 0;
    if (!upload_ids_.empty()) {
      std::sort(upload_ids_.begin(), upload_ids_.end());
      upload_ids_.erase(std::unique(upload_ids_.begin(), upload_ids_.end()), upload_ids_.end());
      auto s = db_->prepare("SELECT f.id, f.file FROM file_uploads f WHERE f.id IN (SELECT value FROM json_each(?1)) ORDER BY f.id");
      s.args(ids_to_json(upload_ids_));
      while (s.step()) {
        auto& [id, file] = slot(out.upload_names, n++);
        id = s.i64(0);
        assign_column(file, s, 1);
      }
    }
    out.upload_names.resize(n);
  }

  // The rows of `table` whose task_id is in [first, last], by task then id. When their ids are dense
  // (rows written task after task, as imports and the labelling stream do) the table itself is
  // walked over the id range from the first task's first row to the last task's last one (two seeks
  // on the task_id index), page after page, instead of a B-tree seek from the index into the table
  // for every row (most of an export's SQLite time); rows of other tasks inside it are skipped by
  // the query. The rows' count (from the index) says whether any lie outside that range (added
  // later to an earlier task, or earlier to a later one); they are then read by the index.
  // min()/max() over the index entries cost four times the count, as much as reading the rows.
  // Appends at v[n..) (n moves past them), leaving v's size to the caller, so the batch's earlier
  // rows keep their buffers for the next batch.
  template <class T, class Read>
  void read_child_range(std::vector<T>& v, std::size_t& n, const char* table, const char* alias, const char* columns,
                        std::int64_t first, std::int64_t last, Read read) {
    std::int64_t count = 0;
    {
      auto s = db_->prepare(cat({"SELECT count(*) FROM ", table, " WHERE task_id BETWEEN ?1 AND ?2"}));
      s.args(first, last);
      if (s.step()) count = s.i64(0);
    }
    if (count == 0) return;
    const auto end_of_range = [&](const char* order) {
      auto s = db_->prepare(cat({"SELECT rowid FROM ", table, " WHERE task_id BETWEEN ?1 AND ?2 ORDER BY task_id ", order,
                                 ", rowid ", order, " LIMIT 1"}));
      s.args(first, last);
      return s.step() ? s.i64(0) : std::int64_t{0};
    };
    const std::int64_t lo = end_of_range("ASC"), hi = end_of_range("DESC");
    // Up to about as many foreign rows as own ones: reading past them is still cheaper than seeking.
    if (lo <= hi && hi - lo < 2 * count + 64) {
      // '+' keeps the planner on the rowid range (the task_id index would seek again).
      auto s = db_->prepare(cat({"SELECT ", columns, " FROM ", table, " ", alias, " WHERE ", alias, ".id BETWEEN ?3 AND ?4 AND +",
                                 alias, ".task_id BETWEEN ?1 AND ?2"}));
      s.args(first, last, lo, hi);
      const std::size_t start = n;
      while (s.step()) read(s, slot(v, n++));
      const bool outside = static_cast<std::int64_t>(n - start) < count;
      if (outside) {
        auto o = db_->prepare(cat({"SELECT ", columns, " FROM ", table, " ", alias, " WHERE ", alias, ".task_id BETWEEN ?1 AND ?2 AND (",
                                   alias, ".id < ?3 OR ", alias, ".id > ?4)"}));
        o.args(first, last, lo, hi);
        while (o.step()) read(o, slot(v, n++));
      }
      // In id order; rows added to an earlier task later, or read from outside the range, need the sort.
      const auto by_task = [](const T& x, const T& y) { return x.task_id < y.task_id || (x.task_id == y.task_id && x.id < y.id); };
      const auto begin = v.begin() + static_cast<std::ptrdiff_t>(start), end = v.begin() + static_cast<std::ptrdiff_t>(n);
      if (outside || !std::is_sorted(begin, end, by_task)) std::sort(begin, end, by_task);
      return;
    }
    auto s = db_->prepare(cat({"SELECT ", columns, " FROM ", table, " ", alias, " WHERE ", alias, ".task_id BETWEEN ?1 AND ?2 ORDER BY ",
                               alias, ".task_id, ", alias, ".id"}));
    s.args(first, last);
    while (s.step()) read(s, slot(v, n++));
  }

  template <class Bind>
  void read_children(export_batch& out, const std::string& where, Bind bind, const char* order) {
    {
      auto s = db_->prepare(cat({"SELECT ", annotation_columns(),
                                 " FROM tasks t JOIN annotations a ON a.task_id = t.id ", where, order, ", a.id"}));
      bind(s);
      read_rows(s, out.annotations, row_reader<annotation>());
    }
    if (rows_ == export_rows::annotations_only) return clear_extras(out);
    {
      auto s = db_->prepare(
          cat({"SELECT ", draft_columns_sql, " FROM tasks t JOIN drafts d ON d.task_id = t.id ", where, order, ", d.id"}));
      bind(s);
      read_rows(s, out.drafts);
    }
    // The tasks' counters say whether any prediction is there to read.
    bool predictions = false;
    for (const task& t : out.tasks) predictions = predictions || t.total_predictions > 0;
    out.predictions.clear();
    if (predictions) {
      auto s = db_->prepare(cat({"SELECT ", prediction_columns_sql,
                                 " FROM tasks t JOIN predictions p ON p.task_id = t.id ", where, order, ", p.id"}));
      bind(s);
      read_rows(s, out.predictions);
    }
    read_upload_names(out);
  }

  std::unique_ptr<connection> db_;
  export_rows rows_;
  // Scratch of read_batch_children and read_upload_names, kept between batches.
  std::vector<std::int64_t> batch_ids_, upload_ids_;
  std::vector<id_run> runs_;
};

}  // namespace

result<std::unique_ptr<export_reader>> sqlite_store::open_export_reader(export_rows rows) {
  try {
    // Pages are read in file order, through read-ahead windows (read_ahead_vfs.hpp): a call per
    // 64 KiB instead of per page. ANNOT_EXPORT_READ_AHEAD=0 reads page by page, for comparisons.
    const char* ahead = std::getenv("ANNOT_EXPORT_READ_AHEAD");
    auto c = connection::open(path_, connection::role::reader, !(ahead && std::string_view(ahead) == "0"));
    // Pages come through SQLite's own cache (cache_size), not a mapping of the whole file.
    c->exec("PRAGMA mmap_size = 0");
    // The export reads each page about once, in order: a small cache holds the B-trees' upper
    // levels; the readers' 16 MiB one only grew (a malloc and page faults per page read) and
    // counted in the export's RSS. 512 KiB rather than 2 MiB: ~330 fewer page faults for a CLI
    // export, at no cost in reads (200,000-task COCO alike).
    c->exec("PRAGMA cache_size = -512");
    return std::unique_ptr<export_reader>(new sqlite_export_reader(std::move(c), rows));
  } catch (const store_error& e) {
    return status(e.code(), e.what());
  } catch (const std::exception& e) {
    return status(errc::internal, e.what());
  }
}

}  // namespace sqlite

result<std::unique_ptr<export_reader>> open_export_reader(store& s, export_rows rows) {
  if (auto* sq = dynamic_cast<sqlite::sqlite_store*>(&s)) return sq->open_export_reader(rows);
  return status(errc::unsupported, "the " + std::string(s.engine()) + " store has no export reader");
}

}  // namespace annot::host::store
