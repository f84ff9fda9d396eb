// The built `annot` executable run as a user runs it, for the CLI tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace annot::host::testing {

struct cli_result {
  int code = -1;    // the exit status; -1 when the process did not exit
  std::string out;  // standard output and standard error, as they came
};

// Runs `annot <args>` through the shell (test values need no quoting), with `env` (`NAME=value ...`)
// in front when given. Blocks until the process exits.
inline cli_result run_annot(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + std::string(ANNOT_TEST_BIN_DIR) + "/annot " + args + " 2>&1";
  cli_result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace annot::host::testing
