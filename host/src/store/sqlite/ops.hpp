// The SQLite implementation of read_context/write_context over one connection: a reader's
// snapshot, or the writer's running unit.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/state.hpp"
#include "store/store.hpp"
#include "store/summary.hpp"

namespace annot::host::store::sqlite {

// Per-task counters summed over a set of tasks; project counters move by after - before.
struct task_sums {
  std::int64_t tasks = 0, annotations = 0, cancelled = 0, predictions = 0, with_annotations = 0, labeled = 0,
               ground_truth = 0, useful = 0;
};

class ops final : public write_context {
 public:
  ops(connection& c, engine_state& st) : db_(c), st_(st) {}
  // A reader's lease starts: remember the epoch its snapshot is at least as new as.
  void start_lease(std::uint64_t epoch) noexcept { lease_epoch_ = epoch; }
  bool writer() const noexcept { return db_.kind() == connection::role::writer; }
  connection& db() noexcept { return db_; }

  // Background maintenance (writer): removes up to `limit` rows of failed imports and deleted
  // projects. Returns true while work remains.
  bool purge_step(std::int64_t limit);
  // Decides on the expression index for (project, key) once the project has had
  // store_options::data_index_min_tasks tasks: built when its first tasks' (up to kIndexSampleTasks)
  // values of the key average at most kMaxIndexedValueBytes, else recorded as not built (documents,
  // not references; migration 0009). That decision is final (migration 0011). Before, the key is
  // recorded as waiting (built NULL), and an index decided by an earlier rule is dropped.
  void build_data_index(std::int64_t project_id, const std::string& key);
  static constexpr std::int64_t kIndexSampleTasks = 256;
  static constexpr std::int64_t kMaxIndexedValueBytes = 256;
  // Asks again for the data-key indexes of `project_id` (all projects when unset) that wait and whose
  // project has now had its minimum of tasks, and for decisions taken before migration 0011: after
  // tasks are written, and once at open.
  void request_pending_indexes(std::optional<std::int64_t> project_id);
  // At open: imports that were running when the process stopped are failed (their rows stay
  // hidden until purged). Returns how many.
  // Imports created/in_progress whose process is gone (no one holds their lock), read outside any
  // transaction; every such import when the lock file is unknown and `all_if_unknown`.
  std::vector<std::int64_t> interrupted_imports(bool all_if_unknown);
  // Fails those of `ids` still in progress and still without a process; how many it failed.
  std::int64_t fail_interrupted_imports(std::span<const std::int64_t> ids);

  // ---- read_context ---------------------------------------------------------------------------------
  result<user> get_user(std::int64_t id) override;
  result<user> find_user_by_email(std::string_view email) override;
  result<std::vector<user>> list_users() override;
  result<std::vector<user>> project_annotators(std::int64_t project_id) override;
  result<token_owner> find_token(token_kind kind, std::string_view key, timestamp now) override;
  result<std::string> legacy_token(std::int64_t user_id) override;
  result<std::vector<token>> list_tokens(std::int64_t user_id, std::optional<token_kind> kind) override;
  result<std::optional<std::string>> get_setting(std::string_view key) override;
  result<project> get_project(std::int64_t id) override;
  result<bool> project_config_version_is(std::int64_t project_id, std::string_view config_version) override;
  result<page<project>> list_projects(const project_list_query& q) override;
  result<project_summary> get_project_summary(std::int64_t project_id) override;
  result<std::vector<model_version_count>> model_versions(std::int64_t project_id) override;
  result<std::vector<user_queue>> user_queues(std::span<const std::int64_t> project_ids,
                                              std::int64_t user_id) override;
  result<std::vector<std::string>> indexed_data_keys(std::int64_t project_id) override;
  result<task> get_task(std::int64_t id) override;
  result<std::vector<task>> get_tasks(std::span<const std::int64_t> ids) override;
  result<std::vector<task>> list_project_tasks(std::int64_t project_id, std::int64_t offset,
                                               std::int64_t limit) override;
  result<std::vector<task>> list_project_tasks_after(std::int64_t project_id, std::int64_t after_inner_id,
                                                     std::int64_t limit) override;
  result<task_page> query_tasks(const task_query& q) override;
  result<std::vector<std::int64_t>> select_task_ids(const task_query& q) override;
  result<task_details> get_task_details(std::span<const task> tasks,
                                        std::optional<std::int64_t> draft_user) override;
  result<task_bundle> get_task_bundle(std::int64_t id, std::optional<std::int64_t> draft_user) override;
  result<annotation> get_annotation(std::int64_t id) override;
  result<std::vector<annotation>> list_annotations(std::span<const std::int64_t> task_ids) override;
  result<draft> get_draft(std::int64_t id) override;
  result<std::vector<draft>> list_drafts(std::span<const std::int64_t> task_ids,
                                         std::optional<std::int64_t> user_id) override;
  result<prediction> get_prediction(std::int64_t id) override;
  result<std::vector<prediction>> list_predictions(const prediction_filter& f) override;
  result<std::vector<prediction>> list_task_predictions(std::span<const std::int64_t> task_ids) override;
  result<file_upload> get_file_upload(std::int64_t id) override;
  result<std::vector<file_upload>> list_file_uploads(std::int64_t project_id) override;
  result<import_record> get_import(std::int64_t id) override;
  result<std::vector<import_record>> list_imports(std::int64_t project_id) override;
  result<std::vector<std::int64_t>> import_task_ids(std::int64_t import_id) override;
  result<view> get_view(std::int64_t id) override;
  result<std::vector<view>> list_views(std::int64_t project_id) override;
  result<std::vector<task_lock>> task_locks(std::int64_t task_id, timestamp now) override;

