// Tasks, annotations, drafts and predictions, each write keeping task and project counters and the
// project summary up to date in the same transaction.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "store/json_check.hpp"
#include "store/secrets.hpp"
#include "store/sqlite/ops_impl.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

std::string one_id(std::int64_t id) {
  return "[" + std::to_string(id) + "]";
}

// `text` as an SQL string literal (quotes doubled), for a value spelt into a condition.
std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::map<std::string, std::int64_t> key_counts(std::string_view data, int sign) {
  std::vector<std::string> keys;
  if (std::string why; !json::object_keys(data, keys, &why)) fail(errc::invalid_argument, "task data " + why);
  std::map<std::string, std::int64_t> out;
  for (auto& k : keys) out[std::move(k)] += sign;
  return out;
}

}  // namespace

// ---- tasks: reads ---------------------------------------------------------------------------------------

result<task> ops::get_task(std::int64_t id) {
  return guard([&]() -> result<task> {
    auto s = db_.prepare(
        cat({"SELECT ", task_columns_sql, " FROM tasks t WHERE t.id = ?1 AND ", task_visible_sql}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "task " + std::to_string(id) + " not found");
    return read_task(s);
  });
}

void ops::read_details(std::span<const std::int64_t> ids, bool annotations, bool predictions,
                       std::optional<std::int64_t> draft_user, task_details& out) {
  // The tasks were read visible in this snapshot: their rows need no second visibility check. One
  // task binds its id (an index probe); several bind a JSON array.
  static const std::string one = "= ?1", set = "IN (SELECT value FROM json_each(?1))";
  const bool many = ids.size() != 1;
  const std::string list = many ? ids_to_json(ids) : std::string();
  auto bind_ids = [&](statement& s) {
    if (many) s.bind(1, list);
    else s.bind(1, ids.front());
  };
  if (annotations) {
    // The annotators' names come with the rows (one statement, not one per user).
    static const std::string sql[2] = {
        cat({"SELECT ", annotation_columns_sql, ", u.id, u.first_name, u.last_name, u.email FROM annotations a ",
             "LEFT JOIN users u ON u.id = a.completed_by WHERE a.task_id ", one, " ORDER BY a.task_id, a.id"}),
        cat({"SELECT ", annotation_columns_sql, ", u.id, u.first_name, u.last_name, u.email FROM annotations a ",
             "LEFT JOIN users u ON u.id = a.completed_by WHERE a.task_id ", set, " ORDER BY a.task_id, a.id"})};
    auto s = db_.prepare(sql[many]);
    bind_ids(s);
    while (s.step()) {
      out.annotations.push_back(read_annotation(s));
      if (s.is_null(21)) continue;
      const std::int64_t uid = s.i64(21);
      auto at = std::lower_bound(out.annotators.begin(), out.annotators.end(), uid,
                                 [](const user_name& u, std::int64_t id) { return u.id < id; });
      if (at != out.annotators.end() && at->id == uid) continue;
      out.annotators.insert(at, user_name{uid, s.text(22), s.text(23), s.text(24)});
    }
  }
  if (predictions) {
    static const std::string sql[2] = {
        cat({"SELECT ", prediction_columns_sql, " FROM predictions p WHERE p.task_id ", one,
             " ORDER BY p.task_id, p.id"}),
        cat({"SELECT ", prediction_columns_sql, " FROM predictions p WHERE p.task_id ", set,
             " ORDER BY p.task_id, p.id"})};
    auto s = db_.prepare(sql[many]);
    bind_ids(s);
    while (s.step()) out.predictions.push_back(read_prediction(s));
  }
  if (draft_user) {
    static const std::string sql[2] = {
        cat({"SELECT ", draft_columns_sql, " FROM drafts d WHERE d.task_id ", one,
             " AND d.user_id = ?2 ORDER BY d.task_id, d.id"}),
        cat({"SELECT ", draft_columns_sql, " FROM drafts d WHERE d.task_id ", set,
             " AND d.user_id = ?2 ORDER BY d.task_id, d.id"})};
    auto s = db_.prepare(sql[many]);
    bind_ids(s);
    s.bind(2, *draft_user);
    while (s.step()) out.drafts.push_back(read_draft(s));
  }
}

result<task_details> ops::get_task_details(std::span<const task> tasks, std::optional<std::int64_t> draft_user) {
  return guard([&]() -> result<task_details> {
    task_details out;
    std::vector<std::int64_t> ids, uploads;
    ids.reserve(tasks.size());
    bool annotations = false, predictions = false;
    for (const auto& t : tasks) {
      ids.push_back(t.id);
      // The counters are kept by every write in the same transaction: zero means no rows.
      annotations = annotations || t.total_annotations + t.cancelled_annotations > 0;
      predictions = predictions || t.total_predictions > 0;
      if (t.file_upload_id) uploads.push_back(*t.file_upload_id);
    }
    if (ids.empty()) return out;
    read_details(ids, annotations, predictions, draft_user, out);
    if (!uploads.empty()) {
      std::sort(uploads.begin(), uploads.end());
      uploads.erase(std::unique(uploads.begin(), uploads.end()), uploads.end());
      auto s = db_.prepare("SELECT id, file FROM file_uploads WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id");
      s.args(ids_to_json(uploads));
      while (s.step()) out.upload_files.emplace_back(s.i64(0), s.text(1));
    }
    return out;
  });
}

result<task_bundle> ops::get_task_bundle(std::int64_t id, std::optional<std::int64_t> draft_user) {
  return guard([&]() -> result<task_bundle> {
    // The task, its upload's file and whether the user has drafts of it in one statement: a task
    // without annotations, predictions or drafts is one statement in all.
    static const std::string sql = cat({"SELECT ", task_columns_sql,
                                        ", f.file, EXISTS (SELECT 1 FROM drafts d WHERE d.task_id = t.id AND "
                                        "d.user_id = ?2) FROM tasks t LEFT JOIN file_uploads f ON f.id = "
                                        "t.file_upload_id WHERE t.id = ?1 AND ",
                                        task_visible_sql});
    task_bundle b;
    bool drafts = false;
    {
      auto s = db_.prepare(sql);
      s.args(id, draft_user);  // no user: NULL matches no draft
      if (!s.step()) return status(errc::not_found, "task " + std::to_string(id) + " not found");
      b.t = read_task(s);
      constexpr int file_column = column_count(task_columns_sql);
      if (b.t.file_upload_id && !s.is_null(file_column))
        b.details.upload_files.emplace_back(*b.t.file_upload_id, s.text(file_column));
      drafts = s.boolean(file_column + 1);
    }
    const bool annotations = b.t.total_annotations + b.t.cancelled_annotations > 0;
    const bool predictions = b.t.total_predictions > 0;
    if (annotations || predictions || drafts)
      read_details(std::span(&id, 1), annotations, predictions, drafts ? draft_user : std::nullopt, b.details);
    return b;
  });
}

result<std::vector<task>> ops::get_tasks(std::span<const std::int64_t> ids) {
  return guard([&]() -> result<std::vector<task>> {
    std::vector<task> found;
    auto s = db_.prepare(
        cat({"SELECT ", task_columns_sql,
             " FROM tasks t WHERE t.id IN (SELECT value FROM json_each(?1)) AND ", task_visible_sql}));
    s.args(ids_to_json(ids));
    std::unordered_map<std::int64_t, std::size_t> at;
    while (s.step()) {
      found.push_back(read_task(s));
      at[found.back().id] = found.size() - 1;
    }
    std::vector<task> out;
    out.reserve(found.size());
    for (auto id : ids)
      if (auto it = at.find(id); it != at.end()) out.push_back(std::move(found[it->second]));
    return out;
  });
}

result<std::vector<task>> ops::list_project_tasks(std::int64_t project_id, std::int64_t offset,
                                                  std::int64_t limit) {
  return guard([&]() -> result<std::vector<task>> {
    require_project(project_id);
    if (offset < 0 || limit < 0)
      return status(errc::invalid_argument, "offset and limit must not be negative");
    auto hidden = hidden_imports(project_id);
    std::vector<task> out;
    // inner_id order is id order inside a project, and (project_id, inner_id) is indexed.
    auto s = db_.prepare(
        cat({"SELECT ", task_columns_sql,
             " FROM tasks t WHERE ", project_is("t.project_id", project_id),
             " AND (?4 = '[]' OR t.import_id IS NULL OR t.import_id "
             "NOT IN (SELECT value FROM json_each(?4))) ORDER BY t.inner_id LIMIT ?2 OFFSET ?3"}));
    s.args(project_id, limit, offset, ids_to_json(hidden));
    while (s.step()) out.push_back(read_task(s));
    return out;
  });
}

result<std::vector<task>> ops::list_project_tasks_after(std::int64_t project_id, std::int64_t after_inner_id,
                                                        std::int64_t limit) {
  return guard([&]() -> result<std::vector<task>> {
    require_project(project_id);
    auto hidden = hidden_imports(project_id);
    std::vector<task> out;
    auto s = db_.prepare(
        cat({"SELECT ", task_columns_sql,
             " FROM tasks t WHERE ", project_is("t.project_id", project_id),
             " AND t.inner_id > ?2 AND (?4 = '[]' OR t.import_id IS "
             "NULL OR t.import_id NOT IN (SELECT value FROM json_each(?4))) ORDER BY t.inner_id LIMIT ?3"}));
    s.args(project_id, after_inner_id, limit, ids_to_json(hidden));
    while (s.step()) out.push_back(read_task(s));
    return out;
  });
}

// ---- tasks: writes --------------------------------------------------------------------------------------

result<task> ops::create_task(const new_task& t) {
  return write_op(*this, [&]() -> result<task> {
    project p = require_project(t.project_id);
    auto keys = key_counts(t.data, +1);
    require_json(t.meta, "task meta");
    require_user(t.updated_by, "updated_by");
    if (t.file_upload_id) {
      auto f = get_file_upload(*t.file_upload_id);
      if (!f || f->project_id != p.id)
        return status(errc::invalid_argument, "file_upload: " + std::to_string(*t.file_upload_id) +
                                                  " is not a file upload of this project");
    }
    auto m = db_.prepare("SELECT coalesce(max(inner_id), 0) + 1 FROM tasks WHERE " + project_is("project_id", p.id));
    m.step();
    std::int64_t inner = m.i64(0);
    timestamp created = t.created_at.value_or(now());
    static const std::string sql =
        cat({"INSERT INTO tasks(id, project_id, inner_id, data, meta, created_at, updated_at, updated_by, "
             "overlap, file_upload_id, allow_skip) VALUES (",
             id_above_floor("tasks"), ", ?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)"});
    auto s = db_.prepare(sql);
    s.args(p.id, inner, t.data, t.meta, created, t.updated_by,
           overlap_for(inner, p.maximum_annotations, p.overlap_cohort_percentage), t.file_upload_id,
           t.allow_skip)
        .run();
    std::int64_t id = db_.last_insert_rowid();
    summarize_data_keys(p.id, keys, false, 0);
    task_sums one;
    one.tasks = 1;
    apply_delta(p.id, task_sums{}, one);
    request_pending_indexes(p.id);
    return get_task(id);
  });
}

result<task> ops::update_task(std::int64_t id, const task_patch& p) {
  return write_op(*this, [&]() -> result<task> {
    task t = require_task(id);
    project pr = require_project(t.project_id);
    std::string tid = one_id(id);
    auto before = sums(tid);
    if (p.data) {
      auto added = key_counts(*p.data, +1);
      summarize_task_data_removed(tid);
      summarize_data_keys(pr.id, added, false, 0);
      t.data = *p.data;
    }
    if (p.meta) {
      require_json(*p.meta, "task meta");
      t.meta = *p.meta;
    }
    if (p.updated_by) {
      require_user(*p.updated_by, "updated_by");
      t.updated_by = *p.updated_by;
    }
    if (p.file_upload_id) {
      if (*p.file_upload_id) {
        auto f = get_file_upload(**p.file_upload_id);
        if (!f || f->project_id != pr.id)
          return status(errc::invalid_argument, "file_upload: " + std::to_string(**p.file_upload_id) +
                                                    " is not a file upload of this project");
      }
      t.file_upload_id = *p.file_upload_id;
    }
    if (p.overlap) {
      if (*p.overlap < 1) return status(errc::invalid_argument, "overlap must be at least 1");
      t.overlap = *p.overlap;
    }
    if (p.allow_skip) t.allow_skip = *p.allow_skip;
    auto s = db_.prepare(
        "UPDATE tasks SET data = ?2, meta = ?3, updated_by = ?4, file_upload_id = ?5, overlap = ?6, "
        "updated_at = ?7, allow_skip = ?8 WHERE id = ?1");
    s.args(id, t.data, t.meta, t.updated_by, t.file_upload_id, t.overlap, now(), t.allow_skip).run();
    refresh_tasks(tid, is_ignore_skipped(pr.skip_queue));
    apply_delta(pr.id, before, sums(tid));
    prune_summary(pr.id);
    return get_task(id);
  });
}

std::int64_t ops::remove_tasks(std::int64_t project_id, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return 0;
  std::string tids = ids_to_json(ids);
  auto before = sums(tids);
  std::vector<std::int64_t> anns, drafts;
  auto a = db_.prepare("SELECT id FROM annotations WHERE task_id IN (SELECT value FROM json_each(?1))");
  a.args(tids);
  while (a.step()) anns.push_back(a.i64(0));
  auto d = db_.prepare("SELECT id FROM drafts WHERE task_id IN (SELECT value FROM json_each(?1))");
  d.args(tids);
  while (d.step()) drafts.push_back(d.i64(0));
  if (!anns.empty()) summarize_results("annotations", ids_to_json(anns), -1, false, 0);
  if (!drafts.empty()) summarize_results("drafts", ids_to_json(drafts), -1, false, 0);
  summarize_task_data_removed(tids);
  auto del = db_.prepare("DELETE FROM tasks WHERE id IN (SELECT value FROM json_each(?1))");
  del.args(tids).run();
  std::int64_t n = db_.changes();
  apply_delta(project_id, before, task_sums{});
  prune_summary(project_id);
  return n;
}

status ops::delete_task(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    task t = require_task(id);
    remove_tasks(t.project_id, {id});
    return status::success();
  });
}

