// Row decoding, visibility checks, and the counter/summary bookkeeping every write shares.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "store/json_check.hpp"
#include "store/sqlite/ops_impl.hpp"
#include "store/summary.hpp"
#include "store/thread_json.hpp"

namespace annot::host::store::sqlite {

// ---- free helpers -----------------------------------------------------------------------------------

std::string ids_to_json(std::span<const std::int64_t> ids) {
  std::string out;
  out.reserve(ids.size() * 8 + 2);
  out.push_back('[');
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out.push_back(',');
    out += std::to_string(ids[i]);
  }
  out.push_back(']');
  return out;
}

std::optional<std::string> data_path_literal(std::string_view key) {
  // The key goes into SQL text (an expression index only matches a literal path), so only keys
  // that cannot leave the quoted JSON label or the SQL string qualify: no quotes, backslashes or
  // control characters. Other keys are bound as parameters and scanned.
  if (key.empty() || key.size() > 200) return std::nullopt;
  for (unsigned char c : key)
    if (c < 0x20 || c == '"' || c == '\'' || c == '\\' || c == 0x7f) return std::nullopt;
  return "'$.\"" + std::string(key) + "\"'";
}

std::string data_index_name(std::int64_t project_id, std::string_view key) {
  // FNV-1a of the key keeps the name short and free of odd characters.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "tasks_data_%lld_%016llx", static_cast<long long>(project_id),
                static_cast<unsigned long long>(h));
  return buf;
}

std::int64_t overlap_for(std::int64_t inner_id, std::int64_t maximum_annotations, std::int64_t cohort) {
  if (cohort >= 100 || maximum_annotations <= 1) return std::max<std::int64_t>(maximum_annotations, 1);
  if (cohort <= 0) return 1;
  // The first n inner ids hold int(n * cohort / 100 + 0.5) full-overlap tasks, Label Studio's
  // count in _rearrange_overlap_cohort (rounded half up: 1 of 1 and 2 of 3 at 50%).
  return (inner_id * cohort + 50) / 100 != ((inner_id - 1) * cohort + 50) / 100 ? maximum_annotations : 1;
}

namespace {

// Text the store cannot keep is named by its reason; text of another kind by the kind wanted.
void require_json_kind(std::string_view text, std::string_view what, json::kind wanted,
                       std::string_view wrong_kind, std::size_t* elements = nullptr) {
  std::string why;
  const json::kind k = json::check(text, &why, elements);
  if (k == wanted) return;
  fail(errc::invalid_argument,
       std::string(what) + " " + (k == json::kind::invalid ? why : std::string(wrong_kind)));
}

}  // namespace

void require_json_object(std::string_view text, std::string_view what) {
  require_json_kind(text, what, json::kind::object, "must be a JSON object");
}
std::int64_t require_json_array(std::string_view text, std::string_view what) {
  std::size_t elements = 0;
  require_json_kind(text, what, json::kind::array, "must be a JSON list", &elements);
  return static_cast<std::int64_t>(elements);
}
std::int64_t check_result(std::string_view result, std::string_view what, bool annotation, int sign,
                          summary_delta& delta) {
  const json::parsed_json parsed(result);
  if (parsed.root().error()) fail(errc::invalid_argument, std::string(what) + " " + json::why_unreadable(parsed));
  simdjson::dom::array list;
  if (parsed.root().value_unsafe().get_array().get(list))
    fail(errc::invalid_argument, std::string(what) + " must be a JSON list");
  add_result_summary(parsed, annotation, sign, delta);
  return static_cast<std::int64_t>(list.size());
}
void require_json(std::string_view text, std::string_view what) {
  std::string why;
  if (json::check(text, &why) == json::kind::invalid)
    fail(errc::invalid_argument, std::string(what) + " " + why);
}

namespace {

// "[123]" -> 123: single-row bookkeeping uses equality instead of json_each (the hot write path).
std::optional<std::int64_t> single_id(const std::string& ids) {
  if (ids.size() < 3 || ids.front() != '[' || ids.back() != ']') return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(ids.data() + 1, ids.data() + ids.size() - 1, v);
  if (ec != std::errc() || p != ids.data() + ids.size() - 1) return std::nullopt;
  return v;
}

}  // namespace

// ---- rows -------------------------------------------------------------------------------------------

