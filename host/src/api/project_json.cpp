// Project and project-summary JSON in Label Studio's shapes.
#include "api/project_json.hpp"

#include <algorithm>
#include <cctype>
#include <span>
#include <pugixml.hpp>

#include "api/users_json.hpp"
#include "store/time.hpp"
#include "util/ordered_json.hpp"

namespace annot::host::api {
namespace {

using ojson = nlohmann::ordered_json;

ojson embedded(const std::string& text, ojson fallback) {
  auto j = util::parse_ordered_json(text);  // linear: a parsed config may hold thousands of labels
  return j.is_discarded() ? fallback : j;
}

ojson opt_string(const std::optional<std::string>& s) { return s ? ojson(*s) : ojson(nullptr); }

bool attr_true(const pugi::xml_node& n, const char* name) {
  std::string v = n.attribute(name).as_string("false");
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == "true";
}

}  // namespace

bool config_suitable_for_bulk_annotation(std::string_view label_config) {
  pugi::xml_document doc;
  if (!doc.load_buffer(label_config.data(), label_config.size(), pugi::parse_default)) return false;
  static const std::vector<std::string_view> disallowed = {
      "Labels",        "Brush",          "BrushLabels",    "Ellipse",       "EllipseLabels",
      "KeyPoint",      "KeyPointLabels", "Polygon",        "PolygonLabels", "Rectangle",
      "RectangleLabels", "HyperTextLabels", "ParagraphLabels", "TimeSeriesLabels", "VideoRectangle"};
  static const std::vector<std::string_view> checked = {"Choices", "Taxonomy", "DateTime", "Number", "Rating", "TextArea"};
  bool ok = true;
  struct walker : pugi::xml_tree_walker {
    bool* ok;
    bool for_each(pugi::xml_node& n) override {
      if (n.type() != pugi::node_element) return true;
      std::string_view tag = n.name();
      if (std::find(disallowed.begin(), disallowed.end(), tag) != disallowed.end()) return *ok = false;
      if (std::find(checked.begin(), checked.end(), tag) != checked.end()) {
        if (attr_true(n, "perRegion") || attr_true(n, "perItem")) return *ok = false;
        if ((tag == "Choices" || tag == "Taxonomy") && n.attribute("value")) return *ok = false;
        if (tag == "Taxonomy" && (attr_true(n, "labeling") || n.attribute("apiUrl"))) return *ok = false;
      }
      return true;
    }
  } w;
  w.ok = &ok;
  doc.traverse(w);
  return ok;
}

ojson project_json(const store::project& p, const std::optional<store::user>& created_by,
                   const store::user_queue& queue) {
  ojson parsed = embedded(p.parsed_label_config, ojson::object());
  ojson j;
  j["id"] = p.id;
  j["title"] = p.title;
  j["description"] = p.description;
  j["label_config"] = p.label_config;
  j["expert_instruction"] = p.expert_instruction;
  j["show_instruction"] = p.show_instruction;
  j["show_skip_button"] = p.show_skip_button;
  j["enable_empty_annotation"] = p.enable_empty_annotation;
  j["show_annotation_history"] = p.show_annotation_history;
  j["organization"] = p.organization;
  j["color"] = p.color;
  j["maximum_annotations"] = p.maximum_annotations;
  j["is_published"] = p.is_published;
  j["model_version"] = p.model_version;
  j["is_draft"] = p.is_draft;
  j["created_by"] = created_by ? user_simple_json(*created_by) : ojson(nullptr);
  j["created_at"] = store::to_iso8601(p.created_at);
  j["min_annotations_to_start_training"] = p.min_annotations_to_start_training;
  j["start_training_on_annotation_update"] = p.min_annotations_to_start_training != 0;
  j["show_collab_predictions"] = p.show_collab_predictions;
  j["num_tasks_with_annotations"] = p.num_tasks_with_annotations;
  j["task_number"] = p.task_number;
  j["useful_annotation_number"] = p.useful_annotation_number;
  j["ground_truth_number"] = p.ground_truth_number;
  j["skipped_annotations_number"] = p.skipped_annotations_number;
  j["total_annotations_number"] = p.total_annotations_number;
  j["total_predictions_number"] = p.total_predictions_number;
  j["sampling"] = p.sampling;
  j["show_ground_truth_first"] = p.show_ground_truth_first;
  j["show_overlap_first"] = p.show_overlap_first;
  j["overlap_cohort_percentage"] = p.overlap_cohort_percentage;
  j["task_data_login"] = opt_string(p.task_data_login);
  j["task_data_password"] = opt_string(p.task_data_password);
  j["control_weights"] = embedded(p.control_weights, ojson::object());
  j["config_has_control_tags"] = parsed.is_object() && !parsed.empty();
  j["parsed_label_config"] = std::move(parsed);
  j["evaluate_predictions_automatically"] = p.evaluate_predictions_automatically;
  j["skip_queue"] = p.skip_queue;
  j["reveal_preannotations_interactively"] = p.reveal_preannotations_interactively;
  j["pinned_at"] = p.pinned_at ? ojson(store::to_iso8601(*p.pinned_at)) : ojson(nullptr);
  j["finished_task_number"] = p.finished_task_number;
  j["queue_total"] = queue.total;
  j["queue_done"] = queue.done;
  j["config_suitable_for_bulk_annotation"] = config_suitable_for_bulk_annotation(p.label_config);
  return j;
}

namespace {

// Label Studio's ProjectManager.ANNOTATED_FIELDS, in ProjectCountsSerializer's order.
constexpr std::string_view counters[] = {"task_number",
                                         "finished_task_number",
                                         "total_predictions_number",
                                         "total_annotations_number",
                                         "num_tasks_with_annotations",
                                         "useful_annotation_number",
                                         "ground_truth_number",
                                         "skipped_annotations_number"};

}  // namespace

result<store::user_queue> queue_of(store::read_context& r, std::int64_t project_id, std::int64_t user_id) {
  auto q = r.user_queues(std::span(&project_id, 1), user_id);
  if (!q) return q.error();
  if (q->empty()) return store::user_queue{project_id};
  return q->front();
}

std::optional<store::user> creator_of(store::read_context& r, const store::project& p) {
  if (!p.created_by) return std::nullopt;
  auto u = r.get_user(*p.created_by);
  if (!u) return std::nullopt;
  return std::move(*u);
}

void null_counters_not_included(ojson& j, const std::vector<std::string>& include) {
  for (std::string_view c : counters)
    if (std::find(include.begin(), include.end(), c) == include.end()) j[std::string(c)] = nullptr;
}

ojson project_counters_json(const ojson& project) {
  ojson j;
  j["id"] = project.at("id");
  for (std::string_view c : counters) j[std::string(c)] = project.at(std::string(c));
  return j;
}

ojson project_summary_json(std::int64_t project_id, const store::project_summary& s) {
  ojson j;
  j["project"] = project_id;
  j["all_data_columns"] = s.all_data_columns;
  j["common_data_columns"] = s.common_data_columns;
  j["created_annotations"] = s.created_annotations;
  j["created_labels"] = s.created_labels;
  j["created_labels_drafts"] = s.created_labels_drafts;
  return j;
}

}  // namespace annot::host::api
