// Static files: MIME types, ETag/304, gzip variants, byte ranges, traversal refusal, several trees.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "http/server.hpp"
#include "http/static_files.hpp"
#include "test_http_client.hpp"

namespace http = annot::host::http;
namespace fs = std::filesystem;
using annot::test::http_client;
using namespace std::chrono_literals;

namespace {

void write_file(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

class HttpStatic : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("annot_http_static_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    js_.clear();
    for (int i = 0; i < 400; ++i)
      js_ += "export function f" + std::to_string(i) + "() { return " + std::to_string(i) + "; }\n";
    write_file(root_ / "web/app.js", js_);
    write_file(root_ / "web/mod.mjs", "export const x = 1;\n");
    write_file(root_ / "web/style.css", "body { color: red; }\n");
    write_file(root_ / "web/index.html", "<!doctype html><title>annot</title>\n");
    write_file(root_ / "web/data.json", R"({"a":1})");
    write_file(root_ / "web/app.js.map", R"({"version":3})");
    write_file(root_ / "web/icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write_file(root_ / "web/font.woff2", std::string(100, '\x01'));
    write_file(root_ / "web/blob.xyz", "??");
    write_file(root_ / "web/Mixed Case.TXT", "spaces and case");
    std::string png(5000, '\0');
    std::mt19937 gen(42);
    for (char& c : png) c = static_cast<char>(gen());
    png_ = png;
    write_file(root_ / "web/img/logo.png", png);
    write_file(root_ / "web/docs/index.html", "<p>docs</p>");
    write_file(root_ / "web/.secret", "dotfile");
    write_file(root_ / "secret.txt", "TOP SECRET");
    write_file(root_ / "plugin_ui/main.js", "export function mount(el) {}\n");

    auto files = std::make_shared<http::static_files>();
    files->add_directory("/static", root_ / "web");
    files->add_directory("/plugins/image/", root_ / "plugin_ui");
    files_ = files;
    router_.add(http::method::get, "/static/{*path}", http::static_files::make_handler(files));
    router_.add(http::method::get, "/plugins/{name}/{*path}", http::static_files::make_handler(files));
    http::server_options o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.io_threads = 1;
    o.access_log = false;
    server_ = std::make_unique<http::server>(o, router_);
    port_ = server_->start();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  annot::test::http_response get(std::string_view target, const annot::test::header_list& h = {}) {
    http_client c(port_);
    return c.get(target, h);
  }

  fs::path root_;
  std::string js_, png_;
  std::shared_ptr<const http::static_files> files_;
  http::router router_;
  std::unique_ptr<http::server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace

TEST(HttpStaticMime, ByExtension) {
  EXPECT_EQ(http::static_files::mime_type("a/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(http::static_files::mime_type("x.MJS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(http::static_files::mime_type("s.css"), "text/css; charset=utf-8");
  EXPECT_EQ(http::static_files::mime_type("i.html"), "text/html; charset=utf-8");
  EXPECT_EQ(http::static_files::mime_type("d.json"), "application/json");
  EXPECT_EQ(http::static_files::mime_type("i.svg"), "image/svg+xml");
  EXPECT_EQ(http::static_files::mime_type("i.png"), "image/png");
  EXPECT_EQ(http::static_files::mime_type("i.jpg"), "image/jpeg");
  EXPECT_EQ(http::static_files::mime_type("m.wasm"), "application/wasm");
  EXPECT_EQ(http::static_files::mime_type("app.js.map"), "application/json");
  EXPECT_EQ(http::static_files::mime_type("f.woff2"), "font/woff2");
  EXPECT_EQ(http::static_files::mime_type("f.woff"), "font/woff");
  EXPECT_EQ(http::static_files::mime_type("f.ttf"), "font/ttf");
  EXPECT_EQ(http::static_files::mime_type("noext"), "application/octet-stream");
  EXPECT_EQ(http::static_files::mime_type("dir.d/noext"), "application/octet-stream");
  EXPECT_EQ(http::static_files::mime_type("x.unknownext"), "application/octet-stream");
}

TEST_F(HttpStatic, ServesFilesWithTypesAndCaching) {
  const std::pair<const char*, const char*> cases[] = {
      {"/static/app.js", "text/javascript; charset=utf-8"},
      {"/static/mod.mjs", "text/javascript; charset=utf-8"},
      {"/static/style.css", "text/css; charset=utf-8"},
      {"/static/index.html", "text/html; charset=utf-8"},
      {"/static/data.json", "application/json"},
      {"/static/app.js.map", "application/json"},
      {"/static/icon.svg", "image/svg+xml"},
      {"/static/img/logo.png", "image/png"},
      {"/static/font.woff2", "font/woff2"},
      {"/static/blob.xyz", "application/octet-stream"},
  };
  for (const auto& [path, type] : cases) {
    SCOPED_TRACE(path);
    const auto r = get(path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), type);
    EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
    EXPECT_EQ(r.header("Cache-Control"), "no-cache");
    ASSERT_TRUE(r.header("ETag"));
    EXPECT_EQ(r.header("ETag")->front(), '"');
  }
  EXPECT_EQ(get("/static/img/logo.png").body, png_);
  EXPECT_EQ(get("/static/Mixed%20Case.TXT").body, "spaces and case");
  EXPECT_EQ(get("/static/").body, "<!doctype html><title>annot</title>\n");
  EXPECT_EQ(get("/static/docs/").body, "<p>docs</p>");
  EXPECT_EQ(get("/plugins/image/main.js").body, "export function mount(el) {}\n");
  EXPECT_EQ(get("/static/missing.js").status, 404);
  EXPECT_EQ(get("/static/.secret").status, 404);
  EXPECT_EQ(get("/plugins/text/main.js").status, 404);
  ASSERT_NE(files_->find("/static/app.js"), nullptr);
  EXPECT_EQ(files_->find("/static/app.js")->body, js_);
  EXPECT_EQ(files_->find("/static/nope"), nullptr);
  const auto head = http_client(port_).request("HEAD", "/static/img/logo.png");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), std::to_string(png_.size()));
}

TEST_F(HttpStatic, EtagRevalidationGives304) {
  const auto first = get("/static/style.css");
  const auto etag = *first.header("ETag");
  auto again = get("/static/style.css", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("ETag"), etag);
  EXPECT_EQ(get("/static/style.css", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
  EXPECT_EQ(get("/static/style.css", {{"If-None-Match", "\"stale\""}}).status, 200);
  // Different content, different tag.
  EXPECT_NE(get("/static/mod.mjs").header("ETag"), etag);
}

TEST_F(HttpStatic, GzipWhenAcceptedAndSmaller) {
  const auto plain = get("/static/app.js");
  EXPECT_FALSE(plain.header("Content-Encoding"));
  EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.body, js_);

  const auto gz = get("/static/app.js", {{"Accept-Encoding", "br, gzip;q=0.8, deflate"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.header("Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), js_.size() / 4);
  EXPECT_EQ(gunzip(gz.body), js_);
  EXPECT_NE(gz.header("ETag"), plain.header("ETag"));
  // Either representation's tag revalidates.
  EXPECT_EQ(
      get("/static/app.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", *plain.header("ETag")}}).status,
      304);

  EXPECT_FALSE(get("/static/app.js", {{"Accept-Encoding", "gzip;q=0"}}).header("Content-Encoding"));
  EXPECT_EQ(get("/static/app.js", {{"Accept-Encoding", "*"}}).header("Content-Encoding"), "gzip");
  // Incompressible or tiny files have no gzip variant.
  const auto png = get("/static/img/logo.png", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(png.header("Content-Encoding"));
  EXPECT_FALSE(png.header("Vary"));
  EXPECT_FALSE(get("/static/style.css", {{"Accept-Encoding", "gzip"}}).header("Content-Encoding"));
}

TEST_F(HttpStatic, ByteRanges) {
  auto r = get("/static/img/logo.png", {{"Range", "bytes=10-19"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("Content-Range"), "bytes 10-19/5000");
  EXPECT_EQ(r.body, png_.substr(10, 10));

  r = get("/static/img/logo.png", {{"Range", "bytes=4990-"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("Content-Range"), "bytes 4990-4999/5000");
  EXPECT_EQ(r.body, png_.substr(4990));

  r = get("/static/img/logo.png", {{"Range", "bytes=-5"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, png_.substr(4995));

  r = get("/static/img/logo.png", {{"Range", "bytes=4000-99999"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("Content-Range"), "bytes 4000-4999/5000");

  r = get("/static/img/logo.png", {{"Range", "bytes=5000-5001"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.header("Content-Range"), "bytes */5000");
  EXPECT_EQ(nlohmann::json::parse(r.body)["status_code"], 416);

  // Several ranges or nonsense: the whole file (servers may ignore Range).
  EXPECT_EQ(get("/static/img/logo.png", {{"Range", "bytes=0-1,5-6"}}).status, 200);
  EXPECT_EQ(get("/static/img/logo.png", {{"Range", "lines=1-2"}}).status, 200);
  // If-Range with a stale tag: the whole file.
  EXPECT_EQ(get("/static/img/logo.png", {{"Range", "bytes=0-1"}, {"If-Range", "\"old\""}}).status, 200);
  // A range applies to the identity bytes even when gzip is accepted.
  r = get("/static/app.js", {{"Range", "bytes=0-5"}, {"Accept-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_FALSE(r.header("Content-Encoding"));
  EXPECT_EQ(r.body, js_.substr(0, 6));
}

TEST_F(HttpStatic, TraversalIsRefused) {
  for (const char* target : {
           "/static/../secret.txt",
           "/static/%2e%2e/secret.txt",
           "/static/%2E%2E/secret.txt",
           "/static/..%2fsecret.txt",
           "/static/..%2Fsecret.txt",
           "/static/%2e%2e%2fsecret.txt",
           "/static/..%5csecret.txt",
           "/static/..\\secret.txt",
           "/static/img/../../secret.txt",
           "/static/./app.js",
           "/static/app.js%00.png",
           "/static/%252e%252e/secret.txt",
           "/plugins/image/..%2f..%2fsecret.txt",
       }) {
    SCOPED_TRACE(target);
    const auto r = get(target);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << r.status;
    EXPECT_EQ(r.body.find("TOP SECRET"), std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(r.body)["status_code"], r.status);
  }
}
