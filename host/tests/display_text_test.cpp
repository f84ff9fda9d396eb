// Label Studio's derived display texts: created_username and created_ago (Django's timesince).
#include "util/display_text.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using namespace std::chrono;
using annot::host::util::created_username;
using annot::host::util::time_since;

sys_time<microseconds> at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0, int us = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss} + microseconds{us};
}

TEST(DisplayText, CreatedUsernameHasASpaceBeforeTheLastNameOnlyWhenThereIsOne) {
  EXPECT_EQ(created_username("Ann", "Lee", "a@x.org", 3), "Ann Lee a@x.org, 3");
  EXPECT_EQ(created_username("Ann", "", "a@x.org", 3), "Ann a@x.org, 3");
  EXPECT_EQ(created_username("", "", "a@x.org", 3), " a@x.org, 3");
  // The draft serializer's own spelling differs only there.
  EXPECT_EQ(annot::host::util::draft_created_username("Ann", "Lee", "a@x.org", 3), "Ann Lee a@x.org, 3");
  EXPECT_EQ(annot::host::util::draft_created_username("", "Lee", "a@x.org", 3), " Lee a@x.org, 3");
  EXPECT_EQ(annot::host::util::draft_created_username("", "", "a@x.org", 3), "a@x.org, 3");
}

// Django's own examples and rules: calendar years and months, then adjacent units up to two.
TEST(DisplayText, TimeSinceIsDjangosTimesince) {
  const std::string nb = "\u00a0";
  EXPECT_EQ(time_since(at(2013, 2, 10), at(2014, 3, 10)), "1" + nb + "year, 1" + nb + "month");
  EXPECT_EQ(time_since(at(2007, 8, 10), at(2008, 9, 10)), "1" + nb + "year, 1" + nb + "month");
  EXPECT_EQ(time_since(at(2024, 1, 1), at(2024, 1, 18, 5)), "2" + nb + "weeks, 3" + nb + "days");
  EXPECT_EQ(time_since(at(2024, 1, 1), at(2024, 1, 5, 1, 30)), "4" + nb + "days, 1" + nb + "hour");
  // Units are adjacent: "2 weeks, 3 hours" is never written.
  EXPECT_EQ(time_since(at(2024, 1, 1), at(2024, 1, 15, 3)), "2" + nb + "weeks");
  EXPECT_EQ(time_since(at(2024, 1, 1), at(2024, 1, 1, 0, 1)), "1" + nb + "minute");
  EXPECT_EQ(time_since(at(2024, 1, 1), at(2024, 1, 1, 0, 0, 59, 999999)), "0" + nb + "minutes");
  EXPECT_EQ(time_since(at(2024, 1, 2), at(2024, 1, 1)), "0" + nb + "minutes");  // in the future
  // A month counts only once the day (and time of day) is reached; the pivot's day is capped by the
  // month (February always 28).
  EXPECT_EQ(time_since(at(2023, 1, 31), at(2023, 3, 1)), "1" + nb + "month");
  EXPECT_EQ(time_since(at(2024, 1, 31, 12), at(2024, 2, 29, 11)), "4" + nb + "weeks");
  EXPECT_EQ(time_since(at(2024, 1, 10, 12), at(2024, 2, 10, 11)), "4" + nb + "weeks, 2" + nb + "days");
  // 2020-02-29 plus a year is 2021-02-28, and the day left is not adjacent to the year.
  EXPECT_EQ(time_since(at(2020, 2, 29), at(2021, 3, 1)), "1" + nb + "year");
  EXPECT_EQ(time_since(at(2020, 2, 29), at(2020, 3, 29, 0, 1)), "1" + nb + "month");
}

}  // namespace
