// Label Studio's derived display texts.
#include "util/display_text.hpp"

#include <algorithm>

namespace annot::host::util {

std::string created_username(std::string_view first_name, std::string_view last_name, std::string_view email,
                             std::int64_t id) {
  std::string name(first_name);
  if (!last_name.empty()) {
    name += ' ';
    name += last_name;
  }
  name += ' ';
  name += email;
  name += ", ";
  name += std::to_string(id);
  return name;
}

std::string draft_created_username(std::string_view first_name, std::string_view last_name,
                                   std::string_view email, std::int64_t id) {
  std::string name = created_username(first_name, last_name, email, id);
  if (first_name.empty() && last_name.empty()) name.erase(0, 1);
  return name;
}

std::string time_since(std::chrono::system_clock::time_point then_tp,
                       std::chrono::system_clock::time_point now_tp) {
  using namespace std::chrono;
  const auto then = time_point_cast<microseconds>(then_tp), now = time_point_cast<microseconds>(now_tp);
  static const char* const names[] = {"year", "month", "week", "day", "hour", "minute"};
  const auto phrase = [](std::int64_t n, const char* name) {
    return std::to_string(n) + "\u00a0" + name + (n == 1 ? "" : "s");
  };
  // Whole seconds, microseconds ignored; a `then` not in the past is "0 minutes".
  if (floor<seconds>(now - then).count() <= 0) return phrase(0, "minute");

  // Years and months by the calendar: the months from then to now, less one when now's day (and time
  // of day) falls before then's.
  const auto then_day = floor<days>(then), now_day = floor<days>(now);
  const year_month_day a{then_day}, b{now_day};
  const microseconds a_time = then - then_day, b_time = now - now_day;
  std::int64_t total_months =
      (int(b.year()) - int(a.year())) * 12 + (int(unsigned(b.month())) - int(unsigned(a.month())));
  if (a.day() > b.day() || (a.day() == b.day() && a_time > b_time)) --total_months;
  const std::int64_t years = total_months / 12, months = total_months % 12;
  // The rest is counted from a pivot: then moved on by those years and months (the day capped by the
  // month's length, February always 28; seconds kept, microseconds not).
  sys_time<microseconds> pivot = then;
  if (years || months) {
    static constexpr unsigned month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int pivot_year = int(a.year()) + int(years);
    int pivot_month = int(unsigned(a.month())) + int(months);
    if (pivot_month > 12) {
      pivot_month -= 12;
      ++pivot_year;
    }
    const unsigned pivot_day = std::min(month_days[pivot_month - 1], unsigned(a.day()));
    pivot =
        sys_days{year{pivot_year} / month{unsigned(pivot_month)} / day{pivot_day}} + floor<seconds>(a_time);
  }
  std::int64_t rest = (now - pivot).count();
  std::int64_t parts[6] = {years, months, 0, 0, 0, 0};
  static constexpr std::int64_t chunk_seconds[] = {604800, 86400, 3600, 60};
  for (int i = 0; i < 4; ++i) {
    const std::int64_t chunk = chunk_seconds[i] * 1'000'000;
    parts[2 + i] = rest >= 0 ? rest / chunk : -((-rest + chunk - 1) / chunk);
    rest -= parts[2 + i] * chunk;
  }
  // The first unit that is not zero, and the next one when it is not zero either (Django's depth 2).
  int i = 0;
  while (i < 6 && parts[i] == 0) ++i;
  if (i == 6) return phrase(0, "minute");
  std::string out = phrase(parts[i], names[i]);
  if (i + 1 < 6 && parts[i + 1] != 0) out += ", " + phrase(parts[i + 1], names[i + 1]);
  return out;
}

}  // namespace annot::host::util
