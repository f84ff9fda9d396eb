// text_cursor: how the JSON printers append to a std::string. Printing writes a few bytes at a time (a
// bracket, an indentation, a key, a number); a std::string call for each was most of a JSON_MIN export's
// printing. The cursor makes room ahead in steps and writes through a pointer: a bounds check and stores.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "export_support/json_text.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::export_support::detail {

// Appends to `s` from its end. Lifetime: one printing call; `s` must not be touched by anyone else while the
// cursor lives (pause() lends it out), and the destructor trims the room not written.
class text_cursor {
 public:
  explicit text_cursor(std::string& s) noexcept : s_(s), at_(s.size()) {}
  text_cursor(const text_cursor&) = delete;
  text_cursor& operator=(const text_cursor&) = delete;
  ~text_cursor() { s_.resize(at_); }

  // At least n writable bytes at the end of what was written; write, then call done() with the end of the
  // bytes written. Room comes in steps of 512 bytes at least, so most tokens need no growth.
  char* room(std::size_t n) {
    if (s_.size() - at_ < n) s_.resize(at_ + std::max<std::size_t>(n, 512));
    return s_.data() + at_;
  }
  void done(char* end) noexcept { at_ = static_cast<std::size_t>(end - s_.data()); }

  void put(char c) {
    char* p = room(1);
    *p = c;
    done(p + 1);
  }
  void put(std::string_view bytes) {
    char* p = room(bytes.size());
    std::memcpy(p, bytes.data(), bytes.size());
    done(p + bytes.size());
  }
  // A line break and `spaces` spaces.
  void newline(std::size_t spaces) {
    char* p = room(spaces + 1);
    *p = '\n';
    std::memset(p + 1, ' ', spaces);
    done(p + 1 + spaces);
  }

  // The string holding exactly what was written, for a printer that appends to it itself (long strings);
  // resume() before writing through the cursor again.
  std::string& pause() {
    s_.resize(at_);
    return s_;
  }
  void resume() noexcept { at_ = s_.size(); }

 private:
  std::string& s_;
  std::size_t at_;
};

// The printers on a cursor; append_ujson_float, append_ujson_string and append_ujson(element) are these on a
// cursor of their own.
void put_ujson_float(text_cursor& out, double v);
void put_ujson_string(text_cursor& out, std::string_view s, bool ensure_ascii);
void put_ujson(text_cursor& out, element e, const ujson_options& options, int level);

}  // namespace annot::plugins::export_support::detail