user ops::read_user(statement& s) const {
  user u;
  u.id = s.i64(0);
  u.email = s.text(1);
  u.username = s.text(2);
  u.password_hash = s.text(3);
  u.first_name = s.text(4);
  u.last_name = s.text(5);
  u.phone = s.text(6);
  u.avatar = s.text(7);
  u.is_staff = s.boolean(8);
  u.is_superuser = s.boolean(9);
  u.is_active = s.boolean(10);
  u.date_joined = s.ts(11);
  u.last_login = s.opt_ts(12);
  u.last_activity = s.opt_ts(13);
  return u;
}

project ops::read_project(statement& s) const {
  project p;
  int i = 0;
  p.id = s.i64(i++);
  p.title = s.text(i++);
  p.description = s.text(i++);
  p.data_types = s.text(i++);
  p.expert_instruction = s.text(i++);
  p.show_instruction = s.boolean(i++);
  p.show_skip_button = s.boolean(i++);
  p.enable_empty_annotation = s.boolean(i++);
  p.show_annotation_history = s.boolean(i++);
  p.organization = s.i64(i++);
  p.color = s.text(i++);
  p.maximum_annotations = s.i64(i++);
  p.is_published = s.boolean(i++);
  p.model_version = s.text(i++);
  p.is_draft = s.boolean(i++);
  p.created_by = s.opt_i64(i++);
  p.created_at = s.ts(i++);
  p.updated_at = s.ts(i++);
  p.min_annotations_to_start_training = s.i64(i++);
  p.show_collab_predictions = s.boolean(i++);
  p.sampling = s.text(i++);
  p.show_ground_truth_first = s.boolean(i++);
  p.show_overlap_first = s.boolean(i++);
  p.overlap_cohort_percentage = s.i64(i++);
  p.task_data_login = s.opt_text(i++);
  p.task_data_password = s.opt_text(i++);
  p.evaluate_predictions_automatically = s.boolean(i++);
  p.skip_queue = s.text(i++);
  p.reveal_preannotations_interactively = s.boolean(i++);
  p.pinned_at = s.opt_ts(i++);
  p.task_number = s.i64(i++);
  p.total_annotations_number = s.i64(i++);
  p.skipped_annotations_number = s.i64(i++);
  p.useful_annotation_number = s.i64(i++);
  p.ground_truth_number = s.i64(i++);
  p.total_predictions_number = s.i64(i++);
  p.num_tasks_with_annotations = s.i64(i++);
  p.finished_task_number = s.i64(i++);
  const std::string version = s.text(i++);
  // The config texts from memory while their version is the row's (migration 0012), else read, in
  // this statement's transaction: the same snapshot as the version.
  auto texts = st_.config_texts.find(p.id, version);
  if (!texts) {
    auto c = db_.prepare(
        "SELECT label_config, parsed_label_config, control_weights FROM project_configs "
        "WHERE project_id = ?1");
    c.args(p.id);
    auto read = std::make_shared<config_texts>();
    read->version = version;
    if (c.step()) {
      read->label_config = c.text(0);
      read->parsed_label_config = c.text(1);
      read->control_weights = c.text(2);
    } else {
      fail(errc::internal, "project " + std::to_string(p.id) + " has no row in project_configs");
    }
    texts = read;
    st_.config_texts.put(p.id, std::move(read));
  }
  p.label_config = texts->label_config;
  p.parsed_label_config = texts->parsed_label_config;
  p.control_weights = texts->control_weights;
  p.config_version = version;
  return p;
}

void assign_column(std::string& out, const statement& s, int col) {
  std::string_view v = s.view(col);
  out.assign(v.data(), v.size());
}

void assign_column(std::optional<std::string>& out, const statement& s, int col) {
  if (s.is_null(col)) {
    out.reset();
    return;
  }
  if (!out) out.emplace();
  assign_column(*out, s, col);
}

void read_row(const statement& s, task& t, int first) {
  int i = first;
  t.id = s.i64(i++);
  t.project_id = s.i64(i++);
  t.inner_id = s.i64(i++);
  assign_column(t.data, s, i++);
  assign_column(t.meta, s, i++);
  t.created_at = s.ts(i++);
  t.updated_at = s.ts(i++);
  t.updated_by = s.opt_i64(i++);
  t.is_labeled = s.boolean(i++);
  t.overlap = s.i64(i++);
  t.total_annotations = s.i64(i++);
  t.cancelled_annotations = s.i64(i++);
  t.total_predictions = s.i64(i++);
  t.ground_truth = s.boolean(i++);
  t.completed_at = s.opt_ts(i++);
  t.predictions_score = s.opt_f64(i++);
  t.avg_lead_time = s.opt_f64(i++);
  t.comment_count = s.i64(i++);
  t.unresolved_comment_count = s.i64(i++);
  t.last_comment_updated_at = s.opt_ts(i++);
  t.file_upload_id = s.opt_i64(i++);
  t.import_id = s.opt_i64(i++);
  t.allow_skip = s.is_null(i) ? std::nullopt : std::optional<bool>(s.boolean(i));
  ++i;
}

