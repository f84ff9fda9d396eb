// annot: the command-line entry point; each subcommand lives in cli/.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using annot::host::cli::command;
  std::vector<std::string> args(argv + 1, argv + argc);
  const auto& table = annot::host::cli::commands();
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(annot::host::cli::usage().c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::fputs(annot::host::cli::version_text().c_str(), stdout);
    return 0;
  }
  for (const command& c : table) {
    if (args[0] != c.name) continue;
    args.erase(args.begin());
    try {
      return c.run(args);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "annot %s: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "annot: unknown command '%s'\n\n%s", args[0].c_str(), annot::host::cli::usage().c_str());
  return 2;
}
