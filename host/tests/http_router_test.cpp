// Unit tests of the HTTP layer's pure parts: routing, query decoding, error envelope, proxy matching.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "http/errors.hpp"
#include "http/proxies.hpp"
#include "http/router.hpp"
#include "http/url.hpp"

namespace http = annot::host::http;
using http::method;

namespace {

http::handler tagged(std::string tag) {
  return [tag](std::shared_ptr<http::exchange> ex) { ex->respond(http::response::text(200, tag)); };
}

// Which handler a match picked, by calling it on a fake exchange that records the body.
struct recording_exchange : http::exchange {
  http::request r;
  std::string answer;
  http::request& req() override { return r; }
  void respond(http::response resp) override { answer = resp.body; }
  std::unique_ptr<http::body_sink> respond_streamed(int, http::header_map, std::optional<std::uint64_t>) override {
    return nullptr;
  }
  http::body_source* body() override { return nullptr; }
};

std::string picked(const http::router& r, method m, std::string_view path) {
  auto found = r.match(m, path);
  if (!found.target) return found.path_known ? "405" : "404";
  auto ex = std::make_shared<recording_exchange>();
  (*found.target)(ex);
  return ex->answer;
}

}  // namespace

TEST(HttpRouter, LiteralsCapturesAndTrailingSlash) {
  http::router r;
  r.add(method::get, "/health", tagged("health"));
  r.add(method::get, "/api/jobs/{id}", tagged("job"));
  r.add(method::get, "/api/projects/{id}/tasks/", tagged("tasks"));
  EXPECT_EQ(picked(r, method::get, "/health"), "health");
  EXPECT_EQ(picked(r, method::get, "/health/"), "health");
  EXPECT_EQ(picked(r, method::get, "/api/jobs/42"), "job");
  EXPECT_EQ(picked(r, method::get, "/api/jobs/42/"), "job");
  EXPECT_EQ(picked(r, method::get, "/api/projects/3/tasks"), "tasks");
  EXPECT_EQ(picked(r, method::get, "/api/projects/3/tasks/"), "tasks");
  EXPECT_EQ(picked(r, method::get, "/api/jobs"), "404");
  EXPECT_EQ(picked(r, method::get, "/api/jobs/"), "404");
  EXPECT_EQ(picked(r, method::get, "/api/jobs/1/2"), "404");
  EXPECT_EQ(picked(r, method::get, "/api//jobs/1"), "404");
  EXPECT_EQ(picked(r, method::get, "/healthz"), "404");

  auto m = r.match(method::get, "/api/jobs/abc-1");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "id");
  EXPECT_EQ(m.params[0].second, "abc-1");
}

TEST(HttpRouter, MostSpecificRouteWinsWhateverTheOrder) {
  http::router r;
  r.add(method::post, "/api/projects/{id}/validate", tagged("project-validate"));
  r.add(method::post, "/api/projects/{id}", tagged("project"));
  r.add(method::post, "/api/projects/validate", tagged("validate"));
  r.add(method::get, "/static/{*path}", tagged("static"));
  r.add(method::get, "/static/index.html", tagged("index"));
  EXPECT_EQ(picked(r, method::post, "/api/projects/validate"), "validate");
  EXPECT_EQ(picked(r, method::post, "/api/projects/validate/"), "validate");
  EXPECT_EQ(picked(r, method::post, "/api/projects/7"), "project");
  EXPECT_EQ(picked(r, method::post, "/api/projects/7/validate"), "project-validate");
  EXPECT_EQ(picked(r, method::get, "/static/index.html"), "index");
  EXPECT_EQ(picked(r, method::get, "/static/js/app.js"), "static");
}

TEST(HttpRouter, TailCaptureTakesTheRestOfThePath) {
  http::router r;
  r.add(method::get, "/plugins/{name}/{*path}", tagged("plugin"));
  auto m = r.match(method::get, "/plugins/image/ui/main.js");
  ASSERT_TRUE(m.target);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].second, "image");
  EXPECT_EQ(m.params[1].first, "path");
  EXPECT_EQ(m.params[1].second, "ui/main.js");
  EXPECT_FALSE(r.match(method::get, "/plugins").target);
}

