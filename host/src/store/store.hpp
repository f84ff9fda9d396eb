// The store: one engine-neutral interface over the database (SQLite now, PostgreSQL later).
//
// Reads borrow a snapshot (`read()`), writes are units of work run by the store's single writer,
// which commits many queued units together (group commit); each unit's callback runs once its
// commit is durable. Handlers never see engine types. Threading rules: host/src/store/README.md.
#pragma once

#include <annot/status.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"
#include "store/query.hpp"

namespace annot::host::store {

// Everything a snapshot can answer. Obtained from store::read() (a reader's snapshot) or, inside a
// write unit, as the write_context (which also sees the unit's own writes).
//
// Every method returns a result: not_found when the thing does not exist (or is not visible: rows
// of an import that is not published yet, of a project being deleted), invalid_argument when the
// request itself is wrong, internal/io_error when the engine failed.
// Threading: one thread at a time; the object is only valid while its lease or unit lasts.
class read_context {
 public:
  virtual ~read_context() = default;

  // users and tokens
  virtual result<user> get_user(std::int64_t id) = 0;
  virtual result<user> find_user_by_email(std::string_view email) = 0;  // case-insensitive
  virtual result<std::vector<user>> list_users() = 0;
  // The users with an annotation or a draft in the project, by id (delete_tasks_annotations' dialog).
  virtual result<std::vector<user>> project_annotators(std::int64_t project_id) = 0;
  // The active owner of an unrevoked, unexpired token of that kind; not_found otherwise (also when
  // the user was deleted or deactivated).
  virtual result<token_owner> find_token(token_kind kind, std::string_view key, timestamp now) = 0;
  virtual result<std::string> legacy_token(std::int64_t user_id) = 0;
  virtual result<std::vector<token>> list_tokens(std::int64_t user_id, std::optional<token_kind> kind) = 0;
  virtual result<std::optional<std::string>> get_setting(std::string_view key) = 0;

  // projects
  virtual result<project> get_project(std::int64_t id) = 0;
  // Whether the project's config texts are still those of `config_version` (project::config_version):
  // a write unit's check that results checked before it began still meet the config.
  virtual result<bool> project_config_version_is(std::int64_t project_id,
                                                 std::string_view config_version) = 0;
  virtual result<page<project>> list_projects(const project_list_query& q) = 0;
  virtual result<project_summary> get_project_summary(std::int64_t project_id) = 0;
  // Prediction counts per model version, most used first.
  virtual result<std::vector<model_version_count>> model_versions(std::int64_t project_id) = 0;
  // `user_id`'s queue in each of these projects (visible ones only), by project id, in one statement
  // for them all: built from the project counters and the user's own annotations, never a task scan.
  virtual result<std::vector<user_queue>> user_queues(std::span<const std::int64_t> project_ids,
                                                      std::int64_t user_id) = 0;
  // The data keys that have an expression index for the data manager.
  virtual result<std::vector<std::string>> indexed_data_keys(std::int64_t project_id) = 0;

  // tasks
  virtual result<task> get_task(std::int64_t id) = 0;
  // The visible ones among `ids`, in the order given; missing ids are skipped.
  virtual result<std::vector<task>> get_tasks(std::span<const std::int64_t> ids) = 0;
  // A project's tasks by id, `limit` of them after `offset` (the bare-list endpoint).
  virtual result<std::vector<task>> list_project_tasks(std::int64_t project_id, std::int64_t offset,
                                                       std::int64_t limit) = 0;
  // Keyset form for streaming a whole project (exports): the tasks after inner id `after_inner_id`
  // (0 to start), by id. Pass the last task's inner_id to get the next batch. (Inside a project,
  // inner_id grows with id, so both orders are the same.)
  virtual result<std::vector<task>> list_project_tasks_after(std::int64_t project_id,
                                                             std::int64_t after_inner_id,
                                                             std::int64_t limit) = 0;
  // The data manager: one page of a filtered, ordered selection, with its totals. Totals and page
  // positions are cached per query until the project's next write.
  virtual result<task_page> query_tasks(const task_query& q) = 0;
  // Every task id of a selection, in the query's order (for data-manager actions).
  virtual result<std::vector<std::int64_t>> select_task_ids(const task_query& q) = 0;
  // The details of these tasks (their annotations, predictions, `draft_user`'s drafts when given,
  // annotators' names, upload files) in few statements; tasks whose counters say they have no
  // annotations or predictions cost no statement for them.
  virtual result<task_details> get_task_details(std::span<const task> tasks,
                                                std::optional<std::int64_t> draft_user) = 0;
  // A visible task and its details (as above): the single-task read, in as few statements as the
  // task's counters allow (two for a task without annotations or predictions).
  virtual result<task_bundle> get_task_bundle(std::int64_t id, std::optional<std::int64_t> draft_user) = 0;

