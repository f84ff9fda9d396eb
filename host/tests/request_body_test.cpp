// Request bodies as Label Studio's views read them (DRF's JSONParser and FormParser): a form post
// creates and updates what a JSON body does, its JSON fields parsed; JSON sent under the form type
// (curl -d's default) is read as JSON; a body that is neither is a 400 naming the problem.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>

#include "test_host.hpp"

namespace annot::host::testing {
namespace {

const char* const form = "application/x-www-form-urlencoded";
const char* const config =
    "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"A\"/>"
    "</Choices></View>";

std::string encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else if (c == ' ')
      out += '+';
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

TEST(RequestBody, FormPostsCreateAndUpdateAsJsonDoes) {
  api_host host;
  host.start();
  auto alice = host.make_user("alice@example.com");

  // requests.post(url, data={...}): a project from form fields, numbers and booleans as text.
  auto p = host.call_typed(
      "POST", "/api/projects", alice.auth,
      "title=From+a+form&label_config=" + encode(config) + "&maximum_annotations=3&show_skip_button=false",
      form);
  ASSERT_EQ(p.status, 201) << p.body;
  const json project = api_host::body(p);
  EXPECT_EQ(project["title"], "From a form");
  EXPECT_EQ(project["maximum_annotations"], 3);
  EXPECT_EQ(project["show_skip_button"], false);
  const std::string pid = std::to_string(project["id"].get<std::int64_t>());

  // A task whose data (a JSON field) comes as JSON text in a form field.
  auto t = host.call_typed("POST", "/api/tasks", alice.auth,
                           "project=" + pid + "&data=" + encode(R"({"text": "hello"})"), form);
  ASSERT_EQ(t.status, 201) << t.body;
  EXPECT_EQ(api_host::body(t)["data"], json({{"text", "hello"}}));
  const std::string task = "/api/tasks/" + std::to_string(api_host::body(t)["id"].get<std::int64_t>());

  const std::string result =
      R"([{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}])";
  auto a = host.call_typed("POST", task + "/annotations", alice.auth,
                           "result=" + encode(result) + "&lead_time=2.5&ground_truth=true", form);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(api_host::body(a)["result"][0]["value"]["choices"], json::array({"A"}));
  EXPECT_EQ(api_host::body(a)["lead_time"], 2.5);
  EXPECT_EQ(api_host::body(a)["ground_truth"], true);

  // A JSON field that is not JSON stays text, and its own check names it.
  auto bad = host.call_typed("POST", task + "/annotations", alice.auth, "result=not-json", form);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("result"), std::string::npos) << bad.body;
  // A plain field keeps the text "null" as text.
  auto titled = host.call_typed("PATCH", "/api/projects/" + pid, alice.auth, "title=null", form);
  ASSERT_EQ(titled.status, 200) << titled.body;
  EXPECT_EQ(api_host::body(titled)["title"], "null");
}

TEST(RequestBody, JsonUnderTheFormTypeIsJsonAndBadBodiesAreNamed) {
  api_host host;
  host.start();
  auto alice = host.make_user("alice@example.com");
  // curl -d '{...}' without -H: JSON under the form type.
  auto p = host.call_typed("POST", "/api/projects", alice.auth,
                           R"({"title": "curl", "label_config": ")" +
                               std::string("<View><Text name=\\\"t\\\" value=\\\"$t\\\"/></View>") + "\"}",
                           form);
  ASSERT_EQ(p.status, 201) << p.body;
  EXPECT_EQ(api_host::body(p)["title"], "curl");

  auto list = host.call_typed("POST", "/api/projects", alice.auth, "[1, 2]", "application/json");
  EXPECT_EQ(list.status, 400);
  EXPECT_NE(list.body.find("Expected a dictionary, but got list"), std::string::npos) << list.body;
  auto broken = host.call_typed("POST", "/api/projects", alice.auth, "{\"title\": ", "application/json");
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.body.find("JSON parse error"), std::string::npos) << broken.body;
  auto escape = host.call_typed("POST", "/api/projects", alice.auth, "title=%zz", form);
  EXPECT_EQ(escape.status, 400);
  EXPECT_NE(escape.body.find("percent escape"), std::string::npos) << escape.body;
}

