// Authentication over real HTTP on 127.0.0.1 against a real SQLite file: every private route
// refuses anonymous callers, legacy tokens and JWTs stop working when their user goes, the login
// cookie needs the CSRF token on writes, login/logout/signup; and the JWT primitives themselves.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "auth/jwt.hpp"
#include "store/secrets.hpp"
#include "test_host.hpp"

namespace annot::host {
namespace {

using json = nlohmann::json;

class AuthTest : public ::testing::Test {
 protected:
  void start(bool allow_signup = true) {
    api::api_settings settings;
    settings.allow_signup = allow_signup;
    app_ = &host_.start(settings);
    port_ = host_.port();
  }

  store::user make_user(const std::string& email) {
    auto u = app_->db().run<store::user>([&](store::write_context& w) { return w.create_user({.email = email}); });
    EXPECT_TRUE(u) << u.error().message();
    return *u;
  }
  std::string legacy_token(std::int64_t user_id) {
    auto key = app_->db().read()->legacy_token(user_id);
    EXPECT_TRUE(key) << key.error().message();
    return *key;
  }
  void delete_user(std::int64_t id) {
    auto s = app_->db().run([id](store::write_context& w) { return w.delete_user(id); });
    ASSERT_TRUE(s.ok()) << s.message();
  }

  test::http_response call(std::string_view method, std::string_view target, std::string_view body = {},
                           const test::header_list& headers = {}) {
    return test::http_request(port_, method, target, body, headers);
  }

  annot::host::testing::api_host host_;
  app::host_app* app_ = nullptr;
  std::uint16_t port_ = 0;
};

std::string method_name(http::method m) {
  switch (m) {
    case http::method::get: return "GET";
    case http::method::head: return "HEAD";
    case http::method::post: return "POST";
    case http::method::put: return "PUT";
    case http::method::patch: return "PATCH";
    case http::method::delete_: return "DELETE";
    case http::method::options: return "OPTIONS";
    default: return "GET";
  }
}

// "/api/projects/{id}/tasks/{*rest}" -> "/api/projects/1/tasks/x"
std::string concrete(const std::string& pattern) {
  static const std::regex tail(R"(\{\*[^}]*\})"), capture(R"(\{[^}]*\})");
  return std::regex_replace(std::regex_replace(pattern, tail, "x"), capture, "1");
}

// The cookies a response sets, name -> the whole Set-Cookie value.
std::map<std::string, std::string> set_cookies(const test::http_response& r) {
  std::map<std::string, std::string> out;
  for (const auto& [n, v] : r.headers)
    if (strcasecmp(n.c_str(), "Set-Cookie") == 0) out[v.substr(0, v.find('='))] = v;
  return out;
}

std::string cookie_value(const std::string& set_cookie) {
  auto eq = set_cookie.find('=');
  return set_cookie.substr(eq + 1, set_cookie.find(';') - eq - 1);
}

TEST_F(AuthTest, EveryPrivateRouteRefusesAnonymousCallers) {
  start();
  std::size_t private_routes = 0;
  for (const auto& e : app_->api_entries()) {
    if (e.is_public) continue;
    ++private_routes;
    std::string target = concrete(e.pattern);
    std::string method = method_name(e.verb);
    auto anonymous = call(method, target, method == "GET" || method == "HEAD" ? "" : "{}");
    EXPECT_EQ(anonymous.status, 401) << method << " " << target;
    if (method != "HEAD") {
      auto body = json::parse(anonymous.body, nullptr, false);
      EXPECT_EQ(body.value("detail", ""), "Authentication credentials were not provided.") << method << " " << target;
    }
    EXPECT_EQ(call(method, target, "", {{"Authorization", "Token 0123456789abcdef"}}).status, 401) << method << " " << target;
    EXPECT_EQ(call(method, target, "", {{"Authorization", "Bearer a.b.c"}}).status, 401) << method << " " << target;
    EXPECT_EQ(call(method, target, "", {{"Cookie", "sessionid=forged"}}).status, 401) << method << " " << target;
  }
  // The routes of this assignment are among them; the test grows with routes others add.
  EXPECT_GE(private_routes, 15u);
  for (const auto& [pattern, verb] : std::vector<std::pair<std::string, http::method>>{
           {"/api/projects", http::method::get}, {"/api/projects/{id}", http::method::delete_},
           {"/api/current-user/whoami", http::method::get}, {"/api/users", http::method::get}}) {
    bool found = false;
    for (const auto& e : app_->api_entries()) found |= e.pattern == pattern && e.verb == verb && !e.is_public;
    EXPECT_TRUE(found) << pattern;
  }
}

TEST_F(AuthTest, LegacyTokenOfADeletedUserStopsWorking) {
  start();
  auto u = make_user("gone@example.com");
  std::string key = legacy_token(u.id);
  auto ok = call("GET", "/api/current-user/whoami", "", {{"Authorization", "Token " + key}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["email"], "gone@example.com");
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"X-Api-Key", key}}).status, 200);
  delete_user(u.id);
  auto refused = call("GET", "/api/current-user/whoami", "", {{"Authorization", "Token " + key}});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(json::parse(refused.body)["detail"], "Invalid token.");
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"X-Api-Key", key}}).status, 401);
}