result<std::int64_t> ops::delete_tasks(const task_selection& sel, std::int64_t limit) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    if (limit < 1) return status(errc::invalid_argument, "limit must be positive");
    return remove_tasks(sel.project_id, selection_ids(sel, limit));
  });
}

// ---- annotations ----------------------------------------------------------------------------------------

result<annotation> ops::get_annotation(std::int64_t id) {
  return guard([&]() -> result<annotation> {
    auto s = db_.prepare(
        cat({"SELECT ", annotation_columns_sql,
             " FROM annotations a JOIN tasks t ON t.id = a.task_id WHERE a.id = ?1 AND ", task_visible_sql}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "annotation " + std::to_string(id) + " not found");
    return read_annotation(s);
  });
}

result<std::vector<annotation>> ops::list_annotations(std::span<const std::int64_t> task_ids) {
  return guard([&]() -> result<std::vector<annotation>> {
    std::vector<annotation> out;
    auto s = db_.prepare(
        cat({"SELECT ", annotation_columns_sql,
             " FROM annotations a JOIN tasks t ON t.id = a.task_id WHERE a.task_id IN (SELECT value FROM "
             "json_each(?1)) AND ",
             task_visible_sql, " ORDER BY a.task_id, a.id"}));
    s.args(ids_to_json(task_ids));
    while (s.step()) out.push_back(read_annotation(s));
    return out;
  });
}

result<annotation> ops::create_annotation(const new_annotation& a) {
  return write_op(*this, [&]() -> result<annotation> {
    auto before = require_task_owner(a.task_id);
    summary_delta delta;
    const std::int64_t result_count = check_result(a.result, "annotation result", true, +1, delta);
    if (a.prediction != "{}") require_json(a.prediction, "annotation prediction");
    require_user(a.completed_by, "completed_by");
    const std::optional<std::int64_t> updated_by = a.updated_by.value_or(a.completed_by);
    if (a.updated_by) require_user(updated_by, "updated_by");
    if (a.lead_time && *a.lead_time < 0)
      return status(errc::invalid_argument, "lead_time must not be negative");
    if (a.parent_prediction) {
      auto pp = get_prediction(*a.parent_prediction);
      if (!pp)
        return status(errc::invalid_argument,
                      "parent_prediction: prediction " + std::to_string(*a.parent_prediction) + " not found");
    }
    if (a.parent_annotation) {
      auto pa = get_annotation(*a.parent_annotation);
      if (!pa)
        return status(errc::invalid_argument,
                      "parent_annotation: annotation " + std::to_string(*a.parent_annotation) + " not found");
    }
    std::string unique = a.unique_id.empty() ? new_uuid_v7() : a.unique_id;
    if (!a.unique_id.empty()) {
      auto dup = db_.prepare("SELECT 1 FROM annotations WHERE unique_id = ?1");
      dup.args(unique);
      if (dup.step())
        return status(errc::already_exists, "an annotation with unique_id " + unique + " already exists");
    }
    timestamp created = a.created_at.value_or(now());
    annotation out;
    {
      static const std::string sql =
          cat({"INSERT INTO annotations(id, task_id, project_id, result, completed_by, updated_by, "
               "was_cancelled, ground_truth, lead_time, created_at, updated_at, draft_created_at, unique_id, "
               "import_id, last_action, last_created_by, parent_prediction, parent_annotation, prediction, "
               "result_count) VALUES (",
               id_above_floor("annotations"),
               ", ?1, ?2, ?3, ?4, ?17, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?4, ?14, "
               "?15, ?16, ?18) RETURNING ",
               annotation_returning_sql});
      auto s = db_.prepare(sql);
      s.args(a.task_id, before.project_id, borrowed_text{a.result}, a.completed_by, a.was_cancelled,
             a.ground_truth, a.lead_time, created, a.updated_at.value_or(created), a.draft_created_at, unique,
             a.import_id, a.last_action, a.parent_prediction, a.parent_annotation, a.prediction, updated_by,
             result_count);
      if (!s.step()) fail(errc::internal, "the new annotation was not returned");
      out = read_annotation(s);
      out.result = a.result;
    }
    if (a.draft_id) {
      // A draft already gone (another tab submitted it) is no reason to lose the annotation, as upstream.
      auto d = get_draft(*a.draft_id);
      if (d && d->task_id != a.task_id)
        return status(errc::invalid_argument, "draft_id: draft " + std::to_string(*a.draft_id) +
                                                  " is not a draft of task " + std::to_string(a.task_id));
      if (d) {
        add_result_summary(d->result, false, -1, delta);
        auto dd = db_.prepare("DELETE FROM drafts WHERE id = ?1");
        dd.args(*a.draft_id).run();
      }
    }
    apply_summary(before.project_id, delta, false);
    if (a.draft_id) prune_summary(before.project_id);  // only decrements can leave empty summary rows
    if (a.completed_by) {
      // Submitting (or skipping) ends the user's hold on the task in the labeling stream.
      auto l = db_.prepare("DELETE FROM task_locks WHERE task_id = ?1 AND user_id = ?2");
      l.args(a.task_id, *a.completed_by).run();
    }
    std::int64_t d_ground_truth = a.ground_truth ? 1 : 0,
                 d_useful = (!a.ground_truth && !a.was_cancelled) ? 1 : 0;
    if (a.ground_truth) keep_one_ground_truth(a.task_id, out.id, d_ground_truth, d_useful);
    auto after = refresh_one(before, a.task_id, a.completed_by);
    apply_transition(before, after, d_ground_truth, d_useful);
    return out;
  });
}

void ops::keep_one_ground_truth(std::int64_t task_id, std::int64_t annotation_id,
                                std::int64_t& d_ground_truth, std::int64_t& d_useful) {
  auto s = db_.prepare(
      "UPDATE annotations SET ground_truth = 0 WHERE task_id = ?1 AND id != ?2 AND ground_truth = 1 "
      "RETURNING was_cancelled");
  s.args(task_id, annotation_id);
  while (s.step()) {
    --d_ground_truth;
    if (!s.boolean(0)) ++d_useful;  // neither ground truth nor cancelled any more
  }
}

result<annotation> ops::update_annotation(std::int64_t id, const annotation_patch& pa) {
  return write_op(*this, [&]() -> result<annotation> {
    annotation a = require_annotation(id);
    const bool old_ground_truth = a.ground_truth, old_cancelled = a.was_cancelled;
    auto before = require_task_owner(a.task_id);
    summary_delta delta;
    if (pa.result) {
      a.result_count = check_result(*pa.result, "annotation result", true, +1, delta);
      add_result_summary(a.result, true, -1, delta);
      a.result = *pa.result;
    }
    if (pa.was_cancelled) a.was_cancelled = *pa.was_cancelled;
    if (pa.ground_truth) a.ground_truth = *pa.ground_truth;
    if (pa.lead_time) {
      if (*pa.lead_time && **pa.lead_time < 0)
        return status(errc::invalid_argument, "lead_time must not be negative");
      a.lead_time = *pa.lead_time;
    }
    if (pa.updated_by) {
      require_user(*pa.updated_by, "updated_by");
      a.updated_by = *pa.updated_by;
    }
    if (pa.completed_by) {
      require_user(*pa.completed_by, "completed_by");
      a.completed_by = *pa.completed_by;
    }
    if (pa.last_action) a.last_action = *pa.last_action;
    if (pa.draft_created_at) a.draft_created_at = *pa.draft_created_at;
    {
      // The row is `a` now but for updated_at: it is returned, not read again with its result.
      auto s = db_.prepare(
          "UPDATE annotations SET result = ?2, was_cancelled = ?3, ground_truth = ?4, lead_time = ?5, "
          "updated_by = ?6, completed_by = ?7, last_action = ?8, draft_created_at = ?9, updated_at = ?10, "
          "result_count = ?11 WHERE id = ?1 RETURNING updated_at");
      s.args(id, borrowed_text{a.result}, a.was_cancelled, a.ground_truth, a.lead_time, a.updated_by,
             a.completed_by, a.last_action, a.draft_created_at, now(), a.result_count);
      if (!s.step()) fail(errc::internal, "the updated annotation was not returned");
      a.updated_at = s.ts(0);
    }
    if (pa.result) {
      apply_summary(before.project_id, delta, false);
      prune_summary(before.project_id);
    }
    auto useful = [](bool ground_truth, bool cancelled) { return (!ground_truth && !cancelled) ? 1 : 0; };
    std::int64_t d_ground_truth = std::int64_t(a.ground_truth) - std::int64_t(old_ground_truth),
                 d_useful = useful(a.ground_truth, a.was_cancelled) - useful(old_ground_truth, old_cancelled);
    if (pa.ground_truth && *pa.ground_truth) keep_one_ground_truth(a.task_id, id, d_ground_truth, d_useful);
    auto after = refresh_one(before, a.task_id, pa.updated_by ? *pa.updated_by : std::nullopt);
    apply_transition(before, after, d_ground_truth, d_useful);
    return a;
  });
}

status ops::delete_annotation(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    annotation a = require_annotation(id);
    auto before = require_task_owner(a.task_id);
    summary_delta delta;
    add_result_summary(a.result, true, -1, delta);
    apply_summary(before.project_id, delta, false);
    // Drafts bound to the annotation go with it (cascade): their labels leave the summary too.
    std::vector<std::int64_t> drafts;
    {
      auto d = db_.prepare("SELECT id FROM drafts WHERE annotation_id = ?1");
      d.args(id);
      while (d.step()) drafts.push_back(d.i64(0));
    }
    if (!drafts.empty()) summarize_results("drafts", ids_to_json(drafts), -1, false, 0);
    auto s = db_.prepare("DELETE FROM annotations WHERE id = ?1");
    s.args(id).run();
    auto after = refresh_one(before, a.task_id, std::nullopt);
    apply_transition(before, after, a.ground_truth ? -1 : 0, (!a.ground_truth && !a.was_cancelled) ? -1 : 0);
    prune_summary(before.project_id);
    return status::success();
  });
}