TEST(HttpRouter, DeepPathsMatchAsShallowOnes) {
  // Paths are split once per request into at most 16 segments; deeper ones take the per-route walk.
  http::router r;
  r.add(method::get, "/static/{*path}", tagged("static"));
  r.add(method::get, "/a/{x}/c", tagged("abc"));
  std::string deep = "/static";
  for (int i = 0; i < 20; ++i) deep += "/s" + std::to_string(i);
  EXPECT_EQ(picked(r, method::get, deep), "static");
  auto m = r.match(method::get, deep + "/");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].second, deep.substr(8));
  EXPECT_EQ(picked(r, method::get, "/a" + deep), "404");
  std::string sixteen = "/a/b/c";
  for (int i = 0; i < 13; ++i) sixteen += "/x";
  EXPECT_EQ(picked(r, method::get, sixteen), "404");
  EXPECT_EQ(picked(r, method::get, "/a/b/c"), "abc");
  EXPECT_EQ(picked(r, method::post, "/a/b/c/"), "405");
}

TEST(HttpRouter, MethodMismatchIsKnownPathWithAllowedMethods) {
  http::router r;
  r.add(method::get, "/api/projects", tagged("list"));
  r.add(method::post, "/api/projects", tagged("create"));
  auto m = r.match(method::delete_, "/api/projects/");
  EXPECT_FALSE(m.target);
  EXPECT_TRUE(m.path_known);
  const auto bit = [](method x) { return 1u << static_cast<unsigned>(x); };
  EXPECT_EQ(m.allowed_methods, bit(method::get) | bit(method::head) | bit(method::post));
  auto unknown = r.match(method::get, "/api/nothing");
  EXPECT_FALSE(unknown.path_known);
  // HEAD borrows the GET route.
  EXPECT_EQ(picked(r, method::head, "/api/projects"), "list");
}

TEST(HttpRouter, RejectsMalformedPatterns) {
  http::router r;
  EXPECT_THROW(r.add(method::get, "api/x", tagged("x")), std::invalid_argument);
  EXPECT_THROW(r.add(method::get, "/a/{*rest}/b", tagged("x")), std::invalid_argument);
  EXPECT_THROW(r.add(method::get, "/a/{}", tagged("x")), std::invalid_argument);
  EXPECT_THROW(r.add(method::get, "/a/{id", tagged("x")), std::invalid_argument);
  EXPECT_THROW(r.add(method::get, "/a//b", tagged("x")), std::invalid_argument);
}

TEST(HttpRouter, SimpleHandlerExceptionsBecome500Envelopes) {
  http::router r;
  r.add(method::get, "/boom",
        http::simple_handler([](http::request&) -> http::response { throw std::runtime_error("kaboom"); }));
  auto m = r.match(method::get, "/boom");
  ASSERT_TRUE(m.target);
  auto ex = std::make_shared<recording_exchange>();
  (*m.target)(ex);
  const auto body = nlohmann::json::parse(ex->answer);
  EXPECT_EQ(body["status_code"], 500);
  EXPECT_EQ(body["detail"], "kaboom");
}

