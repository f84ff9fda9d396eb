// Sign in, sign up, sign out: login sessions kept in the store as digests, cookies for the browser.
#include "api/login.hpp"

#include <map>
#include <mutex>

#include "api/users_json.hpp"
#include "http/errors.hpp"
#include "http/url.hpp"
#include "store/secrets.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::size_t min_password = 8;
constexpr std::size_t max_password = 1024;  // Argon2 takes any length; this bounds the work per request

bool is_json_request(const http::request& req) {
  auto ct = req.headers.get("Content-Type");
  if (ct && ct->find("application/json") != std::string_view::npos) return true;
  auto accept = req.headers.get("Accept");
  return !ct && accept && accept->find("application/json") != std::string_view::npos &&
         accept->find("text/html") == std::string_view::npos;
}

// The fields of a JSON or form-encoded body, as strings. nullopt (with the reason) when malformed.
result<std::map<std::string, std::string>> read_fields(const http::request& req) {
  std::map<std::string, std::string> out;
  auto ct = req.headers.get("Content-Type").value_or("");
  if (ct.find("application/json") != std::string_view::npos) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return status(errc::invalid_argument, "JSON parse error - the body is not valid JSON");
    if (!body.is_object()) return status(errc::invalid_argument, "Invalid data. Expected a dictionary.");
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it->is_string()) out[it.key()] = it->get<std::string>();
      else if (it->is_number() || it->is_boolean()) out[it.key()] = it->dump();
    }
    return out;
  }
  if (!ct.empty() && ct.find("application/x-www-form-urlencoded") == std::string_view::npos)
    return status(errc::invalid_argument, "Unsupported media type \"" + std::string(ct) +
                                              "\": send application/json or application/x-www-form-urlencoded.");
  bool bad = false;
  http::for_each_query_pair(req.body, [&](std::string_view n, std::string_view v) {
    auto name = http::percent_decode(n, true);
    auto value = http::percent_decode(v, true);
    if (!name || !value) bad = true;
    else out.emplace(std::move(*name), std::move(*value));
  });
  if (bad) return status(errc::invalid_argument, "malformed form body: bad percent escape");
  return out;
}

std::string field(const std::map<std::string, std::string>& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() ? std::string() : it->second;
}

// Where a form post goes next: a local path only (no "//host" or "http://", no open redirect).
std::string next_location(const http::request& req, const std::map<std::string, std::string>& f) {
  std::string next = field(f, "next");
  if (next.empty()) next = req.query("next").value_or("");
  if (next.empty() || next[0] != '/' || (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) ||
      next.find_first_of("\r\n") != std::string::npos)
    return "/projects";
  return next;
}

bool is_https(const http::request& req) { return req.scheme == "https"; }

// A hash to verify against when the email is unknown, so both failures take the same time.
const std::string& decoy_hash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] {
    auto h = store::hash_password(store::random_hex(16));
    if (h) hash = *h;
  });
  return hash;
}

// The answer once a session exists: JSON user, or a redirect, with both cookies.
http::response signed_in(const auth::authenticator& auth, const http::request& req, bool as_json, int json_status,
                         const std::string& location, const store::user& u, const auth::minted_session& s) {
  http::response r = as_json ? http::response::json(json_status, user_json(u).dump(-1, ' ', false, ojson::error_handler_t::replace))
                             : http::response::empty(302);
  if (!as_json) r.headers.set("Location", location);
  for (auto& c : auth.session_cookies(s, is_https(req))) r.headers.add("Set-Cookie", std::move(c));
  r.headers.set("Cache-Control", "no-store");
  return r;
}

// Creates the session row (and, for signup, the user) in one unit; answers from the commit callback.
void start_session(api_context& ctx, std::shared_ptr<http::exchange> ex, bool as_json, int json_status,
                   std::string location, std::function<result<store::user>(store::write_context&)> get_user) {
  auto session = std::make_shared<auth::minted_session>(ctx.auth.mint_session());
  const auth::authenticator* auth = &ctx.auth;
  ctx.db.submit<store::user>(
      std::function<result<store::user>(store::write_context&)>(
          [get_user = std::move(get_user), session](store::write_context& w) -> result<store::user> {
            auto u = get_user(w);
            if (!u) return u;
            auto t = w.create_token(u->id, store::token_kind::session, session->digest, session->expires_at, "login");
            if (!t) return t.error();
            store::user_patch p;
            p.last_login = store::now();
            return w.update_user(u->id, p);
          }),
      std::function<void(result<store::user>)>(
          [ex, auth, session, as_json, json_status, location = std::move(location)](result<store::user> r) {
            if (!r) {
              if (r.error().code() == errc::already_exists) {
                json e{{"email", json::array({"User with this email already exists"})}};
                return ex->respond(http::error_response(400, "Validation error", &e));
              }
              if (r.error().code() == errc::invalid_argument) {
                json e{{"email", json::array({r.error().message()})}};
                return ex->respond(http::error_response(400, "Validation error", &e));
              }
              return ex->respond(http::error_response(r.error()));
            }
            ex->respond(signed_in(*auth, ex->req(), as_json, json_status, location, *r, *session));
          }));
}

}  // namespace

