// What the store cursor's tests share: a one-label text config and reading a cursor to its end.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "export/store_cursor.hpp"

namespace annot::host::testing {

inline constexpr const char* export_text_config =
    R"(<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="A"/></Labels></View>)";

// Every task the cursor gives, parsed; a failed next() is a test failure and ends the read.
inline std::vector<nlohmann::json> read_all(exporting::store_cursor& cursor) {
  std::vector<nlohmann::json> out;
  std::string_view text;
  for (;;) {
    auto more = cursor.next(text);
    EXPECT_TRUE(more.ok()) << more.error().message();
    if (!more.ok() || !*more) break;
    out.push_back(nlohmann::json::parse(text));
  }
  return out;
}

}  // namespace annot::host::testing
