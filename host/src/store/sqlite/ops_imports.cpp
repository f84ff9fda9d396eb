// Imports (staged batches hidden from readers, published in one short write) and file uploads.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/json_check.hpp"
#include "store/secrets.hpp"
#include "store/sqlite/ops_impl.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

constexpr const char* import_columns =
    "i.id, i.project_id, i.user_id, i.status, i.rows_hidden, i.error, i.task_count, i.annotation_count, "
    "i.prediction_count, i.draft_count, i.duration, i.file_upload_ids, i.could_be_tasks_list, "
    "i.found_formats, i.data_columns, i.meta, i.created_at, i.updated_at, i.finished_at";

import_status status_from(std::string_view s) {
  if (s == "in_progress") return import_status::in_progress;
  if (s == "completed") return import_status::completed;
  if (s == "failed") return import_status::failed;
  return import_status::created;
}

// Counts of keys over a batch: usually a handful of distinct keys, scanned flat; past that, hashed
// (tasks with thousands of distinct keys made the scan quadratic in the store's writer).
struct key_tally {
  std::vector<std::pair<std::string, std::int64_t>> counts;
  std::unordered_map<std::string, std::size_t> index;  // built once counts outgrows the scan
  void add(const std::string& k) {
    if (counts.size() <= 16) {
      for (auto& [key, n] : counts)
        if (key == k) {
          ++n;
          return;
        }
    } else {
      if (index.empty())
        for (std::size_t i = 0; i < counts.size(); ++i) index.emplace(counts[i].first, i);
      if (auto it = index.find(k); it != index.end()) {
        ++counts[it->second].second;
        return;
      }
      index.emplace(k, counts.size());
    }
    counts.emplace_back(k, 1);
  }
};

}  // namespace

import_record ops::read_import(statement& s) const {
  import_record r;
  int i = 0;
  r.id = s.i64(i++);
  r.project_id = s.i64(i++);
  r.user_id = s.opt_i64(i++);
  r.status = status_from(s.view(i++));
  r.rows_hidden = s.boolean(i++);
  r.error = s.text(i++);
  r.task_count = s.i64(i++);
  r.annotation_count = s.i64(i++);
  r.prediction_count = s.i64(i++);
  r.draft_count = s.i64(i++);
  r.duration = s.f64(i++);
  auto ids = nlohmann::json::parse(s.view(i++), nullptr, false);
  if (ids.is_array())
    for (const auto& v : ids)
      if (v.is_number_integer()) r.file_upload_ids.push_back(v.get<std::int64_t>());
  r.could_be_tasks_list = s.boolean(i++);
  r.found_formats = s.text(i++);
  r.data_columns = s.text(i++);
  r.meta = s.text(i++);
  r.created_at = s.ts(i++);
  r.updated_at = s.ts(i++);
  r.finished_at = s.opt_ts(i++);
  return r;
}

