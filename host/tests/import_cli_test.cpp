// `annot import` against the API's import: the same files (JSON with annotations and predictions,
// CSV with quoted fields, TSV; TXT on its own), JSON on stdin and pre-annotated fields give the same report
// and the same tasks, annotations and predictions through either, the CLI writing beside a running server.
// The one difference is by design: the CLI reads task files where they are, so its tasks have no file_upload
// (the API keeps each uploaded file). Bad input exits non-zero, names the file, and leaves the project as it
// was.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>

#include "annot_cli.hpp"
#include "import_test_support.hpp"

namespace annot::host::import_testing {
namespace {

using ImportCliTest = import_host;

const char* const config =
    R"(<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="PER"/></Labels></View>)";

// Files this test writes: tasks a user might bring, with what their formats make hard.
std::vector<file_part> generated_files(std::int64_t user_id) {
  json tasks = json::array();
  for (int i = 0; i < 30; ++i) {
    json t = {{"data",
               {{"text", "Anna " + std::to_string(i) + " \u00e9\u4e2d \"q\""},
                {"n", i},
                {"f", 0.1 * i},
                {"nested", {{"list", {1, "two", nullptr, true}}}}}}};
    const json span = {{"from_name", "label"},
                       {"to_name", "text"},
                       {"type", "labels"},
                       {"value", {{"start", 0}, {"end", 4}, {"text", "Anna"}, {"labels", {"PER"}}}}};
    if (i % 3 == 0)
      t["annotations"] = {{{"result", {span}},
                           {"completed_by", user_id},
                           {"created_at", "2024-01-02T03:04:05.123456Z"},
                           {"lead_time", 1.5}}};
    if (i % 4 == 1)
      t["predictions"] = {{{"result", {span}}, {"score", 0.25 * (i % 5)}, {"model_version", "m1"}}};
    tasks.push_back(std::move(t));
  }
  return {
      {"tasks.json", tasks.dump()},
      {"rows.csv",
       "text,score,note\nplain,1,\"a, b\"\n\"two\nlines\",2.5,\"say \"\"hi\"\"\"\n\u00fcber,,x\n"},
      {"rows.tsv", "text\tscore\none\t1\ntwo\t\n"},
  };
}

// A task as Label Studio's JSON export gives it, without what differs between two imports of the same
// file: ids, the project, times the import sets, the file an API upload keeps, and each annotation's
// and prediction's links to them.
json comparable(json task) {
  for (const char* k : {"id", "inner_id", "project", "created_at", "updated_at", "file_upload", "updated_by"})
    task.erase(k);
  for (const char* list : {"annotations", "predictions", "drafts"}) {
    if (!task.contains(list)) continue;
    for (auto& a : task[list])
      if (a.is_object())
        for (const char* k : {"id", "task", "project", "import_id", "updated_at", "created_ago",
                              "parent_prediction", "parent_annotation", "unique_id"})
          a.erase(k);
  }
  // Annotations without a given created_at get the import's time.
  for (auto& a : task["annotations"])
    if (a.value("created_at", "") != "2024-01-02T03:04:05.123456Z") a.erase("created_at");
  // The JSON export lists a task's predictions by id.
  if (task.contains("predictions")) task["predictions"] = task["predictions"].size();
  return task;
}

class cli_import : public import_host {
 protected:
  // `annot import PID <args>` on the host's data folder while it serves; stdin from `input` when given.
  std::pair<int, std::string> run(std::int64_t pid, const std::string& args, const std::string& input = "") {
    std::string all = "import " + std::to_string(pid) + " " + args + " --quiet --data-dir " +
                      (root_ / "data").string() + " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR;
    if (!input.empty()) {
      const fs::path in = root_ / "stdin.json";
      std::ofstream(in, std::ios::binary) << input;
      all += " < " + in.string();
    }
    auto r = testing::run_annot(all);
    return {r.code, r.out};
  }
  std::string write(const file_part& f) {
    const fs::path p = root_ / "files" / f.filename;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << f.content;
    return p.string();
  }
  json exported(std::int64_t pid) {
    auto r = get("/api/projects/" + std::to_string(pid) + "/export?exportType=JSON&download_all_tasks=true");
    EXPECT_EQ(r.status, 200) << r.body;
    json out = json::array();
    for (auto& t : json::parse(r.body)) out.push_back(comparable(t));
    return out;
  }
  // The project's predictions in task order: result (as values), score, model version.
  json predictions(std::int64_t pid) {
    std::vector<std::int64_t> ids;
    for (const auto& t : tasks(pid)) ids.push_back(t.id);
    auto ps = app_->db().read()->list_task_predictions(ids);
    EXPECT_TRUE(ps) << ps.error().message();
    json out = json::array();
    for (const auto& p : *ps)
      out.push_back({json::parse(p.result), p.score ? json(*p.score) : json(), p.model_version});
    return out;
  }
  // The report's fields that describe what was imported (not its ids or duration).
  static json summary(const json& report) {
    json s;
    for (const char* k : {"task_count", "annotation_count", "prediction_count", "data_columns",
                          "found_formats", "could_be_tasks_list"})
      s[k] = report.value(k, json());
    return s;
  }
};

TEST_F(cli_import, FilesGiveWhatTheApiGivesBesideARunningServer) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  start();
  const std::int64_t api = make_project(config), cli = make_project(config);
  const auto files = generated_files(user_id_);
  auto r = post_files(api, files);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string args;
  for (const auto& f : files) args += " " + write(f);
  auto [rc, out] = run(cli, args);
  ASSERT_EQ(rc, 0) << out;
  const json api_report = json::parse(r.body), cli_report = json::parse(out);
  EXPECT_EQ(summary(cli_report), summary(api_report));
  EXPECT_EQ(api_report["task_count"], 30 + 3 + 2);
  EXPECT_EQ(api_report["annotation_count"], 10);
  EXPECT_EQ(api_report["prediction_count"], 8);
  const json want = exported(api), got = exported(cli);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "task " << i;
  EXPECT_EQ(predictions(cli), predictions(api));
  EXPECT_EQ(predictions(api).size(), 8u);

