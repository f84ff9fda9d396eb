// The one-line progress bar `annot import` and `annot export` draw on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace annot::host::cli {

// Redrawn at most ten times a second, and only when stderr is a terminal: a redirected stderr (a log
// file, CI) gets no carriage returns, only the command's messages. Threading: one thread.
class progress_bar {
 public:
  explicit progress_bar(bool wanted);
  // `fraction` of the work done (clamped to [0, 1]; 1 when `last`), `tasks` so far, and `extra` shown
  // after the count ("12.3 MB"). The last update ends the line.
  void update(double fraction, std::uint64_t tasks, std::string_view extra = {}, bool last = false);
  // Ends a bar left mid-line, so that a message starts a line of its own (nothing when none was drawn).
  void interrupt();

 private:
  bool enabled_;
  bool mid_line_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_{};
};

}  // namespace annot::host::cli
