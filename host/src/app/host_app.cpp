// Assembles the host: plugins, jobs, routes, static assets and the HTTP server.
#include "app/host_app.hpp"

#include <spdlog/spdlog.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <system_error>

#include "api/config.hpp"
#include "api/export.hpp"
#include "api/import.hpp"
#include "api/jobs.hpp"
#include "api/login.hpp"
#include "api/plugins.hpp"
#include "api/projects.hpp"
#include "api/system.hpp"
#include "api/tasks_common.hpp"
#include "api/templates.hpp"
#include "api/uploads.hpp"
#include "api/users.hpp"
#include "app/web_shell.hpp"
#include "build_info.hpp"
#include "http/errors.hpp"
#include "http/static_files.hpp"
#include "plugins/plugin_index.hpp"

namespace annot::host::app {
namespace {

std::filesystem::path beside_executable(const char* relative) {
  std::filesystem::path exe_dir = boost::dll::program_location().parent_path();
  return (exe_dir / relative).lexically_normal();
}

}  // namespace

std::filesystem::path default_plugins_dir() { return beside_executable(build_info::plugins_dir_from_bin); }
std::filesystem::path default_web_dir() { return beside_executable(build_info::web_dir_from_bin); }

struct host_app::web_assets {
  std::shared_ptr<http::static_files> shell = std::make_shared<http::static_files>();
};

host_app::host_app(host_options options) : options_(std::move(options)), assets_(std::make_unique<web_assets>()) {}

host_app::~host_app() {
  // The server goes first so that no handler can reach the jobs while they are torn down.
  if (server_) {
    server_->stop();
    server_->wait();
    // Store callbacks still queued hold their requests' exchanges, and through them the server's
    // connections: they run (the server has stopped, so they answer nothing) and let go of them
    // before the server is destroyed, even when its shutdown deadline passed first.
    if (store_) store_->drain();
  }
  server_.reset();
  jobs_.reset();
  api_routes_.reset();
  api_context_.reset();
  auth_.reset();
  // Last: queued units (import stages, background purges) finish before the database closes.
  store_.reset();
}

result<std::unique_ptr<host_app>> host_app::create(host_options options) {
  if (options.plugins_dir.empty()) options.plugins_dir = default_plugins_dir();
  if (options.web_dir.empty()) options.web_dir = default_web_dir();

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return status(errc::io_error,
                  "cannot create the data directory " + options.data_dir.string() + ": " + ec.message());
  }

  std::unique_ptr<host_app> app(new host_app(std::move(options)));
  const auto& opts = app->options_;

  std::string fingerprint = plugins::folder_fingerprint(opts.plugins_dir);
  app->plugins_ = plugins::load_plugins({opts.plugins_dir, opts.data_dir, opts.strict_plugins});
  if (!app->plugins_.error.ok()) return app->plugins_.error;
  // For the command-line tools run on this data folder (annot export loads only what it needs).
  plugins::keep_plugin_index(app->registry(), std::move(fingerprint), opts.data_dir);
  spdlog::info("{} plugins loaded from {}, {} refused", app->registry().plugins().size(), opts.plugins_dir.string(),
               app->plugins_.refused().size());

  store::store_options store_opts;
  store_opts.location = opts.database.empty() ? "sqlite:" + (opts.data_dir / "annot.db").string() : opts.database;
  auto db = store::open_store(store_opts);
  if (!db) return status(db.error().code(), "cannot open the database: " + db.error().message());
  app->store_ = std::move(*db);

  app->jobs_ = std::make_unique<jobs::job_runner>(jobs::job_runner_options{.threads = opts.job_threads});
  app->auth_ = std::make_unique<auth::authenticator>(*app->store_, opts.auth);
  app->api_context_.reset(new api::api_context{*app->store_, app->registry(), app->registry().tags(), *app->jobs_,
                                               *app->auth_, opts.data_dir, opts.api});

  auto& routes = app->routes_;
  app->api_routes_ = std::make_unique<api::api_routes>(routes, *app->api_context_);
  auto& api_routes = *app->api_routes_;
  // Public routes (no login): the issue 4 list.
  api::add_system_routes(routes);
  api::add_plugin_routes(routes, app->plugins_.plugins);
  api::add_config_routes(routes, app->registry().tags());
  // Everything else goes through api_routes::add (401 without credentials).
  api::add_job_routes(api_routes);
  api::add_login_routes(api_routes);    // /user/login, /user/signup, /user/logout (public)
  api::add_user_routes(api_routes);     // users, current user, API and personal tokens
  api::add_project_routes(api_routes);  // projects, validate, summary
  api::add_task_routes(api_routes);  // tasks, annotations, drafts, predictions, data manager, /next
  api::add_import_routes(api_routes);  // import, imports/{id}, reimport
  api::add_upload_routes(api_routes);  // file uploads, /data/upload files
  api::add_export_routes(api_routes);  // export, export/formats, stored exports
  api::add_template_routes(api_routes);  // the starter-config gallery

  // The web shell: served from memory; "/" is its index page.
  if (std::filesystem::is_directory(opts.web_dir)) {
    app->assets_->shell->add_directory("/static", opts.web_dir);
  } else {
    spdlog::warn("no web shell at {}: the UI is not served", opts.web_dir.string());
  }
  add_web_shell_routes(routes, app->assets_->shell, opts.web_dir, app->registry());  // "/", page URLs
  std::shared_ptr<const http::static_files> shell = app->assets_->shell;
  routes.add(http::method::get, "/static/{*path}", http::static_files::make_handler(shell));
  return app;
}

std::uint16_t host_app::start() {
  server_ = std::make_unique<http::server>(options_.http, routes_);
  return server_->start();
}

void host_app::run_until_signal() {
  if (!server_) start();
  spdlog::info("annot {} listening on http://{}:{}", build_info::version, options_.http.address, server_->port());
  server_->run_until_signal();
}

void host_app::stop() {
  if (server_) server_->stop();
}

}  // namespace annot::host::app