void read_row(const statement& s, annotation& a) {
  int i = 0;
  a.id = s.i64(i++);
  a.task_id = s.i64(i++);
  a.project_id = s.i64(i++);
  assign_column(a.result, s, i++);
  a.completed_by = s.opt_i64(i++);
  a.updated_by = s.opt_i64(i++);
  a.was_cancelled = s.boolean(i++);
  a.ground_truth = s.boolean(i++);
  a.lead_time = s.opt_f64(i++);
  a.created_at = s.ts(i++);
  a.updated_at = s.ts(i++);
  a.draft_created_at = s.opt_ts(i++);
  assign_column(a.unique_id, s, i++);
  a.import_id = s.opt_i64(i++);
  assign_column(a.last_action, s, i++);
  a.last_created_by = s.opt_i64(i++);
  a.parent_prediction = s.opt_i64(i++);
  a.parent_annotation = s.opt_i64(i++);
  a.bulk_created = s.boolean(i++);
  assign_column(a.prediction, s, i++);
  a.result_count = s.i64(i++);
}

void read_row(const statement& s, draft& d) {
  int i = 0;
  d.id = s.i64(i++);
  d.task_id = s.i64(i++);
  d.project_id = s.i64(i++);
  d.user_id = s.opt_i64(i++);
  d.annotation_id = s.opt_i64(i++);
  assign_column(d.result, s, i++);
  d.lead_time = s.opt_f64(i++);
  d.was_postponed = s.boolean(i++);
  d.import_id = s.opt_i64(i++);
  d.created_at = s.ts(i++);
  d.updated_at = s.ts(i++);
}

void read_row(const statement& s, prediction& p) {
  int i = 0;
  p.id = s.i64(i++);
  p.task_id = s.i64(i++);
  p.project_id = s.i64(i++);
  assign_column(p.result, s, i++);
  p.score = s.opt_f64(i++);
  assign_column(p.model_version, s, i++);
  p.model_run = s.opt_i64(i++);
  p.cluster = s.opt_i64(i++);
  assign_column(p.neighbors, s, i++);
  p.mislabeling = s.f64(i++);
  p.created_at = s.ts(i++);
  p.updated_at = s.ts(i++);
}

task ops::read_task(statement& s, int first) const {
  task t;
  read_row(s, t, first);
  return t;
}

annotation ops::read_annotation(statement& s) const {
  annotation a;
  read_row(s, a);
  return a;
}

draft ops::read_draft(statement& s) const {
  draft d;
  read_row(s, d);
  return d;
}

prediction ops::read_prediction(statement& s) const {
  prediction p;
  read_row(s, p);
  return p;
}

file_upload ops::read_file_upload(statement& s) const {
  file_upload f;
  f.id = s.i64(0);
  f.project_id = s.i64(1);
  f.user_id = s.opt_i64(2);
  f.file = s.text(3);
  f.original_name = s.text(4);
  f.size = s.i64(5);
  f.content_type = s.text(6);
  f.created_at = s.ts(7);
  return f;
}

view ops::read_view(statement& s) const {
  view v;
  v.id = s.i64(0);
  v.project_id = s.i64(1);
  v.user_id = s.opt_i64(2);
  v.data = s.text(3);
  v.order = s.i64(4);
  v.created_at = s.ts(5);
  v.updated_at = s.ts(6);
  return v;
}

// ---- visibility and references ----------------------------------------------------------------------

void ops::require_writer() const {
  if (!writer()) fail(errc::failed_precondition, "writes are only allowed inside a write unit");
}

project ops::require_project(std::int64_t id) {
  auto r = get_project(id);
  if (!r) throw store_error(r.error().code(), r.error().message());
  return std::move(*r);
}