  // annotations, drafts, predictions (of visible tasks)
  virtual result<annotation> get_annotation(std::int64_t id) = 0;
  // The annotations of these tasks, by task then id.
  virtual result<std::vector<annotation>> list_annotations(std::span<const std::int64_t> task_ids) = 0;
  virtual result<draft> get_draft(std::int64_t id) = 0;
  // The drafts of these tasks (by task then id), only `user_id`'s when given.
  virtual result<std::vector<draft>> list_drafts(std::span<const std::int64_t> task_ids,
                                                 std::optional<std::int64_t> user_id) = 0;
  virtual result<prediction> get_prediction(std::int64_t id) = 0;
  virtual result<std::vector<prediction>> list_predictions(const prediction_filter& f) = 0;
  // The predictions of these tasks, by task then id.
  virtual result<std::vector<prediction>> list_task_predictions(std::span<const std::int64_t> task_ids) = 0;

  // file uploads and imports
  virtual result<file_upload> get_file_upload(std::int64_t id) = 0;
  virtual result<std::vector<file_upload>> list_file_uploads(std::int64_t project_id) = 0;
  virtual result<import_record> get_import(std::int64_t id) = 0;
  virtual result<std::vector<import_record>> list_imports(std::int64_t project_id) = 0;
  // The ids of the tasks an import created (for return_task_ids).
  virtual result<std::vector<std::int64_t>> import_task_ids(std::int64_t import_id) = 0;

  // data-manager views, task locks
  virtual result<view> get_view(std::int64_t id) = 0;
  virtual result<std::vector<view>> list_views(std::int64_t project_id) = 0;
  // Unexpired locks on a task.
  virtual result<std::vector<task_lock>> task_locks(std::int64_t task_id, timestamp now) = 0;
};

// A write unit's view of the database: every read, plus every write. All of a unit's writes commit
// together or not at all. Only valid inside the unit, on the writer thread.
class write_context : public read_context {
 public:
  // users and tokens
  // Creates the user and their legacy API token. already_exists when the email is taken.
  virtual result<user> create_user(const new_user& u) = 0;
  virtual result<user> update_user(std::int64_t id, const user_patch& p) = 0;
  // Deletes the user and their tokens, locks and drafts; their annotations stay, unowned.
  virtual status delete_user(std::int64_t id) = 0;
  // Replaces the user's legacy token; returns the new one.
  virtual result<std::string> reset_legacy_token(std::int64_t user_id) = 0;
  virtual result<token> create_token(std::int64_t user_id, token_kind kind, std::string_view key,
                                     std::optional<timestamp> expires_at, std::string_view label) = 0;
  virtual status revoke_token(std::int64_t token_id, timestamp now) = 0;
  // Drops expired and revoked personal/session tokens; returns how many.
  virtual result<std::int64_t> purge_tokens(timestamp now) = 0;
  virtual status set_setting(std::string_view key, std::string_view value) = 0;

  // projects
  virtual result<project> create_project(const new_project& p) = 0;
  // Changing maximum_annotations or overlap_cohort_percentage re-spreads task overlap and
  // recomputes is_labeled and the counters.
  virtual result<project> update_project(std::int64_t id, const project_fields& p) = 0;
  // The project disappears at once; its tasks are removed in the background in batches.
  virtual status delete_project(std::int64_t id) = 0;
  // Asks for an expression index on data key `key` (built in its own unit after this one commits).
  virtual status request_data_index(std::int64_t project_id, std::string_view key) = 0;

  // tasks
  virtual result<task> create_task(const new_task& t) = 0;
  virtual result<task> update_task(std::int64_t id, const task_patch& p) = 0;
  virtual status delete_task(std::int64_t id) = 0;
  // Deletes up to `limit` tasks of the selection (with their annotations, predictions, drafts);
  // returns how many. Call again until it returns 0, one unit per call, so that a large delete
  // does not hold the writer.
  virtual result<std::int64_t> delete_tasks(const task_selection& s, std::int64_t limit) = 0;
  // Label Studio's remove_duplicates for a batch of groups of tasks with equal data, each group in the
  // selection's order: every annotation (with its drafts) moves to the group's first annotated task,
  // then the group's tasks without annotations are deleted, save the first when none is annotated.
  // Ids that are not visible tasks of `project_id` are ignored, and a task holding annotations is never
  // deleted. One unit per call: callers pass a bounded batch.
  virtual result<duplicates_removed> merge_duplicate_tasks(
      std::int64_t project_id, std::span<const std::vector<std::int64_t>> groups) = 0;

