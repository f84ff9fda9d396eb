// The config routes end to end on a real server on 127.0.0.1: POST /api/projects/validate/ (204, 200
// with warnings, 400 with Label Studio's body and located errors) and GET /api/config/tags.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/config.hpp"
#include "config_test_support.hpp"
#include "http/server.hpp"
#include "test_http_client.hpp"

namespace {

using namespace std::chrono_literals;
using namespace annot::host;
using nlohmann::json;

class ConfigApi : public ::testing::Test {
 protected:
  void SetUp() override {
    api::add_config_routes(routes_, annot::test::core_and_probe());
    http::server_options o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.io_threads = 1;
    o.offload_threads = 1;
    o.shutdown_timeout = 5s;
    o.access_log = false;
    server_ = std::make_unique<http::server>(o, routes_);
    port_ = server_->start();
  }
  void TearDown() override {
    server_->stop();
    server_->wait();
  }
  annot::test::http_response validate(const std::string& body, const std::string& path = "/api/projects/validate/") {
    return annot::test::http_request(port_, "POST", path, body, {{"Content-Type", "application/json"}});
  }
  static std::string config_body(const std::string& xml) { return json{{"label_config", xml}}.dump(); }

  http::router routes_;
  std::unique_ptr<http::server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ConfigApi, CleanConfigIs204WithoutBody) {
  auto r = validate(config_body(R"(<View><Doc name="d" value="$t"/><Choices name="c" toName="d"><Choice value="a"/></Choices></View>)"));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  // Without the trailing slash too, as Label Studio serves both.
  r = validate(config_body(R"(<View><Doc name="d" value="$t"/></View>)"), "/api/projects/validate");
  EXPECT_EQ(r.status, 204) << r.body;
}

TEST_F(ConfigApi, AcceptedWithWarningsIs200) {
  auto r = validate(config_body("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Rating name=\"r\" toName=\"d\" glitter=\"1\"/>\n</View>"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json::parse(r.body);
  ASSERT_EQ(body["warnings"].size(), 1u) << r.body;
  EXPECT_EQ(body["warnings"][0]["code"], "unknown_attribute");
  EXPECT_EQ(body["warnings"][0]["line"], 3);
  EXPECT_EQ(body["warnings"][0]["tag"], "Rating");
  EXPECT_EQ(body["warnings"][0]["attribute"], "glitter");
}

TEST_F(ConfigApi, RefusedConfigIs400WithLabelStudiosBodyAndLocations) {
  auto r = validate(config_body("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Choices name=\"c\" toName=\"x\"><Choice value=\"a\"/></Choices>\n</View>"));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto body = json::parse(r.body);
  EXPECT_EQ(body["label_config"], json::array({"toName=\"x\" not found in names: ['c', 'd']"})) << r.body;
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["line"], 3);
  EXPECT_EQ(body["errors"][0]["tag"], "Choices");
  EXPECT_EQ(body["errors"][0]["attribute"], "toName");

  r = validate(config_body("<View>\n  <Sparkle/>\n</View>"));
  ASSERT_EQ(r.status, 400) << r.body;
  body = json::parse(r.body);
  EXPECT_NE(body["label_config"][0].get<std::string>().find("no installed plugin provides <Sparkle>; installed: "),
            std::string::npos);
  EXPECT_EQ(body["errors"][0]["line"], 2);

  r = validate(config_body("<View><Doc></View>"));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["label_config"][0], "mismatched tag: line 1, column 13");
}

TEST_F(ConfigApi, BadRequestBodiesAreNamed) {
  auto r = validate("{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), (json{{"label_config", {"This field is required."}}}));
  r = validate(R"({"label_config": ""})");
  EXPECT_EQ(json::parse(r.body), (json{{"label_config", {"This field may not be blank."}}}));
  r = validate(R"({"label_config": ["<View/>"]})");
  EXPECT_EQ(json::parse(r.body), (json{{"label_config", {"Not a valid string."}}}));
  r = validate("<View/>");
  EXPECT_EQ(r.status, 400);
  auto envelope = json::parse(r.body);
  EXPECT_EQ(envelope["status_code"], 400);
  EXPECT_NE(envelope["detail"].get<std::string>().find("JSON parse error"), std::string::npos) << r.body;
}

TEST_F(ConfigApi, TagsListEveryRegisteredTag) {
  auto r = annot::test::http_request(port_, "GET", "/api/config/tags/");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json::parse(r.body);
  EXPECT_EQ(body["sdk_version"], ANNOT_SDK_VERSION_STRING);
  const json* choices = nullptr;
  const json* doc = nullptr;
  const json* label = nullptr;
  for (const auto& t : body["tags"]) {
    if (t["name"] == "Choices") choices = &t;
    if (t["name"] == "Doc") doc = &t;
    if (t["name"] == "Label") label = &t;
  }
  ASSERT_TRUE(choices && doc && label) << r.body.substr(0, 500);
  EXPECT_EQ((*choices)["owner"], "core");
  EXPECT_EQ((*choices)["role"], "control");
  EXPECT_EQ((*choices)["result_types"], json::array({"choices"}));
  EXPECT_EQ((*choices)["payload_key"], "choices");
  EXPECT_EQ((*choices)["targets"], json::array());
  bool has_choice_attr = false;
  for (const auto& a : (*choices)["attributes"])
    if (a["name"] == "choice") {
      has_choice_attr = true;
      EXPECT_EQ(a["type"], "enumeration");
      EXPECT_EQ(a["allowed"], json::array({"single", "single-radio", "multiple"}));
      EXPECT_EQ(a["default"], "single");
    }
  EXPECT_TRUE(has_choice_attr);
  EXPECT_EQ((*doc)["owner"], "probe");
  EXPECT_EQ((*doc)["regions"][0]["result_type"], "labels");
  EXPECT_EQ((*doc)["regions"][0]["geometry"], "char_span");
  EXPECT_EQ((*label)["parents"], json::array({"BoxLabels", "Labels"}));
}

}  // namespace