task ops::require_task(std::int64_t id) {
  auto r = get_task(id);
  if (!r) throw store_error(r.error().code(), r.error().message());
  return std::move(*r);
}

ops::task_owner ops::require_task_owner(std::int64_t task_id) {
  static const std::string sql = cat(
      {"SELECT t.project_id, p.skip_queue = 'IGNORE_SKIPPED', t.total_annotations, t.cancelled_annotations, "
       "t.total_predictions, t.is_labeled, ",
       has_counted_annotation_sql,
       " FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = ?1 AND p.deleted_at IS NULL AND "
       "(t.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports vi WHERE vi.id = t.import_id AND "
       "vi.rows_hidden = 1))"});
  auto s = db_.prepare(sql);
  s.args(task_id);
  if (!s.step()) fail(errc::not_found, "task " + std::to_string(task_id) + " not found");
  return {s.i64(0), s.boolean(1), s.i64(2), s.i64(3), s.i64(4), s.boolean(5), s.boolean(6)};
}

ops::task_owner ops::refresh_one(const task_owner& before, std::int64_t task_id,
                                 std::optional<std::int64_t> updated_by) {
  // One pass over the task's annotations and one over its predictions (index ranges), the new
  // counters returned by the same statement.
  auto s = db_.prepare(
      "UPDATE tasks SET total_annotations = c.n, cancelled_annotations = c.nc, ground_truth = c.gt, "
      "completed_at = c.done, avg_lead_time = c.lead, total_predictions = x.np, predictions_score = x.ps, "
      "is_labeled = (c.n + CASE WHEN ?2 THEN c.nc ELSE 0 END) >= tasks.overlap, updated_by = coalesce(?3, "
      "tasks.updated_by) FROM (SELECT count(*) FILTER (WHERE was_cancelled = 0) AS n, count(*) FILTER "
      "(WHERE was_cancelled = 1) AS nc, coalesce(max(ground_truth), 0) AS gt, max(created_at) FILTER (WHERE "
      "was_cancelled = 0) AS done, avg(lead_time) AS lead FROM annotations WHERE task_id = ?1) AS c, "
      "(SELECT count(*) AS np, avg(score) AS ps FROM predictions WHERE task_id = ?1) AS x WHERE tasks.id = "
      "?1 RETURNING total_annotations, cancelled_annotations, total_predictions, is_labeled");
  s.args(task_id, before.ignore_skipped, updated_by);
  if (!s.step()) fail(errc::not_found, "task " + std::to_string(task_id) + " not found");
  task_owner after = before;
  after.total = s.i64(0);
  after.cancelled = s.i64(1);
  after.predictions = s.i64(2);
  after.labeled = s.boolean(3);
  // RETURNING cannot name the FROM's aggregates: this one is read on its own.
  static const std::string counted =
      cat({"SELECT ", has_counted_annotation_sql, " FROM tasks t WHERE t.id = ?1"});
  auto w = db_.prepare(counted);
  w.args(task_id);
  after.with_annotations = w.step() && w.boolean(0);
  return after;
}

void ops::apply_transition(const task_owner& b, const task_owner& a, std::int64_t d_ground_truth,
                           std::int64_t d_useful) {
  task_sums before, after;
  before.annotations = b.total;
  before.cancelled = b.cancelled;
  before.predictions = b.predictions;
  before.with_annotations = b.with_annotations;
  before.labeled = b.labeled;
  after.annotations = a.total;
  after.cancelled = a.cancelled;
  after.predictions = a.predictions;
  after.with_annotations = a.with_annotations;
  after.labeled = a.labeled;
  after.ground_truth = d_ground_truth;
  after.useful = d_useful;
  apply_delta(b.project_id, before, after);
}

annotation ops::require_annotation(std::int64_t id) {
  auto r = get_annotation(id);
  if (!r) throw store_error(r.error().code(), r.error().message());
  return std::move(*r);
}

void ops::require_user(std::optional<std::int64_t> id, std::string_view what) {
  if (!id) return;
  auto s = db_.prepare("SELECT 1 FROM users WHERE id = ?1");
  s.args(*id);
  if (!s.step())
    fail(errc::invalid_argument, std::string(what) + ": user " + std::to_string(*id) + " does not exist");
}

std::vector<std::int64_t> ops::hidden_imports(std::int64_t project_id) {
  std::vector<std::int64_t> out;
  auto s = db_.prepare("SELECT id FROM imports WHERE project_id = ?1 AND rows_hidden = 1");
  s.args(project_id);
  while (s.step()) out.push_back(s.i64(0));
  return out;
}

