// POST /api/projects/{id}/import over real HTTP on 127.0.0.1: Label Studio's sample files with the
// task counts Label Studio gives, malformed inputs refused with 400 and the project unchanged,
// uploads served with auth and ranges, url= imports behind the private-address guard, async jobs,
// commit_to_project=false + reimport, return_task_ids and preannotated_from_fields.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "import/pipeline.hpp"
#include "import/upload_files.hpp"
#include "import_test_support.hpp"
#include "store/time.hpp"

namespace annot::host::import_testing {
namespace {

using ImportApiTest = import_host;

struct sample {
  const char* file;
  std::int64_t tasks;
  std::int64_t annotations;
  std::int64_t predictions;
};

// What Label Studio 1.22 imports from each sample into a project with the default config
// (<View></View>: no data-key checks). data_examples.json is one dict, so one task.
const sample samples[] = {
    {"data_examples.json", 1, 0, 0},
    {"example_repeater.json", 1, 0, 0},
    {"float_tasks.json", 3, 0, 0},
    {"image_urls.csv", 3, 0, 0},
    {"image_urls_with_bboxes.json", 2, 0, 0},
    {"image_urls_with_bboxes_gt.json", 2, 2, 0},
    {"image_urls_with_classes.csv", 2, 0, 0},
    {"int_tasks.json", 6, 0, 1},
    {"lines.txt", 3, 0, 0},
    {"random-with-predictions.json", 1, 0, 1},
    {"str_tasks.json", 4, 0, 0},
    {"tasks_annotations_predictions.json", 6, 4, 3},
    {"test_1.csv", 2, 0, 0},
    {"test_2.csv", 3, 0, 0},
    {"test_3.csv", 2, 0, 0},
    {"test_4.csv", 3, 0, 0},
    {"test_5.csv", 3, 0, 0},
    {"text_with_2_predictions.json", 1, 0, 2},
    {"text_with_2_tasks.json", 2, 0, 0},
    {"three_tasks_two_gts.json", 3, 3, 3},
    {"unexisted_s3_links.txt", 1, 0, 0},
};

TEST_F(ImportApiTest, EverySampleImportsWithLabelStudiosCounts) {
  auto dir = samples_dir();
  if (dir.empty()) GTEST_SKIP() << "../shared/fixtures/ls-import-samples is absent (set ANNOT_SHARED_DIR)";
  start();
  for (const auto& s : samples) {
    SCOPED_TRACE(s.file);
    std::int64_t pid = make_project();
    auto r = post_files(pid, {{s.file, read_file(dir / s.file)}});
    ASSERT_EQ(r.status, 201) << r.body;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["task_count"], s.tasks);
    EXPECT_EQ(j["annotation_count"], s.annotations);
    EXPECT_EQ(j["prediction_count"], s.predictions);
    EXPECT_EQ(j["file_upload_ids"].size(), 1u);
    std::string ext = fs::path(s.file).extension().string();
    EXPECT_EQ(j["found_formats"], json({{ext, 1}}));
    EXPECT_EQ(j["could_be_tasks_list"], ext != ".json");
    auto p = project(pid);
    EXPECT_EQ(p.task_number, s.tasks);
    EXPECT_EQ(p.total_predictions_number, s.predictions);
    EXPECT_EQ(std::int64_t(tasks(pid).size()), s.tasks);

    // JSON samples also as a request body (no file upload).
    if (ext == ".json") {
      std::int64_t pid2 = make_project();
      auto b = post_json(pid2, read_file(dir / s.file));
      ASSERT_EQ(b.status, 201) << b.body;
      auto jb = json::parse(b.body);
      EXPECT_EQ(jb["task_count"], s.tasks);
      EXPECT_EQ(jb["found_formats"], json::array());
      EXPECT_EQ(jb["file_upload_ids"], json::array());
    }
  }
}

TEST_F(ImportApiTest, CsvKeepsNumbersAndTxtUsesTheConfigsKey) {
  auto dir = samples_dir();
  if (dir.empty()) GTEST_SKIP() << "../shared/fixtures/ls-import-samples is absent (set ANNOT_SHARED_DIR)";
  start();
  std::int64_t pid = make_project();
  auto r = post_files(pid, {{"test_2.csv", read_file(dir / "test_2.csv")}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["data_columns"].size(), 4u);
  auto ts = tasks(pid);
  ASSERT_EQ(ts.size(), 3u);
  // pandas: key1 int, key2 text ("123" stays a string), value1 float with a missing value -> "".
  EXPECT_EQ(json::parse(ts[0].data), json::parse(R"({"key1":10,"key2":"йцу","value1":1000000000000.0,"value100":"def"})"));
  EXPECT_EQ(json::parse(ts[1].data)["value1"], "");
  EXPECT_EQ(json::parse(ts[2].data)["key2"], "123");
  EXPECT_TRUE(json::parse(ts[2].data)["value1"].is_number_float());

  // ';' wins when the header has more of them.
  std::int64_t pid2 = make_project();
  r = post_files(pid2, {{"semi.csv", "a;b\n1;x,y\n2;z\n"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(tasks(pid2)[0].data), json::parse(R"({"a":1,"b":"x,y"})"));

  // TSV, and TXT lines under the config's one data key.
  std::int64_t pid3 = make_project(R"(<View><Text name="t" value="$text"/></View>)");
  r = post_files(pid3, {{"lines.txt", read_file(dir / "lines.txt")}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto lines = tasks(pid3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(json::parse(lines[0].data), json::parse(R"({"text":"first line"})"));
  std::int64_t pid4 = make_project();
  r = post_files(pid4, {{"t.tsv", "x\ty\n1.5\thello\n"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(tasks(pid4)[0].data), json::parse(R"({"x":1.5,"y":"hello"})"));
}

TEST_F(ImportApiTest, JsonBodyShapesAndEmbeddedAnnotations) {
  start();
  std::int64_t pid = make_project(
      R"(<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices></View>)");
  // A single task without a data wrapper.
  auto r = post_json(pid, R"({"text": "one"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["task_count"], 1);
  // A list with embedded annotations (timestamps and id kept) and predictions.
  r = post_json(pid, R"([{"data": {"text": "two"}, "meta": {"m": 1},
      "annotations": [{"id": 77, "result": [{"from_name": "label", "to_name": "text", "type": "choices",
        "value": {"choices": ["pos"]}}], "created_at": "2021-03-09T22:16:08.728353Z",
        "updated_at": "2021-03-10T01:02:03Z", "ground_truth": false}],
      "predictions": [{"result": [{"from_name": "label", "to_name": "text", "type": "choices",
        "value": {"choices": ["neg"]}}], "score": "0.5", "model_version": "m1"}]}])",
                "?return_task_ids=true");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["annotation_count"], 1);
  EXPECT_EQ(j["prediction_count"], 1);
  ASSERT_EQ(j["task_ids"].size(), 1u);
  std::int64_t tid = j["task_ids"][0];
  auto anns = app_->db().read()->list_annotations({&tid, 1});
  ASSERT_TRUE(anns);
  ASSERT_EQ(anns->size(), 1u);
  const auto& a = anns->front();
  EXPECT_EQ(a.import_id, 77);
  EXPECT_EQ(store::to_iso8601(a.created_at), "2021-03-09T22:16:08.728353Z");
  EXPECT_EQ(store::to_iso8601(a.updated_at), "2021-03-10T01:02:03Z");
  EXPECT_EQ(a.completed_by, user_id_) << "completed_by defaults to the importing user";
  auto preds = app_->db().read()->list_task_predictions({&tid, 1});
  ASSERT_TRUE(preds);
  ASSERT_EQ(preds->size(), 1u);
  EXPECT_EQ(preds->front().score, 0.5);
  EXPECT_EQ(project(pid).model_version, "m1") << "set from the last imported prediction";
  auto t = app_->db().read()->get_task(tid);
  ASSERT_TRUE(t);
  EXPECT_EQ(json::parse(t->meta), json({{"m", 1}}));

  // Flags as Django's BooleanField stores them (0/1, "t"/"f"), and a meta list kept as given.
  r = post_json(pid, R"([{"data": {"text": "flags"}, "meta": [1, 2],
      "annotations": [{"result": [], "ground_truth": 0, "was_cancelled": 1},
                      {"result": [], "ground_truth": "f", "was_cancelled": "False"}]}])",
                "?return_task_ids=true");
  ASSERT_EQ(r.status, 201) << r.body;
  std::int64_t flags_task = json::parse(r.body)["task_ids"][0];
  anns = app_->db().read()->list_annotations({&flags_task, 1});
  ASSERT_TRUE(anns);
  ASSERT_EQ(anns->size(), 2u);
  EXPECT_FALSE((*anns)[0].ground_truth);
  EXPECT_TRUE((*anns)[0].was_cancelled);
  EXPECT_FALSE((*anns)[1].ground_truth);
  EXPECT_FALSE((*anns)[1].was_cancelled);
  EXPECT_EQ(json::parse(app_->db().read()->get_task(flags_task)->meta), json({1, 2}));

  // A rule break (a label not in the config) is stored and listed as a warning.
  r = post_json(pid, R"([{"data": {"text": "three"}, "annotations": [{"result": [{"from_name": "label",
      "to_name": "text", "type": "choices", "value": {"choices": ["unknown"]}}]}]}])");
  ASSERT_EQ(r.status, 201) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["annotation_count"], 1);
  ASSERT_TRUE(j.contains("warnings")) << r.body;
  EXPECT_NE(j["warnings"][0].get<std::string>().find("annotations[0].result"), std::string::npos) << r.body;
  EXPECT_EQ(project(pid).task_number, 4);
}

