// Projects: fields, counters, summaries, data-key indexes, deletion and background purging.
#include <algorithm>

#include "store/sqlite/ops_impl.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

constexpr const char* project_columns =
    "id, title, description, data_types, expert_instruction, "
    "show_instruction, show_skip_button, enable_empty_annotation, show_annotation_history, organization, "
    "color, maximum_annotations, is_published, model_version, is_draft, created_by, created_at, updated_at, "
    "min_annotations_to_start_training, show_collab_predictions, "
    "sampling, show_ground_truth_first, show_overlap_first, overlap_cohort_percentage, task_data_login, "
    "task_data_password, evaluate_predictions_automatically, skip_queue, "
    "reveal_preannotations_interactively, pinned_at, task_number, total_annotations_number, "
    "skipped_annotations_number, useful_annotation_number, ground_truth_number, total_predictions_number, "
    "num_tasks_with_annotations, finished_task_number, config_version";

void apply(project& p, const project_fields& f) {
  if (f.title) p.title = *f.title;
  if (f.description) p.description = *f.description;
  if (f.label_config) p.label_config = *f.label_config;
  if (f.parsed_label_config) p.parsed_label_config = *f.parsed_label_config;
  if (f.data_types) p.data_types = *f.data_types;
  if (f.expert_instruction) p.expert_instruction = *f.expert_instruction;
  if (f.color) p.color = *f.color;
  if (f.model_version) p.model_version = *f.model_version;
  if (f.sampling) p.sampling = *f.sampling;
  if (f.skip_queue) p.skip_queue = *f.skip_queue;
  if (f.control_weights) p.control_weights = *f.control_weights;
  if (f.show_instruction) p.show_instruction = *f.show_instruction;
  if (f.show_skip_button) p.show_skip_button = *f.show_skip_button;
  if (f.enable_empty_annotation) p.enable_empty_annotation = *f.enable_empty_annotation;
  if (f.show_annotation_history) p.show_annotation_history = *f.show_annotation_history;
  if (f.is_published) p.is_published = *f.is_published;
  if (f.is_draft) p.is_draft = *f.is_draft;
  if (f.show_collab_predictions) p.show_collab_predictions = *f.show_collab_predictions;
  if (f.show_ground_truth_first) p.show_ground_truth_first = *f.show_ground_truth_first;
  if (f.show_overlap_first) p.show_overlap_first = *f.show_overlap_first;
  if (f.evaluate_predictions_automatically)
    p.evaluate_predictions_automatically = *f.evaluate_predictions_automatically;
  if (f.reveal_preannotations_interactively)
    p.reveal_preannotations_interactively = *f.reveal_preannotations_interactively;
  if (f.organization) p.organization = *f.organization;
  if (f.maximum_annotations) p.maximum_annotations = *f.maximum_annotations;
  if (f.min_annotations_to_start_training)
    p.min_annotations_to_start_training = *f.min_annotations_to_start_training;
  if (f.overlap_cohort_percentage) p.overlap_cohort_percentage = *f.overlap_cohort_percentage;
  if (f.task_data_login) p.task_data_login = *f.task_data_login;
  if (f.task_data_password) p.task_data_password = *f.task_data_password;
  if (f.pinned_at) p.pinned_at = *f.pinned_at;
}

void validate(const project& p) {
  if (p.sampling != sampling_sequential && p.sampling != sampling_uniform &&
      p.sampling != sampling_uncertainty)
    fail(errc::invalid_argument, "sampling: \"" + p.sampling +
                                     "\" is not one of \"Sequential sampling\", \"Uniform sampling\", "
                                     "\"Uncertainty sampling\"");
  if (p.skip_queue != skip_requeue_for_me && p.skip_queue != skip_requeue_for_others &&
      p.skip_queue != skip_ignore_skipped)
    fail(errc::invalid_argument, "skip_queue: \"" + p.skip_queue +
                                     "\" is not one of REQUEUE_FOR_ME, REQUEUE_FOR_OTHERS, IGNORE_SKIPPED");
  if (p.maximum_annotations < 1) fail(errc::invalid_argument, "maximum_annotations must be at least 1");
  if (p.overlap_cohort_percentage < 0 || p.overlap_cohort_percentage > 100)
    fail(errc::invalid_argument, "overlap_cohort_percentage must be between 0 and 100");
  if (p.min_annotations_to_start_training < 0)
    fail(errc::invalid_argument, "min_annotations_to_start_training must not be negative");
  require_json_object(p.parsed_label_config, "parsed_label_config");
  require_json_object(p.data_types, "data_types");
  require_json(p.control_weights, "control_weights");
}