void ops::touch(std::int64_t project_id) {
  st_.unit.touched.push_back(project_id);
}

// ---- counters -----------------------------------------------------------------------------------------

task_sums ops::sums(const std::string& ids) {
  task_sums r;
  auto one = single_id(ids);
  auto s =
      one ? db_.prepare(
                cat({"SELECT 1, t.total_annotations, t.cancelled_annotations, t.total_predictions, ",
                     has_counted_annotation_sql,
                     ", t.is_labeled, (SELECT count(*) FROM annotations a WHERE a.task_id = ?1 AND "
                     "a.ground_truth = 1), (SELECT count(*) FROM annotations a WHERE a.task_id = ?1 AND "
                     "a.ground_truth = 0 AND a.was_cancelled = 0) FROM tasks t WHERE t.id = ?1"}))
          : db_.prepare(
                cat({"SELECT count(*), total(t.total_annotations), total(t.cancelled_annotations), "
                     "total(t.total_predictions), total(",
                     has_counted_annotation_sql,
                     "), total(t.is_labeled), (SELECT count(*) FROM annotations a WHERE a.task_id IN (SELECT "
                     "value FROM json_each(?1)) AND a.ground_truth = 1), (SELECT count(*) FROM annotations a "
                     "WHERE a.task_id IN (SELECT value FROM json_each(?1)) AND a.ground_truth = 0 AND "
                     "a.was_cancelled = 0) FROM tasks t WHERE t.id IN (SELECT value FROM json_each(?1))"}));
  if (one) {
    s.args(*one);
  } else {
    s.args(ids);
  }
  if (s.step()) {
    r.tasks = s.i64(0);
    r.annotations = s.i64(1);
    r.cancelled = s.i64(2);
    r.predictions = s.i64(3);
    r.with_annotations = s.i64(4);
    r.labeled = s.i64(5);
    r.ground_truth = s.i64(6);
    r.useful = s.i64(7);
  }
  return r;
}

void ops::refresh_tasks(const std::string& ids, bool ignore_skipped) {
  // Recounted from the task's own rows (an index probe each), then is_labeled from the new counts.
  static const std::string set =
      "UPDATE tasks SET total_annotations = (SELECT count(*) FROM annotations a WHERE a.task_id = tasks.id "
      "AND a.was_cancelled = 0), cancelled_annotations = (SELECT count(*) FROM annotations a WHERE a.task_id "
      "= tasks.id AND a.was_cancelled = 1), total_predictions = (SELECT count(*) FROM predictions p WHERE "
      "p.task_id = tasks.id), ground_truth = EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = tasks.id "
      "AND a.ground_truth = 1), completed_at = (SELECT max(a.created_at) FROM annotations a WHERE a.task_id "
      "= tasks.id AND a.was_cancelled = 0), avg_lead_time = (SELECT avg(a.lead_time) FROM annotations a "
      "WHERE a.task_id = tasks.id), predictions_score = (SELECT avg(p.score) FROM predictions p WHERE "
      "p.task_id = tasks.id) ";
  static const std::string labeled =
      "UPDATE tasks SET is_labeled = (total_annotations + CASE WHEN ?2 THEN cancelled_annotations ELSE 0 "
      "END) >= overlap ";
  static const std::string by_id = set + "WHERE id = ?1",
                           by_list = set + "WHERE id IN (SELECT value FROM json_each(?1))";
  static const std::string l_by_id = labeled + "WHERE id = ?1",
                           l_by_list = labeled + "WHERE id IN (SELECT value FROM json_each(?1))";
  if (auto one = single_id(ids)) {
    db_.prepare(by_id).args(*one).run();
    db_.prepare(l_by_id).args(*one, ignore_skipped).run();
  } else {
    db_.prepare(by_list).args(ids).run();
    db_.prepare(l_by_list).args(ids, ignore_skipped).run();
  }
}