// Every malformed input: 400 naming the problem, and the project holds what it held before.
TEST_F(ImportApiTest, MalformedInputsAreRefusedAndLeaveTheProjectUnchanged) {
  start();
  std::int64_t pid = make_project(R"(<View><Text name="text" value="$text"/></View>)");
  auto ok = post_json(pid, R"([{"text": "kept 1"}, {"text": "kept 2"}])");
  ASSERT_EQ(ok.status, 201) << ok.body;

  struct bad_case {
    std::string name;
    std::function<test::http_response()> send;
    std::string expected;  // a substring of the message
  };
  std::string big_then_bad = "[";
  for (int i = 0; i < 12000; ++i) big_then_bad += R"({"text": "t)" + std::to_string(i) + R"("},)";
  big_then_bad += R"({"other": "x"}])";
  std::vector<bad_case> cases = {
      {"broken JSON body", [&] { return post_json(pid, R"([{"text": "a"}, {"text": )"); },
       "JSON parse error"},
      {"broken JSON file",
       [&] {
         return post_files(pid, {{"broken.json", R"([{"text": "a"},, ])"}});
       },
       "Failed to parse input file broken.json"},
      {"missing data key", [&] { return post_json(pid, R"([{"data": {"other": "x"}}])"); },
       "\"text\" key is expected in task data [assume: item[\"data\"] = task root with values]"},
      {"missing data key after 12,000 good tasks", [&] { return post_json(pid, big_then_bad); },
       "\"text\" key is expected in task data [assume: item as is = task root with values] "},
      {"wrong data type", [&] { return post_json(pid, R"([{"text": {"a": 1}}])"); },
       "data['text']={'a': 1} is of type 'dict', but the object tag Text expects the following types:"},
      {"inconsistent keys across files",
       [&] {
         return post_files(pid, {{"a.csv", "text,x\nhello,1\n"}, {"b.csv", "y,z\n1,2\n"}});
       },
       "You're trying to import inconsistent data:\nuploading tabular data from \"b.csv\" with data key(s) "
       "\"y,z\", "
       "clashes with data key(s) found from other files:\n\"text,x\""},
      {"empty file",
       [&] {
         return post_files(pid, {{"empty.json", ""}});
       },
       "Failed to parse input file empty.json"},
      {"empty csv",
       [&] {
         return post_files(pid, {{"empty.csv", ""}});
       },
       "No columns to parse from file"},
      {"empty list", [&] { return post_json(pid, "[]"); }, "load_tasks: No tasks added"},
      {"root not a list", [&] { return post_json(pid, "42"); }, "JSON parse error"},
      {"data not a dict", [&] { return post_json(pid, R"([{"data": "text"}])"); },
       "Task item should be dict"},
      {"unsupported extension",
       [&] {
         return post_files(pid, {{"x.exe", "MZ"}});
       },
       ".exe extension is not supported"},
      {"no body",
       [&] {
         test::http_client c(port_);
         return c.request("POST", "/api/projects/" + std::to_string(pid) + "/import", "x=1",
                          auth({{"Content-Type", "text/plain"}}));
       },
       "load_tasks: No data found in DATA or in FILES"},
      {"an error-level result",
       [&] { return post_json(pid, R"([{"data": {"text": "a"}, "annotations": [{"result": [42]}]}])"); },
       "annotations[0].result[0]"},
      {"unknown annotator id",
       [&] {
         return post_json(pid, R"([{"data": {"text": "a"}, "annotations": [{"result": [], "completed_by": 99999}]}])");
       },
       "Unknown annotator's ID 99999"},
      // Label Studio's TaskValidator: annotations and predictions need a result, meta is a dict or a list.
      {"an annotation without result",
       [&] { return post_json(pid, R"([{"data": {"text": "a"}, "annotations": [{"lead_time": 3}]}])"); },
       "Annotation must have \"result\" fields"},
      {"a prediction without result",
       [&] { return post_json(pid, R"([{"data": {"text": "a"}, "predictions": [{"score": 0.5}]}])"); },
       "Prediction must have \"result\" fields"},
      {"meta a string", [&] { return post_json(pid, R"([{"data": {"text": "a"}, "meta": "x"}])"); },
       "Task[meta] must be a dict or a list"},
      {"a flag that is no boolean",
       [&] {
         return post_json(
             pid, R"([{"data": {"text": "a"}, "annotations": [{"result": [], "ground_truth": "maybe"}]}])");
       },
       "annotations[0].ground_truth must be true or false"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = c.send();
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(message_of(r).find(c.expected), std::string::npos) << "message: " << message_of(r);
    app_->db().drain();
    auto p = project(pid);
    EXPECT_EQ(p.task_number, 2);
    auto ts = tasks(pid);
    ASSERT_EQ(ts.size(), 2u);
    EXPECT_EQ(json::parse(ts[0].data)["text"], "kept 1");
  }
}

// Task data of 16 KiB or more is read in place by the import's checks and the store (its padding in the
// string's spare capacity): kept byte for byte, its keys and types checked as for small data.
TEST_F(ImportApiTest, LargeTaskDataIsKeptWholeAndChecked) {
  start();
  std::int64_t pid = make_project(
      R"(<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="pos"/></Choices></View>)");
  const std::string text(200000, 'w');
  const std::string unwrapped = R"({"text": ")" + text + R"(", "n": 1.5})";
  const std::string wrapped = R"({"data": {"n": [1, 2], "text": ")" + text + R"("}, "annotations": []})";
  auto r = post_json(pid, "[" + unwrapped + ", " + wrapped + "]", "?return_task_ids=true");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  ASSERT_EQ(j["task_ids"].size(), 2u);
  std::int64_t first = j["task_ids"][0], second = j["task_ids"][1];
  EXPECT_EQ(app_->db().read()->get_task(first)->data, unwrapped);
  EXPECT_EQ(app_->db().read()->get_task(second)->data, R"({"n": [1, 2], "text": ")" + text + R"("})");
  // The config's checks see the large data's keys: data without the config's key is refused.
  r = post_json(pid, R"([{"txt": "a", "pad": ")" + text + R"("}])");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(message_of(r).find("\"text\" key is expected"), std::string::npos) << r.body;
  EXPECT_EQ(tasks(pid).size(), 2u);
}

// A batch is staged at 8 MB of task data as well as at batch_size tasks, so that large tasks do not
// make batches of hundreds of megabytes: 40 tasks of 1 MB are staged in five batches or more
// (on_progress is called after each), not in one.
TEST_F(ImportApiTest, LargeTasksAreStagedInSmallerBatches) {
  start();
  std::int64_t pid = make_project(R"(<View><Text name="text" value="$text"/></View>)");
  imports::import_options o;
  o.user_id = user_id_;
  std::size_t progress_calls = 0;
  o.on_progress = [&](std::uint64_t, std::uint64_t) { ++progress_calls; };
  auto p = imports::pipeline::begin(app_->db(), app_->registry().tags(), pid, {}, std::move(o));
  ASSERT_TRUE(p) << p.error().message();
  std::string body = "[";
  for (int i = 0; i < 40; ++i)
    body += (i ? R"(, {"text": ")" : R"({"text": ")") + std::string(1 << 20, 'a' + i % 26) + "\"}";
  body += "]";
  bool given = false;
  auto st = (*p)->add_json_body([&]() -> result<std::string_view> {
    if (given) return std::string_view();
    given = true;
    return std::string_view(body);
  });
  ASSERT_TRUE(st) << st.message();
  auto report = (*p)->finish(false);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->task_count, 40);
  EXPECT_GE(progress_calls, 5u);
  const auto made = tasks(pid);
  ASSERT_EQ(made.size(), 40u);
  EXPECT_EQ(json::parse(made[39].data)["text"].get<std::string>(), std::string(1 << 20, 'a' + 39 % 26));
}

TEST_F(ImportApiTest, PreviousExportNeedsItsAnnotatorToExist) {
  auto dir = samples_dir();
  if (dir.empty()) GTEST_SKIP() << "../shared/fixtures/ls-import-samples is absent (set ANNOT_SHARED_DIR)";
  start();
  std::int64_t pid = make_project();
  auto r = post_files(pid, {{"previous_export.json", read_file(dir / "previous_export.json")}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(message_of(r), "Unknown annotator's email annotator_from_past@project.com");
  r = post_files(pid, {{"x.json", read_file(dir / "previous_export_unknown_completed_by.json")}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(message_of(r), "Unknown annotator's ID 99999");
  EXPECT_EQ(project(pid).task_number, 0);

  auto past = app_->db().run<store::user>(
      [&](store::write_context& w) { return w.create_user({.email = "annotator_from_past@project.com"}); });
  ASSERT_TRUE(past);
  r = post_files(pid, {{"previous_export.json", read_file(dir / "previous_export.json")}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["annotation_count"], 1);
  auto ts = tasks(pid);
  ASSERT_EQ(ts.size(), 1u);
  auto anns = app_->db().read()->list_annotations({&ts[0].id, 1});
  ASSERT_TRUE(anns);
  ASSERT_EQ(anns->size(), 1u);
  EXPECT_EQ(anns->front().completed_by, past->id);
}

TEST_F(ImportApiTest, UploadedMediaAreServedWithAuthAndRanges) {
  start();
  std::int64_t pid = make_project(R"(<View><Image name="image" value="$image"/></View>)");
  std::string png(1000, '\0');
  for (std::size_t i = 0; i < png.size(); ++i) png[i] = char(i * 31 + 7);
  auto r = post_files(pid, {{"cat.png", png, "image/png"}, {"dog.png", png.substr(0, 10), "image/png"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["task_count"], 2);
  EXPECT_EQ(j["found_formats"], json({{".png", 2}}));
  auto ts = tasks(pid);
  ASSERT_EQ(ts.size(), 2u);
  std::string url = json::parse(ts[0].data)["image"];
  EXPECT_EQ(url.rfind("/data/upload/" + std::to_string(pid) + "/", 0), 0u) << url;
  EXPECT_NE(url.find("-cat.png"), std::string::npos) << url;
  EXPECT_EQ(ts[0].file_upload_id, j["file_upload_ids"][0].get<std::int64_t>());

  EXPECT_EQ(get(url, false).status, 401);
  auto whole = get(url);
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.body, png);
  EXPECT_EQ(whole.header("Content-Type"), "image/png");
  EXPECT_EQ(whole.header("Accept-Ranges"), "bytes");
  // An upload opened as a page (an SVG or HTML file with a script) runs in a sandbox, not as the server.
  EXPECT_EQ(whole.header("Content-Security-Policy"), "sandbox");
  EXPECT_EQ(whole.header("X-Content-Type-Options"), "nosniff");
  auto part = get(url, true, {{"Range", "bytes=10-19"}});
  ASSERT_EQ(part.status, 206);
  EXPECT_EQ(part.body, png.substr(10, 10));
  EXPECT_EQ(part.header("Content-Range"), "bytes 10-19/1000");
  auto tail = get(url, true, {{"Range", "bytes=-5"}});
  ASSERT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, png.substr(995));
  auto open_end = get(url, true, {{"Range", "bytes=990-"}});
  ASSERT_EQ(open_end.status, 206);
  EXPECT_EQ(open_end.body, png.substr(990));
  auto beyond = get(url, true, {{"Range", "bytes=5000-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("Content-Range"), "bytes */1000");
  EXPECT_EQ(get("/data/upload/" + std::to_string(pid) + "/../../annot.db").status, 404);
  EXPECT_EQ(get("/data/upload/" + std::to_string(pid) + "/nope.png").status, 404);

  // The upload records, as Label Studio's FileUploadListAPI lists them: those named by ids (a JSON
  // list), or all with all=true; none otherwise.
  const std::string uploads = "/api/projects/" + std::to_string(pid) + "/file-uploads";
  auto list = get(uploads);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body).size(), 0u);
  EXPECT_EQ(json::parse(get(uploads + "?ids=" + j["file_upload_ids"].dump()).body).size(), 2u);
  EXPECT_EQ(json::parse(get(uploads + "?ids=[" + j["file_upload_ids"][0].dump() + "]").body).size(), 1u);
  EXPECT_EQ(json::parse(get(uploads + "?all=true").body).size(), 2u);
  EXPECT_EQ(get(uploads + "?ids=x").status, 400);
  std::int64_t fid = j["file_upload_ids"][1];
  auto one = get("/api/import/file-upload/" + std::to_string(fid));
  ASSERT_EQ(one.status, 200) << one.body;
  // `file` is the storage name, served under /data/.
  std::string dog_file = json::parse(one.body)["file"];
  EXPECT_EQ(dog_file.rfind("upload/" + std::to_string(pid) + "/", 0), 0u) << dog_file;
  std::string dog_url = "/data/" + dog_file;
  EXPECT_EQ(get(dog_url).body, png.substr(0, 10));
  test::http_client c(port_);
  auto del = c.request("DELETE", "/api/import/file-upload/" + std::to_string(fid), {}, auth());
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(get("/api/import/file-upload/" + std::to_string(fid)).status, 404);
  EXPECT_EQ(get(dog_url).status, 404);

  // Direct uploads need a config with one data key.
  std::int64_t two_keys = make_project(R"(<View><Image name="a" value="$a"/><Image name="b" value="$b"/></View>)");
  r = post_files(two_keys, {{"cat.png", png, "image/png"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("more than one data key"), std::string::npos) << r.body;
}

// Label Studio's PATCH of an upload (a multipart `file` replaces its bytes and name, the record keeps its
// id; the old file stays for the tasks that point at it) and DELETE of a project's uploads (those named by
// file_upload_ids, or all; {"deleted": n}); bad bodies are 400s that change nothing.
TEST_F(ImportApiTest, UploadsArePatchedAndDeletedAsLabelStudioDoes) {
  start();
  std::int64_t pid = make_project();
  auto r = post_files(pid, {{"a.csv", "text\nx\n"}, {"b.csv", "text\ny\n"}, {"c.csv", "text\nz\n"}},
                      "?commit_to_project=false");
  ASSERT_EQ(r.status, 201) << r.body;
  const json ids = json::parse(r.body)["file_upload_ids"];
  ASSERT_EQ(ids.size(), 3u);
  const std::string one = "/api/import/file-upload/" + ids[0].dump();
  const json before = json::parse(get(one).body);
  const std::string old_url = "/data/" + before["file"].get<std::string>();
  test::http_client c(port_);
  const std::string boundary = "----annotTestBoundary7MA4YWxkTrZu0gW";
  auto patch_files = [&](const std::string& target, const std::vector<file_part>& files) {
    return c.request("PATCH", target, multipart_body(files, boundary),
                     auth({{"Content-Type", "multipart/form-data; boundary=" + boundary}}));
  };
  auto patched = patch_files(one, {{"new.csv", "text\nreplaced\nrows\n"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json after = json::parse(patched.body);
  EXPECT_EQ(after["id"], before["id"]);
  EXPECT_EQ(after["original_name"], "new.csv");
  EXPECT_EQ(after["size"], 19);
  EXPECT_NE(after["file"], before["file"]);
  EXPECT_EQ(get("/data/" + after["file"].get<std::string>()).body, "text\nreplaced\nrows\n");
  EXPECT_EQ(get(old_url).body, "text\nx\n") << "tasks made from the old file still point at it";
  // A reimport reads the new bytes.
  auto re =
      c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport",
                json{{"file_upload_ids", {ids[0]}}}.dump(), auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(json::parse(re.body)["task_count"], 2);
  // Refused: a file of a kind an import cannot read, a `file` that is not a file; nothing changes.
  EXPECT_EQ(patch_files(one, {{"tool.exe", "MZ"}}).status, 400);
  auto not_file =
      c.request("PATCH", one, R"({"file": "x.csv"})", auth({{"Content-Type", "application/json"}}));
  EXPECT_EQ(not_file.status, 400) << not_file.body;
  EXPECT_NE(not_file.body.find("not a file"), std::string::npos) << not_file.body;
  EXPECT_EQ(json::parse(get(one).body), after);

  // DELETE of the project's uploads: the named ones, then the rest.
  const std::string uploads = "/api/projects/" + std::to_string(pid) + "/file-uploads";
  auto bad = c.request("DELETE", uploads, R"({"file_upload_ids": "1"})",
                       auth({{"Content-Type", "application/json"}}));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("file_upload_ids"), std::string::npos) << bad.body;
  EXPECT_EQ(json::parse(get(uploads + "?all=true").body).size(), 3u);
  auto del = c.request("DELETE", uploads, json{{"file_upload_ids", {ids[1], 987654}}}.dump(),
                       auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(json::parse(del.body), json::parse(R"({"deleted": 1})"));
  EXPECT_EQ(get("/api/import/file-upload/" + ids[1].dump()).status, 404);
  EXPECT_EQ(get(one).status, 200);
  del = c.request("DELETE", uploads, {}, auth());
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(json::parse(del.body), json::parse(R"({"deleted": 2})"));
  EXPECT_EQ(json::parse(get(uploads + "?all=true").body).size(), 0u);
  EXPECT_EQ(get("/data/" + after["file"].get<std::string>()).status, 404);
  EXPECT_EQ(project(pid).task_number, 2) << "the tasks stay; they lose their upload";
  EXPECT_EQ(c.request("DELETE", "/api/projects/987654/file-uploads", {}, auth()).status, 404);
  // Last: a refused upload's unread body closes its connection.
  EXPECT_EQ(patch_files("/api/import/file-upload/987654", {{"x.csv", "text\n1\n"}}).status, 404);
}

// A one-shot HTTP server on 127.0.0.1 answering every request with `body`.
class tiny_server {
 public:
  explicit tiny_server(std::string body) : body_(std::move(body)) {
    auto listener = listen_on_loopback();
    fd_ = listener.fd;
    port_ = listener.port;
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) ::close(c);
          return;
        }
        ++hits_;
        char buf[4096];
        std::string req;
        while (req.find("\r\n\r\n") == std::string::npos) {
          auto n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, std::size_t(n));
        }
        std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
        ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~tiny_server() {
    stop_ = true;
    close_listener(fd_, port_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  int hits() const { return hits_; }

 private:
  std::string body_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> hits_{0};
  std::thread thread_;
};

test::http_response post_url(std::uint16_t port, const std::string& token, std::int64_t pid, const std::string& url) {
  test::http_client c(port, "127.0.0.1", std::chrono::seconds(30));
  std::string form = "url=";
  for (char ch : url) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_') {
      form.push_back(ch);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(ch));
      form += hex;
    }
  }
  return c.request("POST", "/api/projects/" + std::to_string(pid) + "/import", form,
                   {{"Authorization", "Token " + token}, {"Content-Type", "application/x-www-form-urlencoded"}});
}

TEST_F(ImportApiTest, UrlImportRefusesLoopbackUnlessAllowed) {
  tiny_server files(R"([{"text": "from url 1"}, {"text": "from url 2"}])");
  const std::string url = "http://127.0.0.1:" + std::to_string(files.port()) + "/tasks.json";
  {
    start(false);
    std::int64_t pid = make_project();
    auto r = post_url(port_, token_, pid, url);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(message_of(r).find("private, loopback or link-local"), std::string::npos) << r.body;
    EXPECT_EQ(files.hits(), 0) << "the guard refuses before connecting";
    r = post_url(port_, token_, pid, "ftp://example.com/x.json");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(message_of(r).find("use http or https"), std::string::npos) << r.body;
    EXPECT_EQ(project(pid).task_number, 0);
    // Inline JSON in the url field is imported as a file (Label Studio's str_to_json).
    r = post_url(port_, token_, pid, "[{'text': 'inline'}]");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json::parse(r.body)["task_count"], 1);
    app_.reset();
  }
  start(true);
  std::int64_t pid = make_project();
  auto r = post_url(port_, token_, pid, url);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["task_count"], 2);
  EXPECT_EQ(j["found_formats"], json({{".json", 1}}));
  EXPECT_EQ(files.hits(), 1);
  EXPECT_EQ(project(pid).task_number, 2);
}

TEST_F(ImportApiTest, AsyncImportIsPolledUntilCompleted) {
  start();
  std::int64_t pid = make_project();
  std::string body = "[";
  for (int i = 0; i < 20000; ++i) body += (i ? "," : "") + std::string(R"({"n":)") + std::to_string(i) + "}";
  body += "]";
  auto r = post_json(pid, body, "?async=true");
  ASSERT_EQ(r.status, 201) << r.body;
  std::int64_t iid = json::parse(r.body)["import"];
  json state;
  for (int i = 0; i < 600; ++i) {
    auto g = get("/api/projects/" + std::to_string(pid) + "/imports/" + std::to_string(iid));
    ASSERT_EQ(g.status, 200) << g.body;
    state = json::parse(g.body);
    if (state["status"] == "completed" || state["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(state["status"], "completed") << state.dump();
  EXPECT_EQ(state["task_count"], 20000);
  EXPECT_EQ(project(pid).task_number, 20000);
  EXPECT_EQ(get("/api/projects/" + std::to_string(pid) + "/imports/999999").status, 404);

  // A failing async import ends failed, with the reason, and adds nothing.
  r = post_json(pid, R"([{"a": 1}, {"a": )", "?async=true");
  ASSERT_EQ(r.status, 201) << r.body;
  iid = json::parse(r.body)["import"];
  for (int i = 0; i < 600; ++i) {
    state = json::parse(get("/api/projects/" + std::to_string(pid) + "/imports/" + std::to_string(iid)).body);
    if (state["status"] == "completed" || state["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(state["status"], "failed") << state.dump();
  EXPECT_NE(state["error"].get<std::string>().find("JSON parse error"), std::string::npos) << state.dump();
  EXPECT_EQ(project(pid).task_number, 20000);
}

TEST_F(ImportApiTest, StoreFilesThenReimport) {
  start();
  std::int64_t pid = make_project();
  // Stored and parsed, as Label Studio's load_tasks does: the tasks counted, the formats and the columns
  // the files share named; nothing imported.
  auto r = post_files(pid, {{"a.csv", "text,n\nx,1\ny,2\n"}, {"b.tsv", "m\ttext\n1\tl1\n"}},
                      "?commit_to_project=false");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["task_count"], 3) << r.body;
  EXPECT_TRUE(j["annotation_count"].is_null());
  EXPECT_TRUE(j["prediction_count"].is_null());
  EXPECT_EQ(j["found_formats"], json::parse(R"({".csv": 1, ".tsv": 1})"));
  EXPECT_EQ(j["could_be_tasks_list"], true);
  EXPECT_EQ(j["data_columns"], json::parse(R"(["text"])"));
  EXPECT_FALSE(j.contains("import"));
  ASSERT_EQ(j["file_upload_ids"].size(), 2u);
  EXPECT_EQ(project(pid).task_number, 0);
  EXPECT_TRUE(json::parse(get("/api/projects/" + std::to_string(pid) + "/imports/1").body).contains("detail"))
      << "no import is recorded";
  // A JSON body alike (and async or not): counted, nothing created, no file kept.
  for (const char* query : {"?commit_to_project=false", "?commit_to_project=false&async=true"}) {
    auto body = post_json(pid, R"([{"text": "nc1"}, {"text": "nc2", "n": 1}])", query);
    ASSERT_EQ(body.status, 201) << body.body;
    auto b = json::parse(body.body);
    EXPECT_EQ(b["task_count"], 2) << body.body;
    EXPECT_TRUE(b["annotation_count"].is_null()) << body.body;
    EXPECT_FALSE(b.contains("import")) << body.body;
    EXPECT_TRUE(b["file_upload_ids"].empty()) << body.body;
    EXPECT_EQ(project(pid).task_number, 0) << query;
  }
  // Files that cannot be imported together are refused now, not at the re-import.
  auto bad = post_files(pid, {{"c.csv", "text\nx\n"}, {"d.csv", "other\ny\n"}}, "?commit_to_project=false");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("inconsistent data"), std::string::npos) << bad.body;
  bad = post_files(pid, {{"e.csv", "a,b\n1,2,3\n"}}, "?commit_to_project=false");
  EXPECT_EQ(bad.status, 400) << bad.body;
  // The CSV alone as a task list; then both files, each as one task.
  test::http_client c(port_);
  auto re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport",
                      json{{"file_upload_ids", {j["file_upload_ids"][0]}}}.dump(),
                      auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(json::parse(re.body)["task_count"], 2);
  // An upload named twice is read once (Label Studio's id__in).
  re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport",
                 json{{"file_upload_ids", {j["file_upload_ids"][0], j["file_upload_ids"][0]}}}.dump(),
                 auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(json::parse(re.body)["task_count"], 2) << re.body;
  // As a form post (requests.post(url, data=...)): the list as JSON text, the flag as DRF reads "false".
  const std::string ids_text = j["file_upload_ids"].dump();
  std::string form = "files_as_tasks_list=false&file_upload_ids=";
  for (char ch : ids_text)
    form += ch == '[' ? "%5B" : ch == ']' ? "%5D" : ch == ',' ? "%2C" : std::string(1, ch);
  re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport", form,
                 auth({{"Content-Type", "application/x-www-form-urlencoded"}}));
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(json::parse(re.body)["task_count"], 2);
  // A re-import replaces the tasks the files gave before (ReImportAPI removes them first): the CSV's two
  // rows are gone, the two files' tasks are there.
  EXPECT_EQ(project(pid).task_number, 2);
  re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport",
                 json{{"file_upload_ids", {j["file_upload_ids"][0]}}}.dump(),
                 auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(project(pid).task_number, 3);  // the CSV's 2 rows again, and the text file's task
  re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport", json{{"file_upload_ids", {987654}}}.dump(),
                 auth({{"Content-Type", "application/json"}}));
  EXPECT_EQ(re.status, 400) << re.body;
  // No ids (the import page after the user removed every file): zero counts, as ReImportAPI answers,
  // and the project's tasks untouched. Ids that are not a list are refused.
  for (const char* body : {R"({"file_upload_ids": []})", R"({"file_upload_ids": null})", "{}"}) {
    re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport", body,
                   auth({{"Content-Type", "application/json"}}));
    ASSERT_EQ(re.status, 200) << body << ": " << re.body;
    EXPECT_EQ(json::parse(re.body),
              json::parse(R"({"task_count": 0, "annotation_count": 0, "prediction_count": 0,
        "duration": 0, "file_upload_ids": [], "found_formats": {}, "data_columns": []})"))
        << re.body;
    EXPECT_EQ(project(pid).task_number, 3) << body;
  }
  re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport", R"({"file_upload_ids": "1"})",
                 auth({{"Content-Type", "application/json"}}));
  EXPECT_EQ(re.status, 400) << re.body;
  EXPECT_NE(re.body.find("file_upload_ids"), std::string::npos) << re.body;
}

// A re-import runs as one import: the replaced tasks go with their annotations, and a re-import that
// fails replaces nothing.
TEST_F(ImportApiTest, AReimportReplacesTheFilesTasksOnlyWhenItSucceeds) {
  start();
  std::int64_t pid = make_project();
  auto r = post_files(pid, {{"a.csv", "text\nx\ny\n"}}, "?return_task_ids=1");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  const std::int64_t fid = j["file_upload_ids"][0];
  auto task = app_->db().read()->get_task(j["task_ids"][0].get<std::int64_t>());
  ASSERT_TRUE(task);
  auto a = app_->db().run<store::annotation>([&](store::write_context& w) {
    return w.create_annotation({.task_id = task->id, .completed_by = user_id_});
  });
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(project(pid).total_annotations_number, 1);

  test::http_client c(port_);
  auto re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport",
                      json{{"file_upload_ids", {fid}}}.dump(), auth({{"Content-Type", "application/json"}}));
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(project(pid).task_number, 2);
  EXPECT_EQ(project(pid).total_annotations_number, 0);
  EXPECT_FALSE(app_->db().read()->get_task(task->id));

  // A failing re-import (the file now holds no task) leaves the tasks as they were.
  auto f = app_->db().read()->get_file_upload(fid);
  ASSERT_TRUE(f);
  {
    std::ofstream out(imports::upload_root(root_ / "data") / f->file, std::ios::binary | std::ios::trunc);
    out << "text\n";
  }
  re = c.request("POST", "/api/projects/" + std::to_string(pid) + "/reimport",
                 json{{"file_upload_ids", {fid}}}.dump(), auth({{"Content-Type", "application/json"}}));
  EXPECT_EQ(re.status, 400) << re.body;
  EXPECT_EQ(project(pid).task_number, 2);
}

// Label Studio's JSON export (and Annot's) imports back: annotations get new unique ids, drafts find their
// user by email (the importing user when the email is unknown or missing), the annotation they edit and
// their own original id.
TEST_F(ImportApiTest, AnExportImportsBackWithItsDrafts) {
  start();
  const std::string body = R"([{"data": {"text": "a"},
      "annotations": [{"id": 7, "unique_id": "0190c0de-0000-7000-8000-000000000001", "result": [], "completed_by": 1}],
      "drafts": [{"id": 31, "user": "importer@example.com", "annotation": 7, "was_postponed": true, "result": [],
                  "lead_time": 2.5},
                 {"id": 32, "user": "gone@example.com", "result": []},
                 {"result": []}]}])";
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    std::int64_t pid = make_project();
    auto r = post_json(pid, body, "?return_task_ids=1");
    ASSERT_EQ(r.status, 201) << r.body;
    const std::int64_t tid = json::parse(r.body)["task_ids"][0];
    auto anns = app_->db().read()->list_annotations(std::span(&tid, 1));
    ASSERT_TRUE(anns);
    ASSERT_EQ(anns->size(), 1u);
    EXPECT_NE((*anns)[0].unique_id, "0190c0de-0000-7000-8000-000000000001");
    auto drafts = app_->db().read()->list_drafts(std::span(&tid, 1), user_id_);
    ASSERT_TRUE(drafts);
    ASSERT_EQ(drafts->size(), 3u);
    EXPECT_EQ((*drafts)[0].annotation_id, (*anns)[0].id);
    EXPECT_TRUE((*drafts)[0].was_postponed);
    EXPECT_EQ((*drafts)[0].import_id, 31);
    EXPECT_EQ((*drafts)[0].lead_time, 2.5);
    EXPECT_FALSE((*drafts)[1].annotation_id);
    EXPECT_EQ((*drafts)[1].import_id, 32);
    for (const auto& d : *drafts) EXPECT_EQ(d.user_id, user_id_);
  }
}

// A text file imported before the project had a config is stored under "$undefined$"; once the config
// names its data key, every task route shows the text under it, as Label Studio's serializers do (the
// editor reads $text from there).
TEST_F(ImportApiTest, DataImportedBeforeTheConfigShowsUnderItsFirstDataKey) {
  start();
  std::int64_t pid = make_project();
  auto r = post_files(pid, {{"lines.txt", "first line\nsecond line\n"}}, "?return_task_ids=1");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::int64_t tid = json::parse(r.body)["task_ids"][0];
  ASSERT_EQ(json::parse(app_->db().read()->get_task(tid)->data), json({{"$undefined$", "first line"}}));
  const std::string p = std::to_string(pid);
  // Before the config has data keys, the data shows as stored.
  EXPECT_EQ(json::parse(get("/api/tasks/" + std::to_string(tid)).body)["data"],
            json({{"$undefined$", "first line"}}));

  auto patched = app_->db().run<store::project>([&](store::write_context& w) {
    store::project_fields f;
    f.label_config =
        R"(<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="A"/></Choices></View>)";
    return w.update_project(pid, f);
  });
  ASSERT_TRUE(patched) << patched.error().message();
  const json expected = {{"text", "first line"}};
  EXPECT_EQ(json::parse(get("/api/tasks/" + std::to_string(tid)).body)["data"], expected);
  EXPECT_EQ(json::parse(get("/api/tasks?project=" + p).body)["tasks"][0]["data"], expected);
  EXPECT_EQ(json::parse(get("/api/projects/" + p + "/tasks").body)[0]["data"], expected);
  test::http_client c(port_);
  auto next = c.request("GET", "/api/projects/" + p + "/next", {}, auth());
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(json::parse(next.body)["data"], expected);
  // Stored as it was: the rename is how it is shown.
  EXPECT_EQ(json::parse(app_->db().read()->get_task(tid)->data), json({{"$undefined$", "first line"}}));
}

TEST_F(ImportApiTest, PreannotatedFromFieldsBecomePredictions) {
  start();
  std::int64_t pid = make_project(
      R"(<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="pos"/></Choices></View>)");
  auto r = post_json(pid, R"([{"zeta": 1, "text": "a", "pred": [{"from_name": "label", "to_name": "text", "type": "choices",
      "value": {"choices": ["pos"]}}], "meta": {"b": 1, "a": 2}}])", "?preannotated_from_fields=pred&return_task_ids=1");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["prediction_count"], 1);
  std::int64_t tid = j["task_ids"][0];
  auto t = app_->db().read()->get_task(tid);
  ASSERT_TRUE(t);
  // The other keys keep their order, as Label Studio's dict.pop() leaves them.
  EXPECT_EQ(t->data, R"({"zeta":1,"text":"a","meta":{"b":1,"a":2}})");
  r = post_json(pid, R"([{"text": "b"}])", "?preannotated_from_fields=pred");
  EXPECT_EQ(r.status, 400) << r.body;
}

