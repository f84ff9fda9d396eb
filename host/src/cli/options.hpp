// Command-line options of the `annot` subcommands: `--name value`, `--name=value` and boolean
// `--flag`, each readable from an environment variable too (command line wins over environment,
// environment over the default).
#pragma once

#include <annot/status.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace annot::host::cli {

class option_table {
 public:
  // A boolean flag; the environment variable counts as set when it is 1/true/yes/on.
  option_table& flag(std::string name, std::string env, std::string help);
  // An option taking a value. `repeatable` options collect every occurrence (and a comma list from env).
  option_table& value(std::string name, std::string env, std::string default_value, std::string help,
                      bool repeatable = false);

  struct parsed {
    std::map<std::string, std::vector<std::string>, std::less<>> values;
    std::vector<std::string> positional;

    bool flag(std::string_view name) const;
    std::string get(std::string_view name) const;  // last value, or "" when absent
    const std::vector<std::string>& all(std::string_view name) const;
    bool has(std::string_view name) const;
  };

  // Parses args (without the program and subcommand names). `env` looks a variable up; the default
  // reads the process environment. Unknown options and missing values are errors naming the option.
  result<parsed> parse(const std::vector<std::string>& args) const;
  std::string help() const;

 private:
  struct entry {
    std::string name, env, default_value, help;
    bool is_flag = false;
    bool repeatable = false;
  };
  const entry* find(std::string_view name) const;
  std::vector<entry> entries_;
};

// Parses a TCP port, 1..65535 (0 allowed when `allow_zero`, meaning "any free port").
result<unsigned short> parse_port(std::string_view text, bool allow_zero = false);
// Parses a positive count such as a thread number.
result<unsigned> parse_count(std::string_view text, std::string_view what);

}  // namespace annot::host::cli
