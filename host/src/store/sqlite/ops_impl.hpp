// Internal to the SQLite engine's ops files: column lists, visibility predicates and the guards.
#pragma once

#include <new>

#include "store/sqlite/ops.hpp"

namespace annot::host::store::sqlite {

// The id of a new row of `table`, for an INSERT's VALUES: NULL (SQLite's max(id) + 1) unless a deleted
// row had a larger id (migration 0002 keeps the largest in settings), then one above it, so that no id
// is ever given twice. Two index seeks per row.
std::string id_above_floor(std::string_view table);
// The same for a bulk insert, worked out once: the id its first row must take (bound to that row, NULL to
// the rest, which then follow it), or none when SQLite's max(id) + 1 is above the floor anyway.
std::optional<std::int64_t> first_id_above_floor(connection& db, std::string_view table);

// The number of columns in a list of them ("t.id, t.data": 2): where the columns a query adds after
// such a list start.
constexpr int column_count(const char* columns) {
  int n = 1;
  for (const char* c = columns; *c; ++c) n += *c == ',';
  return n;
}

// Column lists, in the order the read_* functions expect.
inline constexpr const char* task_columns_sql =
    "t.id, t.project_id, t.inner_id, t.data, t.meta, t.created_at, t.updated_at, t.updated_by, t.is_labeled, "
    "t.overlap, t.total_annotations, t.cancelled_annotations, t.total_predictions, t.ground_truth, "
    "t.completed_at, t.predictions_score, t.avg_lead_time, t.comment_count, t.unresolved_comment_count, "
    "t.last_comment_updated_at, t.file_upload_id, t.import_id, t.allow_skip";
inline constexpr const char* annotation_columns_sql =
    "a.id, a.task_id, a.project_id, a.result, a.completed_by, a.updated_by, a.was_cancelled, a.ground_truth, "
    "a.lead_time, a.created_at, a.updated_at, a.draft_created_at, a.unique_id, a.import_id, a.last_action, "
    "a.last_created_by, a.parent_prediction, a.parent_annotation, a.bulk_created, a.prediction, "
    "a.result_count";
// The same columns for RETURNING (which takes no table alias), with NULL for the result: the writer has
// it already, and reading a large one back from its pages was a tenth of its save.
inline constexpr const char* annotation_returning_sql =
    "id, task_id, project_id, NULL, completed_by, updated_by, was_cancelled, ground_truth, lead_time, "
    "created_at, updated_at, draft_created_at, unique_id, import_id, last_action, last_created_by, "
    "parent_prediction, parent_annotation, bulk_created, prediction, result_count";
inline constexpr const char* draft_columns_sql =
    "d.id, d.task_id, d.project_id, d.user_id, d.annotation_id, d.result, d.lead_time, d.was_postponed, "
    "d.import_id, d.created_at, d.updated_at";
inline constexpr const char* prediction_columns_sql =
    "p.id, p.task_id, p.project_id, p.result, p.score, p.model_version, p.model_run, p.cluster, p.neighbors, "
    "p.mislabeling, p.created_at, p.updated_at";

// Row readers for the column lists above, the one place that knows their order. Every field of
// `out` is overwritten; strings keep the capacity they have, so a caller that refills the same
// objects (the export reader's batches) allocates nothing per row.
// Copies column `col` into `out`, reusing its capacity (NULL: empty / nullopt).
void assign_column(std::string& out, const statement& s, int col);
void assign_column(std::optional<std::string>& out, const statement& s, int col);
void read_row(const statement& s, task& out, int first = 0);
void read_row(const statement& s, annotation& out);
void read_row(const statement& s, draft& out);
void read_row(const statement& s, prediction& out);

// Whether task `t` has an annotation that is neither ground truth nor cancelled: the tasks Label
// Studio counts in num_tasks_with_annotations (projects/functions::annotate_num_tasks_with_annotations).
inline constexpr const char* has_counted_annotation_sql =
    "EXISTS (SELECT 1 FROM annotations ca WHERE ca.task_id = t.id AND ca.ground_truth = 0 AND "
    "ca.was_cancelled = 0)";

// A task `t` is visible when its project is not being deleted and its import (if any) is published.
inline constexpr const char* task_visible_sql =
    "EXISTS (SELECT 1 FROM projects vp WHERE vp.id = t.project_id AND vp.deleted_at IS NULL) AND "
    "(t.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports vi WHERE vi.id = t.import_id AND "
    "vi.rows_hidden = 1))";

// `<column> = <id>` spelt in the SQL text. SQLite compares a bound `project_id = ?` with the data-key
// indexes' `WHERE project_id = P` and then re-prepares the statement every time the value is
// re-bound (~100 µs); a literal gives one cached statement per project instead.
inline std::string project_is(std::string_view column, std::int64_t project_id) {
  return std::string(column) + " = " + std::to_string(project_id);
}

template <class F>
auto ops::guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const store_error& e) {
    return status(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return status(errc::internal, "out of memory");
  } catch (const std::exception& e) {
    return status(errc::internal, e.what());
  }
}

// Runs a write op inside its own savepoint: a failing op leaves nothing behind even when the unit
// that called it carries on.
template <class F>
auto write_op(ops& self, F&& f) -> decltype(f()) {
  connection& db = self.db();
  if (!self.writer()) return status(errc::failed_precondition, "writes are only allowed inside a write unit");
  try {
    db.run_cached("SAVEPOINT op");
  } catch (const store_error& e) {
    return status(e.code(), e.what());
  }
  auto rollback = [&] {
    try {
      db.run_cached("ROLLBACK TO op");
      db.run_cached("RELEASE op");
    } catch (...) {
    }
  };
  try {
    auto r = f();
    if (!r.ok()) {
      rollback();
      return r;
    }
    db.run_cached("RELEASE op");
    return r;
  } catch (const store_error& e) {
    rollback();
    return status(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    rollback();
    return status(errc::internal, "out of memory");
  } catch (const std::exception& e) {
    rollback();
    return status(errc::internal, e.what());
  }
}

inline bool is_ignore_skipped(std::string_view skip_queue) {
  return skip_queue == skip_ignore_skipped;
}

// JSON checks that throw invalid_argument with a message naming the field.
void require_json_object(std::string_view text, std::string_view what);
// Returns the list's length (what json_array_length() would say, without SQLite parsing the text again
// on the writer: a 60 MB result took it ~0.4 s).
std::int64_t require_json_array(std::string_view text, std::string_view what);
// A result list about to be written: checked as require_json_array() checks it, its summary contributions
// added to `delta` with `sign`, its item count returned; one parse for the three (a result can be tens of MB,
// and this runs on the writer).
std::int64_t check_result(std::string_view result, std::string_view what, bool annotation, int sign,
                          summary_delta& delta);
void require_json(std::string_view text, std::string_view what);

// The overlap a task gets: maximum_annotations for overlap_cohort_percentage % of the tasks,
// spread evenly by inner_id, 1 for the others.
std::int64_t overlap_for(std::int64_t inner_id, std::int64_t maximum_annotations,
                         std::int64_t cohort_percentage);

}  // namespace annot::host::store::sqlite