  // The API's async import (a job) gives the same.
  const std::int64_t later = make_project(config);
  r = post_files(later, files, "?async=true");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string job = "/api/projects/" + std::to_string(later) + "/imports/" +
                          std::to_string(json::parse(r.body)["import"].get<int>());
  json state = json::object();
  for (int i = 0;
       i < 600 && state.value("status", "") != "completed" && state.value("status", "") != "failed"; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    state = json::parse(get(job).body);
  }
  ASSERT_EQ(state["status"], "completed") << state.dump();
  EXPECT_EQ(exported(later), want);
  EXPECT_EQ(predictions(later), predictions(api));
  // The one difference: the API keeps the uploaded files, the CLI reads them in place.
  auto raw = json::parse(get("/api/projects/" + std::to_string(cli) + "/export?exportType=JSON").body);
  for (const auto& t : raw) EXPECT_TRUE(!t.contains("file_upload") || t["file_upload"].is_null()) << t.dump();

  // A text file alone (Label Studio refuses it beside files of other data keys): a task per line.
  const file_part lines{"lines.txt", "first line\nsecond line\n\nfourth after a blank\n"};
  const std::int64_t api_txt = make_project(config), cli_txt = make_project(config);
  r = post_files(api_txt, {lines});
  ASSERT_EQ(r.status, 201) << r.body;
  std::tie(rc, out) = run(cli_txt, write(lines));
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(summary(json::parse(out)), summary(json::parse(r.body)));
  EXPECT_EQ(exported(cli_txt), exported(api_txt));
  EXPECT_GE(exported(cli_txt).size(), 3u);
}

TEST_F(cli_import, StdinAndPreannotatedFieldsGiveWhatTheApiGives) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  start();
  const std::string body =
      R"([{"text": "a", "pred": [{"from_name": "label", "to_name": "text", "type": "labels",
      "value": {"start": 0, "end": 1, "text": "a", "labels": ["PER"]}}], "keep": {"b": 1, "a": 2}},
      {"text": "b", "pred": []}])";
  const std::int64_t api = make_project(config), cli = make_project(config);
  auto r = post_json(api, body, "?preannotated_from_fields=pred&return_task_ids=true");
  ASSERT_EQ(r.status, 201) << r.body;
  auto [rc, out] = run(cli, "- --preannotated-from-fields pred --return-task-ids", body);
  ASSERT_EQ(rc, 0) << out;
  const json report = json::parse(out);
  EXPECT_EQ(summary(report), summary(json::parse(r.body)));
  EXPECT_EQ(report["prediction_count"], 2);
  // The listed ids are the project's new tasks, in the file's order.
  std::vector<std::int64_t> ids;
  for (const auto& t : tasks(cli)) ids.push_back(t.id);
  EXPECT_EQ(report["task_ids"].get<std::vector<std::int64_t>>(), ids);
  EXPECT_EQ(exported(cli), exported(api));
  EXPECT_EQ(predictions(cli), predictions(api));
}