TEST_F(AuthTest, PersonalTokenRefreshesIntoAnAccessJwtThatDiesWithItsUser) {
  start();
  auto u = make_user("jwt@example.com");
  test::header_list legacy = {{"Authorization", "Token " + legacy_token(u.id)}};
  auto created = call("POST", "/api/token", R"({"label":"ci"})", legacy);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string pat = json::parse(created.body)["token"];
  EXPECT_TRUE(auth::looks_like_jwt(pat));
  auto listed = json::parse(call("GET", "/api/token", "", legacy).body);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["label"], "ci");
  EXPECT_FALSE(listed[0].contains("token")) << "the personal token is shown once, never stored";

  auto refreshed = call("POST", "/api/token/refresh", json{{"refresh", pat}}.dump());
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string access = json::parse(refreshed.body)["access"];
  test::header_list bearer = {{"Authorization", "Bearer " + access}};
  auto me = call("GET", "/api/current-user/whoami", "", bearer);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body)["id"], u.id);

  // The personal token itself is not an access token; a tampered one is not valid at all.
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"Authorization", "Bearer " + pat}}).status, 401);
  std::string tampered = access;
  tampered[tampered.find('.') + 3] = tampered[tampered.find('.') + 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"Authorization", "Bearer " + tampered}}).status, 401);
  auto bad_refresh = call("POST", "/api/token/refresh", json{{"refresh", access}}.dump());
  EXPECT_EQ(bad_refresh.status, 401);
  EXPECT_EQ(json::parse(bad_refresh.body)["code"], "token_not_valid");
  EXPECT_EQ(call("POST", "/api/token/refresh", "{}").status, 400);

  delete_user(u.id);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", bearer).status, 401) << "a deleted user's JWT stops working";
  EXPECT_EQ(call("POST", "/api/token/refresh", json{{"refresh", pat}}.dump()).status, 401);
}

TEST_F(AuthTest, BlacklistedPersonalTokenEndsItsAccessTokens) {
  start();
  auto u = make_user("revoke@example.com");
  test::header_list legacy = {{"Authorization", "Token " + legacy_token(u.id)}};
  std::string pat = json::parse(call("POST", "/api/token", "{}", legacy).body)["token"];
  std::string access = json::parse(call("POST", "/api/token/refresh", json{{"refresh", pat}}.dump()).body)["access"];
  test::header_list bearer = {{"Authorization", "Bearer " + access}};
  ASSERT_EQ(call("GET", "/api/current-user/whoami", "", bearer).status, 200);
  EXPECT_EQ(call("POST", "/api/token/blacklist", json{{"refresh", pat}}.dump(), legacy).status, 204);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", bearer).status, 401);
  EXPECT_EQ(call("POST", "/api/token/refresh", json{{"refresh", pat}}.dump()).status, 401);

  // Deactivating a user ends their access tokens too.
  std::string pat2 = json::parse(call("POST", "/api/token", "{}", legacy).body)["token"];
  std::string access2 = json::parse(call("POST", "/api/token/refresh", json{{"refresh", pat2}}.dump()).body)["access"];
  ASSERT_EQ(call("GET", "/api/current-user/whoami", "", {{"Authorization", "Bearer " + access2}}).status, 200);
  auto s = app_->db().run<store::user>([&](store::write_context& w) {
    store::user_patch p;
    p.is_active = false;
    return w.update_user(u.id, p);
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"Authorization", "Bearer " + access2}}).status, 401);
}

