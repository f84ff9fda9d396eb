// What the store cursor's tests share: a one-label text config and reading a cursor to its end.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
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

// Every text the cursor hands out, as copies (with a pause after each when `pause` is set); `limit` stops
// early. A failed next() is a test failure and ends the read.
inline std::vector<std::string> read_texts(annot::task_cursor& cursor, std::size_t limit = SIZE_MAX,
                                           std::chrono::microseconds pause = {}) {
  std::vector<std::string> out;
  std::string_view t;
  while (out.size() < limit) {
    auto more = cursor.next(t);
    EXPECT_TRUE(more.ok()) << more.error().message();
    if (!more.ok() || !*more) break;
    out.emplace_back(t);
    if (pause.count()) std::this_thread::sleep_for(pause);
  }
  return out;
}

// Reads until next() fails, calling on_text(text) per task, and returns the error; a pass that ends
// without one is a test failure (then the status is ok).
template <class Fn>
annot::status read_until_error(annot::task_cursor& cursor, Fn&& on_text) {
  std::string_view t;
  for (;;) {
    auto more = cursor.next(t);
    if (!more.ok()) return more.error();
    if (!*more) {
      ADD_FAILURE() << "the pass ended without an error";
      return {};
    }
    on_text(t);
  }
}

}  // namespace annot::host::testing
