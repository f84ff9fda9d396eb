// The project routes over real HTTP on 127.0.0.1 against a real SQLite file: CRUD with Label
// Studio's fields, pagination, validation errors in Label Studio's body, and the project-aware config
// checks (strict /validate refusing an orphaning change, accepting a harmless one; the same on PATCH).
#include <gtest/gtest.h>

#include <set>
#include <nlohmann/json.hpp>

#include "sqlite_step_count.hpp"
#include "test_host.hpp"

namespace annot::host {
namespace {

using json = nlohmann::json;

const std::string text_config = R"(<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
  </Choices>
</View>)";

std::string with_choices(const std::string& name, const std::vector<std::string>& labels, const std::string& extra = "") {
  std::string out = "<View>\n  <Text name=\"text\" value=\"$text\"/>\n  <Choices name=\"" + name + "\" toName=\"text\">\n";
  for (const auto& l : labels) out += "    <Choice value=\"" + l + "\"/>\n";
  return out + "  </Choices>\n" + extra + "</View>";
}

class ProjectsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = &host_.start();
    port_ = host_.port();
    auto u = app_->db().run<store::user>([&](store::write_context& w) {
      return w.create_user({.email = "owner@example.com", .first_name = "Ada", .last_name = "Lovelace"});
    });
    ASSERT_TRUE(u);
    user_ = *u;
    auth_ = {{"Authorization", "Token " + *app_->db().read()->legacy_token(u->id)}};
  }

  test::http_response call(std::string_view method, std::string_view target, std::string_view body = {}) {
    return test::http_request(port_, method, target, body, auth_);
  }
  json ok_json(std::string_view method, std::string_view target, std::string_view body, int expected) {
    auto r = call(method, target, body);
    EXPECT_EQ(r.status, expected) << method << " " << target << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // A project with one task, one annotation choosing `chosen`, optionally a draft choosing `drafted`.
  std::int64_t annotated_project(const std::string& chosen, const std::string& drafted = "") {
    auto p = ok_json("POST", "/api/projects", json{{"title", "Sentiment"}, {"label_config", text_config}}.dump(), 201);
    std::int64_t pid = p["id"];
    auto uid = user_.id;
    auto st = app_->db().run([&](store::write_context& w) -> annot::status {
      auto t = w.create_task({pid, R"({"text":"great movie"})"});
      if (!t) return t.error();
      auto result = [](const std::string& label) {
        return json::array({{{"id", "r1"}, {"from_name", "sentiment"}, {"to_name", "text"}, {"type", "choices"},
                             {"value", {{"choices", {label}}}}}})
            .dump();
      };
      store::new_annotation a;
      a.task_id = t->id;
      a.result = result(chosen);
      a.completed_by = uid;
      if (auto r = w.create_annotation(a); !r) return r.error();
      if (!drafted.empty()) {
        store::new_draft d;
        d.task_id = t->id;
        d.user_id = uid;
        d.result = result(drafted);
        if (auto r = w.create_draft(d); !r) return r.error();
      }
      return annot::status::success();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return pid;
  }

  annot::host::testing::api_host host_;
  app::host_app* app_ = nullptr;
  std::uint16_t port_ = 0;
  store::user user_;
  test::header_list auth_;
};

TEST_F(ProjectsApiTest, CreateReadUpdateDelete) {
  auto p = ok_json("POST", "/api/projects",
                   json{{"title", "Reviews"}, {"description", "movie reviews"}, {"label_config", text_config},
                        {"maximum_annotations", 2}, {"sampling", "Uniform sampling"}, {"show_skip_button", false}}
                       .dump(),
                   201);
  ASSERT_TRUE(p.is_object());
  std::int64_t id = p["id"];
  EXPECT_EQ(p["title"], "Reviews");
  EXPECT_EQ(p["maximum_annotations"], 2);
  EXPECT_EQ(p["sampling"], "Uniform sampling");
  EXPECT_EQ(p["show_skip_button"], false);
  EXPECT_EQ(p["task_number"], 0);
  EXPECT_EQ(p["created_by"]["email"], "owner@example.com");
  EXPECT_EQ(p["created_by"]["first_name"], "Ada");
  EXPECT_EQ(p["config_has_control_tags"], true);
  EXPECT_EQ(p["config_suitable_for_bulk_annotation"], true);
  EXPECT_EQ(p["parsed_label_config"]["sentiment"]["type"], "Choices");
  EXPECT_EQ(p["parsed_label_config"]["sentiment"]["to_name"], json::array({"text"}));
  EXPECT_EQ(p["parsed_label_config"]["sentiment"]["labels"], json::array({"Positive", "Negative"}));
  EXPECT_EQ(p["control_weights"]["sentiment"]["labels"]["Negative"], 1.0);
  for (auto key : {"expert_instruction", "show_instruction", "enable_empty_annotation", "show_annotation_history",
                   "organization", "color", "is_published", "model_version", "is_draft", "created_at",
                   "min_annotations_to_start_training", "start_training_on_annotation_update",
                   "show_collab_predictions", "num_tasks_with_annotations", "useful_annotation_number",
                   "ground_truth_number", "skipped_annotations_number", "total_annotations_number",
                   "total_predictions_number", "show_ground_truth_first", "show_overlap_first",
                   "overlap_cohort_percentage", "task_data_login", "task_data_password",
                   "evaluate_predictions_automatically", "skip_queue", "reveal_preannotations_interactively",
                   "pinned_at", "finished_task_number", "queue_total", "queue_done"})
    EXPECT_TRUE(p.contains(key)) << key;

  auto got = ok_json("GET", "/api/projects/" + std::to_string(id), "", 200);
  EXPECT_EQ(got, p);
  EXPECT_EQ(ok_json("GET", "/api/projects/" + std::to_string(id) + "/", "", 200)["id"], id) << "trailing slash";

  auto patched = ok_json("PATCH", "/api/projects/" + std::to_string(id),
                         R"({"title":"Reviews 2","color":"#FF4C25","pinned_at":"2024-05-01T10:00:00Z"})", 200);
  EXPECT_EQ(patched["title"], "Reviews 2");
  EXPECT_EQ(patched["color"], "#FF4C25");
  EXPECT_EQ(patched["pinned_at"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(patched["label_config"], text_config) << "fields not sent stay";
  EXPECT_EQ(patched["maximum_annotations"], 2);

  // A project with the defaults only.
  auto bare = ok_json("POST", "/api/projects", "", 201);
  EXPECT_EQ(bare["label_config"], "<View></View>");
  EXPECT_EQ(bare["config_has_control_tags"], false);
  EXPECT_EQ(bare["title"], "");

  EXPECT_EQ(call("DELETE", "/api/projects/" + std::to_string(id)).status, 204);
  auto gone = call("GET", "/api/projects/" + std::to_string(id));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(json::parse(gone.body)["detail"], "No Project matches the given query.");
  EXPECT_EQ(call("DELETE", "/api/projects/" + std::to_string(id)).status, 404);
  EXPECT_EQ(call("GET", "/api/projects/abc").status, 404);
  EXPECT_EQ(call("PATCH", "/api/projects/999999", "{}").status, 404);
  // Looked up before the body is read, as Label Studio's view does: not a 400 for the body.
  EXPECT_EQ(call("PATCH", "/api/projects/999999", R"({"label_config": "<View>"})").status, 404);
  EXPECT_EQ(call("PATCH", "/api/projects/999999", "{not json").status, 404);
}

// ProjectSerializer keeps start_training_on_annotation_update in min_annotations_to_start_training:
// the flag is written as int(flag) there (winning over a count sent beside it) and read as bool(count).
TEST_F(ProjectsApiTest, TheTrainingFlagIsTheMinimumAnnotationCount) {
  auto p = ok_json("POST", "/api/projects",
                   R"({"title":"Training","start_training_on_annotation_update":true})", 201);
  EXPECT_EQ(p["min_annotations_to_start_training"], 1);
  EXPECT_EQ(p["start_training_on_annotation_update"], true);
  const std::string path = "/api/projects/" + p["id"].dump();
  auto counted = ok_json("PATCH", path, R"({"min_annotations_to_start_training":5})", 200);
  EXPECT_EQ(counted["min_annotations_to_start_training"], 5);
  EXPECT_EQ(counted["start_training_on_annotation_update"], true);
  auto off =
      ok_json("PATCH", path,
              R"({"start_training_on_annotation_update":false,"min_annotations_to_start_training":7})", 200);
  EXPECT_EQ(off["min_annotations_to_start_training"], 0);
  EXPECT_EQ(off["start_training_on_annotation_update"], false);
  EXPECT_EQ(ok_json("GET", path, "", 200)["start_training_on_annotation_update"], false);
  // int() of a digit string or a float.
  EXPECT_EQ(ok_json("PATCH", path, R"({"start_training_on_annotation_update":" 3 "})",
                    200)["min_annotations_to_start_training"],
            3);
  EXPECT_EQ(ok_json("PATCH", path, R"({"start_training_on_annotation_update":2.9})",
                    200)["min_annotations_to_start_training"],
            2);
  // What int() refuses (a 500 upstream) and a negative count are 400s naming the flag.
  for (const char* bad : {R"("yes")", "null", "[]", "-1", R"("1.5")"}) {
    auto r = call("PATCH", path, std::string(R"({"start_training_on_annotation_update":)") + bad + "}");
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_TRUE(json::parse(r.body)["validation_errors"].contains("start_training_on_annotation_update"))
        << r.body;
  }
  EXPECT_EQ(ok_json("GET", path, "", 200)["min_annotations_to_start_training"], 2);
}

// ProjectSerializer.get_queue_total / get_queue_done count for the requesting user: total is the tasks
// not labeled yet plus the labeled ones the user annotated; done is the tasks the user annotated, a skip
// included unless the project requeues skips to the same user (REQUEUE_FOR_ME).
TEST_F(ProjectsApiTest, TheQueueIsTheRequestingUsers) {
  auto bob = host_.make_user("bob@example.com");
  auto p =
      ok_json("POST", "/api/projects", json{{"title", "Queue"}, {"label_config", text_config}}.dump(), 201);
  const std::string path = "/api/projects/" + p["id"].dump();
  std::vector<std::string> tasks;
  for (int i = 0; i < 4; ++i) {
    auto t = ok_json("POST", "/api/tasks", json{{"project", p["id"]}, {"data", {{"text", "t"}}}}.dump(), 201);
    tasks.push_back("/api/tasks/" + t["id"].dump() + "/annotations");
  }
  const json choice = json::array({{{"from_name", "sentiment"},
                                    {"to_name", "text"},
                                    {"type", "choices"},
                                    {"value", {{"choices", {"Positive"}}}}}});
  // The owner labels task 1 and skips task 2 (which stays unlabeled); Bob labels task 3; task 4 is untouched.
  ok_json("POST", tasks[0], json{{"result", choice}}.dump(), 201);
  ok_json("POST", tasks[1], json{{"result", json::array()}, {"was_cancelled", true}}.dump(), 201);
  ASSERT_EQ(host_.call("POST", tasks[2], bob.auth, {{"result", choice}}).status, 201);

  auto mine = ok_json("GET", path, "", 200);
  EXPECT_EQ(mine["task_number"], 4);
  EXPECT_EQ(mine["finished_task_number"], 2);
  EXPECT_EQ(mine["queue_total"], 3) << "tasks 2 and 4, and task 1 that I labeled";
  EXPECT_EQ(mine["queue_done"], 2) << "task 1, and task 2 that I skipped";
  auto bobs = host_.call("GET", path, bob.auth);
  ASSERT_EQ(bobs.status, 200) << bobs.body;
  EXPECT_EQ(json::parse(bobs.body)["queue_total"], 3) << "tasks 2 and 4, and task 3 that Bob labeled";
  EXPECT_EQ(json::parse(bobs.body)["queue_done"], 1);

  // The list counts for its caller too, beside a project where they have done nothing.
  ok_json("POST", "/api/projects", json{{"title", "Empty"}}.dump(), 201);
  auto listed = json::parse(host_.call("GET", "/api/projects", bob.auth).body)["results"];
  ASSERT_EQ(listed.size(), 2u) << listed.dump();
  for (const auto& item : listed) {
    EXPECT_EQ(item["queue_total"], item["id"] == p["id"] ? 3 : 0) << item["title"];
    EXPECT_EQ(item["queue_done"], item["id"] == p["id"] ? 1 : 0) << item["title"];
  }

  // Skips come back to the same annotator: the skipped task is not done.
  auto requeued = ok_json("PATCH", path, R"({"skip_queue":"REQUEUE_FOR_ME"})", 200);
  EXPECT_EQ(requeued["queue_total"], 3);
  EXPECT_EQ(requeued["queue_done"], 1);
}

// The SQLite steps of GET /api/projects/{id} for a user who labelled `here` tasks of that project and
// `elsewhere` tasks of another one (the counters of both are right).
std::int64_t queue_steps(int here, int elsewhere) {
  testing::sqlite_step_count steps;
  testing::api_host host;
  host.start();
  const auto user = host.make_user("annotator@example.com", true);
  const std::int64_t mine = host.make_project(text_config), other = host.make_project(text_config);
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (auto [project, n] : {std::pair{mine, here}, std::pair{other, elsewhere}})
      for (int i = 0; i < n; ++i) {
        auto t = w.create_task({project, R"({"text":"t"})"});
        if (!t) return t.error();
        store::new_annotation a;
        a.task_id = t->id;
        a.completed_by = user.id;
        a.result = R"([{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["Positive"]}}])";
        if (auto made = w.create_annotation(a); !made) return made.error();
      }
    return 0;
  });
  EXPECT_TRUE(made) << made.error().message();
  steps.reset();
  auto r = host.call("GET", "/api/projects/" + std::to_string(mine), user.auth);
  const std::int64_t counted = steps.count();
  EXPECT_EQ(r.status, 200) << r.body;
  const json p = json::parse(r.body, nullptr, false);
  EXPECT_EQ(p["queue_total"], here);
  EXPECT_EQ(p["queue_done"], here);
  return counted;
}

// A project's queue counters read the user's annotations of that project, not all they ever made: a
// reviewer with 100,000 annotations elsewhere paid for each of them on every page that shows a project.
TEST(ProjectsQueue, CountsReadOnlyTheProjectsAnnotations) {
  const std::int64_t alone = queue_steps(50, 0), beside = queue_steps(50, 3000);
  ASSERT_GT(alone, 0) << "no SQLite step was counted";
  EXPECT_LT(static_cast<double>(beside) / static_cast<double>(alone), 1.2) << alone << " steps, then " << beside;
}

TEST_F(ProjectsApiTest, ValidationErrorsUseLabelStudiosBody) {
  auto bad_config = call("POST", "/api/projects",
                         json{{"title", "Broken"},
                              {"label_config", R"(<View><Text name="text" value="$text"/><Choices name="c" toName="missing"><Choice value="A"/></Choices></View>)"}}
                             .dump());
  ASSERT_EQ(bad_config.status, 400) << bad_config.body;
  auto body = json::parse(bad_config.body);
  EXPECT_EQ(body["detail"], "Validation error");
  EXPECT_EQ(body["status_code"], 400);
  ASSERT_TRUE(body["validation_errors"]["label_config"].is_array()) << body.dump();
  EXPECT_EQ(body["validation_errors"]["label_config"][0].get<std::string>().rfind("toName=\"missing\" not found in names", 0), 0u)
      << body.dump();

  auto not_xml = json::parse(call("POST", "/api/projects", R"({"label_config":"<View><Text"})").body);
  EXPECT_FALSE(not_xml["validation_errors"]["label_config"][0].get<std::string>().empty());

  auto fields = call("POST", "/api/projects",
                     R"({"title":"x","sampling":"Random","maximum_annotations":"many","show_skip_button":"perhaps","color":"red","overlap_cohort_percentage":150})");
  ASSERT_EQ(fields.status, 400);
  auto errs = json::parse(fields.body)["validation_errors"];
  EXPECT_EQ(errs["title"][0], "Ensure this field has at least 3 characters.");
  EXPECT_EQ(errs["sampling"][0], "\"Random\" is not a valid choice.");
  EXPECT_EQ(errs["maximum_annotations"][0], "A valid integer is required.");
  EXPECT_EQ(errs["show_skip_button"][0], "Must be a valid boolean.");
  EXPECT_EQ(errs["color"][0], "Color must be in \"#RRGGBB\" format");
  EXPECT_EQ(errs["overlap_cohort_percentage"][0], "Ensure this value is less than or equal to 100.");
  EXPECT_EQ(call("POST", "/api/projects", json{{"title", std::string(51, 't')}}.dump()).status, 400);
  EXPECT_EQ(call("POST", "/api/projects", "[1,2]").status, 400);
  EXPECT_EQ(call("POST", "/api/projects", "{nope").status, 400);
  EXPECT_EQ(app_->db().read()->list_projects({})->count, 0) << "nothing was created by refused requests";
}

TEST_F(ProjectsApiTest, PaginationAndFilters) {
  auto st = app_->db().run([&](store::write_context& w) -> annot::status {
    for (int i = 1; i <= 35; ++i) {
      store::new_project np;
      np.fields.title = (i % 5 == 0 ? "Audio " : "Image ") + std::to_string(i);
      np.created_by = user_.id;
      if (auto p = w.create_project(np); !p) return p.error();
    }
    return annot::status::success();
  });
  ASSERT_TRUE(st.ok()) << st.message();

  auto first = ok_json("GET", "/api/projects?page_size=10", "", 200);
  EXPECT_EQ(first["count"], 35);
  EXPECT_EQ(first["results"].size(), 10u);
  EXPECT_TRUE(first["previous"].is_null());
  std::string next = first["next"];
  EXPECT_NE(next.find("/api/projects?page_size=10&page=2"), std::string::npos) << next;
  EXPECT_EQ(next.rfind("http://127.0.0.1:", 0), 0u) << next;

  auto last = ok_json("GET", "/api/projects?page_size=10&page=4", "", 200);
  EXPECT_EQ(last["results"].size(), 5u);
  EXPECT_TRUE(last["next"].is_null());
  EXPECT_NE(last["previous"].get<std::string>().find("page=3"), std::string::npos);
  auto second = ok_json("GET", "/api/projects?page=2&page_size=10", "", 200);
  EXPECT_EQ(second["previous"].get<std::string>().find("page="), std::string::npos) << "page 1 has no page=";

  std::set<std::int64_t> seen;
  for (int page = 1; page <= 4; ++page) {
    json listing = ok_json("GET", "/api/projects?page_size=10&page=" + std::to_string(page), "", 200);
    for (const auto& p : listing["results"]) seen.insert(p["id"].get<std::int64_t>());
  }
  EXPECT_EQ(seen.size(), 35u) << "pages do not overlap";

  auto past = call("GET", "/api/projects?page_size=10&page=5");
  EXPECT_EQ(past.status, 404);
  EXPECT_EQ(json::parse(past.body)["detail"], "Invalid page.");
  EXPECT_EQ(call("GET", "/api/projects?page=zero").status, 404);
  EXPECT_EQ(ok_json("GET", "/api/projects", "", 200)["results"].size(), 30u) << "default page size";
  EXPECT_EQ(ok_json("GET", "/api/projects?page_size=1000", "", 200)["results"].size(), 35u) << "capped at 100";

  auto audio = ok_json("GET", "/api/projects?title=audio", "", 200);
  EXPECT_EQ(audio["count"], 7);
  auto ids = ok_json("GET", "/api/projects?ids=1,2,3", "", 200);
  EXPECT_EQ(ids["count"], 3);
  EXPECT_EQ(call("GET", "/api/projects?ids=1,x").status, 400);
}

// ProjectListAPI: filter= keeps the pinned projects or the others; ordering= is DRF's OrderingFilter over
// ProjectSerializer's fields (terms naming none are dropped); include= limits the counters computed,
// the others are null and the rest of each project comes back.
TEST_F(ProjectsApiTest, ListFiltersOrdersAndLimitsCounters) {
  for (const char* body :
       {R"({"title":"Bravo","pinned_at":"2024-01-01T00:00:00Z","maximum_annotations":3})",
        R"({"title":"Alpha","maximum_annotations":1})",
        R"({"title":"Charlie","pinned_at":"2024-06-01T00:00:00Z","maximum_annotations":2})",
        R"({"title":"Delta","maximum_annotations":2})"})
    ok_json("POST", "/api/projects", body, 201);
  auto titles = [&](const std::string& query) {
    std::vector<std::string> out;
    const json listed = ok_json("GET", "/api/projects" + query, "", 200);
    for (const auto& p : listed["results"]) out.push_back(p["title"].get<std::string>());
    return out;
  };
  using v = std::vector<std::string>;
  // By default the pinned ones come first, the latest pin first, then the newest.
  EXPECT_EQ(titles(""), (v{"Charlie", "Bravo", "Delta", "Alpha"}));
  EXPECT_EQ(titles("?filter=pinned_only"), (v{"Charlie", "Bravo"}));
  EXPECT_EQ(titles("?filter=exclude_pinned"), (v{"Delta", "Alpha"}));
  EXPECT_EQ(ok_json("GET", "/api/projects?filter=exclude_pinned", "", 200)["count"], 2);
  EXPECT_EQ(titles("?filter=all"), titles(""));
  EXPECT_EQ(titles("?filter=starred"), titles("")) << "an unknown filter lists every project";

  EXPECT_EQ(titles("?ordering=title"), (v{"Alpha", "Bravo", "Charlie", "Delta"}));
  EXPECT_EQ(titles("?ordering=-title"), (v{"Delta", "Charlie", "Bravo", "Alpha"}));
  EXPECT_EQ(titles("?ordering=maximum_annotations,-title"), (v{"Alpha", "Delta", "Charlie", "Bravo"}));
  EXPECT_EQ(titles("?ordering=queue_total"), titles("")) << "a computed field orders nothing";
  EXPECT_EQ(titles("?ordering=nonsense,%20title"), (v{"Alpha", "Bravo", "Charlie", "Delta"}));
  EXPECT_EQ(titles("?filter=exclude_pinned&ordering=title"), (v{"Alpha", "Delta"}));
  EXPECT_EQ(titles("?ordering=-pinned_at,id"), (v{"Charlie", "Bravo", "Alpha", "Delta"}));

  auto limited = ok_json("GET", "/api/projects?include=task_number,title", "", 200)["results"];
  ASSERT_EQ(limited.size(), 4u);
  for (const auto& p : limited) {
    EXPECT_EQ(p["task_number"], 0) << p.dump();
    EXPECT_TRUE(p["finished_task_number"].is_null()) << p.dump();
    EXPECT_TRUE(p["total_annotations_number"].is_null()) << p.dump();
    EXPECT_TRUE(p["skipped_annotations_number"].is_null()) << p.dump();
    EXPECT_EQ(p["queue_total"], 0) << "not a counter include limits";
    EXPECT_TRUE(p.contains("label_config") && p.contains("maximum_annotations")) << p.dump();
  }
  const std::string one = "/api/projects/" + limited[0]["id"].dump();
  auto detail = ok_json("GET", one + "?include=finished_task_number", "", 200);
  EXPECT_EQ(detail["finished_task_number"], 0);
  EXPECT_TRUE(detail["task_number"].is_null());
  EXPECT_EQ(ok_json("GET", one, "", 200)["task_number"], 0);

  for (const char* blank : {"include", "filter"}) {
    for (const std::string& target :
         {std::string("/api/projects?") + blank + "=", one + "?" + blank + "=%20"}) {
      auto r = call("GET", target);
      EXPECT_EQ(r.status, 400) << target << ": " << r.body;
      EXPECT_EQ(json::parse(r.body)["validation_errors"][blank],
                json::array({"This field may not be blank."}))
          << target << ": " << r.body;
    }
  }
}

TEST_F(ProjectsApiTest, StrictValidateRefusesOrphaningChangesAndAcceptsHarmlessOnes) {
  std::int64_t pid = annotated_project("Positive", "Negative");
  std::string validate = "/api/projects/" + std::to_string(pid) + "/validate";

  // Harmless: a new label; a new control (essential change, still accepted).
  auto more = ok_json("POST", validate, json{{"label_config", with_choices("sentiment", {"Positive", "Negative", "Neutral"})}}.dump(), 200);
  EXPECT_TRUE(more["config_essential_data_has_changed"].is_null()) << more.dump();
  auto same = ok_json("POST", validate, json{{"label_config", text_config}}.dump(), 200);
  EXPECT_TRUE(same["config_essential_data_has_changed"].is_null());
  auto added = ok_json("POST", validate,
                       json{{"label_config", with_choices("sentiment", {"Positive", "Negative"},
                                                          "  <TextArea name=\"notes\" toName=\"text\"/>\n")}}
                           .dump(),
                       200);
  EXPECT_EQ(added["config_essential_data_has_changed"], true);

  // A label still used by the annotation (and one used by the draft).
  auto removed = call("POST", validate, json{{"label_config", with_choices("sentiment", {"Negative"})}}.dump());
  ASSERT_EQ(removed.status, 400) << removed.body;
  auto body = json::parse(removed.body);
  EXPECT_EQ(body["detail"], "Validation error");
  EXPECT_EQ(body["validation_errors"]["non_field_errors"][0],
            "These labels still exist in annotations or drafts:\nPositive (1 annotation)\n"
            "Please add labels to tag with name=\"sentiment\".");
  auto removed_draft = json::parse(call("POST", validate, json{{"label_config", with_choices("sentiment", {"Positive"})}}.dump()).body);
  EXPECT_EQ(removed_draft["validation_errors"]["non_field_errors"][0],
            "These labels still exist in annotations or drafts:\nNegative (1 draft)\n"
            "Please add labels to tag with name=\"sentiment\".");

  // A renamed control orphans the results.
  auto renamed = json::parse(call("POST", validate, json{{"label_config", with_choices("mood", {"Positive", "Negative"})}}.dump()).body);
  EXPECT_EQ(renamed["validation_errors"]["non_field_errors"][0],
            "Created annotations are incompatible with provided labeling schema, we found:\n"
            "1 with from_name=sentiment, to_name=text, type=choices");

  auto empty = json::parse(call("POST", validate, "{}").body);
  EXPECT_EQ(empty["validation_errors"]["non_field_errors"][0], "Label config is not set or is empty");
  auto broken = call("POST", validate, R"({"label_config":"<View>"})");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(call("POST", "/api/projects/999999/validate", json{{"label_config", text_config}}.dump()).status, 404);

  // Nothing was changed by validating.
  EXPECT_EQ(ok_json("GET", "/api/projects/" + std::to_string(pid), "", 200)["label_config"], text_config);
}

// A Repeater's {{idx}} matches any run of characters in the annotations' names, the rest literally;
// a name of 200 KB is checked like any other (std::regex overflowed the stack on it and took the
// server down).
TEST_F(ProjectsApiTest, ValidateMatchesRepeaterNamesOfAnyLength) {
  const auto repeater = [](const std::string& control) {
    return R"(<View><Repeater on="$pages" indexFlag="{{idx}}"><Image name="page_{{idx}}" value="$pages[{{idx}}].url"/>)"
           "<RectangleLabels name=\"" +
           control + R"(" toName="page_{{idx}}"><Label value="Title"/></RectangleLabels></Repeater></View>)";
  };
  auto p = ok_json("POST", "/api/projects",
                   json{{"title", "Pages"}, {"label_config", repeater("box_{{idx}}")}}.dump(), 201);
  const std::string pid = std::to_string(p["id"].get<std::int64_t>());
  auto t = ok_json(
      "POST", "/api/tasks",
      json{{"project", p["id"]}, {"data", {{"pages", json::array({{{"url", "a.png"}}})}}}}.dump(), 201);
  const std::string idx(200 * 1024, '7');
  const json result = json::array(
      {{{"id", "r1"},
        {"from_name", "box_" + idx},
        {"to_name", "page_" + idx},
        {"type", "rectanglelabels"},
        {"value", {{"x", 1}, {"y", 1}, {"width", 5}, {"height", 5}, {"rectanglelabels", {"Title"}}}}}});
  ok_json("POST", "/api/tasks/" + std::to_string(t["id"].get<std::int64_t>()) + "/annotations",
          json{{"result", result}}.dump(), 201);

  const std::string validate = "/api/projects/" + pid + "/validate";
  ok_json("POST", validate, json{{"label_config", repeater("box_{{idx}}")}}.dump(), 200);
  auto renamed = call("POST", validate, json{{"label_config", repeater("box.{{idx}}")}}.dump());
  ASSERT_EQ(renamed.status, 400) << renamed.body.substr(0, 300);
  EXPECT_EQ(json::parse(renamed.body)["validation_errors"]["non_field_errors"][0].get<std::string>().rfind(
                "Created annotations are incompatible with provided labeling schema", 0),
            0u);
  EXPECT_EQ(call("GET", "/health").status, 200);
}

TEST_F(ProjectsApiTest, PatchChecksTheConfigNonStrictly) {
  std::int64_t pid = annotated_project("Positive");
  std::string path = "/api/projects/" + std::to_string(pid);
  // Removed labels are only logged on PATCH (Label Studio's non-strict mode)...
  auto fewer = ok_json("PATCH", path, json{{"label_config", with_choices("sentiment", {"Negative"})}}.dump(), 200);
  EXPECT_EQ(fewer["parsed_label_config"]["sentiment"]["labels"], json::array({"Negative"}));
  // ...but orphaned results are refused, and the project keeps its config.
  auto renamed = call("PATCH", path, json{{"label_config", with_choices("mood", {"Negative"})}, {"title", "Renamed"}}.dump());
  ASSERT_EQ(renamed.status, 400) << renamed.body;
  auto body = json::parse(renamed.body);
  EXPECT_EQ(body["validation_errors"]["label_config"][0].get<std::string>().rfind(
                "Created annotations are incompatible with provided labeling schema, we found:\n1 with from_name=sentiment", 0),
            0u)
      << body.dump();
  auto now = ok_json("GET", path, "", 200);
  EXPECT_EQ(now["title"], "Sentiment");
  EXPECT_EQ(now["parsed_label_config"]["sentiment"]["labels"], json::array({"Negative"}));

  auto summary = ok_json("GET", path + "/summary", "", 200);
  EXPECT_EQ(summary["project"], pid);
  EXPECT_EQ(summary["created_annotations"]["sentiment|text|choices"], 1);
  EXPECT_EQ(summary["created_labels"]["sentiment"]["Positive"], 1);
  EXPECT_EQ(summary["all_data_columns"]["text"], 1);
  EXPECT_EQ(summary["common_data_columns"], json::array({"text"}));
  EXPECT_EQ(call("GET", "/api/projects/999999/summary").status, 404);

  // The counters show in the project.
  EXPECT_EQ(now["task_number"], 1);
  EXPECT_EQ(now["total_annotations_number"], 1);
}

// GET /api/projects/counts: the list's pagination and filters, each project shown as Label Studio's
// ProjectCountsSerializer shows it (id and the eight counters, nothing else), include= nulling the rest.
TEST_F(ProjectsApiTest, CountsListOnlyTheCounters) {
  std::int64_t annotated = annotated_project("Positive");
  auto empty = ok_json("POST", "/api/projects", json{{"title", "Empty"}}.dump(), 201);
  const std::vector<std::string> keys = {"id",
                                         "task_number",
                                         "finished_task_number",
                                         "total_predictions_number",
                                         "total_annotations_number",
                                         "num_tasks_with_annotations",
                                         "useful_annotation_number",
                                         "ground_truth_number",
                                         "skipped_annotations_number"};
  auto counts = ok_json("GET", "/api/projects/counts", "", 200);
  EXPECT_EQ(counts["count"], 2);
  EXPECT_TRUE(counts["next"].is_null() && counts["previous"].is_null()) << counts.dump();
  ASSERT_EQ(counts["results"].size(), 2u);
  for (const auto& p : counts["results"]) {
    std::vector<std::string> got;
    for (const auto& [k, v] : p.items()) got.push_back(k);
    std::sort(got.begin(), got.end());
    std::vector<std::string> want = keys;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << p.dump();
    const auto full = ok_json("GET", "/api/projects/" + p["id"].dump(), "", 200);
    for (const auto& k : keys) EXPECT_EQ(p[k], full[k]) << k << " of project " << p["id"];
  }
  auto one = ok_json("GET", "/api/projects/counts?ids=" + std::to_string(annotated), "", 200);
  ASSERT_EQ(one["results"].size(), 1u);
  EXPECT_EQ(one["results"][0]["id"], annotated);
  EXPECT_EQ(one["results"][0]["task_number"], 1);
  EXPECT_EQ(one["results"][0]["total_annotations_number"], 1);
  EXPECT_EQ(one["results"][0]["num_tasks_with_annotations"], 1);

  auto limited = ok_json("GET", "/api/projects/counts?include=task_number&ids=" + std::to_string(annotated), "", 200);
  EXPECT_EQ(limited["results"][0]["task_number"], 1);
  EXPECT_TRUE(limited["results"][0]["total_annotations_number"].is_null()) << limited.dump();

  auto paged = ok_json("GET", "/api/projects/counts?page_size=1&ordering=id", "", 200);
  ASSERT_EQ(paged["results"].size(), 1u);
  EXPECT_EQ(paged["results"][0]["id"], annotated);
  EXPECT_FALSE(paged["next"].is_null());
  EXPECT_EQ(call("GET", "/api/projects/counts?page=9").status, 404);
  EXPECT_EQ(call("GET", "/api/projects/counts?ids=x").status, 400);
  EXPECT_EQ(ok_json("GET", "/api/projects/counts?title=Emp", "", 200)["results"][0]["id"], empty["id"]);
}

// ProjectSerializer on PATCH: a changed, non-empty model_version must be a prediction's of the project
// (there are no live models here); hiding predictions from annotators clears it unless one is sent.
TEST_F(ProjectsApiTest, ModelVersionNamesAPredictionAndHidingPredictionsClearsIt) {
  // Creating does not check it (validate_model_version runs on an existing project only).
  auto p = ok_json(
      "POST", "/api/projects",
      json{{"title", "Models"}, {"label_config", text_config}, {"model_version", "ghost"}}.dump(), 201);
  EXPECT_EQ(p["model_version"], "ghost");
  const std::string path = "/api/projects/" + p["id"].dump();
  const json choice = json::array({{{"from_name", "sentiment"},
                                    {"to_name", "text"},
                                    {"type", "choices"},
                                    {"value", {{"choices", {"Positive"}}}}}});
  auto predict = [&](const json& project, const std::string& version) {
    auto t = ok_json("POST", "/api/tasks", json{{"project", project}, {"data", {{"text", "t"}}}}.dump(), 201);
    ok_json("POST", "/api/predictions",
            json{{"task", t["id"]}, {"result", choice}, {"model_version", version}}.dump(), 201);
  };
  predict(p["id"], "v1");
  auto other =
      ok_json("POST", "/api/projects", json{{"title", "Other"}, {"label_config", text_config}}.dump(), 201);
  predict(other["id"], "v2");

  auto unknown = call("PATCH", path, R"({"model_version":"v2","title":"Renamed"})");
  ASSERT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(json::parse(unknown.body)["validation_errors"]["model_version"],
            json::array({"Model version doesn't exist either as live model or as static predictions."}));
  EXPECT_EQ(ok_json("GET", path, "", 200)["title"], "Models") << "nothing of a refused PATCH is kept";
  // The unchanged value is not checked again; a prediction's version and "" pass.
  EXPECT_EQ(ok_json("PATCH", path, R"({"model_version":"ghost","title":"Models 2"})", 200)["title"],
            "Models 2");
  EXPECT_EQ(ok_json("PATCH", path, R"({"model_version":"v1"})", 200)["model_version"], "v1");
  EXPECT_EQ(ok_json("PATCH", path, R"({"model_version":""})", 200)["model_version"], "");

  ok_json("PATCH", path, R"({"model_version":"v1"})", 200);
  auto hidden = ok_json("PATCH", path, R"({"show_collab_predictions":false})", 200);
  EXPECT_EQ(hidden["show_collab_predictions"], false);
  EXPECT_EQ(hidden["model_version"], "");
  auto kept = ok_json("PATCH", path, R"({"show_collab_predictions":false,"model_version":"v1"})", 200);
  EXPECT_EQ(kept["model_version"], "v1");
  EXPECT_EQ(ok_json("PATCH", path, R"({"show_collab_predictions":true})", 200)["model_version"], "v1");
}

TEST_F(ProjectsApiTest, ProjectsSurviveARestart) {
  auto p = ok_json("POST", "/api/projects", json{{"title", "Durable"}, {"label_config", text_config}}.dump(), 201);
  app_ = &host_.start();  // a restart on the same data directory
  port_ = host_.port();
  auto again = ok_json("GET", "/api/projects/" + p["id"].dump(), "", 200);
  EXPECT_EQ(again["title"], "Durable");
  EXPECT_EQ(again["parsed_label_config"], p["parsed_label_config"]);
}

}  // namespace
}  // namespace annot::host
