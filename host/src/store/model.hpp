// The store's domain types: users, tokens, projects, tasks, annotations, drafts, predictions, file
// uploads, imports, data-manager views and task locks, with Label Studio's fields. Engine-neutral.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace annot::host::store {

// Microseconds since the Unix epoch, UTC: Label Studio's timestamps carry microseconds.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// JSON payloads (task data, results, meta, view data) travel as text: the store checks that they
// parse and keeps them byte for byte, so the API layer can splice them into responses unparsed.
using json_text = std::string;

// A field of a patch: absent = leave as is.
template <class T>
using patch_field = std::optional<T>;

// ---- users and tokens ---------------------------------------------------------------------------

struct user {
  std::int64_t id = 0;
  std::string email;
  std::string username;
  std::string password_hash;  // crypto_pwhash_str output; empty = no password login
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::string avatar;
  bool is_staff = false;
  bool is_superuser = false;
  bool is_active = true;
  timestamp date_joined{};
  std::optional<timestamp> last_login;
  std::optional<timestamp> last_activity;
};

struct new_user {
  std::string email;
  std::string username;       // empty: the part of the email before '@'
  std::string password_hash;  // from hash_password(); empty = no password login
  std::string first_name;
  std::string last_name;
  bool is_staff = false;
  bool is_superuser = false;
  bool is_active = true;
};

struct user_patch {
  patch_field<std::string> email, username, password_hash, first_name, last_name, phone, avatar;
  patch_field<bool> is_staff, is_superuser, is_active;
  patch_field<timestamp> last_login, last_activity;
};

enum class token_kind {
  legacy,    // the 40-hex API token, one per user ("Authorization: Token <key>", "X-Api-Key")
  personal,  // a personal access token, exchanged for a short-lived JWT at /api/token/refresh
  session    // a browser login session (cookie)
};
std::string_view to_string(token_kind k) noexcept;
std::optional<token_kind> token_kind_from_string(std::string_view s) noexcept;

struct token {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  token_kind kind = token_kind::legacy;
  // legacy: the token itself. personal/session: what the host chose to look tokens up by (a digest
  // or a JWT id), never the secret.
  std::string key;
  std::string label;
  timestamp created_at{};
  std::optional<timestamp> expires_at;
  std::optional<timestamp> revoked_at;
};

// A token that authenticated, with its (active) user.
struct token_owner {
  token tok;
  user owner;
};

// ---- projects -------------------------------------------------------------------------------------

inline constexpr std::string_view sampling_sequential = "Sequential sampling";
inline constexpr std::string_view sampling_uniform = "Uniform sampling";
inline constexpr std::string_view sampling_uncertainty = "Uncertainty sampling";
inline constexpr std::string_view skip_requeue_for_me = "REQUEUE_FOR_ME";
inline constexpr std::string_view skip_requeue_for_others = "REQUEUE_FOR_OTHERS";
inline constexpr std::string_view skip_ignore_skipped = "IGNORE_SKIPPED";

struct project {
  std::int64_t id = 0;
  std::string title;
  std::string description;
  std::string label_config = "<View></View>";
  json_text parsed_label_config = "{}";  // as computed by the config engine when the config was set
  json_text data_types = "{}";           // {data key: object tag}, from the config
  std::string expert_instruction;
  bool show_instruction = false;
  bool show_skip_button = true;
  bool enable_empty_annotation = true;
  bool show_annotation_history = false;
  std::int64_t organization = 1;
  std::string color = "#FFFFFF";
  std::int64_t maximum_annotations = 1;
  bool is_published = false;
  std::string model_version;
  bool is_draft = false;
  std::optional<std::int64_t> created_by;
  timestamp created_at{};
  timestamp updated_at{};
  // Also Label Studio's start_training_on_annotation_update: that flag is this count as a boolean. (The
  // projects table keeps an unused column of that name from the first schema.)
  std::int64_t min_annotations_to_start_training = 0;
  bool show_collab_predictions = true;
  std::string sampling{sampling_sequential};
  bool show_ground_truth_first = false;
  bool show_overlap_first = false;
  std::int64_t overlap_cohort_percentage = 100;
  std::optional<std::string> task_data_login;
  std::optional<std::string> task_data_password;
  json_text control_weights = "{}";
  // Names label_config, parsed_label_config and control_weights as stored: a random id, new with every
  // write of any of them (migration 0012). Empty for a project not read from a store.
  std::string config_version;
  bool evaluate_predictions_automatically = false;
  std::string skip_queue{skip_requeue_for_others};
  bool reveal_preannotations_interactively = false;
  std::optional<timestamp> pinned_at;
  // Maintained counters (never counted at read time).
  std::int64_t task_number = 0;
  std::int64_t total_annotations_number = 0;    // not cancelled
  std::int64_t skipped_annotations_number = 0;  // cancelled
  std::int64_t useful_annotation_number = 0;    // not cancelled, not ground truth
  std::int64_t ground_truth_number = 0;
  std::int64_t total_predictions_number = 0;
  std::int64_t num_tasks_with_annotations = 0;
  std::int64_t finished_task_number = 0;  // tasks with is_labeled
};