// The projects row's settable columns, ?1..?27 (the config texts are project_configs').
void bind_fields(statement& s, const project& p) {
  s.args(p.title, p.description, p.data_types, p.expert_instruction, p.show_instruction, p.show_skip_button,
         p.enable_empty_annotation, p.show_annotation_history, p.organization, p.color, p.maximum_annotations,
         p.is_published, p.model_version, p.is_draft, p.min_annotations_to_start_training,
         p.show_collab_predictions, p.sampling, p.show_ground_truth_first, p.show_overlap_first,
         p.overlap_cohort_percentage, p.task_data_login, p.task_data_password,
         p.evaluate_predictions_automatically, p.skip_queue, p.reveal_preannotations_interactively,
         p.pinned_at, p.updated_at);
}

// Writes the project's three config texts and gives them a new version (migration 0012).
void write_config_texts(connection& db, std::int64_t id, const project& p) {
  auto c = db.prepare(
      "INSERT INTO project_configs(project_id, label_config, parsed_label_config, control_weights) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(project_id) DO UPDATE SET label_config = excluded.label_config, "
      "parsed_label_config = excluded.parsed_label_config, control_weights = excluded.control_weights");
  c.args(id, p.label_config, p.parsed_label_config, p.control_weights).run();
  auto v = db.prepare("UPDATE projects SET config_version = lower(hex(randomblob(16))) WHERE id = ?1");
  v.args(id).run();
}

// The tasks a project must have had before its data keys get indexes (store_options; at least one).
std::int64_t min_index_tasks(const store_options& o) { return std::max<std::int64_t>(o.data_index_min_tasks, 1); }

}  // namespace

