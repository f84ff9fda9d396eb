// The last step of the sdk_install test: the host's loader loads the examples built against the
// installed SDK (hello, a data type; jsonl, an exporter), beside the installed core plugin, from
// $ANNOT_SDK_INSTALL_PLUGINS_DIR; a real server serves hello's UI, and a real host exports a project
// of <Hello> tasks through jsonl.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "api/plugins.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "plugins/loader.hpp"
#include "test_host.hpp"
#include "test_http_client.hpp"

namespace fs = std::filesystem;
using namespace annot::host;
using annot::host::testing::api_host;

namespace {

fs::path plugins_dir() {
  const char* dir = std::getenv("ANNOT_SDK_INSTALL_PLUGINS_DIR");
  return dir ? fs::path(dir) : fs::path();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(SdkInstall, HostLoadsTheExampleAndServesItsUi) {
  const fs::path dir = plugins_dir();
  ASSERT_FALSE(dir.empty())
      << "set ANNOT_SDK_INSTALL_PLUGINS_DIR to the folder holding core/, hello/ and jsonl/";

  plugins::load_report report = plugins::load_plugins({.plugins_dir = dir, .strict = true});
  ASSERT_TRUE(report.error.ok()) << report.error.message();
  const plugins::registry& reg = *report.plugins;
  ASSERT_EQ(reg.plugins().size(), 3u);
  for (const auto& p : reg.plugins()) {
    EXPECT_EQ(p.sdk_version, ANNOT_SDK_VERSION_STRING) << p.name;
    EXPECT_EQ(p.kind, p.name == "jsonl" ? plugins::plugin_kind::exporter : plugins::plugin_kind::data_type)
        << p.name;
  }
  ASSERT_NE(reg.tags().find_tag("Hello"), nullptr);
  EXPECT_EQ(reg.tags().find_tag("Hello")->owner, "hello");

  http::router routes;
  api::add_plugin_routes(routes, report.plugins);
  http::server_options options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;
  options.offload_threads = 1;
  options.access_log = false;
  http::server server(options, routes);
  annot::test::http_client client(server.start());

  auto listing = client.get("/api/plugins");
  ASSERT_EQ(listing.status, 200);
  auto j = nlohmann::json::parse(listing.body);
  ASSERT_EQ(j["plugins"].size(), 3u);
  nlohmann::json hello;
  for (const auto& p : j["plugins"])
    if (p["name"] == "hello") hello = p;
  EXPECT_EQ(hello["ui"]["module"], "/plugins/hello/index.js");
  EXPECT_EQ(hello["ui"]["styles"], nlohmann::json::array({"/plugins/hello/hello.css"}));
  EXPECT_TRUE(j["refused"].empty());

  auto module = client.get("/plugins/hello/index.js");
  ASSERT_EQ(module.status, 200);
  EXPECT_EQ(module.body, read_file(dir / "hello" / "ui" / "index.js"));
  EXPECT_NE(module.body.find("export function mount(el, ctx"), std::string::npos);
  EXPECT_EQ(client.get("/plugins/hello/hello.css").status, 200);
}

// A project whose config uses hello's tag, exported through jsonl by a real host: the format is
// listed, and the download holds each task on a line of its own.
TEST(SdkInstall, HostExportsAProjectThroughTheExampleExporter) {
  const fs::path dir = plugins_dir();
  ASSERT_FALSE(dir.empty())
      << "set ANNOT_SDK_INSTALL_PLUGINS_DIR to the folder holding core/, hello/ and jsonl/";
  api_host host;
  host.use_plugins(dir);
  host.start();
  const auto author = host.make_user("author@example.com");

  const nlohmann::json project_body = {
      {"title", "Greetings"}, {"label_config", R"(<View><Hello name="greeting" value="$name"/></View>)"}};
  auto project = host.call("POST", "/api/projects", author.auth, project_body);
  ASSERT_EQ(project.status, 201) << project.body;
  const std::string base = "/api/projects/" + std::to_string(api_host::body(project)["id"].get<int>());
  const nlohmann::json tasks =
      nlohmann::json::array({{{"name", "Ada"}},
                             {{"name", "two\nlines"}},
                             {{"data", {{"name", "Grace"}, {"note", {1, 2.5, nullptr}}}},
                              {"annotations",
                               {{{"result",
                                  {{{"from_name", "greeting"},
                                    {"to_name", "greeting"},
                                    {"type", "hello"},
                                    {"value", {{"text", {"hi"}}}}}}}}}}}});
  // Pretty-printed: the host keeps a payload's text as it came, line breaks included.
  auto imported = host.call("POST", base + "/import", author.auth, tasks.dump(2));
  ASSERT_EQ(imported.status, 201) << imported.body;

  auto formats = host.call("GET", base + "/export/formats", author.auth);
  ASSERT_EQ(formats.status, 200) << formats.body;
  nlohmann::json jsonl;
  for (const auto& f : api_host::body(formats))
    if (f["name"] == "JSONL") jsonl = f;
  EXPECT_EQ(jsonl["title"], "JSON Lines") << formats.body;
  EXPECT_EQ(jsonl["disabled"], false) << formats.body;

  // Two tasks have no annotations: without download_all_tasks the easy export leaves them out.
  auto download = host.call("GET", base + "/export?exportType=JSONL&download_all_tasks=true", author.auth);
  ASSERT_EQ(download.status, 200) << download.body;
  EXPECT_NE(download.header("Content-Disposition").value_or("").find(".jsonl\""), std::string::npos);
  std::vector<nlohmann::json> lines;
  std::istringstream in(download.body);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 3u) << download.body;
  EXPECT_EQ(lines[0]["data"]["name"], "Ada");
  EXPECT_EQ(lines[1]["data"]["name"], "two\nlines");
  EXPECT_EQ(lines[2]["data"]["note"], nlohmann::json::array({1, 2.5, nullptr}));
  ASSERT_EQ(lines[2]["annotations"].size(), 1u) << download.body;
  EXPECT_EQ(lines[2]["annotations"][0]["result"][0]["value"]["text"], nlohmann::json::array({"hi"}));
  EXPECT_EQ(download.body.back(), '\n');
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
