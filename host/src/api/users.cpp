// Users, the caller's own API token, personal access tokens and their exchange for access JWTs.
#include "api/users.hpp"

#include <charconv>

#include "api/request_body.hpp"
#include "api/users_json.hpp"
#include "http/errors.hpp"
#include "store/secrets.hpp"
#include "store/time.hpp"

namespace annot::host::api {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::string_view no_user = "No User matches the given query.";
constexpr std::string_view forbidden = "You do not have permission to perform this action.";
constexpr std::size_t min_password = 8;

http::response json_response(int status, const ojson& j) {
  return http::response::json(status, j.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

http::response validation_error(const json& errors) { return http::error_response(400, "Validation error", &errors); }

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

http::response user_error(const annot::status& s) {
  if (s.code() == errc::not_found) return http::error_response(404, no_user);
  if (s.code() == errc::already_exists) return validation_error(json{{"email", json::array({s.message()})}});
  if (s.code() == errc::invalid_argument) return validation_error(json{{"non_field_errors", json::array({s.message()})}});
  return http::error_response(s);
}

// simplejwt's refusal: the envelope plus its "code".
http::response token_not_valid(std::string_view detail) {
  json body = json::parse(http::error_body(401, detail));
  body["code"] = "token_not_valid";
  auto r = http::response::json(401, body.dump());
  r.headers.set("WWW-Authenticate", "Bearer realm=\"api\"");
  return r;
}

// Reads the editable profile fields; admin-only fields only for admins.
result<store::user_patch> read_user_patch(const json& body, bool admin, json& errors) {
  store::user_patch p;
  auto str = [&](const char* name, store::patch_field<std::string>& out) {
    auto it = body.find(name);
    if (it == body.end()) return;
    if (!it->is_string()) {
      errors[name].push_back("Not a valid string.");
      return;
    }
    out = it->get<std::string>();
  };
  str("first_name", p.first_name);
  str("last_name", p.last_name);
  str("username", p.username);
  str("phone", p.phone);
  str("email", p.email);
  auto flag = [&](const char* name, store::patch_field<bool>& out) {
    auto it = body.find(name);
    if (it == body.end()) return;
    if (!admin) {
      errors[name].push_back("Only an administrator can change this field.");
      return;
    }
    if (!it->is_boolean()) {
      errors[name].push_back("Must be a valid boolean.");
      return;
    }
    out = it->get<bool>();
  };
  flag("is_active", p.is_active);
  flag("is_staff", p.is_staff);
  flag("is_superuser", p.is_superuser);
  return p;
}

ojson token_row_json(const store::token& t) {
  ojson j;
  j["id"] = t.id;
  j["label"] = t.label;
  j["created_at"] = store::to_iso8601(t.created_at);
  j["expires_at"] = t.expires_at ? ojson(store::to_iso8601(*t.expires_at)) : ojson(nullptr);
  return j;
}

}  // namespace

void add_user_routes(api_routes& routes) {
  api_context* ctx = &routes.ctx();

  routes.add(http::method::get, "/api/current-user/whoami",
             authed_handler([](http::request&, const auth::principal& who) { return json_response(200, user_json(who.user)); }));

  routes.add(http::method::get, "/api/current-user/token",
             authed_handler([ctx](http::request&, const auth::principal& who) {
               auto key = ctx->db.read()->legacy_token(who.user.id);
               if (!key) return http::error_response(key.error());
               return json_response(200, ojson{{"token", *key}});
             }));

  routes.add(http::method::post, "/api/current-user/reset-token",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               std::int64_t uid = who.user.id;
               ctx->db.submit<std::string>(
                   std::function<result<std::string>(store::write_context&)>(
                       [uid](store::write_context& w) { return w.reset_legacy_token(uid); }),
                   std::function<void(result<std::string>)>([ex](result<std::string> r) {
                     ex->respond(r ? json_response(201, ojson{{"token", *r}}) : http::error_response(r.error()));
                   }));
             }));

