// The web shell page: the import map inlined into index.html (vendor packages, the UI SDK, plugin
// bundles, first entry wins), and Label Studio's page URLs answering that page over real HTTP.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/web_shell.hpp"
#include "http/server.hpp"
#include "test_http_client.hpp"

namespace annot::host::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// The JSON inside the page's <script type="importmap">.
json import_map_of(const std::string& page) {
  const std::string open = "<script type=\"importmap\">";
  auto at = page.find(open);
  if (at == std::string::npos) return nullptr;
  auto end = page.find("</script>", at);
  return json::parse(page.substr(at + open.size(), end - at - open.size()));
}

class WebShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("annot-web-shell-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    write_file(root_ / "web/index.html",
               "<!doctype html><html><head><title>Annot</title><!-- annot:importmap -->"
               "<script type=\"module\" src=\"/static/app.js\"></script></head><body></body></html>");
    write_file(root_ / "web/app.js", "import { h } from 'preact';\n");
    write_file(root_ / "web/vendor/importmap.json",
               R"({"imports": {"preact": "/static/vendor/preact@10.29.8/dist/preact.module.js",
                               "htm": "/static/vendor/htm@3.1.1/dist/htm.module.js"}})");
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  // A plugin with a UI bundle that also tries to take over "preact".
  void add_plugin_with_ui() {
    plugins::staged_plugin p;
    p.record.name = "demo";
    plugins::ui_record ui;
    ui.module = "/plugins/demo/index.js";
    ui.imports = {{"demo-lib", "/plugins/demo/lib.js"}, {"preact", "/plugins/demo/not-preact.js"}};
    p.ui = std::move(ui);
    ASSERT_TRUE(registry_.commit(std::move(p)).ok());
  }

  std::uint16_t serve() {
    registry_.freeze();
    auto files = std::make_shared<http::static_files>();
    files->add_directory("/static", root_ / "web");
    add_web_shell_routes(router_, files, root_ / "web", registry_);
    router_.add(http::method::get, "/static/{*path}", http::static_files::make_handler(files));
    http::server_options o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.io_threads = 1;
    o.access_log = false;
    server_ = std::make_unique<http::server>(o, router_);
    return server_->start();
  }

  fs::path root_;
  plugins::registry registry_;
  http::router router_;
  std::unique_ptr<http::server> server_;
};

TEST_F(WebShellTest, ImportMapHasVendorSdkAndPluginsFirstEntryWins) {
  add_plugin_with_ui();
  registry_.freeze();
  json map = json::parse(build_import_map(root_ / "web", registry_));
  const json& imports = map.at("imports");
  EXPECT_EQ(imports.at("preact"), "/static/vendor/preact@10.29.8/dist/preact.module.js")
      << "a plugin must not replace a vendor package";
  EXPECT_EQ(imports.at("htm"), "/static/vendor/htm@3.1.1/dist/htm.module.js");
  EXPECT_EQ(imports.at("@annot/ui-sdk"), "/static/ui-sdk/index.js");
  EXPECT_EQ(imports.at("@annot/plugins/demo"), "/plugins/demo/index.js");
  EXPECT_EQ(imports.at("demo-lib"), "/plugins/demo/lib.js");
}

TEST_F(WebShellTest, ImportMapWithoutVendorFileStillHasTheSdk) {
  fs::remove(root_ / "web/vendor/importmap.json");
  registry_.freeze();
  json map = json::parse(build_import_map(root_ / "web", registry_));
  EXPECT_EQ(map["imports"].size(), 1u);
  EXPECT_EQ(map["imports"]["@annot/ui-sdk"], "/static/ui-sdk/index.js");
}

TEST_F(WebShellTest, InlinesAtTheMarkerBeforeScriptsOrHeadEnd) {
  const std::string map = R"({"imports":{"a":"/a.js"}})";
  EXPECT_EQ(inline_import_map("<head><!-- annot:importmap --></head>", map),
            "<head><script type=\"importmap\">" + map + "</script></head>");
  std::string before_script = inline_import_map("<head><script src=x></script></head>", map);
  EXPECT_LT(before_script.find("importmap"), before_script.find("src=x"));
  std::string before_head_end = inline_import_map("<head><title>t</title></head><body></body>", map);
  EXPECT_LT(before_head_end.find("importmap"), before_head_end.find("</head>"));
  EXPECT_EQ(inline_import_map("<p>bare</p>", map), "<p>bare</p><script type=\"importmap\">" + map + "</script>");
}

TEST_F(WebShellTest, ImportMapCannotCloseItsScriptElement) {
  const std::string page = inline_import_map("<!-- annot:importmap -->", R"({"imports":{"x":"/a</script><b>"}})");
  EXPECT_EQ(page.find("</script>"), page.rfind("</script>")) << page;
  EXPECT_EQ(import_map_of(page)["imports"]["x"], "/a</script><b>") << "the escaped JSON means the same";
}

TEST_F(WebShellTest, LabelStudioPageUrlsServeTheShellWithItsImportMap) {
  add_plugin_with_ui();
  const auto port = serve();
  for (const char* target : {"/", "/user/login", "/user/signup", "/projects", "/projects/", "/projects/create",
                             "/projects/12/data", "/projects/12/data?task=7", "/projects/12/settings",
                             "/projects/12/import"}) {
    auto page = test::http_request(port, "GET", target);
    EXPECT_EQ(page.status, 200) << target;
    EXPECT_EQ(page.header("Content-Type").value_or(""), "text/html; charset=utf-8") << target;
    EXPECT_TRUE(page.header("ETag")) << target;
    json map = import_map_of(page.body);
    ASSERT_TRUE(map.is_object()) << target << ": " << page.body;
    EXPECT_EQ(map["imports"]["@annot/plugins/demo"], "/plugins/demo/index.js") << target;
    // The map must come before the module script that needs it.
    EXPECT_LT(page.body.find("importmap"), page.body.find("/static/app.js")) << target;
  }
  EXPECT_EQ(test::http_request(port, "GET", "/static/app.js").status, 200);
  EXPECT_EQ(test::http_request(port, "POST", "/projects").status, 405) << "pages are GET only";
}

TEST_F(WebShellTest, WithoutAnIndexPageThePagesAnswer404) {
  fs::remove(root_ / "web/index.html");
  const auto port = serve();
  EXPECT_EQ(test::http_request(port, "GET", "/projects").status, 404);
}

}  // namespace
}  // namespace annot::host::app