result<import_record> ops::get_import(std::int64_t id) {
  return guard([&]() -> result<import_record> {
    auto s = db_.prepare(cat(
        {"SELECT ", import_columns,
         " FROM imports i JOIN projects p ON p.id = i.project_id WHERE i.id = ?1 AND p.deleted_at IS NULL"}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "import " + std::to_string(id) + " not found");
    return read_import(s);
  });
}

result<std::vector<import_record>> ops::list_imports(std::int64_t project_id) {
  return guard([&]() -> result<std::vector<import_record>> {
    require_project(project_id);
    std::vector<import_record> out;
    auto s = db_.prepare(
        cat({"SELECT ", import_columns, " FROM imports i WHERE i.project_id = ?1 ORDER BY i.id"}));
    s.args(project_id);
    while (s.step()) out.push_back(read_import(s));
    return out;
  });
}

result<std::vector<std::int64_t>> ops::import_task_ids(std::int64_t import_id) {
  return guard([&]() -> result<std::vector<std::int64_t>> {
    auto imp = get_import(import_id);
    if (!imp) return imp.error();
    if (imp->status != import_status::completed)
      return status(errc::failed_precondition, "import " + std::to_string(import_id) + " is not published");
    std::vector<std::int64_t> out;
    auto s = db_.prepare(
        "SELECT t.id FROM imports i JOIN tasks t ON t.id BETWEEN i.first_task_id AND i.last_task_id WHERE "
        "i.id = ?1 AND t.import_id = ?1 ORDER BY t.id");
    s.args(import_id);
    while (s.step()) out.push_back(s.i64(0));
    return out;
  });
}

result<import_record> ops::begin_import(const new_import& ni) {
  return write_op(*this, [&]() -> result<import_record> {
    require_project(ni.project_id);
    require_user(ni.user_id, "user");
    require_json(ni.meta, "import meta");
    timestamp ts = now();
    auto s =
        db_.prepare(cat({"INSERT INTO imports(id, project_id, user_id, status, rows_hidden, file_upload_ids, "
                         "meta, created_at, updated_at) VALUES (",
                         id_above_floor("imports"), ", ?1, ?2, 'created', 1, ?3, ?4, ?5, ?5)"}));
    s.args(ni.project_id, ni.user_id, ids_to_json(ni.file_upload_ids), ni.meta, ts).run();
    const std::int64_t id = db_.last_insert_rowid();
    // Before the commit: no other process may see the row without its lock.
    if (st_.imports) st_.imports->hold(id);
    return get_import(id);
  });
}

result<staged_batch> ops::stage_tasks(std::int64_t import_id, std::span<const import_task> tasks) {
  return write_op(*this, [&]() -> result<staged_batch> {
    auto imp = get_import(import_id);
    if (!imp) return imp.error();
    if (!imp->rows_hidden ||
        (imp->status != import_status::created && imp->status != import_status::in_progress))
      return status(errc::failed_precondition, "import " + std::to_string(import_id) + " is " +
                                                   std::string(to_string(imp->status)) + ", not in progress");
    project p = require_project(imp->project_id);

    // Check everything before writing anything: a bad item names its index in the batch.
    key_tally keys;
    std::vector<std::string> task_keys;
    std::vector<std::int64_t> users;
    // Each result is parsed once, here: its item count (for the insert below) and its summary.
    std::vector<std::int64_t> result_counts;
    summary_delta results;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const auto& t = tasks[i];
      std::string where = "task " + std::to_string(i);
      if (std::string why;
          !json::object_keys(t.data, task_keys, &why, t.data_padded ? t.data.capacity() - t.data.size() : 0))
        fail(errc::invalid_argument, where + ": data " + why);
      for (const auto& k : task_keys) keys.add(k);
      if (t.meta != "{}") require_json(t.meta, where + ": meta");
      for (std::size_t j = 0; j < t.annotations.size(); ++j) {
        const auto& a = t.annotations[j];
        result_counts.push_back(
            check_result(a.result, where + ": annotations[" + std::to_string(j) + "].result", true, +1, results));
        if (a.completed_by) users.push_back(*a.completed_by);
      }
      for (std::size_t j = 0; j < t.predictions.size(); ++j) {
        require_json_array(t.predictions[j].result,
                           where + ": predictions[" + std::to_string(j) + "].result");
        if (t.predictions[j].neighbors)
          require_json(*t.predictions[j].neighbors, where + ": predictions neighbors");
      }
      for (std::size_t j = 0; j < t.drafts.size(); ++j) {
        check_result(t.drafts[j].result, where + ": drafts[" + std::to_string(j) + "].result", false, +1, results);
        if (t.drafts[j].user_id) users.push_back(*t.drafts[j].user_id);
      }
      if (t.file_upload_id) {
        auto f = get_file_upload(*t.file_upload_id);
        if (!f || f->project_id != p.id)
          fail(errc::invalid_argument, where + ": file_upload " + std::to_string(*t.file_upload_id) +
                                           " is not a file upload of this project");
      }
    }
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    for (auto u : users) require_user(u, "completed_by");

    auto m = db_.prepare("SELECT coalesce(max(inner_id), 0) FROM tasks WHERE project_id = ?1");
    m.args(p.id);
    m.step();
    std::int64_t inner = m.i64(0);
    const bool ignore_skipped = is_ignore_skipped(p.skip_queue);
    const timestamp ts = now();

    // ?18 / ?12: the first row's id when a deleted row's id is above SQLite's next (first_id_above_floor).
    auto ins_task = db_.prepare(
        "INSERT INTO tasks(id, project_id, inner_id, data, meta, created_at, updated_at, is_labeled, "
        "overlap, "
        "total_annotations, cancelled_annotations, total_predictions, ground_truth, completed_at, "
        "predictions_score, avg_lead_time, file_upload_id, import_id, allow_skip) VALUES (?18, ?1, ?2, ?3, "
        "?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?19)");
    ins_task.bind(18, first_id_above_floor(db_, "tasks"));
    const std::optional<std::int64_t> first_annotation_id = first_id_above_floor(db_, "annotations");
    std::optional<statement> ins_ann, ins_pred, ins_draft;

    staged_batch out;
    out.task_ids.reserve(tasks.size());
    std::int64_t cancelled = 0, gt = 0, useful = 0, with_ann = 0, labeled = 0;
    std::string last_model_version;
    std::size_t next_count = 0;  // into result_counts

    for (const auto& t : tasks) {
      ++inner;
      std::int64_t n_ann = 0, n_cancel = 0;
      bool has_gt = false, counted = false;  // counted: has_counted_annotation_sql
      std::optional<timestamp> completed;
      double lead_sum = 0, score_sum = 0;
      std::int64_t lead_n = 0, score_n = 0;
      for (const auto& a : t.annotations) {
        if (a.was_cancelled) {
          ++n_cancel;
        } else {
          ++n_ann;
          auto c = a.created_at.value_or(ts);
          if (!completed || c > *completed) completed = c;
        }
        if (a.ground_truth) {
          has_gt = true;
          ++gt;
        } else if (!a.was_cancelled) {
          ++useful;
          counted = true;
        }
        if (a.lead_time) {
          lead_sum += *a.lead_time;
          ++lead_n;
        }
      }
      for (const auto& pr : t.predictions) {
        if (pr.score) {
          score_sum += *pr.score;
          ++score_n;
        }
        last_model_version = pr.model_version;
      }
      std::int64_t overlap = overlap_for(inner, p.maximum_annotations, p.overlap_cohort_percentage);
      bool is_labeled = n_ann + (ignore_skipped ? n_cancel : 0) >= overlap;
      cancelled += n_cancel;
      with_ann += counted;
      labeled += is_labeled;
      timestamp created = t.created_at.value_or(ts);
      ins_task
          .args(p.id, inner, borrowed_text{t.data}, t.meta, created, t.updated_at.value_or(created), is_labeled, overlap,
                n_ann, n_cancel, std::int64_t(t.predictions.size()), has_gt, completed,
                score_n ? std::optional<double>(score_sum / double(score_n)) : std::nullopt,
                lead_n ? std::optional<double>(lead_sum / double(lead_n)) : std::nullopt, t.file_upload_id,
                import_id)
          .bind(19, t.allow_skip)
          .run();
      sqlite3_reset(ins_task.raw());
      ins_task.bind(18, std::nullopt);
      std::int64_t task_id = db_.last_insert_rowid();
      out.task_ids.push_back(task_id);

      // The task's new annotation ids by their original ids, for its drafts' links.
      std::vector<std::pair<std::int64_t, std::int64_t>> annotation_ids;
      for (const auto& a : t.annotations) {
        if (!ins_ann) {
          ins_ann.emplace(db_.prepare(
              "INSERT INTO annotations(id, task_id, project_id, result, completed_by, updated_by, "
              "was_cancelled, ground_truth, lead_time, created_at, updated_at, unique_id, import_id, "
              "bulk_created, result_count) VALUES (?12, ?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, "
              "?13)"));
          ins_ann->bind(12, first_annotation_id);
        }
        timestamp ac = a.created_at.value_or(ts);
        ins_ann
            ->args(task_id, p.id, borrowed_text{a.result}, a.completed_by, a.was_cancelled, a.ground_truth,
                   a.lead_time, ac, a.updated_at.value_or(ac), new_uuid_v7(), a.import_id)
            .bind(13, result_counts[next_count++])
            .run();
        if (a.import_id) annotation_ids.emplace_back(*a.import_id, db_.last_insert_rowid());
        sqlite3_reset(ins_ann->raw());
        ins_ann->bind(12, std::nullopt);
      }
      for (const auto& pr : t.predictions) {
        if (!ins_pred)
          ins_pred.emplace(db_.prepare(
              cat({"INSERT INTO predictions(id, task_id, project_id, result, score, model_version, cluster, "
                   "neighbors, mislabeling, created_at, updated_at) VALUES (",
                   id_above_floor("predictions"), ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"})));
        ins_pred
            ->args(task_id, p.id, borrowed_text{pr.result}, pr.score, pr.model_version, pr.cluster, pr.neighbors,
                   pr.mislabeling, pr.created_at.value_or(ts))
            .run();
        sqlite3_reset(ins_pred->raw());
      }
      for (const auto& d : t.drafts) {
        if (!ins_draft)
          ins_draft.emplace(db_.prepare(
              cat({"INSERT INTO drafts(id, task_id, project_id, user_id, result, lead_time, import_id, "
                   "created_at, updated_at, was_postponed, annotation_id) VALUES (",
                   id_above_floor("drafts"), ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)"})));
        // A draft of an annotation imported with it edits the new annotation (upstream's annotation_mapping);
        // one whose annotation is not in the file edits none.
        std::optional<std::int64_t> annotation_id;
        for (const auto& [old_id, new_id] : annotation_ids)
          if (d.annotation_import_id == old_id) annotation_id = new_id;
        ins_draft
            ->args(task_id, p.id, d.user_id, borrowed_text{d.result}, d.lead_time, d.import_id, d.created_at.value_or(ts),
                   d.was_postponed, annotation_id)
            .run();
        sqlite3_reset(ins_draft->raw());
      }
      out.annotation_count += std::int64_t(t.annotations.size());
      out.prediction_count += std::int64_t(t.predictions.size());
      out.draft_count += std::int64_t(t.drafts.size());
    }

    std::map<std::string, std::int64_t> key_delta(keys.counts.begin(), keys.counts.end());
    summarize_data_keys(p.id, key_delta, true, import_id);
    apply_summary(import_id, results, true);

    auto u = db_.prepare(
        "UPDATE imports SET status = 'in_progress', task_count = task_count + ?2, annotation_count = "
        "annotation_count + ?3, prediction_count = prediction_count + ?4, draft_count = draft_count + ?5, "
        "cancelled_count = cancelled_count + ?6, ground_truth_count = ground_truth_count + ?7, useful_count "
        "= useful_count + ?8, tasks_with_annotations = tasks_with_annotations + ?9, labeled_tasks = "
        "labeled_tasks + ?10, last_model_version = CASE WHEN ?11 = '' THEN last_model_version ELSE ?11 END, "
        "updated_at = ?12, first_task_id = coalesce(first_task_id, ?13), last_task_id = "
        "max(coalesce(last_task_id, 0), coalesce(?14, 0)) WHERE id = ?1");
    u.args(import_id, std::int64_t(tasks.size()), out.annotation_count, out.prediction_count, out.draft_count,
           cancelled, gt, useful, with_ann, labeled, last_model_version, ts,
           out.task_ids.empty() ? std::nullopt : std::optional<std::int64_t>(out.task_ids.front()),
           out.task_ids.empty() ? std::nullopt : std::optional<std::int64_t>(out.task_ids.back()))
        .run();
    if (!tasks.empty()) request_pending_indexes(p.id);  // the batch that reaches the minimum decides
    return out;
  });
}

result<import_record> ops::publish_import(std::int64_t import_id, const import_outcome& o) {
  return write_op(*this, [&]() -> result<import_record> {
    auto imp = get_import(import_id);
    if (!imp) return imp.error();
    if (!imp->rows_hidden ||
        (imp->status != import_status::created && imp->status != import_status::in_progress))
      return status(errc::failed_precondition, "import " + std::to_string(import_id) + " is " +
                                                   std::string(to_string(imp->status)) + ", not in progress");
    require_project(imp->project_id);
    require_json(o.found_formats, "found_formats");
    require_json(o.data_columns, "data_columns");
    if (o.meta) require_json(*o.meta, "import meta");
    // The staged counters become the project's: O(1) however many rows the import wrote.
    auto c = db_.prepare(
        "UPDATE projects SET task_number = task_number + i.task_count, total_annotations_number = "
        "total_annotations_number + i.annotation_count - i.cancelled_count, skipped_annotations_number = "
        "skipped_annotations_number + i.cancelled_count, useful_annotation_number = "
        "useful_annotation_number + i.useful_count, ground_truth_number = ground_truth_number + "
        "i.ground_truth_count, total_predictions_number = total_predictions_number + i.prediction_count, "
        "num_tasks_with_annotations = num_tasks_with_annotations + i.tasks_with_annotations, "
        "finished_task_number = finished_task_number + i.labeled_tasks, model_version = CASE WHEN "
        "projects.model_version = '' THEN i.last_model_version ELSE projects.model_version END FROM (SELECT "
        "* FROM imports WHERE id = ?1) AS i WHERE projects.id = i.project_id");
    c.args(import_id).run();
    auto s = db_.prepare(
        "INSERT INTO project_summary(project_id, kind, name, label, count) SELECT ?2, kind, name, label, "
        "count FROM import_summary WHERE import_id = ?1 ON CONFLICT DO UPDATE SET count = count + "
        "excluded.count");
    s.args(import_id, imp->project_id).run();
    auto d = db_.prepare("DELETE FROM import_summary WHERE import_id = ?1");
    d.args(import_id).run();
    timestamp ts = now();
    auto u = db_.prepare(
        "UPDATE imports SET status = 'completed', rows_hidden = 0, finished_at = ?2, updated_at = ?2, "
        "duration = ?3, could_be_tasks_list = ?4, found_formats = ?5, data_columns = ?6, file_upload_ids = "
        "coalesce(?7, file_upload_ids), meta = coalesce(?8, meta) WHERE id = ?1");
    u.bind(1, import_id)
        .bind(2, ts)
        .bind(3, o.duration)
        .bind(4, o.could_be_tasks_list)
        .bind(5, o.found_formats);
    u.bind(6, o.data_columns);
    if (o.file_upload_ids) u.bind(7, ids_to_json(*o.file_upload_ids));
    u.bind(8, o.meta);
    u.run();
    touch(imp->project_id);
    st_.unit.ended_imports.push_back(import_id);
    return get_import(import_id);
  });
}

result<std::int64_t> ops::delete_file_upload_tasks(std::int64_t project_id,
                                                   std::span<const std::int64_t> file_upload_ids) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    require_project(project_id);
    auto s = db_.prepare(
        cat({"SELECT t.id FROM tasks t WHERE t.project_id = ?1 AND t.file_upload_id IN (SELECT value "
             "FROM json_each(?2)) AND ",
             task_visible_sql, " ORDER BY t.id"}));
    s.args(project_id, ids_to_json(file_upload_ids));
    std::vector<std::int64_t> ids;
    while (s.step()) ids.push_back(s.i64(0));
    return remove_tasks(project_id, ids);
  });
}

// A failed import's staged rows are purged: its counts say that nothing was kept (a cancelled
// import said task_count 60000 with no task in the project).
#define ANNOT_NOTHING_KEPT "task_count = 0, annotation_count = 0, prediction_count = 0, draft_count = 0"

status ops::fail_import(std::int64_t import_id, std::string_view error) {
  return write_op(*this, [&]() -> status {
    auto imp = get_import(import_id);
    if (!imp) return imp.error();
    if (imp->status == import_status::completed)
      return status(errc::failed_precondition,
                    "import " + std::to_string(import_id) + " is already published");
    timestamp ts = now();
    auto u = db_.prepare(
        "UPDATE imports SET status = 'failed', error = ?2, finished_at = coalesce(finished_at, ?3), "
        "updated_at = ?3, " ANNOT_NOTHING_KEPT " WHERE id = ?1");
    u.args(import_id, error, ts).run();
    auto d = db_.prepare("DELETE FROM import_summary WHERE import_id = ?1");
    d.args(import_id).run();
    st_.unit.purge = true;
    st_.unit.ended_imports.push_back(import_id);
    return status::success();
  });
}

std::vector<std::int64_t> ops::interrupted_imports(bool all_if_unknown) {
  const bool known = st_.imports && st_.imports->known();
  std::vector<std::int64_t> out;
  if (!known && !all_if_unknown) return out;
  auto s = db_.prepare("SELECT id FROM imports WHERE status IN ('created', 'in_progress') ORDER BY id");
  while (s.step()) {
    const std::int64_t id = s.i64(0);
    if (!known || !st_.imports->held(id)) out.push_back(id);
  }
  return out;
}

std::int64_t ops::fail_interrupted_imports(std::span<const std::int64_t> ids) {
  timestamp ts = now();
  std::int64_t failed = 0;
  for (std::int64_t id : ids) {
    // Checked again inside the write: an import that ended since, or whose process came back into
    // view (its lock file was unknown), is left alone.
    if (st_.imports && st_.imports->known() && st_.imports->held(id)) continue;
    auto u = db_.prepare(
        "UPDATE imports SET status = 'failed', error = 'interrupted: the process running the import stopped "
        "before it finished', finished_at = ?2, updated_at = ?2, " ANNOT_NOTHING_KEPT
        " WHERE id = ?1 AND status IN ('created', 'in_progress')");
    u.args(id, ts).run();
    if (db_.changes() == 0) continue;
    auto d = db_.prepare("DELETE FROM import_summary WHERE import_id = ?1");
    d.args(id).run();
    ++failed;
  }
  if (failed) st_.unit.purge = true;
  return failed;
}
#undef ANNOT_NOTHING_KEPT

// ---- file uploads ---------------------------------------------------------------------------------------

result<file_upload> ops::get_file_upload(std::int64_t id) {
  return guard([&]() -> result<file_upload> {
    auto s = db_.prepare(
        "SELECT f.id, f.project_id, f.user_id, f.file, f.original_name, f.size, f.content_type, "
        "f.created_at FROM file_uploads f JOIN projects p ON p.id = f.project_id WHERE f.id = ?1 AND "
        "p.deleted_at IS NULL");
    s.args(id);
    if (!s.step()) return status(errc::not_found, "file upload " + std::to_string(id) + " not found");
    return read_file_upload(s);
  });
}

result<std::vector<file_upload>> ops::list_file_uploads(std::int64_t project_id) {
  return guard([&]() -> result<std::vector<file_upload>> {
    require_project(project_id);
    std::vector<file_upload> out;
    auto s = db_.prepare(
        "SELECT id, project_id, user_id, file, original_name, size, content_type, created_at FROM "
        "file_uploads WHERE project_id = ?1 ORDER BY id");
    s.args(project_id);
    while (s.step()) out.push_back(read_file_upload(s));
    return out;
  });
}

result<file_upload> ops::create_file_upload(const new_file_upload& f) {
  return write_op(*this, [&]() -> result<file_upload> {
    require_project(f.project_id);
    require_user(f.user_id, "user");
    if (f.file.empty()) return status(errc::invalid_argument, "file upload path is empty");
    if (f.size < 0) return status(errc::invalid_argument, "file upload size must not be negative");
    auto s =
        db_.prepare(cat({"INSERT INTO file_uploads(id, project_id, user_id, file, original_name, size, "
                         "content_type, created_at) VALUES (",
                         id_above_floor("file_uploads"), ", ?1, ?2, ?3, ?4, ?5, ?6, ?7)"}));
    s.args(f.project_id, f.user_id, f.file, f.original_name, f.size, f.content_type, now()).run();
    return get_file_upload(db_.last_insert_rowid());
  });
}

status ops::delete_file_upload(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    auto f = get_file_upload(id);
    if (!f) return f.error();
    auto s = db_.prepare("DELETE FROM file_uploads WHERE id = ?1");
    s.args(id).run();
    touch(f->project_id);  // tasks lose their file_upload (data-manager column)
    return status::success();
  });
}

result<file_upload> ops::replace_file_upload(std::int64_t id, const new_file_upload& f) {
  return write_op(*this, [&]() -> result<file_upload> {
    auto old = get_file_upload(id);
    if (!old) return old.error();
    if (f.file.empty()) return status(errc::invalid_argument, "file upload path is empty");
    if (f.size < 0) return status(errc::invalid_argument, "file upload size must not be negative");
    auto s = db_.prepare(
        "UPDATE file_uploads SET file = ?2, original_name = ?3, size = ?4, content_type = ?5 WHERE id = ?1");
    s.args(id, f.file, f.original_name, f.size, f.content_type).run();
    touch(old->project_id);  // the data manager shows the upload's name
    return get_file_upload(id);
  });
}

}  // namespace annot::host::store::sqlite
