// ISO 8601 formatting and parsing for store timestamps, without locale or time-zone database use.
#include "store/time.hpp"

#include <cstdio>

namespace annot::host::store {

namespace chr = std::chrono;

timestamp now() {
  return chr::time_point_cast<chr::microseconds>(chr::system_clock::now());
}

std::string to_iso8601(timestamp t) {
  auto day = chr::floor<chr::days>(t);
  chr::year_month_day ymd{day};
  auto us = (t - day).count();
  long long secs = us / 1'000'000;
  long long frac = us % 1'000'000;
  // Written digit by digit: every task and annotation in a response carries two or three of these,
  // and snprintf was a visible share of a task read.
  int year = int(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[64];
    if (frac == 0)
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", year, unsigned(ymd.month()),
                    unsigned(ymd.day()), secs / 3600, (secs / 60) % 60, secs % 60);
    else
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", year,
                    unsigned(ymd.month()), unsigned(ymd.day()), secs / 3600, (secs / 60) % 60, secs % 60,
                    frac);
    return buf;
  }
  std::string out(27, '0');  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  auto put = [&](std::size_t at, long long v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[at + std::size_t(i)] = char('0' + v % 10);
  };
  put(0, year, 4);
  out[4] = '-';
  put(5, unsigned(ymd.month()), 2);
  out[7] = '-';
  put(8, unsigned(ymd.day()), 2);
  out[10] = 'T';
  put(11, secs / 3600, 2);
  out[13] = ':';
  put(14, (secs / 60) % 60, 2);
  out[16] = ':';
  put(17, secs % 60, 2);
  if (frac == 0) {  // Python's isoformat() leaves out a zero fraction
    out.resize(20);
    out[19] = 'Z';
    return out;
  }
  out[19] = '.';
  put(20, frac, 6);
  out[26] = 'Z';
  return out;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<timestamp> parse_iso8601(std::string_view s) {
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  chr::year_month_day ymd{chr::year(y), chr::month(unsigned(mo)), chr::day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  long long us = 0;
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    int h, mi, sec = 0;
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        long long frac = 0;
        int n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (n < 6) frac = frac * 10 + (s[pos] - '0');
          ++n;
          ++pos;
        }
        if (n == 0) return std::nullopt;
        for (int i = n; i < 6; ++i) frac *= 10;
        us += frac;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    us += ((h * 60LL + mi) * 60LL + sec) * 1'000'000LL;
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om = 0;
        bool neg = s[pos] == '-';
        if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size()) {
          if (!digits(s, pos, 2, om)) return std::nullopt;
          pos += 2;
        }
        long long off = (oh * 60LL + om) * 60'000'000LL;
        us += neg ? off : -off;  // local = UTC + offset
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  return timestamp(chr::sys_days(ymd).time_since_epoch() + chr::microseconds(us));
}

}  // namespace annot::host::store
