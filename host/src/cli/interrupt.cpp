#include "cli/interrupt.hpp"

#include <csignal>

namespace annot::host::cli {
namespace {

// Lock-free atomics may be stored from a signal handler.
std::atomic<bool> stop_requested{false};
std::atomic<int> stop_signal{0};

extern "C" void on_interrupt(int sig) {
  stop_signal.store(sig, std::memory_order_relaxed);
  stop_requested.store(true, std::memory_order_relaxed);
}

}  // namespace

void stop_on_interrupt() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction was {};
    if (::sigaction(sig, nullptr, &was) == 0 && was.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

const std::atomic<bool>& interrupted() noexcept {
  return stop_requested;
}

std::string interrupted_by() {
  return stop_signal.load() == SIGTERM ? "interrupted by SIGTERM" : "interrupted by SIGINT";
}

int interrupted_exit_code() noexcept {
  return 128 + stop_signal.load();
}

}  // namespace annot::host::cli