result<std::int64_t> ops::delete_annotations(const task_selection& sel, std::int64_t limit,
                                             std::optional<std::int64_t> completed_by) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    if (limit < 1) return status(errc::invalid_argument, "limit must be positive");
    project p = require_project(sel.project_id);
    // Label Studio's delete_tasks_annotations: the tasks' annotations (of one annotator when given)
    // and the tasks' drafts (that annotator's). Chunks take tasks that still hold such annotations;
    // drafts on tasks without any are delete_drafts' (the action runs it next).
    const std::string holds =
        completed_by ? "EXISTS (SELECT 1 FROM annotations xa WHERE xa.task_id = t.id AND xa.completed_by = " +
                           std::to_string(*completed_by) + ")"
                     : std::string("(t.total_annotations + t.cancelled_annotations) > 0");
    auto tasks = selection_ids(sel, limit, holds.c_str());
    if (tasks.empty()) return std::int64_t(0);
    std::string tids = ids_to_json(tasks);
    auto before = sums(tids);
    std::vector<std::int64_t> anns, drafts;
    const std::string in_tasks = "task_id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR ";
    auto a = db_.prepare("SELECT id FROM annotations WHERE " + in_tasks + "completed_by = ?2)");
    a.args(tids, completed_by);
    while (a.step()) anns.push_back(a.i64(0));
    // Drafts of the deleted annotations go with them (whoever wrote them), as do the annotator's own.
    auto d = db_.prepare("SELECT id FROM drafts WHERE " + in_tasks +
                         "user_id = ?2 OR annotation_id IN (SELECT value FROM json_each(?3)))");
    d.args(tids, completed_by, ids_to_json(anns));
    while (d.step()) drafts.push_back(d.i64(0));
    if (!anns.empty()) summarize_results("annotations", ids_to_json(anns), -1, false, 0);
    if (!drafts.empty()) summarize_results("drafts", ids_to_json(drafts), -1, false, 0);
    auto dd = db_.prepare("DELETE FROM drafts WHERE id IN (SELECT value FROM json_each(?1))");
    dd.args(ids_to_json(drafts)).run();
    auto del = db_.prepare("DELETE FROM annotations WHERE id IN (SELECT value FROM json_each(?1))");
    del.args(ids_to_json(anns)).run();
    std::int64_t n = db_.changes();
    refresh_tasks(tids, is_ignore_skipped(p.skip_queue));
    apply_delta(p.id, before, sums(tids));
    prune_summary(p.id);
    touch(p.id);
    return n;
  });
}