// The settable fields of a project. For a new project, absent fields take the defaults above.
struct project_fields {
  patch_field<std::string> title, description, label_config, expert_instruction, color, model_version,
      sampling, skip_queue;
  patch_field<json_text> parsed_label_config, data_types, control_weights;
  patch_field<bool> show_instruction, show_skip_button, enable_empty_annotation, show_annotation_history,
      is_published, is_draft, show_collab_predictions, show_ground_truth_first, show_overlap_first,
      evaluate_predictions_automatically, reveal_preannotations_interactively;
  patch_field<std::int64_t> organization, maximum_annotations, min_annotations_to_start_training,
      overlap_cohort_percentage;
  patch_field<std::optional<std::string>> task_data_login, task_data_password;
  patch_field<std::optional<timestamp>> pinned_at;
  // The config's data keys ("image", "text", ...). When given, the store makes sure each has an
  // expression index for the data manager (built after the write that sets them commits).
  patch_field<std::vector<std::string>> data_keys;
};

struct new_project {
  project_fields fields;
  std::optional<std::int64_t> created_by;
};

// The fields a project list can be ordered by: Label Studio's ProjectSerializer fields that are
// columns (its OrderingFilter takes every serializer field but the computed ones). Each is a column
// of the projects table with the same name.
// clang-format off
inline constexpr std::string_view project_ordering_fields[] = {
    "id", "title", "description", "label_config", "expert_instruction", "show_instruction",
    "show_skip_button", "enable_empty_annotation", "show_annotation_history", "organization", "color",
    "maximum_annotations", "is_published", "model_version", "is_draft", "created_by", "created_at",
    "min_annotations_to_start_training", "show_collab_predictions", "num_tasks_with_annotations",
    "task_number", "useful_annotation_number", "ground_truth_number", "skipped_annotations_number",
    "total_annotations_number", "total_predictions_number", "sampling", "show_ground_truth_first",
    "show_overlap_first", "overlap_cohort_percentage", "task_data_login", "task_data_password",
    "control_weights", "parsed_label_config", "evaluate_predictions_automatically", "skip_queue",
    "reveal_preannotations_interactively", "pinned_at", "finished_task_number"};
// clang-format on

struct project_order_term {
  std::string field;  // one of project_ordering_fields
  bool descending = false;
};

enum class pinned_filter { all, pinned_only, exclude_pinned };

struct project_list_query {
  std::string title_contains;     // case-insensitive; empty = any
  std::vector<std::int64_t> ids;  // empty = any
  std::int64_t page = 1;          // 1-based
  std::int64_t page_size = 30;
  pinned_filter pinned = pinned_filter::all;
  // Empty: pinned first (the latest pin first), then the newest. Otherwise these terms, then id.
  std::vector<project_order_term> ordering;
};

template <class T>
struct page {
  std::vector<T> items;
  std::int64_t count = 0;  // all matching items, not only this page
};

// Label Studio's ProjectSummary, maintained on every task, annotation and draft write.
struct project_summary {
  std::map<std::string, std::int64_t> all_data_columns;                       // data key -> tasks having it
  std::vector<std::string> common_data_columns;                               // keys every task has
  std::map<std::string, std::int64_t> created_annotations;                    // "from|to|type" -> results
  std::map<std::string, std::map<std::string, std::int64_t>> created_labels;  // from_name -> label -> n
  std::map<std::string, std::map<std::string, std::int64_t>> created_labels_drafts;  // same, for drafts
};