void ops::apply_delta(std::int64_t project_id, const task_sums& b, const task_sums& a) {
  auto s = db_.prepare(
      "UPDATE projects SET task_number = task_number + ?2, total_annotations_number = "
      "total_annotations_number + ?3, skipped_annotations_number = skipped_annotations_number + ?4, "
      "total_predictions_number = total_predictions_number + ?5, num_tasks_with_annotations = "
      "num_tasks_with_annotations + ?6, finished_task_number = finished_task_number + ?7, "
      "ground_truth_number = ground_truth_number + ?8, useful_annotation_number = useful_annotation_number "
      "+ ?9 WHERE id = ?1");
  s.args(project_id, a.tasks - b.tasks, a.annotations - b.annotations, a.cancelled - b.cancelled,
         a.predictions - b.predictions, a.with_annotations - b.with_annotations, a.labeled - b.labeled,
         a.ground_truth - b.ground_truth, a.useful - b.useful)
      .run();
  touch(project_id);
}

void ops::rearrange_overlap(std::int64_t project_id, const project& p, bool maximum_changed,
                            bool cohort_changed) {
  const std::int64_t max = std::max<std::int64_t>(p.maximum_annotations, 1);
  const std::int64_t cohort = p.overlap_cohort_percentage;
  // Label Studio's _update_tasks_states: a new maximum alone moves the tasks already in the
  // cohort; the cohort is only drawn anew when the percentage moves (or there is none yet).
  if (maximum_changed && (!cohort_changed || max == 1)) {
    auto any = db_.prepare("SELECT EXISTS (SELECT 1 FROM tasks WHERE project_id = ?1 AND overlap > 1)");
    any.args(project_id);
    if ((any.step() && any.i64(0) != 0) || max == 1) {
      db_.prepare("UPDATE tasks SET overlap = ?2 WHERE project_id = ?1 AND overlap > 1").args(project_id, max).run();
      return;
    }
    if (cohort >= 100) {
      db_.prepare("UPDATE tasks SET overlap = ?2 WHERE project_id = ?1").args(project_id, max).run();
      return;
    }
  } else if (!cohort_changed || max == 1) {
    return;
  }
  // _rearrange_overlap_cohort: int(n * percentage / 100 + 0.5) tasks get the full overlap. Tasks
  // already holding that many finished annotations (not skipped, not ground truth) stay in, even
  // past the count; then the tasks with the most annotations, so work under way is finished
  // first. Ties go to the tasks a fresh import would have put in the cohort (overlap_for's
  // spread over inner ids), so a project without annotations gets the same cohort either way.
  auto u = db_.prepare(
      "WITH c AS (SELECT t.id, (SELECT count(*) FROM annotations a WHERE a.task_id = t.id AND "
      "a.was_cancelled = 0 AND a.ground_truth = 0) >= ?2 AS complete, (SELECT count(*) FROM annotations a "
      "WHERE a.task_id = t.id) AS anno, (t.inner_id * ?3 + 50) / 100 <> ((t.inner_id - 1) * ?3 + 50) / "
      "100 AS spread, t.inner_id FROM tasks t WHERE t.project_id = ?1), r AS (SELECT id, complete, "
      "row_number() OVER (ORDER BY complete DESC, anno DESC, spread DESC, inner_id) AS pos FROM c) "
      "UPDATE tasks SET overlap = CASE WHEN r.complete OR r.pos <= ((SELECT count(*) FROM c) * ?3 + 50) / 100 "
      "THEN ?2 ELSE 1 END FROM r WHERE tasks.id = r.id");
  u.args(project_id, max, cohort).run();
}

void ops::recount_labeled(std::int64_t project_id) {
  // After overlap or the skip rule changed: is_labeled of every task, then the counters that
  // depend on it (visible tasks for the project, staged ones for their imports).
  auto p = require_project(project_id);
  auto l = db_.prepare(
      "UPDATE tasks SET is_labeled = (total_annotations + CASE WHEN ?2 THEN cancelled_annotations ELSE 0 "
      "END) >= overlap WHERE project_id = ?1");
  l.args(project_id, is_ignore_skipped(p.skip_queue)).run();
  auto f = db_.prepare(
      "UPDATE projects SET finished_task_number = (SELECT count(*) FROM tasks t WHERE t.project_id = ?1 AND "
      "t.is_labeled = 1 AND (t.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = "
      "t.import_id AND i.rows_hidden = 1))) WHERE id = ?1");
  f.args(project_id).run();
  auto i = db_.prepare(
      "UPDATE imports SET labeled_tasks = (SELECT count(*) FROM tasks t WHERE t.import_id = imports.id AND "
      "t.is_labeled = 1) WHERE project_id = ?1 AND rows_hidden = 1 AND status IN ('created', 'in_progress')");
  i.args(project_id).run();
  touch(project_id);
}