  // annotations
  virtual result<annotation> create_annotation(const new_annotation& a) = 0;
  virtual result<annotation> update_annotation(std::int64_t id, const annotation_patch& p) = 0;
  virtual status delete_annotation(std::int64_t id) = 0;
  // Deletes the annotations of up to `limit` tasks of the selection; returns the annotations deleted.
  // The selected tasks' annotations (only those of `completed_by` when given) with the drafts on those
  // tasks (the deleted annotations' and that user's, or all), at most `limit` tasks holding such
  // annotations per call; the number of annotations deleted.
  virtual result<std::int64_t> delete_annotations(
      const task_selection& s, std::int64_t limit,
      std::optional<std::int64_t> completed_by = std::nullopt) = 0;

  // drafts
  virtual result<draft> create_draft(const new_draft& d) = 0;
  virtual result<draft> update_draft(std::int64_t id, const draft_patch& p) = 0;
  virtual status delete_draft(std::int64_t id) = 0;
  // The selected tasks' drafts (only `user_id`'s when given), at most `limit` tasks per call.
  virtual result<std::int64_t> delete_drafts(const task_selection& s, std::int64_t limit,
                                             std::optional<std::int64_t> user_id = std::nullopt) = 0;

  // predictions
  virtual result<prediction> create_prediction(const new_prediction& p) = 0;
  // All or nothing; returns the new ids in order.
  virtual result<std::vector<std::int64_t>> create_predictions(std::span<const new_prediction> ps) = 0;
  virtual result<prediction> update_prediction(std::int64_t id, const prediction_patch& p) = 0;
  virtual status delete_prediction(std::int64_t id) = 0;
  virtual result<std::int64_t> delete_predictions(const task_selection& s, std::int64_t limit) = 0;
  // Label Studio's predictions_to_annotations, for up to `limit` selected tasks holding a prediction no
  // annotation was made from yet (of one of `model_versions` when given): an annotation per such
  // prediction, completed by `user_id`, with its result and parent_prediction. Returns the annotations
  // created; call again until it returns 0 (a converted prediction has a child and is not taken again).
  virtual result<std::int64_t> annotate_from_predictions(
      const task_selection& s, std::int64_t limit, std::int64_t user_id,
      const std::optional<std::vector<std::string>>& model_versions) = 0;

  // file uploads
  virtual result<file_upload> create_file_upload(const new_file_upload& f) = 0;
  virtual status delete_file_upload(std::int64_t id) = 0;
  // Points the record at another stored file (PATCH of an upload): file, original_name, size and
  // content_type from `f`; its id, project, user and created_at stay. The old file is the caller's.
  virtual result<file_upload> replace_file_upload(std::int64_t id, const new_file_upload& f) = 0;

  // imports: begin, stage batches (each its own unit, so other writers interleave), publish.
  virtual result<import_record> begin_import(const new_import& i) = 0;
  // Writes a batch of tasks (with their annotations, predictions, drafts) hidden from readers.
  virtual result<staged_batch> stage_tasks(std::int64_t import_id, std::span<const import_task> tasks) = 0;
  // Makes every staged row visible and adds the import's counters to the project, in one short
  // write. failed_precondition when the import is not in progress.
  virtual result<import_record> publish_import(std::int64_t import_id, const import_outcome& outcome) = 0;
  // Marks the import failed; its rows stay hidden and are removed in the background.
  virtual status fail_import(std::int64_t import_id, std::string_view error) = 0;
  // Deletes the visible tasks of `project_id` that came from these file uploads (a re-import replaces
  // them), with their annotations and the counters; staged rows are not touched. Returns the count.
  virtual result<std::int64_t> delete_file_upload_tasks(std::int64_t project_id,
                                                        std::span<const std::int64_t> file_upload_ids) = 0;

  // data-manager views
  virtual result<view> create_view(const new_view& v) = 0;
  virtual result<view> update_view(std::int64_t id, const view_patch& p) = 0;
  virtual status delete_view(std::int64_t id) = 0;
  virtual status delete_project_views(std::int64_t project_id) = 0;
  // Sets positions 0..n-1 in the order given.
  virtual status reorder_views(std::int64_t project_id, std::span<const std::int64_t> view_ids) = 0;

