// The user routes over real HTTP on 127.0.0.1: the user list, whoami, the caller's API token and
// its reset, profile edits (own profile; admins for others), and admin-only user creation/deletion.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_host.hpp"

namespace annot::host {
namespace {

using json = nlohmann::json;

class UsersApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = &host_.start();
    port_ = host_.port();
  }

  // A user and their token header.
  std::pair<store::user, test::header_list> user(const std::string& email, bool admin = false) {
    auto u = app_->db().run<store::user>([&](store::write_context& w) {
      return w.create_user({.email = email, .is_staff = admin, .is_superuser = admin});
    });
    EXPECT_TRUE(u) << u.error().message();
    return {*u, {{"Authorization", "Token " + *app_->db().read()->legacy_token(u->id)}}};
  }

  test::http_response call(std::string_view method, std::string_view target, std::string_view body,
                           const test::header_list& h) {
    return test::http_request(port_, method, target, body, h);
  }

  annot::host::testing::api_host host_;
  app::host_app* app_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(UsersApiTest, WhoamiListAndTokens) {
  auto [ann, ann_auth] = user("ann@example.com");
  auto [bob, bob_auth] = user("bob@example.com");
  auto me = call("GET", "/api/current-user/whoami", "", ann_auth);
  ASSERT_EQ(me.status, 200);
  auto j = json::parse(me.body);
  EXPECT_EQ(j["id"], ann.id);
  EXPECT_EQ(j["email"], "ann@example.com");
  EXPECT_EQ(j["username"], "ann");
  EXPECT_EQ(j["initials"], "an");
  for (auto key : {"first_name", "last_name", "avatar", "phone", "active_organization", "date_joined", "last_activity"})
    EXPECT_TRUE(j.contains(key)) << key;

  auto list = json::parse(call("GET", "/api/users", "", bob_auth).body);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["email"], "ann@example.com");
  EXPECT_EQ(list[1]["email"], "bob@example.com");
  EXPECT_EQ(json::parse(call("GET", "/api/users/" + std::to_string(bob.id), "", ann_auth).body)["email"], "bob@example.com");
  EXPECT_EQ(call("GET", "/api/users/999", "", ann_auth).status, 404);

  std::string old_key = ann_auth[0].second.substr(6);
  auto token = json::parse(call("GET", "/api/current-user/token", "", ann_auth).body);
  EXPECT_EQ(token["token"], old_key);
  auto reset = call("POST", "/api/current-user/reset-token", "", ann_auth);
  ASSERT_EQ(reset.status, 201) << reset.body;
  std::string new_key = json::parse(reset.body)["token"];
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(new_key.size(), 40u);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", ann_auth).status, 401) << "the old token is gone";
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"Authorization", "Token " + new_key}}).status, 200);
}

TEST_F(UsersApiTest, ProfileEditsAndAdminOnlyActions) {
  auto [ann, ann_auth] = user("ann@example.com");
  auto [bob, bob_auth] = user("bob@example.com");
  auto [root, root_auth] = user("root@example.com", true);

  auto own = call("PATCH", "/api/users/" + std::to_string(ann.id), R"({"first_name":"Ann","last_name":"Lee"})", ann_auth);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(json::parse(own.body)["initials"], "AL");
  EXPECT_EQ(call("PATCH", "/api/users/" + std::to_string(bob.id), R"({"first_name":"X"})", ann_auth).status, 403);
  EXPECT_EQ(call("PATCH", "/api/users/" + std::to_string(ann.id), R"({"is_superuser":true})", ann_auth).status, 400)
      << "no self-promotion";
  EXPECT_EQ(call("PATCH", "/api/users/" + std::to_string(ann.id), R"({"first_name":5})", ann_auth).status, 400);

  EXPECT_EQ(call("POST", "/api/users", R"({"email":"new@example.com"})", ann_auth).status, 403);
  auto made = call("POST", "/api/users", R"({"email":"new@example.com","password":"long-enough","first_name":"Neo"})", root_auth);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json::parse(made.body)["first_name"], "Neo");
  auto dup = call("POST", "/api/users", R"({"email":"NEW@example.com"})", root_auth);
  EXPECT_EQ(dup.status, 400);
  EXPECT_TRUE(json::parse(dup.body)["validation_errors"].contains("email"));

  EXPECT_EQ(call("DELETE", "/api/users/" + std::to_string(bob.id), "", ann_auth).status, 403);
  EXPECT_EQ(call("DELETE", "/api/users/" + std::to_string(root.id), "", root_auth).status, 400) << "not yourself";
  EXPECT_EQ(call("DELETE", "/api/users/" + std::to_string(bob.id), "", root_auth).status, 204);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", bob_auth).status, 401);
  EXPECT_EQ(call("DELETE", "/api/users/" + std::to_string(bob.id), "", root_auth).status, 404);

  // Deactivation by an admin locks the user out.
  EXPECT_EQ(call("PATCH", "/api/users/" + std::to_string(ann.id), R"({"is_active":false})", root_auth).status, 200);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", ann_auth).status, 401);
}

}  // namespace
}  // namespace annot::host