  // ---- write_context --------------------------------------------------------------------------------
  result<user> create_user(const new_user& u) override;
  result<user> update_user(std::int64_t id, const user_patch& p) override;
  status delete_user(std::int64_t id) override;
  result<std::string> reset_legacy_token(std::int64_t user_id) override;
  result<token> create_token(std::int64_t user_id, token_kind kind, std::string_view key,
                             std::optional<timestamp> expires_at, std::string_view label) override;
  status revoke_token(std::int64_t token_id, timestamp now) override;
  result<std::int64_t> purge_tokens(timestamp now) override;
  status set_setting(std::string_view key, std::string_view value) override;
  result<project> create_project(const new_project& p) override;
  result<project> update_project(std::int64_t id, const project_fields& p) override;
  status delete_project(std::int64_t id) override;
  status request_data_index(std::int64_t project_id, std::string_view key) override;
  result<task> create_task(const new_task& t) override;
  result<task> update_task(std::int64_t id, const task_patch& p) override;
  status delete_task(std::int64_t id) override;
  result<std::int64_t> delete_tasks(const task_selection& s, std::int64_t limit) override;
  result<annotation> create_annotation(const new_annotation& a) override;
  result<annotation> update_annotation(std::int64_t id, const annotation_patch& p) override;
  status delete_annotation(std::int64_t id) override;
  result<std::int64_t> delete_annotations(const task_selection& s, std::int64_t limit,
                                          std::optional<std::int64_t> completed_by) override;
  result<draft> create_draft(const new_draft& d) override;
  result<draft> update_draft(std::int64_t id, const draft_patch& p) override;
  status delete_draft(std::int64_t id) override;
  result<std::int64_t> delete_drafts(const task_selection& s, std::int64_t limit,
                                     std::optional<std::int64_t> user_id) override;
  result<prediction> create_prediction(const new_prediction& p) override;
  result<std::vector<std::int64_t>> create_predictions(std::span<const new_prediction> ps) override;
  result<prediction> update_prediction(std::int64_t id, const prediction_patch& p) override;
  status delete_prediction(std::int64_t id) override;
  result<std::int64_t> delete_predictions(const task_selection& s, std::int64_t limit) override;
  result<std::int64_t> annotate_from_predictions(
      const task_selection& s, std::int64_t limit, std::int64_t user_id,
      const std::optional<std::vector<std::string>>& model_versions) override;
  result<duplicates_removed> merge_duplicate_tasks(
      std::int64_t project_id, std::span<const std::vector<std::int64_t>> groups) override;
  result<file_upload> create_file_upload(const new_file_upload& f) override;
  status delete_file_upload(std::int64_t id) override;
  result<file_upload> replace_file_upload(std::int64_t id, const new_file_upload& f) override;
  result<import_record> begin_import(const new_import& i) override;
  result<staged_batch> stage_tasks(std::int64_t import_id, std::span<const import_task> tasks) override;
  result<import_record> publish_import(std::int64_t import_id, const import_outcome& outcome) override;
  status fail_import(std::int64_t import_id, std::string_view error) override;
  result<std::int64_t> delete_file_upload_tasks(std::int64_t project_id,
                                                std::span<const std::int64_t> file_upload_ids) override;
  result<view> create_view(const new_view& v) override;
  result<view> update_view(std::int64_t id, const view_patch& p) override;
  status delete_view(std::int64_t id) override;
  status delete_project_views(std::int64_t project_id) override;
  status reorder_views(std::int64_t project_id, std::span<const std::int64_t> view_ids) override;
  result<std::optional<task>> next_task(const next_task_request& r, timestamp now) override;
  result<task_lock> lock_task(std::int64_t task_id, std::int64_t user_id, timestamp expires_at) override;
  status unlock_task(std::int64_t task_id, std::int64_t user_id) override;
  status unlock_user_tasks(std::int64_t project_id, std::int64_t user_id) override;

 private:
  // Runs `f`, turning store_error (and other exceptions) into the returned status.
  template <class F>
  auto guard(F&& f) -> decltype(f());
  void require_writer() const;

