// The assembled host over real HTTP on 127.0.0.1: system routes, plugin listing, the web shell,
// the error envelope, and a job's progress observed through GET /api/jobs/{id} to completion.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/host_app.hpp"
#include "test_http_client.hpp"

namespace annot::host::app {
namespace {

namespace fs = std::filesystem;

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("annot-app-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "web");
    std::ofstream(root_ / "web" / "index.html") << "<!doctype html><title>shell</title>";
    std::ofstream(root_ / "web" / "app.js") << "export const answer = 42;\n";
  }
  void TearDown() override {
    app_.reset();
    fs::remove_all(root_);
  }

  host_app& start(bool strict = false, std::chrono::seconds shutdown_timeout = std::chrono::seconds(10)) {
    host_options options;
    options.http.address = "127.0.0.1";
    options.http.port = 0;
    options.http.io_threads = 2;
    options.http.shutdown_timeout = shutdown_timeout;
    options.data_dir = root_ / "data";
    options.plugins_dir = ANNOT_TEST_PLUGINS_DIR;
    options.web_dir = root_ / "web";
    options.strict_plugins = strict;
    auto created = host_app::create(options);
    EXPECT_TRUE(created) << created.error().message();
    app_ = std::move(*created);
    return *app_;
  }

  // A user of the host's store and its API token header, for the routes that need a login.
  test::header_list token_header(const std::string& email = "jobs@example.com") {
    auto u = app_->db().run<store::user>([&](store::write_context& w) { return w.create_user({.email = email}); });
    EXPECT_TRUE(u) << u.error().message();
    auto key = app_->db().read()->legacy_token(u->id);
    EXPECT_TRUE(key) << key.error().message();
    return {{"Authorization", "Token " + *key}};
  }

  std::uint16_t listen() {
    port_ = app_->start();
    return port_;
  }

  test::http_response get(std::string_view target) {
    test::http_client client(port_);
    return client.request("GET", target);
  }

  fs::path root_;
  std::unique_ptr<host_app> app_;
  std::uint16_t port_ = 0;
};

TEST_F(AppTest, HealthAndVersion) {
  start();
  listen();
  auto health = get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body), nlohmann::json({{"status", "UP"}}));
  EXPECT_EQ(get("/health/").status, 200) << "Label Studio serves both slash forms";

  auto version = nlohmann::json::parse(get("/api/version").body);
  EXPECT_TRUE(version.contains("release"));
  EXPECT_TRUE(version["annot"].contains("sdk"));
}

TEST_F(AppTest, ListsTheDefaultBundle) {
  start();
  listen();
  auto answer = get("/api/plugins");
  ASSERT_EQ(answer.status, 200);
  auto listing = nlohmann::json::parse(answer.body);
  ASSERT_TRUE(listing["plugins"].is_array());
  ASSERT_TRUE(listing["refused"].is_array());
  EXPECT_TRUE(listing["refused"].empty()) << listing["refused"].dump(2);
  EXPECT_EQ(listing["plugins"].size(), app_->registry().plugins().size());
}

