// Stored exports (POST /api/projects/{id}/exports) over real HTTP: task_filter_options (view,
// skipped, finished, annotated, only_with_annotations), annotation_filter_options (usual,
// ground_truth, skipped) and serialization_options (completed_by, drafts, predictions,
// interpolate_key_frames) applied as Label Studio's Export.get_export_data applies them, and bad option
// values refused with 400; exports and conversions a stopped server left running end as failed; Annot's
// selectedItems (and, for the streamed export, view) narrowing both exports.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "import_test_support.hpp"
#include "video_keyframes_fixture.hpp"

namespace annot::host::import_testing {
namespace {

class ExportStoredFilters : public import_host {
 protected:
  std::int64_t add_task(std::int64_t pid, const std::string& data) {
    auto t = app_->db().run<store::task>([&](store::write_context& w) {
      store::new_task n;
      n.project_id = pid;
      n.data = data;
      return w.create_task(n);
    });
    EXPECT_TRUE(t) << t.error().message();
    return t ? t->id : 0;
  }
  std::int64_t annotate(std::int64_t task, bool ground_truth, bool cancelled, const std::string& result = "[]") {
    auto a = app_->db().run<store::annotation>([&](store::write_context& w) {
      store::new_annotation n;
      n.task_id = task;
      n.result = result;
      n.completed_by = user_id_;
      n.ground_truth = ground_truth;
      n.was_cancelled = cancelled;
      return w.create_annotation(n);
    });
    EXPECT_TRUE(a) << a.error().message();
    return a ? a->id : 0;
  }
  test::http_response post_export(std::int64_t pid, const std::string& body) {
    test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    return c.request("POST", "/api/projects/" + std::to_string(pid) + "/exports", body,
                     auth({{"Content-Type", "application/json"}}));
  }
  // Runs a stored export to completion and returns its snapshot (the JSON task list).
  json run(std::int64_t pid, const std::string& body) {
    auto created = post_export(pid, body);
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return json::array();
    const std::string one =
        "/api/projects/" + std::to_string(pid) + "/exports/" + std::to_string(json::parse(created.body)["id"].get<int>());
    for (int i = 0; i < 400; ++i) {
      json meta = json::parse(get(one).body);
      if (meta["status"] == "completed") {
        auto snap = get(one + "/download?exportType=JSON");
        EXPECT_EQ(snap.status, 200) << snap.body;
        json tasks = json::parse(snap.body);
        EXPECT_EQ(meta["counters"]["task_number"], tasks.size());
        return tasks;
      }
      if (meta["status"] == "failed") {
        ADD_FAILURE() << meta.dump();
        return json::array();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "export did not finish: " << body;
    return json::array();
  }
  static std::set<std::int64_t> ids(const json& tasks) {
    std::set<std::int64_t> out;
    for (const auto& t : tasks) out.insert(t["id"].get<std::int64_t>());
    return out;
  }
  // annotation ids per task id
  static std::map<std::int64_t, std::vector<std::int64_t>> annotations(const json& tasks) {
    std::map<std::int64_t, std::vector<std::int64_t>> out;
    for (const auto& t : tasks) {
      auto& v = out[t["id"].get<std::int64_t>()];
      for (const auto& a : t["annotations"]) v.push_back(a["id"].get<std::int64_t>());
    }
    return out;
  }
};

TEST_F(ExportStoredFilters, TaskAndAnnotationFiltersAsLabelStudio) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  const std::int64_t t1 = add_task(pid, R"({"text": "usual"})");
  const std::int64_t t2 = add_task(pid, R"({"text": "ground truth"})");
  const std::int64_t t3 = add_task(pid, R"({"text": "skipped"})");
  const std::int64_t t4 = add_task(pid, R"({"text": "nothing"})");
  const std::int64_t t5 = add_task(pid, R"({"text": "usual and skipped"})");
  const std::int64_t a1 = annotate(t1, false, false);
  const std::int64_t a2 = annotate(t2, true, false);
  const std::int64_t a3 = annotate(t3, false, true);
  const std::int64_t a5u = annotate(t5, false, false);
  const std::int64_t a5s = annotate(t5, false, true);
  using set = std::set<std::int64_t>;

  // No options: every task and every annotation.
  json all = run(pid, "{}");
  EXPECT_EQ(ids(all), (set{t1, t2, t3, t4, t5}));
  EXPECT_EQ(annotations(all)[t5], (std::vector<std::int64_t>{a5u, a5s}));

  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"skipped": "only"}})")), (set{t3, t5}));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"skipped": "exclude"}})")), (set{t1, t2, t4}));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"annotated": "only"}})")), (set{t1, t2, t5}));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"annotated": "exclude"}})")), (set{t3, t4}));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"annotated": "only", "skipped": "exclude"}})")), (set{t1, t2}));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"skipped": null, "finished": null}})")),
            (set{t1, t2, t3, t4, t5}));
  // finished is the task's is_labeled, as the store keeps it.
  set labeled, unlabeled;
  for (const auto& t : tasks(pid)) (t.is_labeled ? labeled : unlabeled).insert(t.id);
  EXPECT_TRUE(labeled.count(t1) && !labeled.count(t4));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"finished": "only"}})")), labeled);
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"finished": "exclude"}})")), unlabeled);

  // An empty annotation filter takes the default usual=true: ground truth and skipped ones go.
  json usual = run(pid, R"({"annotation_filter_options": {}})");
  EXPECT_EQ(ids(usual), (set{t1, t2, t3, t4, t5}));
  auto per_task = annotations(usual);
  EXPECT_EQ(per_task[t1], (std::vector<std::int64_t>{a1}));
  EXPECT_TRUE(per_task[t2].empty());
  EXPECT_TRUE(per_task[t3].empty());
  EXPECT_EQ(per_task[t5], (std::vector<std::int64_t>{a5u}));
  // The counters stay the task's own.
  for (const auto& t : usual) {
    if (t["id"] == t5) {
      EXPECT_EQ(t["cancelled_annotations"], 1);
    }
  }
  // only_with_annotations counts the annotations the filter kept.
  EXPECT_EQ(ids(run(pid, R"({"annotation_filter_options": {}, "task_filter_options": {"only_with_annotations": true}})")),
            (set{t1, t5}));
  json gt = run(pid, R"({"annotation_filter_options": {"usual": false, "ground_truth": true},
                          "task_filter_options": {"only_with_annotations": true}})");
  EXPECT_EQ(ids(gt), (set{t2}));
  EXPECT_EQ(annotations(gt)[t2], (std::vector<std::int64_t>{a2}));
  json skipped = run(pid, R"({"annotation_filter_options": {"usual": false, "skipped": true},
                               "task_filter_options": {"only_with_annotations": true}})");
  EXPECT_EQ(ids(skipped), (set{t3, t5}));
  EXPECT_EQ(annotations(skipped)[t3], (std::vector<std::int64_t>{a3}));
  EXPECT_EQ(annotations(skipped)[t5], (std::vector<std::int64_t>{a5s}));
  // Booleans as Django REST framework reads them ("yes", 1, "false", ...).
  EXPECT_EQ(ids(run(pid, R"({"annotation_filter_options": {"usual": "no", "ground_truth": 1},
                              "task_filter_options": {"only_with_annotations": "true"}})")),
            (set{t2}));
  // Nothing chosen is no filter.
  EXPECT_EQ(annotations(run(pid, R"({"annotation_filter_options": {"usual": false}})"))[t5].size(), 2u);
  // A filter that keeps no task gives an empty list, not the whole project.
  EXPECT_EQ(run(pid, R"({"task_filter_options": {"annotated": "only", "skipped": "only", "finished": "exclude"}})"),
            json::array());

  // A data-manager view: its filters, then the other task filters.
  auto view = app_->db().run<store::view>([&](store::write_context& w) {
    store::new_view v;
    v.project_id = pid;
    v.data = json{{"filters",
                   {{"conjunction", "or"},
                    {"items",
                     {{{"filter", "filter:tasks:id"}, {"operator", "equal"}, {"type", "Number"}, {"value", t2}},
                      {{"filter", "filter:tasks:id"}, {"operator", "equal"}, {"type", "Number"}, {"value", t4}}}}}}}
                 .dump();
    return w.create_view(v);
  });
  ASSERT_TRUE(view) << view.error().message();
  const std::string vid = std::to_string(view->id);
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"view": )" + vid + "}}")), (set{t2, t4}));
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"view": ")" + vid + R"(", "annotated": "only"}})")), (set{t2}));
  // A view of another project is ignored, as Label Studio ignores a missing one.
  const std::int64_t other = make_project();
  const std::int64_t ot = add_task(other, R"({"text": "elsewhere"})");
  EXPECT_EQ(ids(run(other, R"({"task_filter_options": {"view": )" + vid + "}}")), set{ot});
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"view": 999999}})")), (set{t1, t2, t3, t4, t5}));

  // Bad values: 400 naming the option.
  for (const char* body : {R"({"task_filter_options": {"skipped": "sometimes"}})",
                           R"({"task_filter_options": {"finished": true}})", R"({"task_filter_options": [1]})",
                           R"({"task_filter_options": {"view": "abc"}})",
                           R"({"annotation_filter_options": {"usual": "maybe"}})",
                           R"({"serialization_options": {"drafts": true}})",
                           R"({"serialization_options": {"interpolate_key_frames": 2}})"}) {
    auto r = post_export(pid, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.body;
    std::string option = json::parse(body).begin().key();
    EXPECT_NE(j.dump().find(option), std::string::npos) << r.body;
  }
  // A title is at most 2,048 characters (not bytes).
  std::string title;
  for (int i = 0; i < 2048; ++i) title += "\u00e9";
  EXPECT_EQ(post_export(pid, json{{"title", title}}.dump()).status, 201);
  auto long_title = post_export(pid, json{{"title", title + "x"}}.dump());
  EXPECT_EQ(long_title.status, 400);
  EXPECT_NE(long_title.body.find("title"), std::string::npos) << long_title.body;
}

