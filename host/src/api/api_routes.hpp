// Route registration for the REST API, deny by default: add() routes need a signed-in user (401
// with Label Studio's envelope otherwise); only add_public() routes are open. The public list is
// issue 4's: /health, /api/version, /api/plugins, /api/config/tags, POST /api/projects/validate/,
// login/signup, static files.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/api_context.hpp"
#include "auth/principal.hpp"
#include "http/router.hpp"

namespace annot::host::api {

// A handler that answers at once, given the caller.
using authed_handler = std::function<http::response(http::request&, const auth::principal&)>;
// A handler that answers later (after a write commits, a job ends) or streams.
using authed_async_handler = std::function<void(std::shared_ptr<http::exchange>, const auth::principal&)>;

// Lifetime: a thin view over the router and context; keep it only while building routes.
class api_routes {
 public:
  api_routes(http::router& routes, api_context& ctx) : routes_(routes), ctx_(ctx) {}

  api_context& ctx() noexcept { return ctx_; }

  void add(http::method verb, std::string pattern, authed_handler h, http::route_options o = {});
  void add(http::method verb, std::string pattern, authed_async_handler h, http::route_options o = {});
  // Open to anyone: keep this list short (see the file comment).
  void add_public(http::method verb, std::string pattern, http::simple_handler h, http::route_options o = {});
  void add_public(http::method verb, std::string pattern, http::handler h, http::route_options o = {});

  // Every (method, pattern) added so far, and whether it is public: for the auth and contract tests.
  struct entry {
    http::method verb;
    std::string pattern;
    bool is_public;
  };
  const std::vector<entry>& entries() const noexcept { return entries_; }

 private:
  http::router& routes_;
  api_context& ctx_;
  std::vector<entry> entries_;
};

// Authenticates an exchange's request; on refusal answers it (401/403 envelope) and returns nullopt.
std::optional<auth::principal> require_principal(const api_context& ctx, http::exchange& ex);

}  // namespace annot::host::api