// ---- drafts ---------------------------------------------------------------------------------------------

result<draft> ops::get_draft(std::int64_t id) {
  return guard([&]() -> result<draft> {
    auto s = db_.prepare(
        cat({"SELECT ", draft_columns_sql,
             " FROM drafts d JOIN tasks t ON t.id = d.task_id WHERE d.id = ?1 AND ", task_visible_sql}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "draft " + std::to_string(id) + " not found");
    return read_draft(s);
  });
}

result<std::vector<draft>> ops::list_drafts(std::span<const std::int64_t> task_ids,
                                            std::optional<std::int64_t> user_id) {
  return guard([&]() -> result<std::vector<draft>> {
    std::vector<draft> out;
    auto s = db_.prepare(
        cat({"SELECT ", draft_columns_sql,
             " FROM drafts d JOIN tasks t ON t.id = d.task_id WHERE d.task_id IN (SELECT value FROM "
             "json_each(?1)) AND (?2 IS NULL OR d.user_id = ?2) AND ",
             task_visible_sql, " ORDER BY d.task_id, d.id"}));
    s.args(ids_to_json(task_ids), user_id);
    while (s.step()) out.push_back(read_draft(s));
    return out;
  });
}

result<draft> ops::create_draft(const new_draft& nd) {
  return write_op(*this, [&]() -> result<draft> {
    auto owner = require_task_owner(nd.task_id);
    summary_delta delta;
    check_result(nd.result, "draft result", false, +1, delta);
    require_user(nd.user_id, "user");
    if (nd.lead_time && *nd.lead_time < 0)
      return status(errc::invalid_argument, "lead_time must not be negative");
    if (nd.annotation_id) {
      auto a = get_annotation(*nd.annotation_id);
      if (!a || a->task_id != nd.task_id)
        return status(errc::invalid_argument, "annotation: " + std::to_string(*nd.annotation_id) +
                                                  " is not an annotation of task " +
                                                  std::to_string(nd.task_id));
    }
    timestamp ts = now();
    static const std::string sql =
        cat({"INSERT INTO drafts(id, task_id, project_id, user_id, annotation_id, result, lead_time, "
             "was_postponed, created_at, updated_at) VALUES (",
             id_above_floor("drafts"), ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"});
    auto s = db_.prepare(sql);
    s.args(nd.task_id, owner.project_id, nd.user_id, nd.annotation_id, borrowed_text{nd.result}, nd.lead_time,
           nd.was_postponed, ts)
        .run();
    // The row as written (not read back with its result: editors save drafts often, some large).
    draft out;
    out.id = db_.last_insert_rowid();
    out.task_id = nd.task_id;
    out.project_id = owner.project_id;
    out.user_id = nd.user_id;
    out.annotation_id = nd.annotation_id;
    out.result = nd.result;
    out.lead_time = nd.lead_time;
    out.was_postponed = nd.was_postponed;
    out.created_at = out.updated_at = ts;
    apply_summary(owner.project_id, delta, false);
    touch(owner.project_id);
    return out;
  });
}

result<draft> ops::update_draft(std::int64_t id, const draft_patch& p) {
  return write_op(*this, [&]() -> result<draft> {
    auto cur = get_draft(id);
    if (!cur) return cur.error();
    draft d = std::move(*cur);
    summary_delta delta;
    if (p.result) {
      check_result(*p.result, "draft result", false, +1, delta);
      add_result_summary(d.result, false, -1, delta);
      d.result = *p.result;
    }
    if (p.lead_time) {
      if (*p.lead_time && **p.lead_time < 0)
        return status(errc::invalid_argument, "lead_time must not be negative");
      d.lead_time = *p.lead_time;
    }
    if (p.was_postponed) d.was_postponed = *p.was_postponed;
    d.updated_at = now();
    auto s = db_.prepare(
        "UPDATE drafts SET result = ?2, lead_time = ?3, was_postponed = ?4, updated_at = ?5 WHERE id = ?1");
    s.args(id, borrowed_text{d.result}, d.lead_time, d.was_postponed, d.updated_at).run();
    if (p.result) {
      apply_summary(d.project_id, delta, false);
      prune_summary(d.project_id);
    }
    touch(d.project_id);
    return d;
  });
}

status ops::delete_draft(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    auto d = get_draft(id);
    if (!d) return d.error();
    summary_delta delta;
    add_result_summary(d->result, false, -1, delta);
    apply_summary(d->project_id, delta, false);
    auto s = db_.prepare("DELETE FROM drafts WHERE id = ?1");
    s.args(id).run();
    prune_summary(d->project_id);
    touch(d->project_id);
    return status::success();
  });
}

result<std::int64_t> ops::delete_drafts(const task_selection& sel, std::int64_t limit,
                                        std::optional<std::int64_t> user_id) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    if (limit < 1) return status(errc::invalid_argument, "limit must be positive");
    require_project(sel.project_id);
    const std::string holds = "EXISTS (SELECT 1 FROM drafts xd WHERE xd.task_id = t.id" +
                              (user_id ? " AND xd.user_id = " + std::to_string(*user_id) : std::string()) +
                              ")";
    auto tasks = selection_ids(sel, limit, holds.c_str());
    if (tasks.empty()) return std::int64_t(0);
    std::string tids = ids_to_json(tasks);
    std::vector<std::int64_t> drafts;
    auto d = db_.prepare(
        "SELECT id FROM drafts WHERE task_id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR "
        "user_id = ?2)");
    d.args(tids, user_id);
    while (d.step()) drafts.push_back(d.i64(0));
    summarize_results("drafts", ids_to_json(drafts), -1, false, 0);
    auto del = db_.prepare("DELETE FROM drafts WHERE id IN (SELECT value FROM json_each(?1))");
    del.args(ids_to_json(drafts)).run();
    std::int64_t n = db_.changes();
    prune_summary(sel.project_id);
    touch(sel.project_id);
    return n;
  });
}