TEST_F(ExportStoredFilters, SerializationOptions) {
  start();
  const std::int64_t pid = make_project(
      "<View><Video name=\"video\" value=\"$video\"/><VideoRectangle name=\"box\" toName=\"video\"/></View>");
  const std::int64_t t = add_task(pid, R"({"video": "/data/v.mp4"})");
  const json box = annot::host::testing::two_keyframe_video_box();
  annotate(t, false, false, json::array({box}).dump());

  // Without serialization_options: completed_by is the user id, keyframes as stored.
  json plain = run(pid, "{}");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0]["annotations"][0]["completed_by"], user_id_);
  EXPECT_EQ(plain[0]["annotations"][0]["result"][0]["value"]["sequence"].size(), 2u);

  json expanded = run(pid, R"({"serialization_options": {"annotations__completed_by": {},
                                                           "interpolate_key_frames": true}})");
  ASSERT_EQ(expanded.size(), 1u);
  EXPECT_EQ(expanded[0]["annotations"][0]["completed_by"]["email"], "importer@example.com");
  const json& seq = expanded[0]["annotations"][0]["result"][0]["value"]["sequence"];
  ASSERT_EQ(seq.size(), 3u) << seq.dump();
  EXPECT_EQ(seq[1]["frame"], 2);
  EXPECT_EQ(seq[1]["x"], 15.0);
  EXPECT_EQ(seq[1]["time"], 0.08);
  EXPECT_EQ(seq[1]["auto"], true);
  // only_id keeps the id.
  json ids_only = run(pid, R"({"serialization_options": {"annotations__completed_by": {"only_id": true}}})");
  EXPECT_EQ(ids_only[0]["annotations"][0]["completed_by"], user_id_);
}

