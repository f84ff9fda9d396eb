// ISO 8601 formatting of time points.
#include "util/time_format.hpp"

#include <ctime>
#include <fmt/format.h>

namespace annot::host::util {

std::string iso8601(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  long frac = static_cast<long>(micros % 1000000);
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

}  // namespace annot::host::util
