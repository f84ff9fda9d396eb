// The plugin routes end to end: the ABI fixtures loaded from a plugins folder, a real server on
// 127.0.0.1, GET /api/plugins and each plugin's UI files (from memory) over a plain socket.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
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
using namespace std::chrono_literals;
using namespace annot::host;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::server_options test_options() {
  http::server_options o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.io_threads = 1;
  o.offload_threads = 1;
  o.shutdown_timeout = 5s;
  o.access_log = false;
  return o;
}

void expect_envelope(const annot::test::http_response& r, int status, const std::string& detail_part) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["status_code"], status);
  EXPECT_NE(body["detail"].get<std::string>().find(detail_part), std::string::npos) << r.body;
}

// Copies the ABI fixtures into a temp plugins folder, loads them, and serves the plugin routes.
class PluginRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("annot_plugin_routes_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::copy(ANNOT_TEST_ABI_PLUGINS_DIR, root_ / "plugins", fs::copy_options::recursive);
    report_ = plugins::load_plugins({.plugins_dir = root_ / "plugins", .data_dir = root_ / "data"});
    api::add_plugin_routes(routes_, report_.plugins);
    server_ = std::make_unique<http::server>(test_options(), routes_);
    port_ = server_->start();
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  fs::path root_;
  plugins::load_report report_;
  http::router routes_;
  std::unique_ptr<http::server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace

TEST_F(PluginRoutes, ListsLoadedAndRefusedPlugins) {
  annot::test::http_client client(port_);
  auto r = client.get("/api/plugins");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["sdk_version"], ANNOT_SDK_VERSION_STRING);
  EXPECT_EQ(j["toolchain"], ANNOT_TOOLCHAIN_FINGERPRINT);
  ASSERT_EQ(j["plugins"].size(), 1u);
  const auto& p = j["plugins"][0];
  EXPECT_EQ(p["name"], "abi_valid");
  EXPECT_EQ(p["kind"], "data_type");
  EXPECT_EQ(p["version"], "1.2.3");
  EXPECT_EQ(p["file"], (root_ / "plugins" / "abi_valid" / "annot_abi_valid.so").string());
  EXPECT_EQ(p["registered"]["ui_bundle"], "/plugins/abi_valid/index.js");
  EXPECT_EQ(p["ui"], nlohmann::json::parse(R"({"module": "/plugins/abi_valid/index.js",
      "styles": ["/plugins/abi_valid/abi_valid.css"],
      "imports": {"abi-valid/helpers": "/plugins/abi_valid/helpers.js"}})"));
  ASSERT_EQ(j["refused"].size(), 14u);  // every broken fixture of tests/plugin_abi, the exporter-kind one included
  for (const auto& refused : j["refused"]) {
    EXPECT_TRUE(refused["file"].is_string());
    EXPECT_TRUE(refused["name"].is_string());
    EXPECT_TRUE(refused["stage"].is_string());
    EXPECT_FALSE(refused["reason"].get<std::string>().empty());
  }
  EXPECT_EQ(j["refused"][1]["name"], "abi_broken_magic");
  EXPECT_EQ(j["refused"][1]["stage"], "handshake");

  // The trailing-slash form works as everywhere else.
  EXPECT_EQ(client.get("/api/plugins/").status, 200);
}

TEST_F(PluginRoutes, ServesTheLoadedPluginsUiFromMemory) {
  const fs::path source = fs::path(ANNOT_TEST_ABI_PLUGINS_DIR) / "abi_valid" / "ui";
  // Served from memory: the files on disk may go away after loading.
  fs::remove_all(root_ / "plugins" / "abi_valid" / "ui");

  annot::test::http_client client(port_);
  auto js = client.get("/plugins/abi_valid/index.js");
  ASSERT_EQ(js.status, 200) << js.body;
  EXPECT_EQ(js.body, read_file(source / "index.js"));
  EXPECT_NE(js.header("Content-Type").value_or("").find("javascript"), std::string::npos);
  EXPECT_NE(js.body.find("export function mount(el, ctx)"), std::string::npos);

  auto css = client.get("/plugins/abi_valid/abi_valid.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.body, read_file(source / "abi_valid.css"));
  EXPECT_NE(css.header("Content-Type").value_or("").find("text/css"), std::string::npos);

  EXPECT_EQ(client.get("/plugins/abi_valid/helpers.js").status, 200);
}

TEST_F(PluginRoutes, UnknownPluginsFilesAndTraversalGetErrorEnvelopes) {
  annot::test::http_client client(port_);
  expect_envelope(client.get("/plugins/abi_valid/missing.js"), 404, "not found");
  expect_envelope(client.get("/plugins/nope/index.js"), 404,
                  "no plugin named 'nope' is loaded; loaded: abi_valid");
  // A refused plugin's UI is never served, though its files are on disk.
  ASSERT_TRUE(fs::exists(root_ / "plugins" / "abi_broken_register_fails" / "ui" / "index.js"));
  expect_envelope(client.get("/plugins/abi_broken_register_fails/index.js"), 404,
                  "no plugin named 'abi_broken_register_fails' is loaded");
  auto traversal = client.get("/plugins/abi_valid/%2e%2e/%2e%2e/abi_broken_register_fails/ui/index.js");
  EXPECT_GE(traversal.status, 400);
  EXPECT_LT(traversal.status, 500);
  EXPECT_EQ(traversal.body.find("abi_broken_register_fails'; }"), std::string::npos);
}

TEST(PluginRoutesSetup, RefusesAnUnfrozenRegistry) {
  http::router routes;
  EXPECT_THROW(api::add_plugin_routes(routes, std::make_shared<const plugins::registry>()), std::logic_error);
  EXPECT_THROW(api::add_plugin_routes(routes, nullptr), std::logic_error);
}