// An explicit "usual": null is None upstream: no condition, so every annotation is written; absent,
// it defaults to true.
TEST_F(ExportStoredFilters, ANullUsualFilterKeepsEveryAnnotation) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  const std::int64_t t = add_task(pid, R"({"text": "a"})");
  const std::vector<std::int64_t> all = {annotate(t, false, false), annotate(t, true, false),
                                         annotate(t, false, true)};
  EXPECT_EQ(annotations(run(pid, R"({"annotation_filter_options": {"usual": null}})"))[t], all);
  EXPECT_EQ(annotations(run(pid, R"({"annotation_filter_options": {}})"))[t],
            std::vector<std::int64_t>{all[0]});
  EXPECT_EQ(
      annotations(run(pid, R"({"annotation_filter_options": {"usual": null, "ground_truth": true}})"))[t],
      std::vector<std::int64_t>{all[1]});
}

// Label Studio's export serializers: drafts (AnnotationDraftSerializer: user as the email,
// created_username, created_ago, project), predictions (PredictionSerializer: created_ago, model),
// file_upload as the file's base name, and "$undefined$" data renamed to the config's first data key.
TEST_F(ExportStoredFilters, DraftsPredictionsUploadsAndUndefinedDataAsLabelStudio) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  auto upload = app_->db().run<store::file_upload>([&](store::write_context& w) {
    store::new_file_upload f;
    f.project_id = pid;
    f.user_id = user_id_;
    f.file = std::to_string(pid) + "/4fdf0cce-lines.txt";
    f.original_name = "lines.txt";
    return w.create_file_upload(f);
  });
  ASSERT_TRUE(upload) << upload.error().message();
  auto made = app_->db().run<store::task>([&](store::write_context& w) {
    store::new_task n;
    n.project_id = pid;
    n.data = R"({"$undefined$": "from a file", "n": 1})";
    n.file_upload_id = upload->id;
    return w.create_task(n);
  });
  ASSERT_TRUE(made) << made.error().message();
  const std::int64_t t1 = made->id;
  const std::int64_t t2 = add_task(pid, R"({"text": "old", "$undefined$": "new"})");
  annotate(t1, false, false);
  annotate(t2, false, false);
  ASSERT_TRUE(app_->db().run<store::user>([&](store::write_context& w) {
    store::user_patch u;
    u.first_name = "Ann";
    return w.update_user(user_id_, u);
  }));
  auto draft = app_->db().run<store::draft>([&](store::write_context& w) {
    store::new_draft d;
    d.task_id = t1;
    d.user_id = user_id_;
    return w.create_draft(d);
  });
  ASSERT_TRUE(draft) << draft.error().message();
  auto prediction = app_->db().run<store::prediction>([&](store::write_context& w) {
    store::new_prediction p;
    p.task_id = t1;
    return w.create_prediction(p);
  });
  ASSERT_TRUE(prediction) << prediction.error().message();

  json tasks = run(pid, R"({"serialization_options": {"drafts": {}, "predictions": {}}})");
  ASSERT_EQ(tasks.size(), 2u);
  const json& first = tasks[0];
  // The value takes the key's place when the data has it, else goes last.
  EXPECT_EQ(first["data"].dump(), R"({"n":1,"text":"from a file"})");
  EXPECT_EQ(tasks[1]["data"].dump(), R"({"text":"new"})");
  EXPECT_EQ(first["file_upload"], "4fdf0cce-lines.txt");
  ASSERT_EQ(first["drafts"].size(), 1u);
  const json& d = first["drafts"][0];
  EXPECT_EQ(d["id"], draft->id);
  EXPECT_EQ(d["user"], "importer@example.com");
  EXPECT_EQ(d["created_username"], "Ann importer@example.com, " + std::to_string(user_id_));
  EXPECT_EQ(d["created_ago"], "0\u00a0minutes");
  EXPECT_EQ(d["project"], pid);
  ASSERT_EQ(first["predictions"].size(), 1u);
  const json& p = first["predictions"][0];
  EXPECT_EQ(p["id"], prediction->id);
  EXPECT_EQ(p["created_ago"], "0\u00a0minutes");
  EXPECT_TRUE(p.contains("model") && p["model"].is_null()) << p.dump();

  // The easy export writes the same data and names.
  auto easy = get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON");
  ASSERT_EQ(easy.status, 200) << easy.body;
  json easy_tasks = json::parse(easy.body);
  ASSERT_EQ(easy_tasks.size(), 2u);
  EXPECT_EQ(easy_tasks[0]["data"], first["data"]);
  EXPECT_EQ(easy_tasks[0]["file_upload"], "4fdf0cce-lines.txt");
  EXPECT_EQ(easy_tasks[0]["drafts"][0]["user"], "importer@example.com");
}