TEST(HttpMessage, QueryDecoding) {
  http::request req;
  req.query_string = "q=a%20b+c&ids%5B%5D=1&ids[]=2&empty=&flag&bad=%zz&page=3&page=4";
  EXPECT_EQ(req.query("q"), "a b c");
  EXPECT_EQ(req.query("empty"), "");
  EXPECT_EQ(req.query("flag"), "");
  EXPECT_EQ(req.query("bad"), "%zz");  // kept literally rather than dropped
  EXPECT_EQ(req.query("page"), "4");   // the last, as Django's QueryDict.get
  EXPECT_EQ(req.query("missing"), std::nullopt);
  EXPECT_EQ(req.query_all("ids[]"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(req.query_all("page"), (std::vector<std::string>{"3", "4"}));
  EXPECT_TRUE(req.query_all("missing").empty());
  req.params = {{"id", "9"}};
  EXPECT_EQ(req.param("id"), "9");
  EXPECT_EQ(req.param("nope"), "");
}

TEST(HttpMessage, PercentDecode) {
  EXPECT_EQ(http::percent_decode("/a%2Fb%20c"), "/a/b c");
  EXPECT_EQ(http::percent_decode("a+b"), "a+b");
  EXPECT_EQ(http::percent_decode("a+b", true), "a b");
  EXPECT_EQ(http::percent_decode("%e2%9c%93"), "\xe2\x9c\x93");
  EXPECT_EQ(http::percent_decode("%"), std::nullopt);
  EXPECT_EQ(http::percent_decode("%4"), std::nullopt);
  EXPECT_EQ(http::percent_decode("%G0"), std::nullopt);
}

TEST(HttpMessage, HeaderMapIgnoresCaseAndKeepsRepeats) {
  http::header_map h;
  h.add("Set-Cookie", "a=1");
  h.add("set-cookie", "b=2");
  h.add("X-One", "1");
  EXPECT_EQ(h.get("SET-COOKIE"), "a=1");
  EXPECT_EQ(h.size(), 3u);
  h.set("Set-Cookie", "c=3");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("set-cookie"), "c=3");
  h.erase("x-one");
  EXPECT_FALSE(h.contains("X-One"));
}

TEST(HttpErrors, EnvelopeHasLabelStudioShape) {
  const auto r = http::error_response(404, "not found: /x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_TRUE(
      std::regex_match(body["id"].get<std::string>(),
                       std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(body["status_code"], 404);
  EXPECT_EQ(body["version"], "1.22.0");
  EXPECT_EQ(body["detail"], "not found: /x");
  EXPECT_TRUE(body.contains("exc_info"));
  EXPECT_TRUE(body["exc_info"].is_null());
  EXPECT_FALSE(body.contains("validation_errors"));
  EXPECT_NE(nlohmann::json::parse(http::error_response(404, "x").body)["id"], body["id"]);
}

TEST(HttpErrors, ValidationErrors) {
  const nlohmann::json fields = {{"label_config", {"bad tag"}}};
  auto body = nlohmann::json::parse(http::error_response(400, "Validation error", &fields).body);
  EXPECT_EQ(body["validation_errors"], fields);
  const nlohmann::json list = {"one", "two"};
  body = nlohmann::json::parse(http::error_response(400, "Validation error", &list).body);
  EXPECT_EQ(body["validation_errors"], nlohmann::json({{"non_field_errors", list}}));
}

TEST(HttpErrors, StatusMapping) {
  using annot::errc;
  EXPECT_EQ(http::http_status_of(errc::invalid_argument), 400);
  EXPECT_EQ(http::http_status_of(errc::not_found), 404);
  EXPECT_EQ(http::http_status_of(errc::already_exists), 409);
  EXPECT_EQ(http::http_status_of(errc::permission_denied), 403);
  EXPECT_EQ(http::http_status_of(errc::internal), 500);
  const auto r = http::error_response(annot::status(errc::not_found, "no such project"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(nlohmann::json::parse(r.body)["detail"], "no such project");
  EXPECT_EQ(http::error_response(annot::status::success()).status, 500);
}

TEST(HttpProxies, AddressesAndNetworks) {
  http::trusted_proxies p({"127.0.0.1", "10.0.0.0/8", "fd00::/8"});
  EXPECT_TRUE(p.contains("127.0.0.1"));
  EXPECT_FALSE(p.contains("127.0.0.2"));
  EXPECT_TRUE(p.contains("10.200.3.4"));
  EXPECT_FALSE(p.contains("11.0.0.1"));
  EXPECT_TRUE(p.contains("fd12::1"));
  EXPECT_TRUE(p.contains("::ffff:10.1.1.1"));
  EXPECT_FALSE(p.contains("not an ip"));
  EXPECT_THROW(http::trusted_proxies({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(http::trusted_proxies({"proxy.local"}), std::invalid_argument);

  http::request req;
  req.remote_address = "10.0.0.1";
  req.headers.add("X-Forwarded-For", "203.0.113.9, 10.0.0.7");
  req.headers.add("X-Forwarded-Proto", "https");
  p.apply(req, true);
  EXPECT_EQ(req.remote_address, "203.0.113.9");
  EXPECT_EQ(req.scheme, "https");

  http::request spoofed;
  spoofed.remote_address = "198.51.100.1";
  spoofed.headers.add("X-Forwarded-For", "1.2.3.4");
  p.apply(spoofed, false);
  EXPECT_EQ(spoofed.remote_address, "198.51.100.1");
  EXPECT_EQ(spoofed.scheme, "http");
}
