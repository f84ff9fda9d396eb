// UTF-8 decoding around towlower_l with a C.UTF-8 locale object of our own (never the process's
// global locale, which other code may set).
#include "util/unicode_lower.hpp"

#include <locale.h>
#include <wctype.h>

#include <algorithm>

namespace annot::host::util {
namespace {

locale_t utf8_ctype() {
  // Built into glibc since 2.35, so present on every machine we build for; without it only ASCII folds.
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

void put_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The code point at text[i] and its length in bytes; 0 for a byte that does not start valid UTF-8.
std::size_t decode(std::string_view text, std::size_t i, char32_t& c) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = b(0);
  std::size_t n = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  c = lead & (0xFF >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b(k) & 0x3F);
  }
  const bool overlong = (n == 3 && c < 0x800) || (n == 4 && c < 0x10000);
  if (overlong || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string unicode_lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const locale_t loc = utf8_ctype();
  std::size_t i = 0;
  while (i < text.size()) {
    // Runs of ASCII at once: the common case.
    const std::size_t run_end = static_cast<std::size_t>(
        std::find_if(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; }) -
        text.begin());
    for (; i < run_end; ++i) {
      const char ch = text[i];
      out.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
    }
    if (i == text.size()) break;
    char32_t c = 0;
    const std::size_t n = decode(text, i, c);
    if (n == 0) {
      out.push_back(text[i++]);
      continue;
    }
    const char32_t lower = loc ? static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), loc)) : c;
    put_utf8(out, lower);
    i += n;
  }
  return out;
}

}  // namespace annot::host::util
