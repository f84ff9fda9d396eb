// The built `annot` executable run as a user runs it, for the CLI tests.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

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

// `annot <args>` started in the background, for tests that signal a running command: through the
// shell, which execs it (so pid() is annot's), its output written to `out_file`, with SIGINT and
// SIGTERM at their default action (a test run as a shell's background job inherits them ignored).
// Killed and reaped on destruction if still running.
class running_annot {
 public:
  running_annot(const std::string& args, std::string out_file) : out_file_(std::move(out_file)) {
    const std::string cmd =
        "exec " + std::string(ANNOT_TEST_BIN_DIR) + "/annot " + args + " >" + out_file_ + " 2>&1";
    char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(cmd.c_str()),
                    nullptr};
    posix_spawnattr_t attr;
    ::posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    ::posix_spawnattr_setsigdefault(&attr, &defaults);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    if (::posix_spawn(&pid_, "/bin/sh", nullptr, &attr, argv, environ) != 0) pid_ = -1;
    ::posix_spawnattr_destroy(&attr);
  }
  running_annot(const running_annot&) = delete;
  running_annot& operator=(const running_annot&) = delete;
  ~running_annot() {
    if (pid_ <= 0 || done_) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Whether the process has ended (reaped here; wait() then returns its result).
  bool exited() {
    if (!done_ && pid_ > 0 && ::waitpid(pid_, &status_, WNOHANG) == pid_) done_ = true;
    return done_;
  }
  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Blocks until the process exits: its exit status (-1 when a signal ended it) and output.
  cli_result wait() {
    cli_result r;
    if (pid_ <= 0) return r;
    if (!done_ && ::waitpid(pid_, &status_, 0) == pid_) done_ = true;
    r.code = done_ && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    std::ifstream in(out_file_);
    std::stringstream text;
    text << in.rdbuf();
    r.out = text.str();
    return r;
  }

 private:
  std::string out_file_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool done_ = false;
};

}  // namespace annot::host::testing