  routes.add(http::method::get, "/api/users", authed_handler([ctx](http::request&, const auth::principal&) {
               auto users = ctx->db.read()->list_users();
               if (!users) return http::error_response(users.error());
               ojson out = ojson::array();
               for (const auto& u : *users) out.push_back(user_json(u));
               return json_response(200, out);
             }));

  http::route_options hashing;
  hashing.offload = true;  // Argon2id takes ~0.1 s and 64 MiB: never on an I/O thread
  routes.add(
      http::method::post, "/api/users",
      authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
        if (!who.is_admin()) return ex->respond(http::error_response(403, forbidden));
        auto body = request_object<json>(ex->req());
        if (!body) return ex->respond(http::error_response(body.error()));
        json errors = json::object();
        store::new_user nu;
        auto email = body->find("email");
        if (email == body->end() || !email->is_string() || email->get<std::string>().empty())
          errors["email"].push_back("This field is required.");
        else nu.email = email->get<std::string>();
        for (const char* name : {"first_name", "last_name", "username"}) {
          auto it = body->find(name);
          if (it == body->end()) continue;
          if (!it->is_string()) errors[name].push_back("Not a valid string.");
          else if (std::string_view(name) == "first_name") nu.first_name = it->get<std::string>();
          else if (std::string_view(name) == "last_name") nu.last_name = it->get<std::string>();
          else nu.username = it->get<std::string>();
        }
        if (auto it = body->find("password"); it != body->end()) {
          if (!it->is_string() || it->get_ref<const std::string&>().size() < min_password) {
            errors["password"].push_back("Ensure this field has at least 8 characters.");
          } else {
            auto h = store::hash_password(it->get<std::string>());
            if (!h) return ex->respond(http::error_response(h.error()));
            nu.password_hash = *h;
          }
        }
        if (!errors.empty()) return ex->respond(validation_error(errors));
        ctx->db.submit<store::user>(
            std::function<result<store::user>(store::write_context&)>(
                [nu](store::write_context& w) { return w.create_user(nu); }),
            std::function<void(result<store::user>)>([ex](result<store::user> r) {
              ex->respond(r ? json_response(201, user_json(*r)) : user_error(r.error()));
            }));
      }),
      hashing);

  routes.add(http::method::get, "/api/users/{id}", authed_handler([ctx](http::request& req, const auth::principal&) {
               auto id = parse_id(req.param("id"));
               if (!id) return http::error_response(404, no_user);
               auto u = ctx->db.read()->get_user(*id);
               if (!u) return user_error(u.error());
               return json_response(200, user_json(*u));
             }));

  routes.add(http::method::patch, "/api/users/{id}",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               auto id = parse_id(ex->req().param("id"));
               if (!id) return ex->respond(http::error_response(404, no_user));
               if (*id != who.user.id && !who.is_admin()) return ex->respond(http::error_response(403, forbidden));
               auto body = request_object<json>(ex->req());
               if (!body) return ex->respond(http::error_response(body.error()));
               json errors = json::object();
               auto patch = read_user_patch(*body, who.is_admin(), errors);
               if (!errors.empty()) return ex->respond(validation_error(errors));
               std::int64_t uid = *id;
               ctx->db.submit<store::user>(
                   std::function<result<store::user>(store::write_context&)>(
                       [uid, p = *patch](store::write_context& w) { return w.update_user(uid, p); }),
                   std::function<void(result<store::user>)>([ex](result<store::user> r) {
                     ex->respond(r ? json_response(200, user_json(*r)) : user_error(r.error()));
                   }));
             }));

  routes.add(http::method::delete_, "/api/users/{id}",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               auto id = parse_id(ex->req().param("id"));
               if (!id) return ex->respond(http::error_response(404, no_user));
               if (!who.is_admin()) return ex->respond(http::error_response(403, forbidden));
               if (*id == who.user.id)
                 return ex->respond(validation_error(json{{"non_field_errors", json::array({"You cannot delete yourself."})}}));
               std::int64_t uid = *id;
               ctx->db.submit([uid](store::write_context& w) { return w.delete_user(uid); },
                              [ex](const annot::status& s) { ex->respond(s.ok() ? http::response::empty(204) : user_error(s)); });
             }));

  // ---- personal access tokens ---------------------------------------------------------------------
  routes.add(http::method::get, "/api/token", authed_handler([ctx](http::request&, const auth::principal& who) {
               auto rows = ctx->db.read()->list_tokens(who.user.id, store::token_kind::personal);
               if (!rows) return http::error_response(rows.error());
               auto now = store::now();
               ojson out = ojson::array();
               for (const auto& t : *rows)
                 if (!t.revoked_at && (!t.expires_at || *t.expires_at > now)) out.push_back(token_row_json(t));
               return json_response(200, out);
             }));

  routes.add(http::method::post, "/api/token",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               auto body = request_object<json>(ex->req());
               if (!body) return ex->respond(http::error_response(body.error()));
               std::string label;
               if (auto it = body->find("label"); it != body->end() && it->is_string())
                 label = it->get<std::string>();
               auto minted = std::make_shared<auth::minted_personal_token>(ctx->auth.mint_personal_token(who.user.id));
               std::int64_t uid = who.user.id;
               ctx->db.submit<store::token>(
                   std::function<result<store::token>(store::write_context&)>([uid, minted, label](store::write_context& w) {
                     return w.create_token(uid, store::token_kind::personal, minted->jti, minted->expires_at, label);
                   }),
                   std::function<void(result<store::token>)>([ex, minted](result<store::token> r) {
                     if (!r) return ex->respond(http::error_response(r.error()));
                     ojson j = token_row_json(*r);
                     j["token"] = minted->jwt;
                     ex->respond(json_response(201, j));
                   }));
             }));

  routes.add(http::method::post, "/api/token/blacklist",
             authed_async_handler([ctx](std::shared_ptr<http::exchange> ex, const auth::principal& who) {
               auto body = request_object<json>(ex->req());
               if (!body) return ex->respond(http::error_response(body.error()));
               auto it = body->find("refresh");
               if (it == body->end() || !it->is_string())
                 return ex->respond(validation_error(json{{"refresh", json::array({"This field is required."})}}));
               auto jti = ctx->auth.personal_token_id(it->get<std::string>());
               if (!jti) return ex->respond(http::error_response(404, "Token not found"));
               std::int64_t uid = who.user.id;  // only the caller's own tokens
               ctx->db.submit(
                   [uid, jti = *jti](store::write_context& w) -> annot::status {
                     auto rows = w.list_tokens(uid, store::token_kind::personal);
                     if (!rows) return rows.error();
                     for (const auto& t : *rows)
                       if (t.key == jti) return t.revoked_at ? annot::status::success() : w.revoke_token(t.id, store::now());
                     return annot::status(errc::not_found, "Token not found");
                   },
                   [ex](const annot::status& s) {
                     ex->respond(s.ok() ? http::response::empty(204)
                                        : s.code() == errc::not_found ? http::error_response(404, s.message())
                                                                      : http::error_response(s));
                   });
             }));

  routes.add_public(http::method::post, "/api/token/refresh", http::simple_handler([ctx](http::request& req) {
                      auto body = request_object<json>(req);
                      if (!body) return http::error_response(body.error());
                      auto it = body->find("refresh");
                      if (it == body->end() || !it->is_string() || it->get_ref<const std::string&>().empty())
                        return validation_error(json{{"refresh", json::array({"This field is required."})}});
                      auto access = ctx->auth.refresh_access_token(it->get<std::string>());
                      if (!access) {
                        if (access.error().code() == errc::invalid_argument)
                          return token_not_valid(access.error().message());
                        return http::error_response(access.error());
                      }
                      return json_response(200, ojson{{"access", *access}});
                    }));
}

}  // namespace annot::host::api