  // rows
  user read_user(statement& s) const;
  project read_project(statement& s) const;
  task read_task(statement& s, int first = 0) const;
  annotation read_annotation(statement& s) const;
  draft read_draft(statement& s) const;
  prediction read_prediction(statement& s) const;
  import_record read_import(statement& s) const;
  file_upload read_file_upload(statement& s) const;
  view read_view(statement& s) const;

  project require_project(std::int64_t id);  // live project or not_found
  // A visible task's project and counters, read in one statement (the hot single-task writes).
  struct task_owner {
    std::int64_t project_id = 0;
    bool ignore_skipped = false;
    std::int64_t total = 0, cancelled = 0, predictions = 0;
    bool labeled = false;
    // Has an annotation that is neither ground truth nor cancelled: the task counts towards
    // Label Studio's num_tasks_with_annotations.
    bool with_annotations = false;
  };
  task_owner require_task_owner(std::int64_t task_id);
  // Recounts one task from its rows in one statement; returns its new counters.
  task_owner refresh_one(const task_owner& before, std::int64_t task_id,
                         std::optional<std::int64_t> updated_by);
  // Moves the project counters by one task's transition, plus annotation-level deltas the caller
  // knows (ground truth, useful).
  void apply_transition(const task_owner& before, const task_owner& after, std::int64_t d_ground_truth,
                        std::int64_t d_useful);
  // Task.ensure_unique_groundtruth: the task's other annotations stop being ground truth (their
  // updated_at kept, as a queryset update keeps it). Adds the project counters' moves to the deltas.
  void keep_one_ground_truth(std::int64_t task_id, std::int64_t annotation_id, std::int64_t& d_ground_truth,
                             std::int64_t& d_useful);
  task require_task(std::int64_t id);              // visible task or not_found
  annotation require_annotation(std::int64_t id);  // of a visible task
  void require_user(std::optional<std::int64_t> id, std::string_view what);
  // The child rows of get_task_details / get_task_bundle for these task ids.
  void read_details(std::span<const std::int64_t> ids, bool annotations, bool predictions,
                    std::optional<std::int64_t> draft_user, task_details& out);
  std::vector<std::int64_t> hidden_imports(std::int64_t project_id);

  // counters and summaries (writer)
  task_sums sums(const std::string& task_ids_json);
  void refresh_tasks(const std::string& task_ids_json, bool ignore_skipped);
  void apply_delta(std::int64_t project_id, const task_sums& before, const task_sums& after);
  void summarize_results(const char* table, const std::string& ids_json, int sign, bool to_import,
                         std::int64_t import_id);
  void apply_summary(std::int64_t owner, const summary_delta& delta, bool to_import);
  void summarize_data_keys(std::int64_t project_id, const std::map<std::string, std::int64_t>& delta,
                           bool to_import, std::int64_t import_id);
  void summarize_task_data_removed(const std::string& task_ids_json);
  void prune_summary(std::int64_t project_id);
  void touch(std::int64_t project_id);
  // The tasks' overlap after maximum_annotations or overlap_cohort_percentage changed, as Label
  // Studio's Project._update_tasks_states sets it; recount_labeled() must follow.
  void rearrange_overlap(std::int64_t project_id, const project& p, bool maximum_changed, bool cohort_changed);
  void recount_labeled(std::int64_t project_id);
  std::int64_t remove_tasks(std::int64_t project_id, const std::vector<std::int64_t>& ids);

  // data-manager queries (task_query.cpp)
  struct selection_sql;
  selection_sql build_selection(const task_selection& s, const project& p,
                                const std::vector<order_item>* ordering);
  std::shared_ptr<const cached_selection> resolve(const task_query& q, const project& p);
  // Up to `limit` visible task ids of a selection (writer-side deletes), with an optional extra SQL
  // condition on `t` (e.g. "has annotations") so that repeated calls make progress.
  std::vector<std::int64_t> selection_ids(const task_selection& s, std::int64_t limit,
                                          const char* extra = nullptr);
  // Asks for an expression index on data key `key` unless it exists. From a data-manager query, only for
  // a key the project's tasks hold, and while the project has fewer than kMaxQueryDataIndexes.
  void request_index_if_missing(std::int64_t project_id, const std::string& key, bool from_query = false);
  // Whether (project, key) has an index or was declined one (a pending key is not decided).
  bool data_index_known(std::int64_t project_id, const std::string& key);
  static constexpr std::int64_t kMaxQueryDataIndexes = 32;

  connection& db_;
  engine_state& st_;
  std::uint64_t lease_epoch_ = 0;
};

// Helpers shared by the ops files.
std::string ids_to_json(std::span<const std::int64_t> ids);
// The SQL literal for json_extract's path to data key `key`, when the key can appear in SQL text
// (and so match an expression index); nullopt when it must be bound instead.
std::optional<std::string> data_path_literal(std::string_view key);
std::string data_index_name(std::int64_t project_id, std::string_view key);

}  // namespace annot::host::store::sqlite
