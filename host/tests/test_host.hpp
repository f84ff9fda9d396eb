// A real host for API tests: plugins, a SQLite file in a fresh temporary folder, HTTP on
// 127.0.0.1, restartable on the same data directory; users, tokens and projects made through the
// store; JSON requests over the test client. Every host-level test starts its host through this.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "app/host_app.hpp"
#include "test_http_client.hpp"

namespace annot::host::testing {

namespace fs = std::filesystem;
using nlohmann::json;

class api_host {
 public:
  api_host() {
    // A parameterised test's name ends in "/N": kept, it would make root_ a subfolder and leave its
    // parent behind in /tmp after every run.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    root_ = fs::temp_directory_path() / ("annot-test-host-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~api_host() {
    app_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // The plugins the host loads from its next start on (default: the build's bundle).
  void use_plugins(fs::path dir) { plugins_dir_ = std::move(dir); }

  // Starts (or restarts) the host on the same data directory.
  app::host_app& start(api::api_settings settings = {}) {
    app_.reset();
    app::host_options o;
    o.http.address = "127.0.0.1";
    o.http.port = 0;
    o.http.io_threads = 2;
    o.data_dir = root_ / "data";
    o.plugins_dir = plugins_dir_;
    o.web_dir = root_ / "no-web";
    o.api = settings;
    auto created = app::host_app::create(o);
    if (!created) throw std::runtime_error("host_app::create: " + created.error().message());
    app_ = std::move(*created);
    port_ = app_->start();
    return *app_;
  }
  void stop() { app_.reset(); }

  app::host_app& app() { return *app_; }
  store::store& db() { return app_->db(); }
  std::uint16_t port() const { return port_; }
  const fs::path& root() const { return root_; }

  // A user and their "Token <key>" header.
  struct user_token {
    std::int64_t id = 0;
    test::header_list auth;
  };
  user_token make_user(const std::string& email, bool admin = false) {
    auto u = db().run<store::user>(
        [&](store::write_context& w) { return w.create_user({.email = email, .is_staff = admin, .is_superuser = admin}); });
    if (!u) throw std::runtime_error("create_user: " + u.error().message());
    auto key = db().read()->legacy_token(u->id);
    if (!key) throw std::runtime_error("legacy_token: " + key.error().message());
    return {u->id, {{"Authorization", "Token " + *key}}};
  }

  std::int64_t make_project(const std::string& label_config, const std::string& data_types = "{}",
                            std::vector<std::string> data_keys = {}, store::project_fields f = {}) {
    f.title = "p";
    f.label_config = label_config;
    f.data_types = data_types;
    if (!data_keys.empty()) f.data_keys = std::move(data_keys);
    auto p = db().run<store::project>([&](store::write_context& w) { return w.create_project({f, std::nullopt}); });
    if (!p) throw std::runtime_error("create_project: " + p.error().message());
    return p->id;
  }

  // One request on a fresh connection; the body is sent as JSON when it is not a string.
  test::http_response call(std::string_view method, std::string_view target, const test::header_list& auth,
                           const json& body = nullptr) {
    test::http_client c(port_);
    test::header_list h = auth;
    std::string text;
    if (!body.is_null()) {
      text = body.is_string() ? body.get<std::string>() : body.dump();
      h.emplace_back("Content-Type", "application/json");
    }
    return c.request(method, target, text, h);
  }
  // One request whose body is sent as is, under `content_type` (a form post, a mislabelled body).
  test::http_response call_typed(std::string_view method, std::string_view target,
                                 const test::header_list& auth, const std::string& body,
                                 const std::string& content_type) {
    test::http_client c(port_);
    test::header_list h = auth;
    h.emplace_back("Content-Type", content_type);
    return c.request(method, target, body, h);
  }
  // The body as JSON (null when it does not parse).
  static json body(const test::http_response& r) { return json::parse(r.body, nullptr, false); }

 private:
  fs::path root_;
  fs::path plugins_dir_ = ANNOT_TEST_PLUGINS_DIR;
  std::unique_ptr<app::host_app> app_;
  std::uint16_t port_ = 0;
};

// ../shared: ANNOT_SHARED_DIR, or <repo>/../shared (the repo found from this file's path).
inline fs::path shared_dir() {
  if (const char* env = std::getenv("ANNOT_SHARED_DIR"); env && *env) return env;
  fs::path here = __FILE__;
  if (here.is_relative()) here = fs::path(ANNOT_TEST_BIN_DIR).parent_path() / here;
  return (here.parent_path() / ".." / ".." / ".." / "shared").lexically_normal();
}

}  // namespace annot::host::testing
