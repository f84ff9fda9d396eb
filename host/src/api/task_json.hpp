// Label Studio's JSON for tasks, annotations, drafts and predictions (spec §2, §4.4, Appendix D),
// written straight into a string: stored JSON text (data, meta, result) is spliced unparsed.
// Reused by the REST routes, the web UI and exports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"

namespace annot::host::api {

// Appends `s` as a JSON string literal (quotes and escapes).
void append_json_string(std::string& out, std::string_view s);
// Appends an ISO 8601 timestamp literal ("2021-03-09T22:16:08.728353Z") or null.
void append_json_time(std::string& out, const std::optional<store::timestamp>& t);

// Users that annotations point at (completed_by), for `created_username`; may be empty.
using user_names = std::map<std::int64_t, std::string>;
// Label Studio's created_username: "First Last email, id".
std::string created_username(const store::user& u);
std::string created_username(const store::user_name& u);

// The plain task serializer (POST/PATCH /api/tasks): id, data, meta,
// project, created_at, updated_at, is_labeled, overlap, inner_id, total_annotations,
// cancelled_annotations, total_predictions, comment_count, unresolved_comment_count,
// last_comment_updated_at, allow_skip, updated_by, file_upload, comment_authors.
// `undefined_data_key`: where a "$undefined$" data key is shown (empty: as stored).
void append_task(std::string& out, const store::task& t, std::string_view undefined_data_key = {});
// The deprecated bare list GET /api/projects/{id}/tasks (Label Studio's TaskSimpleSerializer):
// append_task's fields, then the task's annotations[] and predictions[] (its rows, as
// append_annotation and append_prediction write them; `users` as there).
void append_task_with_results(std::string& out, const store::task& t, std::string_view undefined_data_key,
                              std::span<const store::annotation> annotations,
                              std::span<const store::prediction> predictions, const user_names* users);

// The data-manager task (GET /api/tasks/{id}, /next, and each item of GET /api/tasks): the plain
// fields plus annotations[], predictions[], drafts[], annotators[], annotations_results,
// predictions_results, annotations_ids, predictions_model_versions, draft_exists, ... (Appendix D).
// `annotations`, `predictions` and `drafts` are this task's rows. With `embed` false the three
// arrays are left out (fields=task_only) but the fields computed from them stay.
struct dm_task_parts {
  std::span<const store::annotation> annotations;
  std::span<const store::prediction> predictions;
  std::span<const store::draft> drafts;
  const user_names* users = nullptr;
  const store::user_name* draft_user = nullptr;  // the drafts' user (drafts are one user's)
  std::string_view undefined_data_key;           // where a "$undefined$" data key is shown (empty: as stored)
  std::string_view file_upload_name;  // the upload's file name, empty = none
  bool embed = true;
};
void append_dm_task(std::string& out, const store::task& t, const dm_task_parts& parts);

// AnnotationSerializer: every stored field but `prediction`/`result_count`, plus created_username
// (when `users` knows completed_by) and created_ago.
void append_annotation(std::string& out, const store::annotation& a, const user_names* users = nullptr);
void append_prediction(std::string& out, const store::prediction& p);
// AnnotationDraftSerializer: the stored fields, `user` as str(user) (the email; null when `user` is
// null), created_username ("" without a user) and created_ago. `user` is the draft's user_id's row.
void append_draft(std::string& out, const store::draft& d, const store::user_name* user);
// The name fields of a user row, for the above.
store::user_name name_of(const store::user& u);

// Arrays of the above.
std::string annotations_json(std::span<const store::annotation> as, const user_names* users = nullptr);
std::string predictions_json(std::span<const store::prediction> ps);
// Drafts of one user (`user`, may be null).
std::string drafts_json(std::span<const store::draft> ds, const store::user_name* user);

}  // namespace annot::host::api