// What merge_duplicate_tasks did.
struct duplicates_removed {
  std::int64_t tasks_deleted = 0;
  std::int64_t annotations_moved = 0;
};

struct model_version_count {
  std::string model_version;
  std::int64_t count = 0;
};

// One user's labeling queue in a project, as Label Studio's ProjectSerializer counts it
// (get_queue_total / get_queue_done).
struct user_queue {
  std::int64_t project_id = 0;
  // Tasks not labeled yet, plus labeled ones the user annotated (a skip counts as annotated).
  std::int64_t total = 0;
  // Tasks the user annotated; skips left out when the project requeues them to the same user
  // (REQUEUE_FOR_ME), since those come back to them.
  std::int64_t done = 0;
};

// ---- tasks ----------------------------------------------------------------------------------------

struct task {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::int64_t inner_id = 0;
  json_text data;
  json_text meta = "{}";
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<std::int64_t> updated_by;
  bool is_labeled = false;
  std::int64_t overlap = 1;
  std::int64_t total_annotations = 0;
  std::int64_t cancelled_annotations = 0;
  std::int64_t total_predictions = 0;
  bool ground_truth = false;
  std::optional<timestamp> completed_at;
  std::optional<double> predictions_score;
  std::optional<double> avg_lead_time;
  std::int64_t comment_count = 0;
  std::int64_t unresolved_comment_count = 0;
  std::optional<timestamp> last_comment_updated_at;
  std::optional<std::int64_t> file_upload_id;
  std::optional<std::int64_t> import_id;
  // Label Studio's allow_skip: false refuses annotations that skip the task; null is allowed upstream
  // (and means skippable).
  std::optional<bool> allow_skip = true;
};

struct new_task {
  std::int64_t project_id = 0;
  json_text data;  // must be a JSON object
  json_text meta = "{}";
  std::optional<std::int64_t> file_upload_id;
  std::optional<std::int64_t> updated_by;
  std::optional<timestamp> created_at;  // default: now
  std::optional<bool> allow_skip = true;
};

struct task_patch {
  patch_field<json_text> data, meta;
  patch_field<std::optional<std::int64_t>> updated_by, file_upload_id;
  patch_field<std::int64_t> overlap;
  patch_field<std::optional<bool>> allow_skip;
};

// ---- annotations, drafts, predictions -----------------------------------------------------------

struct annotation {
  std::int64_t id = 0;
  std::int64_t task_id = 0;
  std::int64_t project_id = 0;
  json_text result = "[]";
  std::optional<std::int64_t> completed_by;
  std::optional<std::int64_t> updated_by;
  bool was_cancelled = false;
  bool ground_truth = false;
  std::optional<double> lead_time;
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<timestamp> draft_created_at;
  std::string unique_id;
  std::optional<std::int64_t> import_id;  // the id it had in the file it was imported from
  std::optional<std::string> last_action;
  std::optional<std::int64_t> last_created_by;
  std::optional<std::int64_t> parent_prediction;
  std::optional<std::int64_t> parent_annotation;
  bool bulk_created = false;
  json_text prediction = "{}";
  std::int64_t result_count = 0;
};

struct new_annotation {
  std::int64_t task_id = 0;
  json_text result = "[]";  // must be a JSON array
  std::optional<std::int64_t> completed_by;
  // Who last changed it. Unset: the same as completed_by (imports and tools); the API sets the caller, or
  // null when no result was sent, as Label Studio's perform_create does.
  std::optional<std::optional<std::int64_t>> updated_by;
  bool was_cancelled = false;
  bool ground_truth = false;
  std::optional<double> lead_time;
  std::string unique_id;  // empty: a new UUID; a duplicate is refused with already_exists
  std::optional<std::int64_t> import_id;
  std::optional<std::string> last_action;
  std::optional<std::int64_t> parent_prediction;
  std::optional<std::int64_t> parent_annotation;
  std::optional<timestamp> draft_created_at;
  json_text prediction = "{}";
  // When set, that draft (of the same task) is deleted in the same transaction, as Label Studio
  // does when a draft is submitted.
  std::optional<std::int64_t> draft_id;
  std::optional<timestamp> created_at;  // default: now
  std::optional<timestamp> updated_at;  // default: created_at
};