TEST_F(AppTest, ServesTheWebShell) {
  start();
  listen();
  auto index = get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<title>shell</title>"), std::string::npos);
  auto js = get("/static/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("Content-Type").value_or("").rfind("text/javascript", 0), 0u);
  EXPECT_TRUE(js.header("ETag"));
}

TEST_F(AppTest, UnknownRouteGetsTheErrorEnvelope) {
  start();
  listen();
  auto answer = get("/api/no/such/thing");
  EXPECT_EQ(answer.status, 404);
  auto body = nlohmann::json::parse(answer.body);
  for (auto key : {"id", "status_code", "version", "detail", "exc_info"}) EXPECT_TRUE(body.contains(key)) << key;
  EXPECT_EQ(body["status_code"], 404);
}

TEST_F(AppTest, JobProgressIsObservedToCompletion) {
  auto& app = start();
  // A job that advances one step each time the test allows it, so every state is observed.
  std::atomic<int> allowed{0};
  app.routes().add(http::method::post, "/test/jobs",
                   http::simple_handler([&app, &allowed](http::request&) {
                     auto id = app.jobs().submit("test-steps", [&allowed](jobs::job_context& ctx) {
                       for (int step = 1; step <= 3; ++step) {
                         while (allowed.load() < step) {
                           if (ctx.cancel_requested()) return status(errc::cancelled, "");
                           std::this_thread::sleep_for(std::chrono::milliseconds(2));
                         }
                         ctx.set_progress(step, 3);
                       }
                       ctx.set_result({{"steps", 3}});
                       return status::success();
                     });
                     return http::response::json(201, nlohmann::json{{"job", id}}.dump());
                   }));
  listen();
  auto auth = token_header();
  test::http_client client(port_);
  auto created = client.request("POST", "/test/jobs", "{}");
  ASSERT_EQ(created.status, 201);
  auto id = nlohmann::json::parse(created.body)["job"].get<long>();
  auto path = "/api/jobs/" + std::to_string(id);

  auto poll_until = [&](auto predicate) {
    for (int i = 0; i < 5000; ++i) {
      auto body = nlohmann::json::parse(client.request("GET", path, {}, auth).body);
      if (predicate(body)) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "job " << id << " never reached the expected state";
    return nlohmann::json();
  };

  for (int step = 1; step <= 3; ++step) {
    allowed = step;
    auto body = poll_until([&](const nlohmann::json& j) { return j["progress"]["done"] == step; });
    EXPECT_EQ(body["progress"]["total"], 3);
  }
  auto done = poll_until([](const nlohmann::json& j) { return j["state"] == "completed"; });
  EXPECT_EQ(done["result"]["steps"], 3);
  EXPECT_DOUBLE_EQ(done["progress"]["fraction"].get<double>(), 1.0);

  EXPECT_EQ(client.request("GET", "/api/jobs/999999", {}, auth).status, 404);
  EXPECT_EQ(client.request("GET", "/api/jobs/abc", {}, auth).status, 404);
  EXPECT_EQ(client.request("POST", path + "/cancel", "", auth).status, 409) << "a finished job cannot be cancelled";
  auto anonymous = client.request("GET", path);
  EXPECT_EQ(anonymous.status, 401) << "job routes need a login";
  EXPECT_EQ(nlohmann::json::parse(anonymous.body)["detail"], "Authentication credentials were not provided.");
  EXPECT_EQ(client.request("GET", path, {}, {{"Authorization", "Token nope"}}).status, 401);
}

TEST_F(AppTest, CancelsARunningJobOverHttp) {
  auto& app = start();
  std::latch started(1);
  jobs::job_id id = app.jobs().submit("spin", [&started](jobs::job_context& ctx) {
    started.count_down();
    while (!ctx.cancel_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return status(errc::cancelled, "stopped");
  });
  listen();
  started.wait();
  auto auth = token_header();
  test::http_client client(port_);
  auto answer = client.request("POST", "/api/jobs/" + std::to_string(id) + "/cancel", "", auth);
  EXPECT_EQ(answer.status, 202);
  for (int i = 0; i < 5000; ++i) {
    auto snap = app.jobs().get(id);
    if (snap && snap->state == jobs::job_state::cancelled) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ADD_FAILURE() << "the job was not cancelled";
}

// A request whose write waits in the store's queue past the server's shutdown deadline: the host's
// teardown lets the write commit and its callback (which holds the request's exchange, and through
// it a connection of the server) run before the server is destroyed. Destroying the server first
// left the callback touching freed memory (AddressSanitizer: scripts/test-sanitized.sh).
TEST_F(AppTest, AWriteQueuedPastTheShutdownDeadlineCommitsAndOutlivesNoServer) {
  auto& app = start(false, std::chrono::seconds(1));
  listen();
  auto auth = token_header();
  std::atomic<bool> release{false};
  std::latch writer_held(1);
  app.db().submit(
      [&](store::write_context&) {
        writer_held.count_down();
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return status::success();
      },
      [](const status&) {});
  writer_held.wait();
  test::http_client client(port_);
  test::header_list headers = auth;
  headers.emplace_back("Content-Type", "application/json");
  client.send(client.format_request("POST", "/api/projects", R"({"title": "queued at shutdown"})", headers));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the request's write joins the queue
  std::thread releaser([&release] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past the 1 s deadline
    release = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  app_.reset();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1300));
  releaser.join();
  // Nothing lost: the project was written.
  start();
  auto projects = app_->db().read()->list_projects({});
  ASSERT_TRUE(projects) << projects.error().message();
  ASSERT_EQ(projects->items.size(), 1u);
  EXPECT_EQ(projects->items.front().title, "queued at shutdown");
}

TEST_F(AppTest, RefusesAMissingDataDirectoryParentWithAClearError) {
  host_options options;
  options.data_dir = "/proc/annot-cannot-create-this";
  options.plugins_dir = ANNOT_TEST_PLUGINS_DIR;
  auto created = host_app::create(options);
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message().find("cannot create the data directory"), std::string::npos);
}

}  // namespace
}  // namespace annot::host::app
