// The last step of the sdk_install test: the host's loader loads the hello example, built against
// the installed SDK, from $ANNOT_SDK_INSTALL_PLUGINS_DIR, and a real server serves its UI.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "api/plugins.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "plugins/loader.hpp"
#include "test_http_client.hpp"

namespace fs = std::filesystem;
using namespace annot::host;

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
  ASSERT_FALSE(dir.empty()) << "set ANNOT_SDK_INSTALL_PLUGINS_DIR to the folder holding hello/";

  plugins::load_report report = plugins::load_plugins({.plugins_dir = dir, .strict = true});
  ASSERT_TRUE(report.error.ok()) << report.error.message();
  const plugins::registry& reg = *report.plugins;
  ASSERT_EQ(reg.plugins().size(), 1u);
  EXPECT_EQ(reg.plugins()[0].name, "hello");
  EXPECT_EQ(reg.plugins()[0].kind, plugins::plugin_kind::data_type);
  EXPECT_EQ(reg.plugins()[0].sdk_version, ANNOT_SDK_VERSION_STRING);
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
  ASSERT_EQ(j["plugins"].size(), 1u);
  EXPECT_EQ(j["plugins"][0]["ui"]["module"], "/plugins/hello/index.js");
  EXPECT_EQ(j["plugins"][0]["ui"]["styles"], nlohmann::json::array({"/plugins/hello/hello.css"}));
  EXPECT_TRUE(j["refused"].empty());

  auto module = client.get("/plugins/hello/index.js");
  ASSERT_EQ(module.status, 200);
  EXPECT_EQ(module.body, read_file(dir / "hello" / "ui" / "index.js"));
  EXPECT_NE(module.body.find("export function mount(el, ctx"), std::string::npos);
  EXPECT_EQ(client.get("/plugins/hello/hello.css").status, 200);
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