struct annotation_patch {
  patch_field<json_text> result;
  patch_field<bool> was_cancelled, ground_truth;
  patch_field<std::optional<double>> lead_time;
  patch_field<std::optional<std::int64_t>> updated_by, completed_by;
  patch_field<std::optional<std::string>> last_action;
  patch_field<std::optional<timestamp>> draft_created_at;
};

struct draft {
  std::int64_t id = 0;
  std::int64_t task_id = 0;
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  std::optional<std::int64_t> annotation_id;
  json_text result = "[]";
  std::optional<double> lead_time;
  bool was_postponed = false;
  std::optional<std::int64_t> import_id;
  timestamp created_at{};
  timestamp updated_at{};
};

struct new_draft {
  std::int64_t task_id = 0;
  std::optional<std::int64_t> user_id;
  std::optional<std::int64_t> annotation_id;
  json_text result = "[]";
  std::optional<double> lead_time;
  bool was_postponed = false;
};

struct draft_patch {
  patch_field<json_text> result;
  patch_field<std::optional<double>> lead_time;
  patch_field<bool> was_postponed;
};

struct prediction {
  std::int64_t id = 0;
  std::int64_t task_id = 0;
  std::int64_t project_id = 0;
  json_text result = "[]";
  std::optional<double> score;
  std::string model_version;
  std::optional<std::int64_t> model_run;
  std::optional<std::int64_t> cluster;
  std::optional<json_text> neighbors;
  double mislabeling = 0;
  timestamp created_at{};
  timestamp updated_at{};
};

struct new_prediction {
  std::int64_t task_id = 0;
  json_text result = "[]";  // must be a JSON array (shorthand forms are expanded by the API layer)
  std::optional<double> score;
  std::string model_version = "undefined";
  std::optional<std::int64_t> model_run;
  std::optional<std::int64_t> cluster;
  std::optional<json_text> neighbors;
  double mislabeling = 0;
};

struct prediction_patch {
  // Another task moves the prediction there (and into that task's project), as Label Studio's
  // PredictionSerializer takes a writable task; both tasks' counters follow.
  patch_field<std::int64_t> task_id;
  patch_field<json_text> result;
  patch_field<std::optional<double>> score;
  patch_field<std::string> model_version;
  patch_field<std::optional<std::int64_t>> cluster;
  patch_field<std::optional<json_text>> neighbors;
  patch_field<double> mislabeling;
};

struct prediction_filter {
  std::optional<std::int64_t> task_id;
  std::optional<std::int64_t> project_id;
  std::optional<std::string> model_version;
  std::optional<std::int64_t> limit;  // at most this many (the first by id); unset: all
};

// ---- what a task's data-manager JSON shows --------------------------------------------------------

// The name fields of a user, for Label Studio's created_username.
struct user_name {
  std::int64_t id = 0;
  std::string first_name;
  std::string last_name;
  std::string email;
};

// Everything the data-manager JSON of some tasks needs besides the task rows themselves: their
// annotations, predictions and one user's drafts (each by task id, then id), the users the
// annotations name (completed_by, by id) and the tasks' upload file paths (file_upload.file).
struct task_details {
  std::vector<annotation> annotations;
  std::vector<prediction> predictions;
  std::vector<draft> drafts;
  std::vector<user_name> annotators;
  std::vector<std::pair<std::int64_t, std::string>> upload_files;  // file upload id, path (by id)
};

// One task with its details, read in one snapshot (GET /api/tasks/{id}).
struct task_bundle {
  task t;
  task_details details;
};

// ---- file uploads and imports ---------------------------------------------------------------------

struct file_upload {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  std::string file;  // path under the upload root: "<project>/<uuid8>-<name>"
  std::string original_name;
  std::int64_t size = 0;
  std::string content_type;
  timestamp created_at{};
};

struct new_file_upload {
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  std::string file;
  std::string original_name;
  std::int64_t size = 0;
  std::string content_type;
};

enum class import_status { created, in_progress, completed, failed };
std::string_view to_string(import_status s) noexcept;