// ---- predictions ----------------------------------------------------------------------------------------

result<prediction> ops::get_prediction(std::int64_t id) {
  return guard([&]() -> result<prediction> {
    auto s = db_.prepare(
        cat({"SELECT ", prediction_columns_sql,
             " FROM predictions p JOIN tasks t ON t.id = p.task_id WHERE p.id = ?1 AND ", task_visible_sql}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "prediction " + std::to_string(id) + " not found");
    return read_prediction(s);
  });
}

result<std::vector<prediction>> ops::list_predictions(const prediction_filter& f) {
  return guard([&]() -> result<std::vector<prediction>> {
    std::vector<prediction> out;
    auto s = db_.prepare(
        cat({"SELECT ", prediction_columns_sql,
             " FROM predictions p JOIN tasks t ON t.id = p.task_id WHERE (?1 IS NULL OR p.task_id = ?1) AND "
             "(?2 IS NULL OR p.project_id = ?2) AND (?3 IS NULL OR p.model_version = ?3) AND ",
             task_visible_sql, " ORDER BY p.id LIMIT ?4"}));
    s.args(f.task_id, f.project_id, f.model_version, f.limit.value_or(-1));  // LIMIT -1: no limit
    while (s.step()) out.push_back(read_prediction(s));
    return out;
  });
}

result<std::vector<prediction>> ops::list_task_predictions(std::span<const std::int64_t> task_ids) {
  return guard([&]() -> result<std::vector<prediction>> {
    std::vector<prediction> out;
    auto s = db_.prepare(
        cat({"SELECT ", prediction_columns_sql,
             " FROM predictions p JOIN tasks t ON t.id = p.task_id WHERE p.task_id IN (SELECT value FROM "
             "json_each(?1)) AND ",
             task_visible_sql, " ORDER BY p.task_id, p.id"}));
    s.args(ids_to_json(task_ids));
    while (s.step()) out.push_back(read_prediction(s));
    return out;
  });
}

result<prediction> ops::create_prediction(const new_prediction& np) {
  auto r = create_predictions(std::span<const new_prediction>(&np, 1));
  if (!r) return r.error();
  return get_prediction(r->front());
}

result<std::vector<std::int64_t>> ops::create_predictions(std::span<const new_prediction> ps) {
  return write_op(*this, [&]() -> result<std::vector<std::int64_t>> {
    // Group by project so each project's counters move once.
    std::map<std::int64_t, std::vector<std::int64_t>> tasks_of;
    std::unordered_map<std::int64_t, std::int64_t> project_of;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const auto& np = ps[i];
      std::string where = ps.size() > 1 ? "prediction " + std::to_string(i) + ": " : "";
      require_json_array(np.result, where + "prediction result");
      if (np.neighbors) require_json(*np.neighbors, where + "prediction neighbors");
      if (!project_of.count(np.task_id)) {
        auto t = get_task(np.task_id);
        if (!t) return status(t.error().code(), where + t.error().message());
        project_of[np.task_id] = t->project_id;
        tasks_of[t->project_id].push_back(np.task_id);
      }
    }
    std::map<std::int64_t, task_sums> before;
    for (const auto& [pid, tids] : tasks_of) before[pid] = sums(ids_to_json(tids));
    std::vector<std::int64_t> ids;
    ids.reserve(ps.size());
    timestamp ts = now();
    static const std::string sql = cat(
        {"INSERT INTO predictions(id, task_id, project_id, result, score, model_version, model_run, cluster, "
         "neighbors, mislabeling, created_at, updated_at) VALUES (",
         id_above_floor("predictions"), ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"});
    auto s = db_.prepare(sql);
    for (const auto& np : ps) {
      s.args(np.task_id, project_of[np.task_id], borrowed_text{np.result}, np.score, np.model_version, np.model_run,
             np.cluster, np.neighbors, np.mislabeling, ts)
          .run();
      sqlite3_reset(s.raw());
      ids.push_back(db_.last_insert_rowid());
    }
    for (const auto& [pid, tids] : tasks_of) {
      project p = require_project(pid);
      std::string j = ids_to_json(tids);
      refresh_tasks(j, is_ignore_skipped(p.skip_queue));
      apply_delta(pid, before[pid], sums(j));
    }
    return ids;
  });
}

result<prediction> ops::update_prediction(std::int64_t id, const prediction_patch& pp) {
  return write_op(*this, [&]() -> result<prediction> {
    auto cur = get_prediction(id);
    if (!cur) return cur.error();
    prediction p = std::move(*cur);
    const std::int64_t from_task = p.task_id, from_project = p.project_id;
    if (pp.task_id && *pp.task_id != p.task_id) {
      auto t = get_task(*pp.task_id);
      if (!t) return t.error();
      p.task_id = t->id;
      p.project_id = t->project_id;
    }
    if (pp.result) {
      require_json_array(*pp.result, "prediction result");
      p.result = *pp.result;
    }
    if (pp.score) p.score = *pp.score;
    if (pp.model_version) p.model_version = *pp.model_version;
    if (pp.cluster) p.cluster = *pp.cluster;
    if (pp.neighbors) {
      if (*pp.neighbors) require_json(**pp.neighbors, "prediction neighbors");
      p.neighbors = *pp.neighbors;
    }
    if (pp.mislabeling) p.mislabeling = *pp.mislabeling;
    // The tasks whose counters change, grouped by project: one, or the two of a move.
    std::map<std::int64_t, std::vector<std::int64_t>> tasks_of{{from_project, {from_task}}};
    if (p.task_id != from_task) tasks_of[p.project_id].push_back(p.task_id);
    std::map<std::int64_t, task_sums> before;
    for (const auto& [pid, tids] : tasks_of) before[pid] = sums(ids_to_json(tids));
    auto s = db_.prepare(
        "UPDATE predictions SET task_id = ?2, project_id = ?3, result = ?4, score = ?5, model_version = ?6, "
        "cluster = ?7, neighbors = ?8, mislabeling = ?9, updated_at = ?10 WHERE id = ?1");
    s.args(id, p.task_id, p.project_id, borrowed_text{p.result}, p.score, p.model_version, p.cluster, p.neighbors,
           p.mislabeling, now())
        .run();
    for (const auto& [pid, tids] : tasks_of) {
      project pr = require_project(pid);
      std::string j = ids_to_json(tids);
      refresh_tasks(j, is_ignore_skipped(pr.skip_queue));
      apply_delta(pid, before[pid], sums(j));
    }
    return get_prediction(id);
  });
}

status ops::delete_prediction(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    auto p = get_prediction(id);
    if (!p) return p.error();
    project pr = require_project(p->project_id);
    std::string tid = one_id(p->task_id);
    auto before = sums(tid);
    auto s = db_.prepare("DELETE FROM predictions WHERE id = ?1");
    s.args(id).run();
    refresh_tasks(tid, is_ignore_skipped(pr.skip_queue));
    apply_delta(pr.id, before, sums(tid));
    return status::success();
  });
}

