// Table-driven contract test of the REST API of issues 4 and 5 against spec §2, §4 and Appendix D:
// for every route, with and without the trailing slash, the status code, the response's kind
// (object / array) and its keys; every private route refuses an anonymous caller with 401; and
// every route the host registered under these families appears in the table.
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>

#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

using keys = std::vector<std::string>;

const keys plain_task_keys = {"id", "data", "meta", "project", "created_at", "updated_at", "is_labeled", "overlap",
                              "inner_id", "total_annotations", "cancelled_annotations", "total_predictions",
                              "comment_count", "unresolved_comment_count", "last_comment_updated_at", "updated_by",
                              "file_upload", "comment_authors"};
// The bare project list's items (TaskSimpleSerializer): the plain fields with the task's rows.
const keys project_list_task_keys = [] {
  keys k = plain_task_keys;
  k.insert(k.end(), {"annotations", "predictions"});
  return k;
}();
const keys dm_task_keys = {"id", "predictions", "annotations", "drafts", "annotators", "inner_id",
                           "cancelled_annotations", "total_annotations", "total_predictions", "completed_at",
                           "annotations_results", "predictions_results", "predictions_score", "file_upload",
                           "storage_filename", "annotations_ids", "predictions_model_versions", "avg_lead_time",
                           "draft_exists", "updated_by", "data", "meta", "created_at", "updated_at", "is_labeled",
                           "overlap", "comment_count", "unresolved_comment_count", "last_comment_updated_at",
                           "project", "comment_authors"};
const keys annotation_keys = {"id", "result", "task", "project", "completed_by", "updated_by", "was_cancelled",
                              "ground_truth", "created_at", "updated_at", "draft_created_at", "lead_time",
                              "unique_id", "import_id", "last_action", "last_created_by", "bulk_created",
                              "parent_prediction", "parent_annotation", "created_username", "created_ago"};
const keys prediction_keys = {"id", "task", "project", "result", "score", "model_version", "model", "model_run",
                              "cluster", "neighbors", "mislabeling", "created_at", "updated_at", "created_ago"};
const keys draft_keys = {"id", "user", "created_username", "created_ago", "result", "lead_time", "task",
                         "annotation", "was_postponed", "import_id", "created_at", "updated_at"};
const keys view_keys = {"id", "data", "order", "user", "project"};
const keys error_keys = {"id", "status_code", "version", "detail", "exc_info"};
// Issue 4's shapes (spec §4.2, §4.3, §4.8).
const keys project_keys = {"id", "title", "description", "label_config", "expert_instruction", "show_instruction",
                           "show_skip_button", "enable_empty_annotation", "show_annotation_history", "organization",
                           "color", "maximum_annotations", "is_published", "model_version", "is_draft", "created_by",
                           "created_at", "min_annotations_to_start_training", "start_training_on_annotation_update",
                           "show_collab_predictions", "num_tasks_with_annotations", "task_number",
                           "useful_annotation_number", "ground_truth_number", "skipped_annotations_number",
                           "total_annotations_number", "total_predictions_number", "sampling",
                           "show_ground_truth_first", "show_overlap_first", "overlap_cohort_percentage",
                           "task_data_login", "task_data_password", "control_weights", "parsed_label_config",
                           "evaluate_predictions_automatically", "config_has_control_tags", "skip_queue",
                           "reveal_preannotations_interactively", "pinned_at", "finished_task_number", "queue_total",
                           "queue_done", "config_suitable_for_bulk_annotation"};
const keys user_keys = {"id", "email", "username", "first_name", "last_name"};
const keys import_keys = {"task_count", "annotation_count", "prediction_count", "duration", "file_upload_ids",
                          "could_be_tasks_list", "found_formats", "data_columns"};

// GET /api/dm/project: the project and what Label Studio's ProjectStateAPI adds.
const keys dm_project_keys = [] {
  keys k = project_keys;
  k.insert(k.end(), {"can_delete_tasks", "can_manage_annotations", "can_manage_tasks", "source_syncing",
                     "target_syncing", "task_count", "annotation_count"});
  return k;
}();

enum class kind { object, array, empty };

struct row {
  const char* verb;
  std::string path;  // placeholders: {project} {task} {annotation} {draft} {prediction} {view}; {new_*} = made fresh per call
  std::string pattern;  // the route pattern it exercises (for the coverage check)
  json body;
  int status;
  kind shape;
  keys expect;        // keys of the object, or of each array item
};

