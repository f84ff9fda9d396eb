// `annot serve`: run the host until SIGINT or SIGTERM.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "app/heap_policy.hpp"
#include "app/host_app.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace annot::host::cli {
namespace {

option_table serve_options() {
  option_table t;
  t.value("host", "ANNOT_HOST", "0.0.0.0", "address to listen on")
      .value("port", "ANNOT_PORT", "8080", "port to listen on (0: any free port)")
      .value("data-dir", "ANNOT_DATA_DIR", "./data", "where the database, uploads and plugin data live")
      .value("plugins-dir", "ANNOT_PLUGINS_DIR", "", "folder of plugin folders (default: beside the executable)")
      .value("web-dir", "ANNOT_WEB_DIR", "", "folder of the web shell (default: beside the executable)")
      .value("threads", "ANNOT_THREADS", "", "HTTP I/O threads (default: one per core)")
      .value("job-threads", "ANNOT_JOB_THREADS", "2", "threads for long jobs (imports, exports, syncs)")
      .value("trusted-proxy", "ANNOT_TRUSTED_PROXIES", "",
             "reverse proxy address or network whose X-Forwarded-For/-Proto are believed (repeatable; env: comma list)",
             true)
      .value("log-level", "ANNOT_LOG_LEVEL", "info", "debug, info, warn or error")
      .value("db", "ANNOT_DB", "", "database location: sqlite:PATH or a path (default: data-dir/annot.db)")
      .flag("no-signup", "ANNOT_NO_SIGNUP", "refuse POST /user/signup (accounts only through `annot user create`)")
      .flag("allow-private-url-imports", "ANNOT_ALLOW_PRIVATE_URL_IMPORTS",
            "let url= imports fetch loopback, private and link-local addresses (refused by default)")
      .flag("strict-plugins", "ANNOT_STRICT_PLUGINS", "refuse to start when any plugin is refused")
      .flag("help", "", "show this help");
  return t;
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
  app::use_server_heap_policy();
  auto table = serve_options();
  auto parsed = table.parse(args);
  if (!parsed) {
    std::fprintf(stderr, "annot serve: %s\n\noptions:\n%s", parsed.error().message().c_str(), table.help().c_str());
    return 2;
  }
  if (parsed->flag("help")) {
    std::printf("usage: annot serve [options]\n\noptions:\n%s", table.help().c_str());
    return 0;
  }
  if (!parsed->positional.empty()) {
    std::fprintf(stderr, "annot serve: unexpected argument '%s'\n", parsed->positional.front().c_str());
    return 2;
  }

  auto level = spdlog::level::from_str(parsed->get("log-level"));
  if (level == spdlog::level::off && parsed->get("log-level") != "off") {
    std::fprintf(stderr, "annot serve: unknown log level '%s'\n", parsed->get("log-level").c_str());
    return 2;
  }
  spdlog::set_level(level);

  app::host_options options;
  options.http.address = parsed->get("host");
  auto port = parse_port(parsed->get("port"), true);
  if (!port) {
    std::fprintf(stderr, "annot serve: %s\n", port.error().message().c_str());
    return 2;
  }
  options.http.port = *port;
  if (parsed->has("threads")) {
    auto n = parse_count(parsed->get("threads"), "thread count");
    if (!n) {
      std::fprintf(stderr, "annot serve: %s\n", n.error().message().c_str());
      return 2;
    }
    options.http.io_threads = *n;
  }
  auto job_threads = parse_count(parsed->get("job-threads"), "job thread count");
  if (!job_threads) {
    std::fprintf(stderr, "annot serve: %s\n", job_threads.error().message().c_str());
    return 2;
  }
  options.job_threads = *job_threads;
  options.http.trusted_proxies = parsed->all("trusted-proxy");
  options.data_dir = parsed->get("data-dir");
  options.plugins_dir = parsed->get("plugins-dir");
  options.web_dir = parsed->get("web-dir");
  options.strict_plugins = parsed->flag("strict-plugins");
  options.database = parsed->get("db");
  options.api.allow_signup = !parsed->flag("no-signup");
  options.api.allow_private_url_imports = parsed->flag("allow-private-url-imports");
  // ANNOT_ALLOW_SIGNUP=0 (false/no/off) says the same as --no-signup.
  if (const char* env = std::getenv("ANNOT_ALLOW_SIGNUP")) {
    std::string v = env;
    if (v == "0" || v == "false" || v == "no" || v == "off") options.api.allow_signup = false;
  }

  auto app = app::host_app::create(std::move(options));
  if (!app) {
    std::fprintf(stderr, "annot serve: %s\n", app.error().message().c_str());
    return 1;
  }
  try {
    (*app)->run_until_signal();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "annot serve: %s\n", e.what());
    return 1;
  }
  spdlog::info("annot stopped");
  return 0;
}

}  // namespace annot::host::cli