TEST_F(AuthTest, CookieWritesNeedTheCsrfToken) {
  start();
  auto signup = call("POST", "/user/signup", R"({"email":"web@example.com","password":"correct horse"})",
                     {{"Content-Type", "application/json"}});
  ASSERT_EQ(signup.status, 201) << signup.body;
  EXPECT_EQ(json::parse(signup.body)["email"], "web@example.com");
  auto cookies = set_cookies(signup);
  ASSERT_TRUE(cookies.count("sessionid") && cookies.count("csrftoken")) << signup.body;
  EXPECT_NE(cookies["sessionid"].find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookies["sessionid"].find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookies["csrftoken"].find("HttpOnly"), std::string::npos) << "the page script reads it";
  std::string session = cookie_value(cookies["sessionid"]), csrf = cookie_value(cookies["csrftoken"]);
  std::string cookie = "sessionid=" + session + "; csrftoken=" + csrf;

  auto me = call("GET", "/api/current-user/whoami", "", {{"Cookie", cookie}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body)["email"], "web@example.com");

  const std::string project = R"({"title":"Cookie project"})";
  auto no_csrf = call("POST", "/api/projects", project, {{"Cookie", cookie}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(json::parse(no_csrf.body)["detail"], "CSRF Failed: CSRF token missing.");
  auto wrong = call("POST", "/api/projects", project, {{"Cookie", cookie}, {"X-CSRFToken", std::string(csrf.size(), 'a')}});
  EXPECT_EQ(wrong.status, 403);
  // A token planted in both places that is not this session's is refused too.
  std::string forged(csrf.size(), 'b');
  auto planted = call("POST", "/api/projects", project,
                      {{"Cookie", "sessionid=" + session + "; csrftoken=" + forged}, {"X-CSRFToken", forged}});
  EXPECT_EQ(planted.status, 403);
  auto ok = call("POST", "/api/projects", project, {{"Cookie", cookie}, {"X-CSRFToken", csrf}});
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(app_->db().read()->list_projects({})->count, 1) << "only the CSRF-checked write went through";

  // Logout revokes the session: the cookie is worthless afterwards.
  auto out = call("POST", "/user/logout", "", {{"Cookie", cookie}});
  EXPECT_EQ(out.status, 302);
  EXPECT_EQ(out.header("Location").value_or(""), "/user/login");
  EXPECT_NE(set_cookies(out)["sessionid"].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/current-user/whoami", "", {{"Cookie", cookie}}).status, 401);
}

TEST_F(AuthTest, LoginWithFormsAndJson) {
  start();
  auto hash = store::hash_password("s3cret-pass");
  ASSERT_TRUE(hash);
  auto u = app_->db().run<store::user>(
      [&](store::write_context& w) { return w.create_user({.email = "Login@Example.com", .password_hash = *hash}); });
  ASSERT_TRUE(u);

  auto form = call("POST", "/user/login", "email=login%40example.com&password=s3cret-pass&next=%2Fprojects%2F7%2Fdata",
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 302) << form.body;
  EXPECT_EQ(form.header("Location").value_or(""), "/projects/7/data");
  auto cookies = set_cookies(form);
  ASSERT_TRUE(cookies.count("sessionid"));
  auto me = call("GET", "/api/current-user/whoami", "", {{"Cookie", "sessionid=" + cookie_value(cookies["sessionid"])}});
  EXPECT_EQ(me.status, 200);
  EXPECT_FALSE(json::parse(me.body)["last_activity"].is_null()) << "login records last_login";

  auto offsite = call("POST", "/user/login", "email=login%40example.com&password=s3cret-pass&next=%2F%2Fevil.example",
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(offsite.header("Location").value_or(""), "/projects") << "no open redirect";

  auto js = call("POST", "/user/login", R"({"email":"login@example.com","password":"s3cret-pass"})",
                 {{"Content-Type", "application/json"}});
  EXPECT_EQ(js.status, 200) << js.body;
  EXPECT_EQ(json::parse(js.body)["id"], u->id);
  EXPECT_TRUE(set_cookies(js).count("csrftoken"));

  for (auto body : {R"({"email":"login@example.com","password":"wrong-pass"})",
                    R"({"email":"nobody@example.com","password":"s3cret-pass"})"}) {
    auto bad = call("POST", "/user/login", body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_TRUE(set_cookies(bad).empty());
    EXPECT_FALSE(json::parse(bad.body)["detail"].get<std::string>().empty());
  }
  auto missing = call("POST", "/user/login", R"({"email":"login@example.com"})", {{"Content-Type", "application/json"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(json::parse(missing.body)["validation_errors"].contains("password"));
  EXPECT_EQ(call("POST", "/user/login", "{not json", {{"Content-Type", "application/json"}}).status, 400);

  auto logout = call("GET", "/user/logout");
  EXPECT_EQ(logout.status, 302) << "logging out without a session is harmless";
}

TEST_F(AuthTest, SignupRulesAndSignupDisabled) {
  start();
  auto weak = call("POST", "/user/signup", R"({"email":"a@example.com","password":"short"})",
                   {{"Content-Type", "application/json"}});
  EXPECT_EQ(weak.status, 400);
  EXPECT_TRUE(json::parse(weak.body)["validation_errors"].contains("password"));
  auto form = call("POST", "/user/signup", "email=b%40example.com&password=long-enough-1",
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 302) << form.body;
  EXPECT_EQ(form.header("Location").value_or(""), "/projects");
  auto again = call("POST", "/user/signup", R"({"email":"B@example.com","password":"long-enough-1"})",
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(again.status, 400);
  EXPECT_TRUE(json::parse(again.body)["validation_errors"].contains("email"));

  start(/*allow_signup=*/false);
  auto refused = call("POST", "/user/signup", R"({"email":"c@example.com","password":"long-enough-1"})",
                      {{"Content-Type", "application/json"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(json::parse(refused.body)["detail"].get<std::string>().find("Signup is disabled"), std::string::npos);
  EXPECT_FALSE(app_->db().read()->find_user_by_email("c@example.com")) << "no account was made";
  // Login still works for accounts made before (by an admin or the CLI).
  EXPECT_TRUE(app_->db().read()->find_user_by_email("b@example.com"));
}

TEST(Jwt, SignVerifyAndRefuse) {
  auto key = auth::jwt_key::generate();
  ASSERT_TRUE(key.valid());
  EXPECT_TRUE(auth::jwt_key::from_hex(key.to_hex()).valid());
  EXPECT_FALSE(auth::jwt_key::from_hex("zz").valid());
  json claims = {{"user_id", 5}, {"exp", 2000}, {"token_type", "access"}};
  std::string t = auth::jwt_sign(claims, key);
  auto ok = auth::jwt_verify(t, key, 1999);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ((*ok)["user_id"], 5);
  EXPECT_FALSE(auth::jwt_verify(t, key, 2000)) << "expired at exp";
  EXPECT_FALSE(auth::jwt_verify(t, auth::jwt_key::generate(), 0)) << "another key";
  // alg "none" with the signature stripped, and a payload swapped under the old signature.
  std::string none = auth::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                     auth::base64url_encode(claims.dump()) + ".";
  EXPECT_FALSE(auth::jwt_verify(none, key, 0));
  std::string swapped = t.substr(0, t.find('.') + 1) + auth::base64url_encode(R"({"user_id":1,"exp":2000})") +
                        t.substr(t.rfind('.'));
  EXPECT_FALSE(auth::jwt_verify(swapped, key, 0));
  EXPECT_FALSE(auth::jwt_verify("", key, 0));
  EXPECT_FALSE(auth::jwt_verify("a.b", key, 0));
  std::string out;
  EXPECT_TRUE(auth::base64url_decode(auth::base64url_encode("hello?>"), out));
  EXPECT_EQ(out, "hello?>");
  EXPECT_FALSE(auth::base64url_decode("ab+/", out));
}

TEST_F(AuthTest, SigningKeySurvivesRestart) {
  start();
  auto u = make_user("restart@example.com");
  std::string pat =
      json::parse(call("POST", "/api/token", "{}", {{"Authorization", "Token " + legacy_token(u.id)}}).body)["token"];
  start();
  EXPECT_EQ(call("POST", "/api/token/refresh", json{{"refresh", pat}}.dump()).status, 200)
      << "the key is kept in the database, not per process";
}

}  // namespace
}  // namespace annot::host