TEST_F(cli_import, BadInputExitsNonZeroNamesItAndChangesNothing) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  start();
  const std::int64_t pid = make_project(config);
  const std::string good = write({"good.json", R"([{"text": "kept"}])"});
  ASSERT_EQ(run(pid, good).first, 0);
  // A good file before a bad one in the same run: the whole run is refused.
  const std::string broken = write({"broken.json", R"([{"text": "x"}, {"text": )"});
  auto [rc, out] = run(pid, good + " " + broken);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("broken.json"), std::string::npos) << out;
  const std::string no_key = write({"no_key.json", R"([{"other": "x"}])"});
  std::tie(rc, out) = run(pid, no_key);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("text"), std::string::npos) << out;  // the config's data key it lacks
  std::tie(rc, out) = run(pid, (root_ / "files" / "missing.json").string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("missing.json"), std::string::npos) << out;
  std::tie(rc, out) = run(999999, good);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("999999"), std::string::npos) << out;
  // A task the store refuses is counted from 1 over the import, as the other messages count (the
  // store's own index in its batch said "task 0" for the third task of a second batch).
  const std::string bignum =
      write({"bignum.json",
             R"([{"text": "a"}, {"text": "b"}, {"text": "c", "n": 123456789012345678901234567890}])"});
  std::tie(rc, out) = run(pid, bignum + " --batch 2");
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("task 3: data holds a number beyond 64-bit integers"), std::string::npos) << out;
  std::tie(rc, out) = run(pid, good + " --batch 0");
  EXPECT_EQ(rc, 2) << out;
  // Standard input named twice: the second read would find it empty and fail the import after the first.
  std::tie(rc, out) = run(pid, "- -", R"([{"text": "twice"}])");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("standard input"), std::string::npos) << out;
  ASSERT_EQ(tasks(pid).size(), 1u);
  EXPECT_EQ(json::parse(tasks(pid)[0].data), json::parse(R"({"text": "kept"})"));
}

