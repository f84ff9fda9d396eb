// Deny-by-default route registration: authentication happens here, once, for every private route.
#include "api/api_routes.hpp"

#include "http/errors.hpp"

namespace annot::host::api {

std::optional<auth::principal> require_principal(const api_context& ctx, http::exchange& ex) {
  auto out = ctx.auth.authenticate(ex.req());
  if (out.who) return std::move(out.who);
  auto r = http::error_response(out.http_status, out.detail);
  if (out.http_status == 401) r.headers.set("WWW-Authenticate", "Token");
  ex.respond(std::move(r));
  return std::nullopt;
}

void api_routes::add(http::method verb, std::string pattern, authed_handler h, http::route_options o) {
  entries_.push_back({verb, pattern, false});
  api_context* ctx = &ctx_;
  routes_.add(
      verb, std::move(pattern),
      http::handler([ctx, h = std::move(h)](std::shared_ptr<http::exchange> ex) {
        auto who = require_principal(*ctx, *ex);
        if (!who) return;
        ex->respond(h(ex->req(), *who));
      }),
      o);
}

void api_routes::add(http::method verb, std::string pattern, authed_async_handler h, http::route_options o) {
  entries_.push_back({verb, pattern, false});
  api_context* ctx = &ctx_;
  routes_.add(
      verb, std::move(pattern),
      http::handler([ctx, h = std::move(h)](std::shared_ptr<http::exchange> ex) {
        auto who = require_principal(*ctx, *ex);
        if (!who) return;
        h(std::move(ex), *who);
      }),
      o);
}

void api_routes::add_public(http::method verb, std::string pattern, http::simple_handler h, http::route_options o) {
  entries_.push_back({verb, pattern, true});
  routes_.add(verb, std::move(pattern), std::move(h), o);
}

void api_routes::add_public(http::method verb, std::string pattern, http::handler h, http::route_options o) {
  entries_.push_back({verb, pattern, true});
  routes_.add(verb, std::move(pattern), std::move(h), o);
}

}  // namespace annot::host::api
