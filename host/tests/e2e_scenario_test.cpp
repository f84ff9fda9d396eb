// The end-to-end scenario of issues 4 and 5, over real HTTP on 127.0.0.1 against a real SQLite file,
// touching the host only through its REST API: sign up, get a token, create an image project, import
// JSON, CSV, TSV, TXT and two uploaded images, change the config (a harmless change accepted, an
// orphaning one refused), list and filter tasks, post an annotation, a draft and a prediction, update
// and delete them, have an invalid result refused with its JSON path, restart, find everything again.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import_test_support.hpp"
#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

using import_testing::file_part;
using import_testing::multipart_body;

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A 1x1 PNG, written byte for byte (the upload route serves files back unchanged).
std::string tiny_png(unsigned char shade) {
  const unsigned char bytes[] = {
      0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
      0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49,
      0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00,
      0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  std::string s(reinterpret_cast<const char*>(bytes), sizeof bytes);
  s.push_back(static_cast<char>(shade));  // trailing bytes after IEND: two files, two contents
  return s;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// "sessionid=...; Path=/; HttpOnly" -> "sessionid=..." for every Set-Cookie, joined for a Cookie header.
std::string cookie_header(const test::http_response& r) {
  std::string out;
  for (const auto& [name, value] : r.headers) {
    if (!iequals_ascii(name, "Set-Cookie")) continue;
    if (!out.empty()) out += "; ";
    out += value.substr(0, value.find(';'));
  }
  return out;
}

test::http_response post_files(std::uint16_t port, const std::string& target, const test::header_list& auth,
                               const std::vector<file_part>& files) {
  const std::string boundary = "----annotE2EBoundary";
  test::header_list h = auth;
  h.emplace_back("Content-Type", "multipart/form-data; boundary=" + boundary);
  test::http_client c(port, "127.0.0.1", std::chrono::seconds(60));
  return c.request("POST", target, multipart_body(files, boundary), h);
}

TEST(EndToEnd, LabelStudioScriptScenarioSurvivesRestart) {
  api_host host;
  host.start();
  const auto port = host.port();

  // ---- a user and their token, through the browser's sign-up and the token route
  auto signup = host.call("POST", "/user/signup", {},
                          json{{"email", "ann@example.com"}, {"password", "correct horse 42"}});
  ASSERT_TRUE(signup.status == 200 || signup.status == 201) << signup.status << " " << signup.body;
  const std::string cookies = cookie_header(signup);
  ASSERT_NE(cookies.find("sessionid="), std::string::npos) << cookies;
  auto token_reply = host.call("GET", "/api/current-user/token", {{"Cookie", cookies}});
  ASSERT_EQ(token_reply.status, 200) << token_reply.body;
  const std::string token = api_host::body(token_reply)["token"].get<std::string>();
  const test::header_list auth = {{"Authorization", "Token " + token}};
  EXPECT_EQ(api_host::body(host.call("GET", "/api/current-user/whoami", auth))["email"], "ann@example.com");

  // ---- an image project
  auto created = host.call("POST", "/api/projects", auth, json{{"title", "Pets"}, {"label_config", image_config()}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto pid = api_host::body(created)["id"].get<std::int64_t>();
  const std::string P = std::to_string(pid);
  const std::string import_path = "/api/projects/" + P + "/import";

  // ---- imports: JSON (one task with an annotation), CSV, TSV, TXT, two uploaded images
  json json_tasks = json::array({json{{"image", "/img/a.png"}, {"split", "train"}},
                                 json{{"data", {{"image", "/img/b.png"}, {"split", "test"}}},
                                      {"annotations", json::array({json{{"result", json::array({box(10)})}}})}}});
  auto imported = host.call("POST", import_path, auth, json_tasks);
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(api_host::body(imported)["task_count"], 2);
  EXPECT_EQ(api_host::body(imported)["annotation_count"], 1);

  auto csv = post_files(port, import_path, auth, {{"tasks.csv", "image,split\n/img/c.png,train\n/img/d.png,test\n"}});
  ASSERT_EQ(csv.status, 201) << csv.body;
  EXPECT_EQ(api_host::body(csv)["task_count"], 2);
  auto tsv = post_files(port, import_path, auth, {{"tasks.tsv", "image\tsplit\n/img/e.png\ttrain\n"}});
  ASSERT_EQ(tsv.status, 201) << tsv.body;
  EXPECT_EQ(api_host::body(tsv)["task_count"], 1);
  auto txt = post_files(port, import_path, auth, {{"tasks.txt", "/img/f.png\n/img/g.png\n"}});
  ASSERT_EQ(txt.status, 201) << txt.body;
  EXPECT_EQ(api_host::body(txt)["task_count"], 2);
  const std::string png1 = tiny_png(1), png2 = tiny_png(2);
  auto images = post_files(port, import_path, auth,
                           {{"cat.png", png1, "image/png"}, {"dog.png", png2, "image/png"}});
  ASSERT_EQ(images.status, 201) << images.body;
  EXPECT_EQ(api_host::body(images)["task_count"], 2);
  // A malformed import is refused and changes nothing.
  auto broken = host.call("POST", import_path, auth, std::string("[{\"image\": \"/x.png\"},"));
  EXPECT_EQ(broken.status, 400) << broken.body;

  auto project = api_host::body(host.call("GET", "/api/projects/" + P, auth));
  EXPECT_EQ(project["task_number"], 9) << project.dump();

  // The uploaded images are tasks pointing at /data/upload/..., served (with a login) byte for byte.
  auto listed = host.call("GET", "/api/tasks?project=" + P + "&page_size=100", auth);
  ASSERT_EQ(listed.status, 200) << listed.body;
  auto list = api_host::body(listed);
  EXPECT_EQ(list["total"], 9);
  EXPECT_EQ(list["total_annotations"], 1);
  std::vector<std::string> upload_urls;
  for (const auto& t : list["tasks"]) {
    std::string image = t["data"].value("image", "");
    if (image.rfind("/data/upload/", 0) == 0) upload_urls.push_back(image);
  }
  ASSERT_EQ(upload_urls.size(), 2u) << list.dump();
  std::vector<std::string> served;
  for (const auto& u : upload_urls) {
    auto r = host.call("GET", u, auth);
    EXPECT_EQ(r.status, 200) << u;
    served.push_back(r.body);
    EXPECT_EQ(host.call("GET", u, {}).status, 401) << "uploads need a login";
  }
  std::sort(served.begin(), served.end());
  EXPECT_EQ(served, (std::vector<std::string>{png1, png2}));

  // ---- config changes: a harmless one accepted, one that would orphan the imported annotation refused
  std::string harmless = image_config();
  harmless.replace(harmless.find(R"(<Label value="Dog"/>)"), 0, R"(<Label value="Bird"/>)");
  auto ok_change = host.call("POST", "/api/projects/" + P + "/validate", auth, json{{"label_config", harmless}});
  EXPECT_TRUE(ok_change.status == 200 || ok_change.status == 204) << ok_change.status << " " << ok_change.body;
  std::string orphaning = image_config();
  orphaning.erase(orphaning.find(R"(<Label value="Cat"/>)"), std::string(R"(<Label value="Cat"/>)").size());
  auto bad_change = host.call("POST", "/api/projects/" + P + "/validate", auth, json{{"label_config", orphaning}});
  EXPECT_EQ(bad_change.status, 400) << bad_change.body;
  EXPECT_NE(bad_change.body.find("Cat"), std::string::npos) << bad_change.body;
  auto patched = host.call("PATCH", "/api/projects/" + P, auth, json{{"label_config", harmless}});
  ASSERT_EQ(patched.status, 200) << patched.body;

  // ---- list and filter (a data field)
  json query = json::parse(R"({"filters": {"conjunction": "and", "items": [
      {"filter": "filter:tasks:data.split", "operator": "equal", "type": "String", "value": "test"}]}})");
  auto filtered = host.call("GET", "/api/tasks?project=" + P + "&query=" + url_encode(query.dump()), auth);
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  EXPECT_EQ(api_host::body(filtered)["total"], 2) << filtered.body;  // b.png and d.png
  const auto task_id = list["tasks"][0]["id"].get<std::int64_t>();
  const std::string T = std::to_string(task_id);

  // ---- an annotation, a draft, a prediction; updates and deletes
  auto ann = host.call("POST", "/api/tasks/" + T + "/annotations", auth,
                       json{{"result", json::array({box(12, "Bird"), choice("good")})}, {"lead_time", 3.5}});
  ASSERT_EQ(ann.status, 201) << ann.body;
  const auto ann_id = api_host::body(ann)["id"].get<std::int64_t>();
  auto invalid = host.call("POST", "/api/tasks/" + T + "/annotations", auth,
                           json{{"result", json::array({box(150)})}});
  EXPECT_EQ(invalid.status, 400);
  EXPECT_NE(invalid.body.find("result[0].value.x"), std::string::npos) << invalid.body;
  auto draft = host.call("POST", "/api/tasks/" + T + "/drafts", auth, json{{"result", json::array({box(30)})}});
  ASSERT_EQ(draft.status, 201) << draft.body;
  const auto draft_id = api_host::body(draft)["id"].get<std::int64_t>();
  auto pred = host.call("POST", "/api/predictions", auth,
                        json{{"task", task_id}, {"result", json::array({box(40, "Dog")})}, {"score", 0.75},
                             {"model_version", "m1"}});
  ASSERT_EQ(pred.status, 201) << pred.body;
  const auto pred_id = api_host::body(pred)["id"].get<std::int64_t>();

  auto updated = host.call("PATCH", "/api/annotations/" + std::to_string(ann_id), auth,
                           json{{"result", json::array({box(13, "Dog"), choice("bad")})}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(host.call("PATCH", "/api/predictions/" + std::to_string(pred_id), auth, json{{"score", 0.5}}).status, 200);
  EXPECT_EQ(host.call("DELETE", "/api/drafts/" + std::to_string(draft_id), auth).status, 204);
  auto second_pred = host.call("POST", "/api/predictions", auth,
                               json{{"task", task_id}, {"result", json::array({box(50)})}, {"model_version", "m2"}});
  ASSERT_EQ(second_pred.status, 201) << second_pred.body;
  EXPECT_EQ(host.call("DELETE", "/api/predictions/" + api_host::body(second_pred)["id"].dump(), auth).status, 204);

  // ---- restart on the same data directory: everything is still there
  host.start();
  const test::header_list same_auth = {{"Authorization", "Token " + token}};
  auto again = api_host::body(host.call("GET", "/api/projects/" + P, same_auth));
  EXPECT_EQ(again["task_number"], 9);
  EXPECT_NE(again["label_config"].get<std::string>().find("Bird"), std::string::npos);
  auto kept = api_host::body(host.call("GET", "/api/annotations/" + std::to_string(ann_id), same_auth));
  EXPECT_EQ(kept["result"][0]["value"]["x"], 13) << kept.dump();
  EXPECT_EQ(kept["result"][1]["value"]["choices"][0], "bad");
  auto preds = api_host::body(host.call("GET", "/api/predictions?task=" + T, same_auth));
  ASSERT_TRUE(preds.is_array()) << preds.dump();
  ASSERT_EQ(preds.size(), 1u) << preds.dump();
  EXPECT_EQ(preds[0]["score"], 0.5);
  EXPECT_EQ(host.call("GET", "/api/drafts/" + std::to_string(draft_id), same_auth).status, 404);
  auto after = api_host::body(host.call("GET", "/api/tasks?project=" + P, same_auth));
  EXPECT_EQ(after["total"], 9);
  EXPECT_EQ(after["total_annotations"], 2);  // the imported one and the posted one
  EXPECT_EQ(host.call("GET", upload_urls[0], same_auth).status, 200);
}

}  // namespace
}  // namespace annot::host::testing