// Media files become uploads of the project, named by the report as the API's import names them; an
// import that fails afterwards (here a broken task file after the image) removes its uploads again, record
// and bytes, so that it adds nothing. (They used to stay, and the report's file_upload_ids was always [].)
TEST_F(cli_import, MediaUploadsAreReportedAndGoWithAFailedImport) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  start();
  const std::int64_t pid = make_project(R"(<View><Image name="img" value="$image"/></View>)");
  const std::string image = write({"red.png", std::string("\x89PNG\r\n\x1a\n not decoded by an import", 33)});
  const std::string broken = write({"broken.json", R"([{"image": )"});
  const fs::path uploads = root_ / "data" / "upload" / std::to_string(pid);
  const auto files_in_uploads = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(uploads, ec);
         !ec && it != fs::recursive_directory_iterator(); ++it)
      n += it->is_regular_file() ? 1 : 0;
    return n;
  };

  auto [rc, out] = run(pid, image + " " + broken);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("broken.json"), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line, no blank one before it: " << out;
  auto kept = app_->db().read()->list_file_uploads(pid);
  ASSERT_TRUE(kept) << kept.error().message();
  EXPECT_TRUE(kept->empty());
  EXPECT_EQ(files_in_uploads(), 0u);
  EXPECT_TRUE(tasks(pid).empty());

  // No such project: said so, and nothing is copied.
  std::tie(rc, out) = run(999999, image);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("999999"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(root_ / "data" / "upload" / "999999"));

  std::tie(rc, out) = run(pid, image + " --return-task-ids");
  ASSERT_EQ(rc, 0) << out;
  const json report = json::parse(out);
  kept = app_->db().read()->list_file_uploads(pid);
  ASSERT_TRUE(kept) << kept.error().message();
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(report["file_upload_ids"], json::array({kept->front().id}));
  ASSERT_EQ(tasks(pid).size(), 1u);
  EXPECT_EQ(tasks(pid)[0].file_upload_id, kept->front().id);
  EXPECT_EQ(files_in_uploads(), 1u);
}

// A --data-dir without a database (a typing mistake) is said so, and no empty database is made there.
TEST_F(cli_import, AMissingDatabaseIsNotMade) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  const fs::path nowhere = root_ / "no-such-data";
  const std::string file = write({"one.json", R"([{"text": "x"}])"});
  auto r = testing::run_annot("import 1 " + file + " --quiet --data-dir " + nowhere.string() +
                              " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("no database at " + (nowhere / "annot.db").string()), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(nowhere));
  r = testing::run_annot("user list --data-dir " + nowhere.string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("no database at"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(nowhere));
}

// Ctrl-C (SIGINT) while `annot import` reads a large file: the import stops at its next batch, is
// failed, and the project keeps only what it had; the command exits with 130 and says nothing was
// imported. (The signal's default action used to end the process without a word; the import was
// failed later, by a running server's sweep or at the next start.)
TEST_F(cli_import, InterruptedImportPublishesNothing) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  start();
  const std::int64_t pid = make_project(config);
  ASSERT_EQ(run(pid, write({"one.json", R"([{"text": "kept"}])"})).first, 0);
  std::string many = "[";
  for (int i = 0; i < 300000; ++i)
    many += (i ? ",{\"text\": \"task " : "{\"text\": \"task ") + std::to_string(i) + "\"}";
  const std::string file = write({"many.json", many + "]"});
  testing::running_annot import("import " + std::to_string(pid) + " " + file +
                                    " --batch 1000 --quiet --data-dir " + (root_ / "data").string() +
                                    " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR,
                                (root_ / "import.log").string());
  ASSERT_TRUE(import.started());
  // Signalled once the import is recorded (begun; its batches are polled for the signal).
  std::optional<std::int64_t> staging;
  for (int i = 0; i < 20000 && !staging && !import.exited(); ++i) {
    if (auto list = app_->db().read()->list_imports(pid))
      for (const auto& r : *list)
        if (r.status == store::import_status::created || r.status == store::import_status::in_progress)
          staging = r.id;
    if (!staging) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(staging) << "the import was not seen staging: " << import.wait().out;
  import.signal(SIGINT);
  auto r = import.wait();
  EXPECT_EQ(r.code, 130) << r.out;
  EXPECT_NE(r.out.find("interrupted by SIGINT; nothing was imported"), std::string::npos) << r.out;
  ASSERT_EQ(tasks(pid).size(), 1u);
  auto record = app_->db().read()->get_import(*staging);
  ASSERT_TRUE(record) << record.error().message();
  EXPECT_EQ(record->status, store::import_status::failed);
}

}  // namespace
}  // namespace annot::host::import_testing