result<std::int64_t> ops::delete_predictions(const task_selection& sel, std::int64_t limit) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    if (limit < 1) return status(errc::invalid_argument, "limit must be positive");
    project p = require_project(sel.project_id);
    auto tasks = selection_ids(sel, limit, "t.total_predictions > 0");
    if (tasks.empty()) return std::int64_t(0);
    std::string tids = ids_to_json(tasks);
    auto before = sums(tids);
    auto del = db_.prepare("DELETE FROM predictions WHERE task_id IN (SELECT value FROM json_each(?1))");
    del.args(tids).run();
    std::int64_t n = db_.changes();
    refresh_tasks(tids, is_ignore_skipped(p.skip_queue));
    apply_delta(p.id, before, sums(tids));
    return n;
  });
}

result<std::int64_t> ops::annotate_from_predictions(
    const task_selection& sel, std::int64_t limit, std::int64_t user_id,
    const std::optional<std::vector<std::string>>& model_versions) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    if (limit < 1) return status(errc::invalid_argument, "limit must be positive");
    project p = require_project(sel.project_id);
    require_user(user_id, "user");
    // A prediction is taken once: an annotation made from it (its child) keeps it out of later calls,
    // as Label Studio's child_annotations__isnull=True does.
    std::string pending = "NOT EXISTS (SELECT 1 FROM annotations c WHERE c.parent_prediction = p.id)";
    if (model_versions)
      pending += " AND p.model_version IN (SELECT value FROM json_each(" +
                 sql_literal(nlohmann::json(*model_versions).dump()) + "))";
    const std::string holds =
        "t.total_predictions > 0 AND EXISTS (SELECT 1 FROM predictions p WHERE p.task_id = t.id AND " +
        pending + ")";
    auto tasks = selection_ids(sel, limit, holds.c_str());
    if (tasks.empty()) return std::int64_t(0);
    std::string tids = ids_to_json(tasks);
    auto before = sums(tids);
    static const std::string insert = cat(
        {"INSERT INTO annotations(id, task_id, project_id, result, completed_by, updated_by, was_cancelled, "
         "ground_truth, created_at, updated_at, unique_id, last_action, last_created_by, parent_prediction, "
         "prediction, result_count) VALUES (",
         id_above_floor("annotations"),
         ", ?1, ?2, ?3, ?4, ?4, 0, 0, ?5, ?5, ?6, 'prediction', ?4, ?7, '{}', json_array_length(?3)) "
         "RETURNING id"});
    struct source {
      std::int64_t prediction, task;
      std::string result;
    };
    std::vector<source> sources;
    {
      auto q = db_.prepare(
          "SELECT p.id, p.task_id, p.result FROM predictions p WHERE p.task_id IN (SELECT "
          "value FROM json_each(?1)) AND " +
          pending + " ORDER BY p.task_id, p.id");
      q.args(tids);
      while (q.step()) sources.push_back({q.i64(0), q.i64(1), q.text(2)});
    }
    const timestamp ts = now();
    std::vector<std::int64_t> created;
    for (const auto& src : sources) {
      auto ins = db_.prepare(insert);
      ins.args(src.task, p.id, src.result, user_id, ts, new_uuid_v7(), src.prediction);
      if (!ins.step()) fail(errc::internal, "the new annotation was not returned");
      created.push_back(ins.i64(0));
    }
    summarize_results("annotations", ids_to_json(created), +1, false, 0);
    // Label Studio marks the tasks as changed by the user.
    auto t = db_.prepare(
        "UPDATE tasks SET updated_at = ?2, updated_by = ?3 WHERE id IN (SELECT value FROM "
        "json_each(?1))");
    t.args(tids, ts, user_id).run();
    refresh_tasks(tids, is_ignore_skipped(p.skip_queue));
    apply_delta(p.id, before, sums(tids));
    return static_cast<std::int64_t>(created.size());
  });
}