result<project> ops::get_project(std::int64_t id) {
  return guard([&]() -> result<project> {
    auto s =
        db_.prepare(cat({"SELECT ", project_columns, " FROM projects WHERE id = ?1 AND deleted_at IS NULL"}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "project " + std::to_string(id) + " not found");
    return read_project(s);
  });
}

result<bool> ops::project_config_version_is(std::int64_t project_id, std::string_view config_version) {
  return guard([&]() -> result<bool> {
    auto s = db_.prepare("SELECT config_version = ?2 FROM projects WHERE id = ?1 AND deleted_at IS NULL");
    s.args(project_id, config_version);
    if (!s.step()) return status(errc::not_found, "project " + std::to_string(project_id) + " not found");
    return s.boolean(0);
  });
}

result<page<project>> ops::list_projects(const project_list_query& q) {
  return guard([&]() -> result<page<project>> {
    if (q.page < 1 || q.page_size < 1)
      return status(errc::invalid_argument, "page and page_size must be positive");
    const char* where =
        " FROM projects WHERE deleted_at IS NULL AND (?1 = '' OR instr(annot_lower(title), annot_lower(?1)) "
        "> 0) AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2))) AND (?5 = 0 OR (?5 = 1) = "
        "(pinned_at "
        "IS NOT NULL))";
    // The order's column names are spelt into the SQL, so only the listed fields get there.
    std::string order;
    for (const auto& t : q.ordering) {
      if (std::find(std::begin(project_ordering_fields), std::end(project_ordering_fields), t.field) ==
          std::end(project_ordering_fields))
        return status(errc::invalid_argument, "ordering: projects cannot be ordered by \"" + t.field + "\"");
      order += t.field + (t.descending ? " DESC, " : ", ");
    }
    order = order.empty() ? "pinned_at DESC NULLS LAST, id DESC" : order + "id";
    const std::int64_t pinned = q.pinned == pinned_filter::all           ? 0
                                : q.pinned == pinned_filter::pinned_only ? 1
                                                                         : 2;
    std::string ids = ids_to_json(q.ids);
    page<project> out;
    auto c = db_.prepare(cat({"SELECT count(*)", where}));
    c.bind(1, q.title_contains).bind(2, ids).bind(5, pinned);
    if (c.step()) out.count = c.i64(0);
    auto s =
        db_.prepare(cat({"SELECT ", project_columns, where, " ORDER BY ", order, " LIMIT ?3 OFFSET ?4"}));
    s.args(q.title_contains, ids, q.page_size, (q.page - 1) * q.page_size, pinned);
    while (s.step()) out.items.push_back(read_project(s));
    return out;
  });
}

result<project_summary> ops::get_project_summary(std::int64_t project_id) {
  return guard([&]() -> result<project_summary> {
    auto p = require_project(project_id);
    project_summary out;
    auto s = db_.prepare(
        "SELECT kind, name, label, count FROM project_summary WHERE project_id = ?1 AND count > 0");
    s.args(project_id);
    while (s.step()) {
      switch (s.i64(0)) {
        case 0:
          out.all_data_columns[s.text(1)] = s.i64(3);
          break;
        case 1:
          out.created_annotations[s.text(1)] = s.i64(3);
          break;
        case 2:
          out.created_labels[s.text(1)][s.text(2)] = s.i64(3);
          break;
        case 3:
          out.created_labels_drafts[s.text(1)][s.text(2)] = s.i64(3);
          break;
        default:
          break;
      }
    }
    for (const auto& [key, n] : out.all_data_columns)
      if (p.task_number > 0 && n >= p.task_number) out.common_data_columns.push_back(key);
    return out;
  });
}

result<std::vector<model_version_count>> ops::model_versions(std::int64_t project_id) {
  return guard([&]() -> result<std::vector<model_version_count>> {
    require_project(project_id);
    auto hidden = hidden_imports(project_id);
    std::vector<model_version_count> out;
    auto s = db_.prepare(
        hidden.empty()
            ? "SELECT model_version, count(*) FROM predictions WHERE project_id = ?1 "
              "GROUP BY model_version ORDER BY 2 DESC, 1"
            : "SELECT p.model_version, count(*) FROM predictions p JOIN tasks t ON t.id = p.task_id "
              "WHERE p.project_id = ?1 AND (t.import_id IS NULL OR t.import_id NOT IN (SELECT value FROM "
              "json_each(?2))) GROUP BY 1 ORDER BY 2 DESC, 1");
    s.bind(1, project_id);
    if (!hidden.empty()) s.bind(2, ids_to_json(hidden));
    while (s.step()) out.push_back({s.text(0), s.i64(1)});
    return out;
  });
}

result<std::vector<user_queue>> ops::user_queues(std::span<const std::int64_t> project_ids,
                                                 std::int64_t user_id) {
  return guard([&]() -> result<std::vector<user_queue>> {
    // queue_total: the unlabeled tasks (the counters' difference, visible tasks only) and the labeled
    // ones the user annotated; queue_done: the tasks the user annotated (a skip counts unless skips come
    // back to them). The user's annotations of each project come from annotations_user_project, which
    // holds what `done` needs (task, was_cancelled): only `labeled` reads the tasks, a seek per task.
    // The tasks of unpublished imports are left out, as from the counters; while there are none (an
    // import's rows are hidden only until it is published), `done` does not read the tasks either.
    // Was one join of annotations, tasks and projects with two DISTINCT counts: ~10x the time.
    const std::string ids = ids_to_json(project_ids);
    bool hidden = false;
    {
      auto h = db_.prepare("SELECT 1 FROM imports WHERE project_id IN (SELECT value FROM json_each(?1)) AND rows_hidden = 1 LIMIT 1");
      h.args(ids);
      hidden = h.step();
    }
    const std::string mine = "FROM annotations a WHERE a.completed_by = ?1 AND a.project_id = pr.id";
    const std::string counted = "(a.was_cancelled = 0 OR pr.skip_queue IS NOT ?3)";
    const std::string visible = hidden ? cat({" AND ", task_visible_sql}) : std::string();
    const std::string sql = cat(
        {"SELECT pr.id, pr.task_number - pr.finished_task_number + (SELECT count(*) FROM tasks t WHERE t.id IN (SELECT a.task_id ",
         mine, ") AND t.is_labeled", visible, "), ",
         hidden ? cat({"(SELECT count(*) FROM tasks t WHERE t.id IN (SELECT a.task_id ", mine, " AND ", counted, ")", visible, ")"})
                : cat({"(SELECT count(DISTINCT a.task_id) ", mine, " AND ", counted, ")"}),
         " FROM projects pr WHERE pr.id IN (SELECT value FROM json_each(?2)) AND pr.deleted_at IS NULL ORDER BY pr.id"});
    std::vector<user_queue> out;
    auto s = db_.prepare(sql);
    s.args(user_id, ids, skip_requeue_for_me);
    while (s.step()) out.push_back({s.i64(0), s.i64(1), s.i64(2)});
    return out;
  });
}

result<std::vector<std::string>> ops::indexed_data_keys(std::int64_t project_id) {
  return guard([&]() -> result<std::vector<std::string>> {
    std::vector<std::string> out;
    auto s = db_.prepare("SELECT key FROM data_indexes WHERE project_id = ?1 AND built = 1 ORDER BY key");
    s.args(project_id);
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

result<project> ops::create_project(const new_project& np) {
  return write_op(*this, [&]() -> result<project> {
    project p;
    apply(p, np.fields);
    validate(p);
    require_user(np.created_by, "created_by");
    p.created_at = p.updated_at = now();
    // Ids are never reused (id_above_floor): stored exports and uploads are kept under the project's id.
    static const std::string sql = cat(
        {"INSERT INTO projects(id, title, description, data_types, "
         "expert_instruction, show_instruction, show_skip_button, enable_empty_annotation, "
         "show_annotation_history, organization, color, maximum_annotations, is_published, model_version, "
         "is_draft, min_annotations_to_start_training, show_collab_predictions, sampling, "
         "show_ground_truth_first, show_overlap_first, overlap_cohort_percentage, task_data_login, "
         "task_data_password, "
         "evaluate_predictions_automatically, skip_queue, reveal_preannotations_interactively, pinned_at, "
         "updated_at, created_at, created_by) VALUES (",
         id_above_floor("projects"),
         ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
         "?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"});
    auto s = db_.prepare(sql);
    bind_fields(s, p);
    s.bind(28, p.created_at).bind(29, np.created_by);
    s.run();
    std::int64_t id = db_.last_insert_rowid();
    write_config_texts(db_, id, p);
    if (np.fields.data_keys)
      for (const auto& k : *np.fields.data_keys)
        if (data_path_literal(k)) st_.unit.index_requests.emplace_back(id, k);
    return get_project(id);
  });
}

result<project> ops::update_project(std::int64_t id, const project_fields& f) {
  return write_op(*this, [&]() -> result<project> {
    project p = require_project(id);
    const project before = p;
    apply(p, f);
    validate(p);
    p.updated_at = now();
    auto s = db_.prepare(
        "UPDATE projects SET title = ?1, description = ?2, data_types = ?3, expert_instruction = ?4, "
        "show_instruction = ?5, show_skip_button = ?6, enable_empty_annotation = ?7, "
        "show_annotation_history = ?8, organization = ?9, color = ?10, maximum_annotations = ?11, "
        "is_published = ?12, model_version = ?13, is_draft = ?14, min_annotations_to_start_training = ?15, "
        "show_collab_predictions = ?16, sampling = ?17, show_ground_truth_first = ?18, "
        "show_overlap_first = ?19, overlap_cohort_percentage = ?20, task_data_login = ?21, "
        "task_data_password = ?22, evaluate_predictions_automatically = ?23, skip_queue = ?24, "
        "reveal_preannotations_interactively = ?25, pinned_at = ?26, updated_at = ?27 WHERE id = ?28");
    bind_fields(s, p);
    s.bind(28, id);
    s.run();
    if (p.label_config != before.label_config || p.parsed_label_config != before.parsed_label_config ||
        p.control_weights != before.control_weights)
      write_config_texts(db_, id, p);
    const bool maximum_changed = p.maximum_annotations != before.maximum_annotations;
    const bool cohort_changed = p.overlap_cohort_percentage != before.overlap_cohort_percentage;
    if (maximum_changed || cohort_changed) rearrange_overlap(id, p, maximum_changed, cohort_changed);
    if (maximum_changed || cohort_changed ||
        is_ignore_skipped(p.skip_queue) != is_ignore_skipped(before.skip_queue))
      recount_labeled(id);
    if (f.data_keys)
      for (const auto& k : *f.data_keys) request_index_if_missing(id, k);
    return get_project(id);
  });
}

status ops::delete_project(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    require_project(id);
    auto s = db_.prepare("UPDATE projects SET deleted_at = ?2 WHERE id = ?1");
    s.args(id, now()).run();
    st_.unit.purge = true;
    touch(id);
    return status::success();
  });
}

bool ops::data_index_known(std::int64_t project_id, const std::string& key) {
  auto s = db_.prepare("SELECT 1 FROM data_indexes WHERE project_id = ?1 AND key = ?2");
  s.args(project_id, key);
  return s.step();
}

void ops::request_index_if_missing(std::int64_t project_id, const std::string& key, bool from_query) {
  if (!data_path_literal(key)) return;
  // A known key is decided, or waits for its project's tasks: request_pending_indexes() asks again
  // after they are written, so a read on a small project's key queues no write.
  if (data_index_known(project_id, key)) return;
  if (from_query) {
    // A read names any key it likes, and an index is lasting work on every later write: only keys
    // that the project's tasks hold, and a bounded number of them per project.
    auto known = db_.prepare(
        "SELECT 1 FROM project_summary WHERE project_id = ?1 AND kind = 0 AND name = ?2 AND count > 0");
    known.args(project_id, key);
    if (!known.step()) return;
    auto n = db_.prepare("SELECT count(*) FROM data_indexes WHERE project_id = ?1");
    n.args(project_id);
    if (n.step() && n.i64(0) >= kMaxQueryDataIndexes) return;
  }
  if (writer()) {
    st_.unit.index_requests.emplace_back(project_id, key);
  } else if (st_.request_index) {
    st_.request_index(project_id, key);
  }
}

status ops::request_data_index(std::int64_t project_id, std::string_view key) {
  return write_op(*this, [&]() -> status {
    require_project(project_id);
    if (!data_path_literal(key))
      return status(errc::invalid_argument,
                    "data key \"" + std::string(key) +
                        "\" cannot be indexed (quotes, backslashes or control characters)");
    request_index_if_missing(project_id, std::string(key));
    return status::success();
  });
}

void ops::build_data_index(std::int64_t project_id, const std::string& key) {
  auto lit = data_path_literal(key);
  if (!lit) return;
  bool indexed = false;  // an index exists (built by this rule, or by an earlier one: migration 0011)
  {
    auto live = db_.prepare("SELECT 1 FROM projects WHERE id = ?1 AND deleted_at IS NULL");
    live.args(project_id);
    if (!live.step()) return;
    auto d = db_.prepare("SELECT built, final FROM data_indexes WHERE project_id = ?1 AND key = ?2");
    d.args(project_id, key);
    if (d.step()) {
      if (d.i64(1) != 0) return;  // decided on a project that had its minimum of tasks: final
      indexed = !d.is_null(0) && d.i64(0) != 0;
    }
  }
  const std::string name = data_index_name(project_id, key);
  auto record = [&](std::optional<bool> built, std::int64_t sampled, bool final) {
    auto rec = db_.prepare(
        "INSERT OR REPLACE INTO data_indexes(project_id, key, name, created_at, built, sampled, final) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    rec.args(project_id, key, name, now(), built, sampled, std::int64_t(final)).run();
  };
  // The key waits (built NULL) with no index; request_pending_indexes() asks again once the project
  // has had its minimum of tasks.
  auto wait = [&] {
    if (indexed) db_.exec("DROP INDEX IF EXISTS \"" + name + "\"");
    record(std::nullopt, 0, false);
  };
  // How many tasks the project has had: its largest inner id (one probe).
  std::int64_t had = 0;
  {
    auto m = db_.prepare("SELECT coalesce(max(inner_id), 0) FROM tasks WHERE project_id = ?1");
    m.args(project_id);
    if (m.step()) had = m.i64(0);
  }
  if (had < min_index_tasks(st_.options)) return wait();
  // Whether the key's values are references (a URL, a label, a number) or documents is read off the
  // project's first tasks.
  std::int64_t sampled = 0, bytes = 0;
  {
    auto sample = db_.prepare("SELECT count(*), coalesce(sum(length(CAST(json_extract(data, " + *lit +
                              ") AS BLOB))), 0) FROM (SELECT data FROM tasks WHERE project_id = ?1 "
                              "ORDER BY inner_id LIMIT ?2)");
    sample.args(project_id, kIndexSampleTasks);
    if (sample.step()) {
      sampled = sample.i64(0);
      bytes = sample.i64(1);
    }
  }
  if (sampled == 0) return wait();  // its tasks were deleted: nothing to decide on
  const bool build = bytes <= sampled * kMaxIndexedValueBytes;
  // The path and the project id are literals on purpose: SQLite only uses an expression index when
  // the query spells the same expression, and a partial index when its WHERE term appears
  // literally. Both come from data_path_literal() and an integer, never from raw input. The
  // trailing columns make the data manager's usual counter filters and totals index-only.
  if (build)
    db_.exec("CREATE INDEX IF NOT EXISTS \"" + name + "\" ON tasks(json_extract(data, " + *lit +
             "), total_annotations, id, total_predictions) WHERE project_id = " + std::to_string(project_id));
  else if (indexed)
    db_.exec("DROP INDEX IF EXISTS \"" + name + "\"");  // decided before 0011 on short first values
  record(build, sampled, true);
}

void ops::request_pending_indexes(std::optional<std::int64_t> project_id) {
  // Keys waiting whose project has now had its minimum of tasks (one index probe per key), and
  // decisions taken before migration 0011 (at open: dropped on a small project, taken again on a
  // large one). Asked after every write of tasks: with a project, only its rows are read.
  auto s = db_.prepare(std::string("SELECT d.project_id, d.key FROM data_indexes d WHERE d.final = 0 AND ") +
                       (project_id ? "d.project_id = ?1 AND " : "") +
                       "(d.built IS NOT NULL OR "
                       "(SELECT max(t.inner_id) FROM tasks t WHERE t.project_id = d.project_id) >= ?2)");
  s.args(project_id, min_index_tasks(st_.options));
  while (s.step()) {
    if (writer())
      st_.unit.index_requests.emplace_back(s.i64(0), s.text(1));
    else if (st_.request_index)
      st_.request_index(s.i64(0), s.text(1));
  }
}

bool ops::purge_step(std::int64_t limit) {
  // Statements are scoped so that none is still positioned on a row when DROP INDEX runs (SQLite
  // refuses to drop with a read in progress on the connection).
  auto first_id = [&](const char* sql) -> std::optional<std::int64_t> {
    auto s = db_.prepare(sql);
    if (s.step()) return s.i64(0);
    return std::nullopt;
  };
  auto task_ids = [&](const char* sql, std::int64_t owner) {
    std::vector<std::int64_t> ids;
    auto t = db_.prepare(sql);
    t.args(owner, limit);
    while (t.step()) ids.push_back(t.i64(0));
    return ids;
  };
  auto delete_ids = [&](const std::vector<std::int64_t>& ids) {
    auto d = db_.prepare("DELETE FROM tasks WHERE id IN (SELECT value FROM json_each(?1))");
    d.args(ids_to_json(ids)).run();
  };
  // Rows of failed (or interrupted) imports: never visible, so no counters move.
  if (auto import_id = first_id(
          "SELECT id FROM imports WHERE rows_hidden = 1 AND status = 'failed' ORDER BY id LIMIT 1")) {
    auto ids = task_ids(
        "SELECT t.id FROM imports i JOIN tasks t ON t.id BETWEEN i.first_task_id AND i.last_task_id WHERE "
        "i.id = ?1 AND t.import_id = ?1 LIMIT ?2",
        *import_id);
    if (!ids.empty()) {
      delete_ids(ids);
    } else {
      auto u = db_.prepare("UPDATE imports SET rows_hidden = 0 WHERE id = ?1");
      u.args(*import_id).run();
    }
    return true;
  }
  // Deleted projects: their tasks first (in batches), then the project row and what cascades.
  if (auto project_id =
          first_id("SELECT id FROM projects WHERE deleted_at IS NOT NULL ORDER BY id LIMIT 1")) {
    auto ids = task_ids("SELECT id FROM tasks WHERE project_id = ?1 LIMIT ?2", *project_id);
    if (!ids.empty()) {
      delete_ids(ids);
      return true;
    }
    std::vector<std::string> names;
    {
      auto n = db_.prepare("SELECT name FROM data_indexes WHERE project_id = ?1 AND built = 1");
      n.args(*project_id);
      while (n.step()) names.push_back(n.text(0));
    }
    for (const auto& name : names) db_.exec("DROP INDEX IF EXISTS \"" + name + "\"");
    auto d = db_.prepare("DELETE FROM projects WHERE id = ?1");
    d.args(*project_id).run();
    return true;
  }
  return false;
}

}  // namespace annot::host::store::sqlite
