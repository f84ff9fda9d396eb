// `annot config validate FILE.xml [--task T] [--result R]`: check a labeling config with the tags
// of the installed plugins, as `annot serve` would.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "app/host_app.hpp"
#include "cli/commands.hpp"
#include "config/cli.hpp"
#include "plugins/loader.hpp"

namespace annot::host::cli {

int run_config(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(config::config_usage(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  // The plugins directory comes from the environment or the default; the config's tags are
  // whatever those plugins provide.
  plugins::load_options options;
  const char* dir = std::getenv("ANNOT_PLUGINS_DIR");
  options.plugins_dir = dir && *dir ? std::filesystem::path(dir) : app::default_plugins_dir();
  options.data_dir = std::filesystem::temp_directory_path() / ("annot-config-" + std::to_string(::getpid()));
  spdlog::set_level(spdlog::level::err);
  auto report = plugins::load_plugins(options);
  for (const auto& r : report.refused()) std::fprintf(stderr, "annot config: plugin refused: %s\n", r.reason.c_str());
  int code = config::run_config_validate(args, report.plugins->tags(), std::cout, std::cerr);
  std::error_code ec;
  std::filesystem::remove_all(options.data_dir, ec);
  return code;
}

}  // namespace annot::host::cli