struct import_record {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  import_status status = import_status::created;
  bool rows_hidden = true;  // its rows are invisible (staging, or failed and awaiting removal)
  std::string error;
  std::int64_t task_count = 0;
  std::int64_t annotation_count = 0;
  std::int64_t prediction_count = 0;
  std::int64_t draft_count = 0;
  double duration = 0;  // seconds, as reported by the importer
  std::vector<std::int64_t> file_upload_ids;
  bool could_be_tasks_list = false;
  json_text found_formats = "{}";
  json_text data_columns = "[]";
  json_text meta = "{}";  // anything else the importer wants to keep (options, source url, ...)
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<timestamp> finished_at;
};

struct new_import {
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  std::vector<std::int64_t> file_upload_ids;
  json_text meta = "{}";
};

// What the importer learnt, stored with the import when it is published.
struct import_outcome {
  double duration = 0;
  bool could_be_tasks_list = false;
  json_text found_formats = "{}";
  json_text data_columns = "[]";
  std::optional<std::vector<std::int64_t>> file_upload_ids;
  std::optional<json_text> meta;
};

// One task of an import, with what came embedded in it.
struct import_annotation {
  json_text result = "[]";
  std::optional<std::int64_t> completed_by;
  bool was_cancelled = false;
  bool ground_truth = false;
  std::optional<double> lead_time;
  std::optional<timestamp> created_at;  // kept when the file has them
  std::optional<timestamp> updated_at;
  std::optional<std::int64_t> import_id;  // the original id
  // No unique_id: an imported annotation always gets a new one, as upstream's bulk import does (the
  // file's would collide with the annotation it was exported from).
};

struct import_prediction {
  json_text result = "[]";
  std::optional<double> score;
  std::string model_version = "undefined";
  std::optional<std::int64_t> cluster;
  std::optional<json_text> neighbors;
  double mislabeling = 0;
  std::optional<timestamp> created_at;
};

struct import_draft {
  json_text result = "[]";
  std::optional<std::int64_t> user_id;
  std::optional<double> lead_time;
  bool was_postponed = false;
  std::optional<timestamp> created_at;
  std::optional<std::int64_t> import_id;             // the original id
  std::optional<std::int64_t> annotation_import_id;  // the original id of the task's annotation it edits
};

struct import_task {
  json_text data;  // must be a JSON object
  // data's spare capacity holds simdjson's padding (SIMDJSON_PADDING bytes, initialized), so the store
  // parses it in place instead of copying it. Whoever sets it keeps it true of the string.
  bool data_padded = false;
  json_text meta = "{}";
  std::optional<std::int64_t> file_upload_id;
  std::optional<bool> allow_skip = true;
  std::optional<timestamp> created_at;
  std::optional<timestamp> updated_at;
  std::vector<import_annotation> annotations;
  std::vector<import_prediction> predictions;
  std::vector<import_draft> drafts;
};

// What one staged batch added (ids in input order).
struct staged_batch {
  std::vector<std::int64_t> task_ids;
  std::int64_t annotation_count = 0;
  std::int64_t prediction_count = 0;
  std::int64_t draft_count = 0;
};

// ---- data-manager views, task locks -------------------------------------------------------------

struct view {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  json_text data = "{}";
  std::int64_t order = 0;
  timestamp created_at{};
  timestamp updated_at{};
};

struct new_view {
  std::int64_t project_id = 0;
  std::optional<std::int64_t> user_id;
  json_text data = "{}";
  std::optional<std::int64_t> order;  // default: after the project's last view
};

struct view_patch {
  patch_field<json_text> data;
  patch_field<std::int64_t> order;
};

struct task_lock {
  std::int64_t task_id = 0;
  std::int64_t user_id = 0;
  std::int64_t project_id = 0;
  timestamp expires_at{};
};

// The labeling stream's request: the next task for `user_id` in `project_id`, locked for them.
struct next_task_request {
  std::int64_t project_id = 0;
  std::int64_t user_id = 0;
  std::chrono::seconds lock_ttl{3600};
  // Uniform sampling draws from this seed (tests pass a fixed one); 0 = random.
  std::uint64_t seed = 0;
  // A data-manager tab's tasks (GET /next?view=V: its filters, in its ordering): only these are
  // handed out, the first available one in this order (Label Studio's data-manager queue; the
  // project's sampling is not used). nullopt: every task of the project, by its sampling.
  std::optional<std::vector<std::int64_t>> candidates;
};

}  // namespace annot::host::store