class ContractApi : public ::testing::Test {
 protected:
  void SetUp() override {
    host.start();
    user = host.make_user("contract@example.com");
    project = host.make_project(image_config(), R"({"image":"Image"})", {"image"});
    task = fresh_task();
    annotation = fresh("annotation");
    draft = fresh("draft");
    prediction = fresh("prediction");
    view = fresh("view");
  }

  std::int64_t fresh_task() {
    auto r = host.call("POST", "/api/tasks", user.auth, {{"project", project}, {"data", {{"image", "a.png"}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return api_host::body(r)["id"].get<std::int64_t>();
  }
  std::int64_t fresh(const std::string& what) {
    const std::string T = std::to_string(task);
    test::http_response r;
    if (what == "task") return fresh_task();
    if (what == "annotation") r = host.call("POST", "/api/tasks/" + T + "/annotations", user.auth, {{"result", {box(), choice()}}});
    if (what == "draft") r = host.call("POST", "/api/tasks/" + T + "/drafts", user.auth, {{"result", {box()}}});
    if (what == "prediction") r = host.call("POST", "/api/predictions", user.auth, {{"task", task}, {"result", {box()}}, {"model_version", "m"}});
    if (what == "view") r = host.call("POST", "/api/dm/views", user.auth, {{"project", project}, {"data", {{"title", "t"}}}});
    if (what == "project") r = host.call("POST", "/api/projects", user.auth, {{"title", "fresh"}});
    EXPECT_EQ(r.status, 201) << what << ": " << r.body;
    return api_host::body(r)["id"].get<std::int64_t>();
  }

  std::string expand(std::string path) {
    static const std::regex ph(R"(\{(new_)?(\w+)\})");
    std::smatch m;
    while (std::regex_search(path, m, ph)) {
      const std::string name = m[2];
      std::int64_t v = 0;
      if (m[1].matched) v = fresh(name);
      else if (name == "project") v = project;
      else if (name == "task") v = task;
      else if (name == "annotation") v = annotation;
      else if (name == "draft") v = draft;
      else if (name == "prediction") v = prediction;
      else if (name == "view") v = view;
      path.replace(std::size_t(m.position(0)), std::size_t(m.length(0)), std::to_string(v));
    }
    return path;
  }

  // One row per line: the table reads as a list of requests.
  // clang-format off
  std::vector<row> table() {
    const json good = {{"result", {box(), choice()}}};
    const json sel = {{"selectedItems", {{"all", false}, {"included", json::array()}}}};
    return {
        {"GET", "/api/tasks?project={project}", "/api/tasks", nullptr, 200, kind::object, {"tasks", "total", "total_annotations", "total_predictions"}},
        {"GET", "/api/tasks", "/api/tasks", nullptr, 400, kind::object, error_keys},
        {"POST", "/api/tasks", "/api/tasks", {{"project", project}, {"data", {{"image", "b.png"}}}}, 201, kind::object, plain_task_keys},
        {"POST", "/api/tasks", "/api/tasks", {{"project", project}}, 400, kind::object, error_keys},
        {"GET", "/api/tasks/{task}", "/api/tasks/{id}", nullptr, 200, kind::object, dm_task_keys},
        {"GET", "/api/tasks/999999", "/api/tasks/{id}", nullptr, 404, kind::object, error_keys},
        {"PATCH", "/api/tasks/{task}", "/api/tasks/{id}", {{"meta", {{"k", 1}}}}, 200, kind::object, plain_task_keys},
        {"PUT", "/api/tasks/{task}", "/api/tasks/{id}", {{"data", {{"image", "a.png"}}}, {"meta", {{"k", 2}}}}, 200, kind::object, plain_task_keys},
        {"PUT", "/api/tasks/{task}", "/api/tasks/{id}", {{"meta", {{"k", 3}}}}, 400, kind::object, error_keys},
        {"DELETE", "/api/tasks/{new_task}", "/api/tasks/{id}", nullptr, 204, kind::empty, {}},
        {"GET", "/api/projects/{project}/tasks", "/api/projects/{id}/tasks", nullptr, 200, kind::array, project_list_task_keys},
        {"GET", "/api/projects/{project}/tasks?page=99", "/api/projects/{id}/tasks", nullptr, 404, kind::object, error_keys},
        {"GET", "/api/projects/{project}/next", "/api/projects/{id}/next", nullptr, 200, kind::object, dm_task_keys},
        {"GET", "/api/projects/999999/next", "/api/projects/{id}/next", nullptr, 404, kind::object, error_keys},
        {"GET", "/api/tasks/{task}/annotations", "/api/tasks/{id}/annotations", nullptr, 200, kind::array, annotation_keys},
        {"POST", "/api/tasks/{task}/annotations", "/api/tasks/{id}/annotations", good, 201, kind::object, annotation_keys},
        {"POST", "/api/tasks/{task}/annotations", "/api/tasks/{id}/annotations", {{"result", {{"x", 1}}}}, 400, kind::object, error_keys},
        {"GET", "/api/annotations/{annotation}", "/api/annotations/{id}", nullptr, 200, kind::object, annotation_keys},
        {"PATCH", "/api/annotations/{annotation}", "/api/annotations/{id}", {{"lead_time", 2.5}}, 200, kind::object, annotation_keys},
        {"PUT", "/api/annotations/{annotation}", "/api/annotations/{id}", {{"lead_time", 3.5}}, 200, kind::object, annotation_keys},
        {"DELETE", "/api/annotations/{new_annotation}", "/api/annotations/{id}", nullptr, 204, kind::empty, {}},
        {"POST", "/api/annotations/{new_annotation}/convert-to-draft", "/api/annotations/{id}/convert-to-draft", nullptr, 201, kind::object, draft_keys},
        {"GET", "/api/tasks/{task}/drafts", "/api/tasks/{id}/drafts", nullptr, 200, kind::array, draft_keys},
        {"POST", "/api/tasks/{task}/drafts", "/api/tasks/{id}/drafts", {{"result", json::array()}}, 201, kind::object, draft_keys},
        {"POST", "/api/tasks/{task}/annotations/{annotation}/drafts", "/api/tasks/{id}/annotations/{annotation_id}/drafts", {{"result", json::array()}}, 201, kind::object, draft_keys},
        {"GET", "/api/tasks/{task}/annotations/{annotation}/drafts", "/api/tasks/{id}/annotations/{annotation_id}/drafts", nullptr, 200, kind::array, draft_keys},
        {"GET", "/api/drafts/{draft}", "/api/drafts/{id}", nullptr, 200, kind::object, draft_keys},
        {"PATCH", "/api/drafts/{draft}", "/api/drafts/{id}", {{"lead_time", 1}}, 200, kind::object, draft_keys},
        {"PUT", "/api/drafts/{draft}", "/api/drafts/{id}", {{"lead_time", 2}, {"result", good["result"]}}, 200, kind::object, draft_keys},
        {"PUT", "/api/drafts/{draft}", "/api/drafts/{id}", {{"lead_time", 2}}, 400, kind::object, error_keys},
        {"DELETE", "/api/drafts/{new_draft}", "/api/drafts/{id}", nullptr, 204, kind::empty, {}},
        {"POST", "/api/predictions", "/api/predictions", {{"task", task}, {"result", {box()}}}, 201, kind::object, prediction_keys},
        {"POST", "/api/predictions", "/api/predictions", {{"result", {box()}}}, 400, kind::object, error_keys},
        {"GET", "/api/predictions?task={task}", "/api/predictions", nullptr, 200, kind::array, prediction_keys},
        {"GET", "/api/predictions/{prediction}", "/api/predictions/{id}", nullptr, 200, kind::object, prediction_keys},
        {"PATCH", "/api/predictions/{prediction}", "/api/predictions/{id}", {{"score", 0.3}}, 200, kind::object, prediction_keys},
        {"PUT", "/api/predictions/{prediction}", "/api/predictions/{id}", {{"task", task}, {"score", 0.4}, {"result", {box()}}}, 200, kind::object, prediction_keys},
        {"PUT", "/api/predictions/{prediction}", "/api/predictions/{id}", {{"score", 0.4}, {"result", {box()}}}, 400, kind::object, error_keys},
        {"DELETE", "/api/predictions/{new_prediction}", "/api/predictions/{id}", nullptr, 204, kind::empty, {}},
        {"POST", "/api/projects/{project}/import/predictions", "/api/projects/{id}/import/predictions", json::array({{{"task", task}, {"result", {box()}}}}), 201, kind::object, {"created"}},
        {"GET", "/api/projects/{project}/model-versions", "/api/projects/{id}/model-versions", nullptr, 200, kind::object, {"m"}},
        {"DELETE", "/api/projects/{project}/tasks", "/api/projects/{id}/tasks", nullptr, 204, kind::empty, {}},
        {"GET", "/api/dm/columns?project={project}", "/api/dm/columns", nullptr, 200, kind::object, {"columns"}},
        {"GET", "/api/dm/project?project={project}", "/api/dm/project", nullptr, 200, kind::object, dm_project_keys},
        {"GET", "/api/dm/views?project={project}", "/api/dm/views", nullptr, 200, kind::array, view_keys},
        {"POST", "/api/dm/views", "/api/dm/views", {{"project", project}, {"data", {{"title", "x"}}}}, 201, kind::object, view_keys},
        {"GET", "/api/dm/views/{view}", "/api/dm/views/{id}", nullptr, 200, kind::object, view_keys},
        {"PATCH", "/api/dm/views/{view}", "/api/dm/views/{id}", {{"data", {{"title", "y"}}}}, 200, kind::object, view_keys},
        {"PUT", "/api/dm/views/{view}", "/api/dm/views/{id}", {{"data", {{"title", "z"}}}}, 200, kind::object, view_keys},
        {"DELETE", "/api/dm/views/{new_view}", "/api/dm/views/{id}", nullptr, 204, kind::empty, {}},
        {"POST", "/api/dm/views/order", "/api/dm/views/order", {{"project", project}, {"ids", json::array()}}, 204, kind::empty, {}},
        {"DELETE", "/api/dm/views/reset?project={project}", "/api/dm/views/reset", nullptr, 204, kind::empty, {}},
        {"GET", "/api/dm/actions?project={project}", "/api/dm/actions", nullptr, 200, kind::array, {"id", "title", "order"}},
        {"POST", "/api/dm/actions?id=delete_tasks_drafts&project={project}", "/api/dm/actions", sel, 200, kind::object, {"processed_items"}},
        {"POST", "/api/dm/actions?project={project}", "/api/dm/actions", sel, 422, kind::object, error_keys},
        // ---- issue 4: projects, users, import
        {"GET", "/api/projects", "/api/projects", nullptr, 200, kind::object, {"count", "next", "previous", "results"}},
        {"GET", "/api/projects/counts", "/api/projects/counts", nullptr, 200, kind::object, {"count", "next", "previous", "results"}},
        {"POST", "/api/projects", "/api/projects", {{"title", "contract"}, {"label_config", image_config()}}, 201, kind::object, project_keys},
        {"POST", "/api/projects", "/api/projects", {{"label_config", "<View"}}, 400, kind::object, error_keys},
        {"GET", "/api/projects/{project}", "/api/projects/{id}", nullptr, 200, kind::object, project_keys},
        {"GET", "/api/projects/999999", "/api/projects/{id}", nullptr, 404, kind::object, error_keys},
        {"PATCH", "/api/projects/{project}", "/api/projects/{id}", {{"description", "d"}}, 200, kind::object, project_keys},
        {"DELETE", "/api/projects/{new_project}", "/api/projects/{id}", nullptr, 204, kind::empty, {}},
        {"POST", "/api/projects/{project}/validate", "/api/projects/{id}/validate", {{"label_config", image_config()}}, 200, kind::object, {"config_essential_data_has_changed"}},
        {"POST", "/api/projects/{project}/validate", "/api/projects/{id}/validate", {{"label_config", "<View><Image/>"}}, 400, kind::object, error_keys},
        {"GET", "/api/projects/{project}/summary", "/api/projects/{id}/summary", nullptr, 200, kind::object, {"all_data_columns", "common_data_columns", "created_annotations", "created_labels", "created_labels_drafts"}},
        {"POST", "/api/projects/{project}/import", "/api/projects/{id}/import", json::array({{{"image", "i.png"}}}), 201, kind::object, import_keys},
        {"POST", "/api/projects/{project}/import", "/api/projects/{id}/import", json::array({{{"text", "no image key"}}}), 400, kind::object, error_keys},
        {"GET", "/api/projects/{project}/file-uploads", "/api/projects/{id}/file-uploads", nullptr, 200, kind::array, {}},
        {"DELETE", "/api/projects/{project}/file-uploads", "/api/projects/{id}/file-uploads", {{"file_upload_ids", json::array()}}, 200, kind::object, {"deleted"}},
        {"PUT", "/api/projects/{project}", "/api/projects/{id}", {{"title", "put"}}, 200, kind::object, project_keys},
        {"GET", "/api/users", "/api/users", nullptr, 200, kind::array, user_keys},
        {"POST", "/api/users", "/api/users", {{"email", "new@example.com"}}, 403, kind::object, error_keys},
        {"GET", "/api/current-user/whoami", "/api/current-user/whoami", nullptr, 200, kind::object, user_keys},
        {"GET", "/api/current-user/token", "/api/current-user/token", nullptr, 200, kind::object, {"token"}},
    };
  }
  // clang-format on

  api_host host;
  api_host::user_token user;
  std::int64_t project = 0, task = 0, annotation = 0, draft = 0, prediction = 0, view = 0;
};

// "/a/b?x=1" -> "/a/b/?x=1"
std::string with_slash(const std::string& target) {
  auto q = target.find('?');
  if (q == std::string::npos) return target + "/";
  return target.substr(0, q) + "/" + target.substr(q);
}

TEST_F(ContractApi, EveryRouteBothSlashFormsStatusAndKeys) {
  for (const auto& r : table()) {
    for (bool slash : {false, true}) {
      // The project-wide delete empties the project: run it last, on a project of its own.
      std::string target = expand(r.path);
      if (slash) target = with_slash(target);
      SCOPED_TRACE(std::string(r.verb) + " " + target);
      auto resp = host.call(r.verb, target, user.auth, r.body);
      ASSERT_EQ(resp.status, r.status) << resp.body;
      if (r.shape == kind::empty) {
        EXPECT_TRUE(resp.body.empty()) << resp.body;
        continue;
      }
      EXPECT_NE(resp.header("Content-Type").value_or("").find("application/json"), std::string::npos);
      auto j = api_host::body(resp);
      ASSERT_FALSE(j.is_discarded()) << resp.body;
      std::vector<json> objects;
      if (r.shape == kind::array) {
        ASSERT_TRUE(j.is_array()) << resp.body;
        for (auto& x : j) objects.push_back(x);
        if (!r.expect.empty()) {
          EXPECT_FALSE(objects.empty()) << "an empty list proves no keys";
        }
      } else {
        ASSERT_TRUE(j.is_object()) << resp.body;
        objects.push_back(j);
      }
      for (const auto& o : objects)
        for (const auto& k : r.expect) EXPECT_TRUE(o.contains(k)) << "missing key " << k << " in " << o.dump().substr(0, 400);
      if (r.path.find("/api/projects/{project}/tasks") == 0 && std::string(r.verb) == "DELETE") {
        // Repopulate for the next row.
        task = fresh_task();
      }
    }
  }
}

TEST_F(ContractApi, AnonymousCallersGet401OnEveryRoute) {
  for (const auto& r : table()) {
    const std::string target = expand(r.path);
    SCOPED_TRACE(std::string(r.verb) + " " + target);
    auto resp = host.call(r.verb, target, {}, r.body);
    EXPECT_EQ(resp.status, 401) << resp.body;
    auto j = api_host::body(resp);
    for (const auto& k : error_keys) EXPECT_TRUE(j.contains(k)) << k;
    auto bad_token = host.call(r.verb, target, {{"Authorization", "Token 0000000000000000000000000000000000000000"}}, r.body);
    EXPECT_EQ(bad_token.status, 401);
  }
}

TEST_F(ContractApi, TheTableCoversEveryRegisteredRouteOfTheseFamilies) {
  std::set<std::pair<std::string, std::string>> tested;
  for (const auto& r : table()) tested.insert({r.verb, r.pattern});
  const std::regex mine(
      R"(^/api/(tasks|annotations|drafts|predictions|dm)(/|$)|^/api/projects/\{id\}/(tasks|next|import/predictions|model-versions)$)"
      R"(|^/api/projects(/\{id\}(/(validate|summary|import|file-uploads))?|/counts)?$|^/api/users$|^/api/current-user/(whoami|token)$)");
  int seen = 0;
  for (const auto& e : host.app().api_entries()) {
    if (!std::regex_search(e.pattern, mine)) continue;
    ++seen;
    EXPECT_FALSE(e.is_public) << e.pattern;
    EXPECT_TRUE(tested.count({std::string(http::to_string(e.verb)), e.pattern}))
        << http::to_string(e.verb) << " " << e.pattern << " is registered but not in the contract table";
  }
  EXPECT_GE(seen, 30);
}

}  // namespace
}  // namespace annot::host::testing
