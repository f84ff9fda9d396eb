// Shared by the import tests: an assembled host on 127.0.0.1 with a user, a token and projects made
// through the store, multipart bodies, and the fixture folder.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "app/host_app.hpp"
#include "test_http_client.hpp"

namespace annot::host::import_testing {

namespace fs = std::filesystem;
using nlohmann::json;

// ../shared/fixtures/ls-import-samples, or empty when absent.
inline fs::path samples_dir() {
  fs::path shared;
  if (const char* env = std::getenv("ANNOT_SHARED_DIR"); env && *env) {
    shared = env;
  } else {
    // <repo>/../shared; the repo is found from this file or from the build tree inside it.
    shared = fs::absolute(fs::path(__FILE__)).parent_path().parent_path().parent_path().parent_path() / "shared";
    if (!fs::is_directory(shared))
      shared = fs::path(ANNOT_TEST_BIN_DIR).parent_path().parent_path().parent_path() / "shared";
  }
  fs::path dir = shared / "fixtures" / "ls-import-samples";
  return fs::is_directory(dir) ? dir : fs::path();
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct file_part {
  std::string filename;
  std::string content;
  std::string content_type = "application/octet-stream";
};

inline std::string multipart_body(const std::vector<file_part>& files, const std::string& boundary) {
  std::string out;
  for (const auto& f : files) {
    out += "--" + boundary + "\r\n";
    out += "Content-Disposition: form-data; name=\"file\"; filename=\"" + f.filename + "\"\r\n";
    out += "Content-Type: " + f.content_type + "\r\n\r\n";
    out += f.content;
    out += "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

// A listening TCP socket on 127.0.0.1 on a free port, for the tests' own small url= servers.
struct loopback_listener {
  int fd = -1;
  std::uint16_t port = 0;
};
inline loopback_listener listen_on_loopback() {
  loopback_listener l;
  l.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(l.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(l.fd, 8);
  socklen_t len = sizeof a;
  ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&a), &len);
  l.port = ntohs(a.sin_port);
  return l;
}
// Closes the listener and wakes a thread blocked in accept() on it (shutdown alone may not).
inline void close_listener(int fd, std::uint16_t port) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(s);
}

class import_host : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("annot-import-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    app_.reset();
    fs::remove_all(root_);
  }

  void start(bool allow_private_urls = false) {
    app::host_options options;
    options.http.address = "127.0.0.1";
    options.http.port = 0;
    options.http.io_threads = 2;
    options.data_dir = root_ / "data";
    options.plugins_dir = ANNOT_TEST_PLUGINS_DIR;
    options.web_dir = root_ / "web";
    options.api.allow_private_url_imports = allow_private_urls;
    auto created = app::host_app::create(options);
    ASSERT_TRUE(created) << created.error().message();
    app_ = std::move(*created);
    port_ = app_->start();
    // A restart on the same data directory finds the user already there.
    auto u = app_->db().read()->find_user_by_email("importer@example.com");
    if (!u)
      u = app_->db().run<store::user>(
          [&](store::write_context& w) { return w.create_user({.email = "importer@example.com"}); });
    ASSERT_TRUE(u) << u.error().message();
    user_id_ = u->id;
    auto key = app_->db().read()->legacy_token(u->id);
    ASSERT_TRUE(key);
    token_ = *key;
  }

  std::int64_t make_project(const std::string& config = "<View></View>") {
    auto p = app_->db().run<store::project>([&](store::write_context& w) {
      store::project_fields f;
      f.title = "import test";
      f.label_config = config;
      return w.create_project({f, user_id_});
    });
    EXPECT_TRUE(p) << p.error().message();
    return p ? p->id : 0;
  }

  test::header_list auth(test::header_list more = {}) {
    more.emplace_back("Authorization", "Token " + token_);
    return more;
  }

  test::http_response post_json(std::int64_t pid, const std::string& body, const std::string& query = "") {
    test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    return c.request("POST", "/api/projects/" + std::to_string(pid) + "/import" + query, body,
                     auth({{"Content-Type", "application/json"}}));
  }

  test::http_response post_files(std::int64_t pid, const std::vector<file_part>& files, const std::string& query = "") {
    const std::string boundary = "----annotTestBoundary7MA4YWxkTrZu0gW";
    test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    return c.request("POST", "/api/projects/" + std::to_string(pid) + "/import" + query, multipart_body(files, boundary),
                     auth({{"Content-Type", "multipart/form-data; boundary=" + boundary}}));
  }

  test::http_response get(const std::string& target, bool with_auth = true, test::header_list headers = {}) {
    test::http_client c(port_);
    return c.request("GET", target, {}, with_auth ? auth(std::move(headers)) : headers);
  }

  store::project project(std::int64_t pid) {
    auto p = app_->db().read()->get_project(pid);
    EXPECT_TRUE(p) << p.error().message();
    return p ? *p : store::project{};
  }

  std::vector<store::task> tasks(std::int64_t pid) {
    auto t = app_->db().read()->list_project_tasks(pid, 0, 100000);
    EXPECT_TRUE(t) << t.error().message();
    return t ? *t : std::vector<store::task>{};
  }

  // The one message of a 400 body (validation_errors.non_field_errors[0], else detail).
  static std::string message_of(const test::http_response& r) {
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded()) return r.body;
    if (j.contains("validation_errors") && j["validation_errors"].contains("non_field_errors"))
      return j["validation_errors"]["non_field_errors"][0].get<std::string>();
    return j.value("detail", r.body);
  }

  fs::path root_;
  std::unique_ptr<app::host_app> app_;
  std::uint16_t port_ = 0;
  std::int64_t user_id_ = 0;
  std::string token_;
};

}  // namespace annot::host::import_testing
