// `annot user` and `annot db` as a user runs them: the real binary against the data directory of a
// host serving on 127.0.0.1. The token `annot user create` prints works against that host at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "annot_cli.hpp"
#include "app/host_app.hpp"
#include "test_http_client.hpp"

namespace annot::host {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Runs the annot binary with arguments (no shell quoting needed: test values are plain).
testing::cli_result annot(const std::string& args) {
  return testing::run_annot(args);
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

class UserCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(ANNOT_TEST_BIN_DIR) / "annot")) GTEST_SKIP() << "the annot binary is not built";
    root_ = fs::temp_directory_path() / ("annot-user-cli-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    app_.reset();
    fs::remove_all(root_);
  }
  void serve() {
    app::host_options options;
    options.http.address = "127.0.0.1";
    options.http.port = 0;
    options.data_dir = root_ / "data";
    options.plugins_dir = ANNOT_TEST_PLUGINS_DIR;
    options.web_dir = root_ / "no-web";
    auto created = app::host_app::create(options);
    ASSERT_TRUE(created) << created.error().message();
    app_ = std::move(*created);
    port_ = app_->start();
  }
  std::string data() const { return (root_ / "data").string(); }

  fs::path root_;
  std::unique_ptr<app::host_app> app_;
  std::uint16_t port_ = 0;
};

TEST_F(UserCliTest, CreatedTokenWorksAgainstARunningHost) {
  serve();
  auto made = annot("user create --email cli@example.com --password cli-password-1 --admin --data-dir " + data());
  ASSERT_EQ(made.code, 0) << made.out;
  std::string token = last_line(made.out);
  EXPECT_EQ(token.size(), 40u) << made.out;

  auto me = test::http_request(port_, "GET", "/api/current-user/whoami", "", {{"Authorization", "Token " + token}});
  ASSERT_EQ(me.status, 200) << me.body;
  auto j = json::parse(me.body);
  EXPECT_EQ(j["email"], "cli@example.com");
  EXPECT_EQ(j["is_superuser"], true);
  // The password works for the web login too.
  auto login = test::http_request(port_, "POST", "/user/login", R"({"email":"cli@example.com","password":"cli-password-1"})",
                                  {{"Content-Type", "application/json"}});
  EXPECT_EQ(login.status, 200) << login.body;

  auto dup = annot("user create --email CLI@example.com --data-dir " + data());
  EXPECT_EQ(dup.code, 1) << dup.out;
  EXPECT_NE(dup.out.find("already exists"), std::string::npos) << dup.out;

  auto listed = annot("user list --json --data-dir " + data());
  ASSERT_EQ(listed.code, 0) << listed.out;
  auto users = json::parse(listed.out);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["email"], "cli@example.com");
  EXPECT_NE(annot("user list --data-dir " + data()).out.find("cli@example.com"), std::string::npos);

  auto removed = annot("user delete --email cli@example.com --data-dir " + data());
  ASSERT_EQ(removed.code, 0) << removed.out;
  EXPECT_EQ(test::http_request(port_, "GET", "/api/current-user/whoami", "", {{"Authorization", "Token " + token}}).status, 401)
      << "the deleted user's token stops working on the running host";
  EXPECT_EQ(annot("user delete --email cli@example.com --data-dir " + data()).code, 1);
}

TEST_F(UserCliTest, UsageErrors) {
  EXPECT_EQ(annot("user").code, 2);
  EXPECT_EQ(annot("user create --data-dir " + data()).code, 2) << "needs --email";
  EXPECT_EQ(annot("user create --email a@example.com --password short --data-dir " + data()).code, 2);
  EXPECT_EQ(annot("user frobnicate --data-dir " + data()).code, 2);
  EXPECT_EQ(annot("user delete --data-dir " + data()).code, 2);
  EXPECT_EQ(annot("user list --bogus").code, 2);
  auto help = annot("user --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("annot user create"), std::string::npos);
}

TEST_F(UserCliTest, DbStatusAndMigrate) {
  std::string db = "--db sqlite:" + (root_ / "elsewhere.db").string();
  auto before = annot("db status " + db);
  EXPECT_TRUE(before.code != 0 || before.out.find("pending") != std::string::npos) << before.out;
  auto migrate = annot("db migrate " + db);
  ASSERT_EQ(migrate.code, 0) << migrate.out;
  EXPECT_NE(migrate.out.find("applied"), std::string::npos) << migrate.out;
  auto again = annot("db migrate " + db);
  EXPECT_EQ(again.code, 0);
  EXPECT_NE(again.out.find("nothing to apply"), std::string::npos) << again.out;
  auto after = annot("db status " + db);
  EXPECT_EQ(after.code, 0) << after.out;
  EXPECT_EQ(after.out.find("pending"), std::string::npos) << after.out;
  EXPECT_EQ(annot("db explode " + db).code, 2);
  EXPECT_EQ(annot("db").code, 2);
  // The user commands honour --db too.
  auto made = annot("user create --email db@example.com " + db);
  ASSERT_EQ(made.code, 0) << made.out;
  EXPECT_NE(annot("user list " + db).out.find("db@example.com"), std::string::npos);
}

}  // namespace
}  // namespace annot::host
