#include "cli/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace annot::host::cli {

progress_bar::progress_bar(bool wanted) : enabled_(wanted && ::isatty(2)) {}

void progress_bar::update(double fraction, std::uint64_t tasks, std::string_view extra, bool last) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!last && now - drawn_ < std::chrono::milliseconds(100)) return;
  drawn_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = last ? 1.0 : std::clamp(fraction, 0.0, 1.0);
  constexpr int width = 30;
  std::string bar(static_cast<std::size_t>(frac * width), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r[%s] %3d%% %10llu tasks%s%.*s %9.0f tasks/s", bar.c_str(), int(frac * 100),
               static_cast<unsigned long long>(tasks), extra.empty() ? "" : " ", int(extra.size()),
               extra.data(), secs > 0 ? double(tasks) / secs : 0.0);
  if (last) std::fputc('\n', stderr);
  std::fflush(stderr);
  mid_line_ = !last;
}

void progress_bar::interrupt() {
  if (mid_line_) std::fputc('\n', stderr);
  mid_line_ = false;
}

}  // namespace annot::host::cli
