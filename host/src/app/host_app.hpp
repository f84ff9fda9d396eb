// The host assembled: plugins loaded into a frozen registry, the job pool, the route table and the
// HTTP server. `annot serve` runs one; end-to-end tests start one in-process on port 0.
#pragma once

#include <annot/status.hpp>
#include <filesystem>
#include <memory>

#include "api/api_context.hpp"
#include "api/api_routes.hpp"
#include "auth/authenticator.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "jobs/job_runner.hpp"
#include "plugins/loader.hpp"
#include "store/store.hpp"

namespace annot::host::app {

struct host_options {
  http::server_options http;
  std::filesystem::path data_dir = "data";
  std::filesystem::path plugins_dir;  // empty: the folder beside the executable (build_info)
  std::filesystem::path web_dir;      // empty: the folder beside the executable (build_info)
  bool strict_plugins = false;
  unsigned job_threads = 2;
  // The database: "sqlite:<path>" (or a plain path); empty = SQLite at data_dir/annot.db.
  std::string database;
  api::api_settings api;
  auth::auth_options auth;
};

// Where plugins and web files are when not given: found relative to the running executable, so the
// build tree and an installed tree work the same way.
std::filesystem::path default_plugins_dir();
std::filesystem::path default_web_dir();

// Lifetime: routes may be added until start(); the registry is frozen before create() returns.
// Destruction stops the server, then the jobs, then the store, in that order.
class host_app {
 public:
  // Loads plugins and builds every route. Fails when the data directory cannot be created, or when
  // strict_plugins is set and a plugin was refused.
  static result<std::unique_ptr<host_app>> create(host_options options);
  ~host_app();

  http::router& routes() noexcept { return routes_; }
  const plugins::registry& registry() const noexcept { return *plugins_.plugins; }
  const plugins::load_report& plugin_report() const noexcept { return plugins_; }
  jobs::job_runner& jobs() noexcept { return *jobs_; }
  store::store& db() noexcept { return *store_; }
  // The REST routes registered so far (private and public): for the auth and contract tests.
  const std::vector<api::api_routes::entry>& api_entries() const noexcept { return api_routes_->entries(); }
  const host_options& options() const noexcept { return options_; }

  // Binds and starts serving; returns the bound port.
  std::uint16_t start();
  void run_until_signal();
  void stop();

 private:
  explicit host_app(host_options options);

  host_options options_;
  plugins::load_report plugins_;
  std::unique_ptr<store::store> store_;
  std::unique_ptr<jobs::job_runner> jobs_;
  std::unique_ptr<auth::authenticator> auth_;
  std::unique_ptr<api::api_context> api_context_;
  http::router routes_;
  std::unique_ptr<api::api_routes> api_routes_;
  std::unique_ptr<http::server> server_;
  struct web_assets;
  std::unique_ptr<web_assets> assets_;
};

}  // namespace annot::host::app
