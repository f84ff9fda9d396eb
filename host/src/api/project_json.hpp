// Projects in Label Studio's JSON shape (spec §4.2, ProjectSerializer), for the project routes, the
// web UI and anyone else that embeds a project (webhooks, exports).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"
#include "store/store.hpp"

namespace annot::host::api {

// Every field of ProjectSerializer, in its order. created_by: the creator when known (the short user
// form), null otherwise. Stored JSON columns (parsed_label_config, control_weights) are embedded as
// JSON, not as strings.
// queue_total / queue_done are the requesting user's (`queue`, read with store user_queues()).
nlohmann::ordered_json project_json(const store::project& p, const std::optional<store::user>& created_by,
                                    const store::user_queue& queue);

// What project_json embeds, read from the store: `user_id`'s queue in the project (zeros for a project
// no longer visible), and the project's creator (nullopt when unknown or deleted).
result<store::user_queue> queue_of(store::read_context& r, std::int64_t project_id, std::int64_t user_id);
std::optional<store::user> creator_of(store::read_context& r, const store::project& p);

// Label Studio's include=a,b on the project routes: only the named counters are computed (its
// ProjectManager.ANNOTATED_FIELDS: task_number, finished_task_number, total_predictions_number,
// total_annotations_number, num_tasks_with_annotations, useful_annotation_number, ground_truth_number,
// skipped_annotations_number); the others come back null. Every other field stays.
void null_counters_not_included(nlohmann::ordered_json& j, const std::vector<std::string>& include);

// A project_json reduced to Label Studio's ProjectCountsSerializer: "id" and the eight counters above,
// in that order (GET /api/projects/counts).
nlohmann::ordered_json project_counters_json(const nlohmann::ordered_json& project);

// Label Studio's config_suitable_for_bulk_annotation: no region tools, and the classification
// controls are per task (no perRegion/perItem, no value= on Choices/Taxonomy, no Taxonomy labeling
// or apiUrl). False for a config that does not parse.
bool config_suitable_for_bulk_annotation(std::string_view label_config);

// A project's summary (GET /api/projects/{id}/summary): {project, all_data_columns,
// common_data_columns, created_annotations, created_labels, created_labels_drafts}.
nlohmann::ordered_json project_summary_json(std::int64_t project_id, const store::project_summary& s);

}  // namespace annot::host::api