result<duplicates_removed> ops::merge_duplicate_tasks(std::int64_t project_id,
                                                      std::span<const std::vector<std::int64_t>> groups) {
  return write_op(*this, [&]() -> result<duplicates_removed> {
    project p = require_project(project_id);
    // Each group's tasks that are still visible tasks of the project, with whether they hold any
    // annotation. Skipped ones count: Label Studio counts only total_annotations, and then refuses to
    // delete a task that holds a skip, aborting the whole action.
    static const std::string look_sql =
        cat({"SELECT (t.total_annotations + t.cancelled_annotations) > 0 FROM tasks t WHERE t.id = ?1 AND "
             "t.project_id = ?2 AND ",
             task_visible_sql});
    struct member {
      std::int64_t id;
      bool annotated;
    };
    std::vector<std::vector<member>> live;
    std::vector<std::int64_t> touched;
    std::set<std::int64_t> seen;
    for (const auto& group : groups) {
      std::vector<member> members;
      for (std::int64_t id : group) {
        if (!seen.insert(id).second) continue;  // a task named in two groups is merged once
        auto look = db_.prepare(look_sql);
        look.args(id, project_id);
        if (look.step()) members.push_back({id, look.boolean(0)});
      }
      if (members.size() < 2) continue;
      for (const auto& m : members) touched.push_back(m.id);
      live.push_back(std::move(members));
    }
    duplicates_removed out;
    if (touched.empty()) return out;
    std::string tids = ids_to_json(touched);
    auto before = sums(tids);
    std::vector<std::int64_t> doomed;
    for (const auto& members : live) {
      // The first annotated task takes the group's annotations; without one, the first task stays.
      auto keeper = std::find_if(members.begin(), members.end(), [](const member& m) { return m.annotated; });
      const std::int64_t keep = keeper == members.end() ? members.front().id : keeper->id;
      for (const auto& m : members) {
        if (m.id == keep) continue;
        if (m.annotated) {
          // Drafts follow their annotations: a draft stays on its annotation's task.
          auto d = db_.prepare(
              "UPDATE drafts SET task_id = ?2 WHERE annotation_id IN (SELECT id FROM annotations WHERE "
              "task_id = "
              "?1)");
          d.args(m.id, keep).run();
          auto mv = db_.prepare("UPDATE annotations SET task_id = ?2 WHERE task_id = ?1");
          mv.args(m.id, keep).run();
          out.annotations_moved += db_.changes();
        }
        doomed.push_back(m.id);
      }
    }
    refresh_tasks(tids, is_ignore_skipped(p.skip_queue));
    apply_delta(p.id, before, sums(tids));
    out.tasks_deleted = remove_tasks(p.id, doomed);
    return out;
  });
}

}  // namespace annot::host::store::sqlite
