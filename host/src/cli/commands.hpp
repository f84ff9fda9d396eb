// The table of `annot` subcommands.
#pragma once

#include <string>
#include <vector>

namespace annot::host::cli {

struct command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);  // args after the command name; returns the exit code
};

const std::vector<command>& commands();
std::string usage();
std::string version_text();

// Subcommands, one file each in cli/.
int run_serve(const std::vector<std::string>& args);
int run_plugins(const std::vector<std::string>& args);
int run_config(const std::vector<std::string>& args);
int run_user(const std::vector<std::string>& args);
int run_db(const std::vector<std::string>& args);

}  // namespace annot::host::cli