// A number nlohmann would change (an integer past 64 bits read as a double, 1e400 as infinity and
// written back as null) or a lone surrogate is refused with the reason on every JSON body, as the
// import refuses it: nothing is stored altered. The numbers that fit go through exactly.
TEST(RequestBody, NumbersThatWouldChangeAreRefusedNotRounded) {
  api_host host;
  host.start();
  auto alice = host.make_user("alice@example.com");
  auto p =
      host.call_typed("POST", "/api/projects", alice.auth,
                      R"({"title": "numbers", "label_config": ")" +
                          std::string("<View><Text name=\\\"t\\\" value=\\\"$t\\\"/><Choices name=\\\"c\\\" "
                                      "toName=\\\"t\\\"><Choice value=\\\"a\\\"/></Choices></View>") +
                          "\"}",
                      "application/json");
  ASSERT_EQ(p.status, 201) << p.body;
  const std::string pid = std::to_string(api_host::body(p)["id"].get<std::int64_t>());
  auto t = host.call_typed("POST", "/api/tasks", alice.auth,
                           R"({"project": )" + pid + R"(, "data": {"t": "x"}})", "application/json");
  ASSERT_EQ(t.status, 201) << t.body;
  const std::string annotations =
      "/api/tasks/" + std::to_string(api_host::body(t)["id"].get<std::int64_t>()) + "/annotations";
  auto result = [](const std::string& n) {
    return R"({"result": [{"id": "r1", "from_name": "c", "to_name": "t", "type": "choices", "value": {"choices": ["a"], "n": )" +
           n + "}}]}";
  };
  for (const char* n :
       {"18446744073709551616", "-9223372036854775809", "123456789012345678901234567890", "1e400"}) {
    auto r = host.call_typed("POST", annotations, alice.auth, result(n), "application/json");
    EXPECT_EQ(r.status, 400) << n << ": " << r.body;
    EXPECT_NE(r.body.find("beyond 64-bit integers and doubles"), std::string::npos) << r.body;
  }
  auto surrogate =
      host.call_typed("POST", "/api/tasks", alice.auth,
                      R"({"project": )" + pid + R"(, "data": {"t": "\ud800"}})", "application/json");
  EXPECT_EQ(surrogate.status, 400);
  EXPECT_NE(surrogate.body.find("lone UTF-16 surrogate"), std::string::npos) << surrogate.body;
  // 2^64 - 1 and -2^63 fit: kept exactly.
  auto fits =
      host.call_typed("POST", annotations, alice.auth, result("18446744073709551615"), "application/json");
  ASSERT_EQ(fits.status, 201) << fits.body;
  EXPECT_NE(fits.body.find("\"n\":18446744073709551615"), std::string::npos) << fits.body;
  EXPECT_EQ(
      host.call_typed("POST", annotations, alice.auth, result("-9223372036854775808"), "application/json")
          .status,
      201);
}

// curl -F / requests.post(url, files=...): multipart fields are the form's; a file part is left out.
TEST(RequestBody, MultipartFormsAreReadAsFormsAre) {
  api_host host;
  host.start();
  auto alice = host.make_user("alice@example.com");
  auto part = [](std::string_view name, std::string_view value, std::string_view filename = {}) {
    std::string out = "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"";
    if (!filename.empty()) out += "; filename=\"" + std::string(filename) + "\"\r\nContent-Type: text/plain";
    return out + "\r\n\r\n" + std::string(value) + "\r\n";
  };
  const std::string multipart = "multipart/form-data; boundary=XyZ";
  auto p = host.call_typed("POST", "/api/projects", alice.auth,
                           part("title", "Multi\r\npart") + part("label_config", config) +
                               part("maximum_annotations", "2") + part("notes", "ignored", "notes.txt") +
                               "--XyZ--\r\n",
                           multipart);
  ASSERT_EQ(p.status, 201) << p.body;
  const json project = api_host::body(p);
  EXPECT_EQ(project["title"], "Multi\r\npart");
  EXPECT_EQ(project["maximum_annotations"], 2);
  const std::string pid = std::to_string(project["id"].get<std::int64_t>());
  auto t =
      host.call_typed("POST", "/api/tasks", alice.auth,
                      part("project", pid) + part("data", R"({"text": "hi"})") + "--XyZ--\r\n", multipart);
  ASSERT_EQ(t.status, 201) << t.body;
  EXPECT_EQ(api_host::body(t)["data"], json({{"text", "hi"}}));
  auto cut = host.call_typed("POST", "/api/projects", alice.auth, part("title", "x"), multipart);
  EXPECT_EQ(cut.status, 400) << cut.body;
  EXPECT_NE(cut.body.find("multipart"), std::string::npos) << cut.body;
}

// A body nested past the parser's depth says so; one holding an object of more keys than any Label
// Studio body has is refused before nlohmann's ordered objects spend seconds on it.
TEST(RequestBody, DeepOrWideBodiesAreRefusedNamingWhy) {
  api_host host;
  host.start();
  auto alice = host.make_user("alice@example.com");
  const auto pid = host.make_project(config);
  std::string deep = R"({"project": )" + std::to_string(pid) + R"(, "data": {"text": "x", "d": )";
  deep += std::string(1100, '[') + std::string(1100, ']') + "}}";
  auto r = host.call_typed("POST", "/api/tasks", alice.auth, deep, "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("more than 1024 levels deep"), std::string::npos) << r.body.substr(0, 300);
  std::string wide = R"({"project": )" + std::to_string(pid) + R"(, "data": {"text": "x")";
  for (int i = 0; i < 10001; ++i) wide += ",\"k" + std::to_string(i) + "\":1";
  wide += "}}";
  r = host.call_typed("POST", "/api/tasks", alice.auth, wide, "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("more than 10000 keys"), std::string::npos) << r.body.substr(0, 300);
}

}  // namespace
}  // namespace annot::host::testing