// ---- summaries ------------------------------------------------------------------------------------------

void ops::apply_summary(std::int64_t owner, const summary_delta& delta, bool to_import) {
  auto s = db_.prepare(
      to_import
          ? "INSERT INTO import_summary(import_id, kind, name, label, count) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT DO UPDATE SET count = count + excluded.count"
          : "INSERT INTO project_summary(project_id, kind, name, label, count) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT DO UPDATE SET count = count + excluded.count");
  for (const auto& [k, n] : delta) {
    if (n == 0) continue;
    s.args(owner, std::int64_t(k.kind), k.name, k.label, n).run();
    sqlite3_reset(s.raw());
  }
}

void ops::summarize_results(const char* table, const std::string& ids, int sign, bool to_import,
                            std::int64_t import_id) {
  // Label Studio's ProjectSummary bookkeeping for rows about to be deleted (or just written): their
  // result lists, read back and counted by add_result_summary().
  const bool annotations = std::string_view(table) == "annotations";
  auto one = single_id(ids);
  std::map<std::int64_t, summary_delta> by_owner;
  {
    auto s = db_.prepare(cat({"SELECT project_id, result FROM ", table,
                              one ? " WHERE id = ?1" : " WHERE id IN (SELECT value FROM json_each(?1))"}));
    if (one) {
      s.args(*one);
    } else {
      s.args(ids);
    }
    while (s.step())
      add_result_summary(s.view(1), annotations, sign, by_owner[to_import ? import_id : s.i64(0)]);
  }
  for (const auto& [owner, delta] : by_owner) apply_summary(owner, delta, to_import);
}

void ops::summarize_data_keys(std::int64_t project_id, const std::map<std::string, std::int64_t>& delta,
                              bool to_import, std::int64_t import_id) {
  if (delta.empty()) return;
  auto s = db_.prepare(
      to_import
          ? "INSERT INTO import_summary(import_id, kind, name, label, count) VALUES (?1, 0, ?2, '', ?3) "
            "ON CONFLICT DO UPDATE SET count = count + excluded.count"
          : "INSERT INTO project_summary(project_id, kind, name, label, count) VALUES (?1, 0, ?2, '', ?3) "
            "ON CONFLICT DO UPDATE SET count = count + excluded.count");
  for (const auto& [key, n] : delta) {
    if (n == 0) continue;
    s.args(to_import ? import_id : project_id, key, n).run();
    sqlite3_reset(s.raw());
  }
}

void ops::summarize_task_data_removed(const std::string& ids) {
  auto s = db_.prepare(
      "INSERT INTO project_summary(project_id, kind, name, label, count) SELECT t.project_id, 0, k.key, '', "
      "-count(DISTINCT t.id) FROM tasks t, json_each(t.data) k WHERE t.id IN (SELECT value FROM "
      "json_each(?1)) AND json_type(t.data) = 'object' GROUP BY 1, 3 ON CONFLICT DO UPDATE SET count = "
      "count + excluded.count");
  s.args(ids).run();
}

void ops::prune_summary(std::int64_t project_id) {
  auto s = db_.prepare("DELETE FROM project_summary WHERE project_id = ?1 AND count <= 0");
  s.args(project_id).run();
  // Label Studio resets the summary when the project has no tasks left.
  auto e = db_.prepare(
      "DELETE FROM project_summary WHERE project_id = ?1 AND (SELECT task_number FROM projects WHERE id = "
      "?1) = 0");
  e.args(project_id).run();
}

std::string id_above_floor(std::string_view table) {
  return cat(
      {"(SELECT CASE WHEN f > m THEN f + 1 END FROM (SELECT coalesce((SELECT CAST(value AS INTEGER) FROM "
       "settings WHERE key = 'id_floor.",
       table, "'), 0) AS f, coalesce((SELECT max(id) FROM ", table, "), 0) AS m))"});
}

std::optional<std::int64_t> first_id_above_floor(connection& db, std::string_view table) {
  auto s =
      db.prepare(cat({"SELECT coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'id_floor.",
                      table, "'), 0), coalesce((SELECT max(id) FROM ", table, "), 0)"}));
  if (!s.step()) return std::nullopt;
  const std::int64_t floor = s.i64(0), max = s.i64(1);
  if (floor <= max) return std::nullopt;
  return floor + 1;
}

}  // namespace annot::host::store::sqlite