void add_login_routes(api_routes& routes) {
  api_context* ctx = &routes.ctx();
  http::route_options hashing;
  hashing.offload = true;  // Argon2id takes ~0.1 s and 64 MiB: never on an I/O thread
  hashing.body_limit = 64 * 1024;

  routes.add_public(
      http::method::post, "/user/login", http::handler([ctx](std::shared_ptr<http::exchange> ex) {
        const http::request& req = ex->req();
        bool as_json = is_json_request(req);
        auto f = read_fields(req);
        if (!f) return ex->respond(http::error_response(400, f.error().message()));
        std::string email = field(*f, "email"), password = field(*f, "password");
        if (email.empty() || password.empty()) {
          json e = json::object();
          if (email.empty()) e["email"].push_back("This field is required.");
          if (password.empty()) e["password"].push_back("This field is required.");
          return ex->respond(http::error_response(400, "Validation error", &e));
        }
        std::optional<store::user> found;
        {
          auto u = ctx->db.read()->find_user_by_email(email);
          if (u) found = std::move(*u);
          else if (u.error().code() != errc::not_found) return ex->respond(http::error_response(u.error()));
        }
        bool ok = password.size() <= max_password &&
                  store::verify_password(found ? found->password_hash : decoy_hash(), password) && found &&
                  found->is_active;
        if (!ok) return ex->respond(http::error_response(400, "The email and password you entered don't match."));
        std::int64_t uid = found->id;
        start_session(*ctx, ex, as_json, 200, next_location(req, *f),
                      [uid](store::write_context& w) { return w.get_user(uid); });
      }),
      hashing);

  routes.add_public(
      http::method::post, "/user/signup", http::handler([ctx](std::shared_ptr<http::exchange> ex) {
        const http::request& req = ex->req();
        if (!ctx->settings.allow_signup)
          return ex->respond(http::error_response(
              403, "Signup is disabled on this server; ask an administrator to create your account."));
        bool as_json = is_json_request(req);
        auto f = read_fields(req);
        if (!f) return ex->respond(http::error_response(400, f.error().message()));
        store::new_user nu;
        nu.email = field(*f, "email");
        nu.first_name = field(*f, "first_name");
        nu.last_name = field(*f, "last_name");
        nu.username = field(*f, "username");
        std::string password = field(*f, "password");
        json e = json::object();
        if (nu.email.empty()) e["email"].push_back("This field is required.");
        else if (nu.email.find('@') == std::string::npos || nu.email.size() > 254)
          e["email"].push_back("Enter a valid email address.");
        if (password.size() < min_password || password.size() > max_password)
          e["password"].push_back("Please enter a password of at least 8 characters (at most 1024).");
        if (!e.empty()) return ex->respond(http::error_response(400, "Validation error", &e));
        auto hash = store::hash_password(password);
        if (!hash) return ex->respond(http::error_response(hash.error()));
        nu.password_hash = *hash;
        start_session(*ctx, ex, as_json, 201, next_location(req, *f),
                      [nu](store::write_context& w) { return w.create_user(nu); });
      }),
      hashing);

  // Sign out: revokes the session (if it is one) and clears both cookies. Public, so that a stale
  // cookie can always be cleared.
  auto logout = http::handler([ctx](std::shared_ptr<http::exchange> ex) {
    const http::request& req = ex->req();
    bool as_json = is_json_request(req);
    auto finish = [ctx, ex, as_json]() {
      http::response r = as_json ? http::response::json(200, R"({"detail":"Signed out."})") : http::response::empty(302);
      if (!as_json) r.headers.set("Location", "/user/login");
      for (auto& c : ctx->auth.clearing_cookies(is_https(ex->req()))) r.headers.add("Set-Cookie", std::move(c));
      r.headers.set("Cache-Control", "no-store");
      ex->respond(std::move(r));
    };
    auto secret = ctx->auth.session_secret(req);
    if (!secret) return finish();
    std::string digest = auth::authenticator::session_digest(*secret);
    ctx->db.submit(
        [digest](store::write_context& w) -> annot::status {
          auto t = w.find_token(store::token_kind::session, digest, store::now());
          if (!t) return annot::status::success();  // unknown or expired: nothing to revoke
          return w.revoke_token(t->tok.id, store::now());
        },
        [finish](const annot::status&) { finish(); });
  });
  routes.add_public(http::method::get, "/user/logout", logout);
  routes.add_public(http::method::post, "/user/logout", logout);
}

}  // namespace annot::host::api
