// Runs one command and prints its wall time, CPU time and peak RSS (run on demand, never in CI).
// run.sh times `annot export` with it: bash's clock around /usr/bin/time also counted the exec of
// time(1) itself and its fork of the command, ~4 ms here, which is not the export's. This program
// starts the command with posix_spawn (no copy of its own memory), reads the clock just before and
// just after, and takes CPU and peak RSS from wait4's rusage, which counts the command alone.
//   annot_run_timed OUT ERR COMMAND [ARGS...]   OUT and ERR receive the command's stdout and stderr
// Prints "<wall s> <user s> <system s> <peak RSS KiB>"; exits with the command's status (1 if it
// could not start, 128 + N if signal N ended it).
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

extern char** environ;

namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

double now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fputs("usage: annot_run_timed OUT ERR COMMAND [ARGS...]\n", stderr);
    return 2;
  }
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, 2, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const double start = now();
  const int spawned = posix_spawnp(&pid, argv[3], &files, nullptr, argv + 3, environ);
  if (spawned != 0) {
    std::fprintf(stderr, "annot_run_timed: cannot start %s: %s\n", argv[3], std::strerror(spawned));
    return 1;
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::perror("annot_run_timed: wait4");
      return 1;
    }
  }
  const double end = now();
  posix_spawn_file_actions_destroy(&files);
  std::printf("%.6f %.6f %.6f %ld\n", end - start, seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_maxrss);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
