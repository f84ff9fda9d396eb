// `annot plugins`: load the plugins as `annot serve` would, and say what loaded and what was refused.
#include <cstdio>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "app/host_app.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "plugins/report.hpp"

namespace annot::host::cli {

int run_plugins(const std::vector<std::string>& args) {
  option_table table;
  table.value("plugins-dir", "ANNOT_PLUGINS_DIR", "", "folder of plugin folders (default: beside the executable)")
      .value("data-dir", "ANNOT_DATA_DIR", "", "data directory handed to plugins (default: a temporary folder)")
      .flag("json", "", "print the listing as JSON (the body of GET /api/plugins)")
      .flag("strict-plugins", "ANNOT_STRICT_PLUGINS", "exit with status 1 when any plugin is refused")
      .flag("help", "", "show this help");
  auto parsed = table.parse(args);
  if (!parsed) {
    std::fprintf(stderr, "annot plugins: %s\n\noptions:\n%s", parsed.error().message().c_str(), table.help().c_str());
    return 2;
  }
  if (parsed->flag("help")) {
    std::printf("usage: annot plugins [options]\n\noptions:\n%s", table.help().c_str());
    return 0;
  }

  plugins::load_options options;
  options.plugins_dir = parsed->get("plugins-dir");
  if (options.plugins_dir.empty()) options.plugins_dir = app::default_plugins_dir();
  // Registration may ask for a plugin's data directory; a dry run must not touch the real one.
  std::filesystem::path scratch;
  if (parsed->get("data-dir").empty()) {
    scratch = std::filesystem::temp_directory_path() / ("annot-plugins-" + std::to_string(::getpid()));
    options.data_dir = scratch;
  } else {
    options.data_dir = parsed->get("data-dir");
  }
  options.strict = parsed->flag("strict-plugins");

  // The listing below says everything; the loader's own log lines would only repeat it.
  spdlog::set_level(spdlog::level::err);
  auto report = plugins::load_plugins(options);
  if (parsed->flag("json")) {
    std::printf("%s\n", plugins::plugins_json(*report.plugins).dump(2).c_str());
  } else {
    std::fputs(plugins::describe_plugins_text(report).c_str(), stdout);
  }
  if (!scratch.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
  }
  return report.error.ok() ? 0 : 1;
}

}  // namespace annot::host::cli