  // the labeling stream
  // The next task for the user, locked for them until now + lock_ttl; nullopt when none is left.
  // A task the user already holds an unexpired lock on comes first. Tasks the user annotated, tasks
  // they skipped (per the project's skip_queue), tasks whose annotations plus other users' locks
  // reach the task's overlap (maximum_annotations) are passed over. Sequential sampling takes the
  // lowest id, uniform sampling a random one, uncertainty sampling the lowest prediction score.
  virtual result<std::optional<task>> next_task(const next_task_request& r, timestamp now) = 0;
  virtual result<task_lock> lock_task(std::int64_t task_id, std::int64_t user_id, timestamp expires_at) = 0;
  virtual status unlock_task(std::int64_t task_id, std::int64_t user_id) = 0;
  // Releases every lock the user holds in the project.
  virtual status unlock_user_tasks(std::int64_t project_id, std::int64_t user_id) = 0;
};

// A borrowed reader: a connection and its snapshot, given back on destruction. Move-only.
// Hold it only for the reads of one request: a held snapshot keeps old pages alive.
class read_lease {
 public:
  using releaser = void (*)(void* owner, read_context* ctx) noexcept;
  read_lease() = default;
  read_lease(read_context* ctx, void* owner, releaser release)
      : ctx_(ctx), owner_(owner), release_(release) {}
  read_lease(read_lease&& o) noexcept : ctx_(o.ctx_), owner_(o.owner_), release_(o.release_) {
    o.ctx_ = nullptr;
  }
  read_lease& operator=(read_lease&& o) noexcept {
    if (this != &o) {
      reset();
      ctx_ = o.ctx_;
      owner_ = o.owner_;
      release_ = o.release_;
      o.ctx_ = nullptr;
    }
    return *this;
  }
  read_lease(const read_lease&) = delete;
  read_lease& operator=(const read_lease&) = delete;
  ~read_lease() { reset(); }

  explicit operator bool() const noexcept { return ctx_ != nullptr; }
  read_context* operator->() const noexcept { return ctx_; }
  read_context& operator*() const noexcept { return *ctx_; }
  void reset() noexcept {
    if (ctx_) release_(owner_, ctx_);
    ctx_ = nullptr;
  }

 private:
  read_context* ctx_ = nullptr;
  void* owner_ = nullptr;
  releaser release_ = nullptr;
};

struct store_options {
  // "sqlite:<path>" or a plain path (SQLite). "postgresql://..." is reserved for that engine.
  std::string location;
  bool migrate = true;           // apply pending migrations at open; otherwise refuse to open
  // Reads only (`annot export`): reader connections and nothing else. No writer connection, no
  // background thread, nothing migrated, failed or purged at open; writes fail (failed_precondition).
  // A schema that is not current is refused, as with migrate off.
  bool read_only = false;
  // Opens an existing database only: a missing SQLite file is not_found instead of a new, empty
  // database (and folder) where a mistyped --data-dir pointed (`annot import`, `annot user list`).
  bool must_exist = false;
  unsigned readers = 8;          // reader connections (each used by one thread at a time)
  std::size_t max_batch = 1024;  // most units per group commit
  // Data-manager position caches: most ids kept in memory over all cached queries.
  std::size_t query_cache_ids = 16u << 20;
  // Tasks per background unit when removing a failed import's or a deleted project's rows.
  std::int64_t purge_batch = 2000;
  // Data manager, whole project by id: pages starting below this offset skip index entries;
  // deeper ones use the inner-id arithmetic or cached positions.
  std::int64_t offset_scan_limit = 20000;
  // WAL size (4 KiB pages) at which the writer folds it back to its start; the checkpointer copies
  // it into the database file from a sixteenth of that on, at most 5 times a second. 256 MiB: each
  // fold stalls the writer ~10 ms, and steady annotation writes fill 64 MiB in a third of a second
  // (some 5 B-tree pages per annotation), which put a fold into the p99 (bench/api/README.md).
  int checkpoint_pages = 65536;
  // How often a writing store looks for imports whose process is gone (killed `annot import` beside
  // `annot serve`) and fails them, so that they do not stay in progress until a restart.
  std::chrono::milliseconds interrupted_import_sweep{10000};
  // A data key gets its expression index once its project has had this many tasks. SQLite parses
  // every index of the schema when a connection opens and after each schema change: with one index
  // per key of each small project, 2,000 one-task projects made a 1-task `annot export` 3.5x slower
  // (19 -> 64 ms) and each new project's first import 3x slower, while a scan of a small project's
  // tasks for a data filter takes ~0.3 us per task (1.5 ms at 5,000). Tests lower it to exercise
  // the indexes on a few tasks.
  std::int64_t data_index_min_tasks = 5000;
};

struct store_stats {
  std::uint64_t submitted = 0;     // write units queued (submitted - units: the queue's depth)
  std::uint64_t units = 0;         // write units run
  std::uint64_t commits = 0;       // transactions committed (each one fsync)
  std::uint64_t failed_units = 0;  // units rolled back (by themselves or by a failed commit)
  double unit_seconds = 0;         // writer time spent running units
  double commit_seconds = 0;       // writer time spent in COMMIT (WAL write + fsync)
  std::uint64_t query_cache_hits = 0;
  std::uint64_t query_cache_misses = 0;
};

// Schema state, for `annot db status`.
struct schema_migration_info {
  int version = 0;
  std::string name;
  std::optional<timestamp> applied_at;  // nullopt: pending
};
struct schema_status {
  std::string engine;
  std::string location;
  int current_version = 0;
  int latest_version = 0;
  std::vector<schema_migration_info> migrations;  // every known migration, applied or pending
};

class store {
 public:
  using unit_fn = std::function<status(write_context&)>;
  using done_fn = std::function<void(const status&)>;