// Jobs end with the server: an export or a conversion it left running is marked failed when the
// server starts again, and the conversion can be asked again.
TEST_F(ExportStoredFilters, ExportsAndConversionsLeftRunningFailAtTheNextStart) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  annotate(add_task(pid, R"({"text": "a"})"), false, false);
  auto created = post_export(pid, "{}");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t pk = json::parse(created.body)["id"].get<std::int64_t>();
  const std::string one = "/api/projects/" + std::to_string(pid) + "/exports/" + std::to_string(pk);
  for (int i = 0; i < 400 && json::parse(get(one).body)["status"] != "completed"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  ASSERT_EQ(json::parse(get(one).body)["status"], "completed");

  // As a server killed mid-way leaves them: this export converting to JSON_MIN, another one snapshotting.
  app_.reset();
  const fs::path exports = root_ / "data" / "export" / std::to_string(pid);
  auto edit = [](const fs::path& file, const std::function<void(json&)>& change) {
    json m = json::parse(std::ifstream(file), nullptr, false);
    if (!m.is_object()) m = json::object();
    change(m);
    std::ofstream(file, std::ios::trunc) << m.dump(2);
  };
  edit(exports / std::to_string(pk) / "meta.json", [](json& m) {
    m["converted_formats"] = json::array(
        {{{"id", 1}, {"status", "in_progress"}, {"export_type", "JSON_MIN"}, {"traceback", nullptr}}});
  });
  fs::create_directories(exports / std::to_string(pk + 1));
  edit(exports / std::to_string(pk + 1) / "meta.json", [&](json& m) {
    m = {{"id", pk + 1}, {"status", "in_progress"}, {"converted_formats", json::array()}};
  });
  // What they had written: a partial converted file, a partial snapshot. They go at the start; the
  // completed export's snapshot and another format's file stay.
  std::ofstream(exports / std::to_string(pk) / "converted-JSON_MIN.json") << "[{\"cut";
  std::ofstream(exports / std::to_string(pk) / "converted-JSON_MINUS.json") << "not ours";
  std::ofstream(exports / std::to_string(pk + 1) / "tasks.json") << "[{\"cut";

  start();
  json meta = json::parse(get(one).body);
  EXPECT_EQ(meta["status"], "completed");
  ASSERT_EQ(meta["converted_formats"].size(), 1u) << meta.dump();
  EXPECT_EQ(meta["converted_formats"][0]["status"], "failed");
  EXPECT_NE(meta["converted_formats"][0]["traceback"].get<std::string>().find("server stopped"),
            std::string::npos);
  json other =
      json::parse(get("/api/projects/" + std::to_string(pid) + "/exports/" + std::to_string(pk + 1)).body);
  EXPECT_EQ(other["status"], "failed") << other.dump();
  EXPECT_FALSE(fs::exists(exports / std::to_string(pk) / "converted-JSON_MIN.json"));
  EXPECT_TRUE(fs::exists(exports / std::to_string(pk) / "converted-JSON_MINUS.json"));
  EXPECT_TRUE(fs::exists(exports / std::to_string(pk) / "tasks.json")) << "the completed snapshot stays";
  EXPECT_FALSE(fs::exists(exports / std::to_string(pk + 1) / "tasks.json"));

  test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
  auto conv = c.request("POST", one + "/convert", R"({"export_type": "JSON_MIN"})",
                        auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(conv.status, 200) << conv.body;
  for (int i = 0; i < 400 && json::parse(get(one).body)["converted_formats"][0]["status"] == "in_progress";
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  meta = json::parse(get(one).body);
  EXPECT_EQ(meta["converted_formats"][0]["status"], "completed") << meta.dump();
  auto file = get(one + "/download?exportType=JSON_MIN");
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.header("Content-Type").value_or(""), "application/json");
}

// Ids are never handed out twice (a deleted export's id stays used across a restart, as Label Studio's
// auto-increment); a failed conversion's download says it failed and why; an empty exportType is
// JSON; include_annotation_history is a boolean like its siblings.
TEST_F(ExportStoredFilters, IdsStayUsedAndFailuresAreNamed) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  annotate(add_task(pid, R"({"text": "a"})"), false, false);
  const std::string exports = "/api/projects/" + std::to_string(pid) + "/exports";
  auto created = [&] {
    auto r = post_export(pid, "{}");
    EXPECT_EQ(r.status, 201) << r.body;
    const std::int64_t pk = json::parse(r.body)["id"].get<std::int64_t>();
    for (int i = 0;
         i < 400 && json::parse(get(exports + "/" + std::to_string(pk)).body)["status"] != "completed"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    return pk;
  };
  const std::int64_t first = created(), second = created();
  test::http_client c(port_);
  ASSERT_EQ(c.request("DELETE", exports + "/" + std::to_string(second), "", auth()).status, 204);
  auto bad = post_export(pid, R"({"serialization_options": {"include_annotation_history": "x"}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("include_annotation_history"), std::string::npos) << bad.body;

  app_.reset();
  const fs::path meta_file =
      root_ / "data" / "export" / std::to_string(pid) / std::to_string(first) / "meta.json";
  json m = json::parse(std::ifstream(meta_file));
  m["converted_formats"] = json::array({{{"id", 1},
                                         {"status", "failed"},
                                         {"export_type", "VOC"},
                                         {"traceback", "cannot create images/x: File name too long"}}});
  std::ofstream(meta_file, std::ios::trunc) << m.dump(2);
  start();

  EXPECT_GT(created(), second) << "the deleted export's id was handed out again";
  auto failed = get(exports + "/" + std::to_string(first) + "/download?exportType=VOC");
  EXPECT_EQ(failed.status, 404);
  EXPECT_NE(failed.body.find("failed"), std::string::npos) << failed.body;
  EXPECT_NE(failed.body.find("File name too long"), std::string::npos) << failed.body;
  auto json_file = get(exports + "/" + std::to_string(first) + "/download?exportType=");
  EXPECT_EQ(json_file.status, 200) << json_file.body;
}

// Annot's extension for the export dialog: the data manager's selection (selectedItems) narrows both
// exports, within a tab (view) when one is given and in place of the tab's saved selection; the
// streamed export also takes the tab. A selection that keeps no task exports none, not the project.
TEST_F(ExportStoredFilters, ATabAndASelectionNarrowBothExports) {
  start();
  const std::int64_t pid = make_project("<View><Text name=\"text\" value=\"$text\"/></View>");
  std::vector<std::int64_t> t;
  for (const char* text : {"one", "two", "three", "four", "five"})
    t.push_back(add_task(pid, json{{"text", text}}.dump()));
  annotate(t[1], false, false);
  annotate(t[3], false, false);
  using set = std::set<std::int64_t>;
  auto id_is = [](std::int64_t id) {
    return json{{"filter", "filter:tasks:id"}, {"operator", "equal"}, {"type", "Number"}, {"value", id}};
  };
  // The tab keeps tasks 2, 3 and 4, and has a selection of its own saved (task 3).
  auto view = app_->db().run<store::view>([&](store::write_context& w) {
    store::new_view v;
    v.project_id = pid;
    v.data = json{{"filters", {{"conjunction", "or"}, {"items", {id_is(t[1]), id_is(t[2]), id_is(t[3])}}}},
                  {"selectedItems", {{"all", false}, {"included", {t[2]}}}}}
                 .dump();
    return w.create_view(v);
  });
  ASSERT_TRUE(view) << view.error().message();
  const std::string vid = std::to_string(view->id);
  auto all_but = [](std::int64_t id) { return json{{"all", true}, {"excluded", {id}}}; };
  auto only = [](std::vector<std::int64_t> ids) { return json{{"all", false}, {"included", ids}}; };

  // Stored exports.
  EXPECT_EQ(ids(run(pid, R"({"task_filter_options": {"view": )" + vid + "}}")), set{t[2]});
  EXPECT_EQ(ids(run(pid, json{{"task_filter_options", {{"view", view->id}, {"selectedItems", all_but(t[2])}}}}.dump())),
            (set{t[1], t[3]}));
  EXPECT_EQ(ids(run(pid, json{{"task_filter_options", {{"selectedItems", only({t[0], t[4]})}}}}.dump())),
            (set{t[0], t[4]}));
  EXPECT_EQ(ids(run(pid, json{{"task_filter_options", {{"selectedItems", only({t[0], t[4]})}, {"annotated", "only"}}}}
                             .dump())),
            set{});
  auto bad = post_export(pid, R"({"task_filter_options": {"selectedItems": {"all": "yes"}}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("task_filter_options.selectedItems.all"), std::string::npos) << bad.body;

  // The streamed export.
  auto encode = [](const std::string& v) {
    std::string out;
    for (unsigned char c : v) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(buf);
    }
    return out;
  };
  const std::string easy = "/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&download_all_tasks=true";
  auto streamed = [&](const std::string& query) {
    auto r = get(easy + query);
    EXPECT_EQ(r.status, 200) << query << " -> " << r.body;
    return r.status == 200 ? ids(json::parse(r.body)) : set{0};
  };
  EXPECT_EQ(streamed("&view=" + vid), set{t[2]});
  EXPECT_EQ(streamed("&view=" + vid + "&selectedItems=" + encode(all_but(t[2]).dump())), (set{t[1], t[3]}));
  EXPECT_EQ(streamed("&selectedItems=" + encode(only({t[0], t[4]}).dump())), (set{t[0], t[4]}));
  // Within ids[] when both are given; a selection of nothing exports nothing.
  EXPECT_EQ(streamed("&selectedItems=" + encode(only({t[0], t[4]}).dump()) + "&ids[]=" + std::to_string(t[4])),
            set{t[4]});
  EXPECT_EQ(streamed("&selectedItems=" + encode(only({}).dump())), set{});
  EXPECT_EQ(streamed("&view=" + vid + "&selectedItems=" + encode(only({t[0]}).dump())), set{});
  // download_all_tasks=false still leaves out the tasks without annotations.
  auto annotated = get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&view=" + vid +
                       "&selectedItems=" + encode(all_but(t[2]).dump()));
  ASSERT_EQ(annotated.status, 200) << annotated.body;
  EXPECT_EQ(ids(json::parse(annotated.body)), (set{t[1], t[3]}));
  annotated = get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&selectedItems=" +
                  encode(only({t[0], t[1]}).dump()));
  ASSERT_EQ(annotated.status, 200) << annotated.body;
  EXPECT_EQ(ids(json::parse(annotated.body)), set{t[1]});

  // Bad values: 400 naming the parameter; a tab of another project or none is refused here (the
  // stored export ignores it, as Label Studio does).
  const std::int64_t other = make_project();
  const std::string other_easy = "/api/projects/" + std::to_string(other) + "/export?exportType=JSON";
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {easy + "&view=abc", "view"},
           {easy + "&view=999999", "view"},
           {other_easy + "&view=" + vid, "view"},
           {easy + "&selectedItems=" + encode("{\"all\": false, \"included\": \"x\"}"), "selectedItems"},
           {easy + "&selectedItems=nope", "selectedItems"}}) {
    auto r = get(query);
    EXPECT_EQ(r.status, 400) << query << " -> " << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.body;
    EXPECT_TRUE(j["validation_errors"].contains(field)) << query << " -> " << r.body;
  }
}

}  // namespace
}  // namespace annot::host::import_testing