// Shorthand prediction results (a label, a value dict) are expanded on import as prepare_prediction_result
// does, from a CSV column (the documented pre-annotation flow) or a JSON task's predictions.
TEST_F(ImportApiTest, ShorthandPredictionsAreExpandedOnImport) {
  start();
  std::int64_t pid = make_project(
      R"(<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="pos"/></Choices></View>)");
  const json expected = json::parse(
      R"([{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}])");
  auto r = post_files(pid, {{"a.csv", "text,label\nhello,pos\n"}},
                      "?preannotated_from_fields=label&return_task_ids=1");
  ASSERT_EQ(r.status, 201) << r.body;
  std::int64_t tid = json::parse(r.body)["task_ids"][0];
  auto preds = app_->db().read()->list_predictions({.task_id = tid});
  ASSERT_TRUE(preds);
  ASSERT_EQ(preds->size(), 1u);
  EXPECT_EQ(json::parse((*preds)[0].result), expected);
  EXPECT_EQ(json::parse(app_->db().read()->get_task(tid)->data), json({{"text", "hello"}}));

  r = post_json(
      pid,
      R"([{"data": {"text": "a"}, "predictions": [{"result": "pos"}, {"result": {"choices": ["pos"]}}]}])",
      "?return_task_ids=1");
  ASSERT_EQ(r.status, 201) << r.body;
  tid = json::parse(r.body)["task_ids"][0];
  preds = app_->db().read()->list_predictions({.task_id = tid});
  ASSERT_TRUE(preds);
  ASSERT_EQ(preds->size(), 2u);
  for (const auto& p : *preds) EXPECT_EQ(json::parse(p.result), expected);

  // A shorthand no control takes is refused, naming it, and nothing is imported.
  const auto before = project(pid).task_number;
  r = post_json(pid, R"([{"data": {"text": "a"}, "predictions": [{"result": true}]}])");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("predictions[0].result"), std::string::npos) << r.body;
  EXPECT_EQ(project(pid).task_number, before);
}

TEST_F(ImportApiTest, ImportNeedsAuthAndAProject) {
  start();
  std::int64_t pid = make_project();
  test::http_client c(port_);
  auto r = c.request("POST", "/api/projects/" + std::to_string(pid) + "/import", "[{\"a\":1}]",
                     {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(post_json(987654, "[{\"a\":1}]").status, 404);
  EXPECT_EQ(project(pid).task_number, 0);
}

}  // namespace
}  // namespace annot::host::import_testing