  virtual ~store() = default;

  // ---- writes -----------------------------------------------------------------------------------
  // Queues a unit for the writer thread. The unit runs inside its own savepoint of a shared
  // transaction: returning a non-ok status (or throwing) rolls back only this unit. `done` runs on
  // the store's completion thread in commit order, after the commit is durable (or failed); keep it
  // short (post the response elsewhere). Never blocks; safe from any thread, I/O threads included.
  virtual void submit(unit_fn unit, done_fn done) = 0;

  // Typed form: the unit's value reaches the callback after the commit.
  template <class T>
  void submit(std::function<result<T>(write_context&)> unit, std::function<void(result<T>)> done) {
    auto slot = std::make_shared<std::optional<result<T>>>();
    submit(
        [slot, unit = std::move(unit)](write_context& w) -> status {
          slot->emplace(unit(w));
          return (*slot)->ok() ? status::success() : (*slot)->error();
        },
        [slot, done = std::move(done)](const status& s) {
          if (s.ok() && *slot && (*slot)->ok()) {
            done(std::move(**slot));
          } else {
            done(result<T>(s.ok() ? status(errc::internal, "unit produced no value") : s));
          }
        });
  }

  // Blocking forms for the CLI, jobs and tests: wait until the unit committed. Never call them on
  // an I/O thread or inside a unit (that would wait for itself).
  status run(unit_fn unit);
  template <class T>
  result<T> run(std::function<result<T>(write_context&)> unit);

  // Waits until every unit queued so far (and background maintenance queued before it) has run.
  virtual void drain() = 0;

  // ---- reads ------------------------------------------------------------------------------------
  // Borrows a reader connection with a fresh snapshot (waits if all readers are busy). Cheap; fine
  // on I/O threads for point reads.
  virtual read_lease read() = 0;

  // Changes whenever a write to users or tokens commits through this store (once before the commit
  // and once after), so that a token lookup cached with the value read before its snapshot began is
  // trusted only while the value is unchanged. Writes by other processes are not seen: cache for a
  // short time only. Safe from any thread.
  virtual std::uint64_t credentials_generation() const noexcept = 0;

  virtual store_stats stats() const = 0;
  virtual std::string_view engine() const noexcept = 0;
};

// Opens (and by default migrates) the store named by options.location. Starts its threads.
result<std::unique_ptr<store>> open_store(const store_options& options);

// `annot db status` / `annot db migrate`, for whoever wires the CLI.
result<schema_status> db_status(const store_options& options);
// Applies pending migrations; returns the status afterwards.
result<schema_status> db_migrate(const store_options& options);
// Prints a status (one line per migration) to `out`.
void print_schema_status(const schema_status& s, std::ostream& out);
// `annot db <command>`: "status" or "migrate". Returns the process exit code (0 ok, 1 failure,
// 2 unknown command); messages go to `out` / `err`.
int run_db_command(std::string_view command, const store_options& options, std::ostream& out,
                   std::ostream& err);

// ---- template definitions ---------------------------------------------------------------------------

template <class T>
result<T> store::run(std::function<result<T>(write_context&)> unit) {
  std::optional<result<T>> out;
  status st = run([&](write_context& w) -> status {
    out.emplace(unit(w));
    return out->ok() ? status::success() : out->error();
  });
  if (!st.ok()) return st;
  if (!out) return status(errc::internal, "unit produced no value");
  return std::move(*out);
}

}  // namespace annot::host::store
