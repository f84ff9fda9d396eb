// Python repr / ujson float printing and the ujson / Python json writers (spec §1.5, §7.2).
#include "export_support/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "text_cursor.hpp"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace annot::plugins::export_support {
namespace {

// Shortest round-trip digits and decimal exponent of a finite, non-zero |v|:
// v = 0.d1d2d3... * 10^point (digits without sign or dot). `digits` holds up to 17 characters.
std::size_t shortest(double v, char* digits, int& point) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  std::size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  int exp10 = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp10);
  std::size_t n = 0;
  for (char c : mant)
    if (c != '.') digits[n++] = c;
  while (n > 1 && digits[n - 1] == '0') --n;
  point = exp10 + 1;
  return n;
}

constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the lowest `count` digits of v (zeros where v has fewer) to the left of p, two a step;
// v keeps the rest. Returns the first written byte.
char* put_low_digits(char* p, std::uint64_t& v, std::size_t count) {
  for (; count >= 2; count -= 2) {
    const std::uint64_t q = v / 100;
    p -= 2;
    std::memcpy(p, digit_pairs + 2 * (v - q * 100), 2);
    v = q;
  }
  if (count) {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p;
}

// Writes every digit of v (one for 0) to the left of p. Returns the first written byte.
char* put_digits(char* p, std::uint64_t v) {
  while (v >= 100) p = put_low_digits(p, v, 2);
  return put_low_digits(p, v, v >= 10 ? 2 : 1);
}

// digits / 10^decimals in repr's fixed layout: trailing zeros dropped, "0." before a fraction, ".0"
// after a whole number, written to p (room for 48 bytes); returns the end. Laid out right to left from
// a pair table: to_chars and four appends cost more than finding the digits (17 of them, mostly).
char* write_fixed(char* p, std::uint64_t digits, std::size_t decimals) {
  // Trailing zeros four, two and one at a time (a box's 14.1591 scaled by 10^8 has four).
  while (decimals >= 4 && digits % 10000 == 0) {
    digits /= 10000;
    decimals -= 4;
  }
  if (decimals >= 2 && digits % 100 == 0) {
    digits /= 100;
    decimals -= 2;
  }
  if (decimals >= 1 && digits % 10 == 0) {
    digits /= 10;
    --decimals;
  }
  // Laid out to end at text + 48, then 32 bytes copied at once (24 at most are text): p has room for 48.
  char text[80];
  char* const end = text + 48;
  char* q = end;
  if (decimals == 0) {
    q -= 2;
    std::memcpy(q, ".0", 2);
  } else {
    q = put_low_digits(q, digits, decimals);
    *--q = '.';
  }
  q = put_digits(q, digits);
  std::memcpy(p, q, 32);
  return p + (end - q);
}

// The fixed-notation repr of a magnitude that is a decimal of at most 15 significant digits and 8
// decimals (a box's 14.1591: most numbers in labelling results), found by scaling instead of a
// shortest-digits search (to_chars, ~50 ns a number). With k the most decimals (up to 8) that keep
// v * 10^k under 1e15, the rounding error of that product is under 0.25, so m = round(v * 10^k) is
// the only decimal of k decimals that can read back as v (m / 10^k is correctly rounded); any
// shorter one that reads back is m without trailing zeros, as two decimals of 15 digits or fewer
// never read as the same double. False when v is no such decimal: to_chars decides then.
bool write_short_decimal(char*& p, double magnitude) {
  static constexpr double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  std::size_t decimals = 8;
  double scaled = magnitude * scale[decimals];
  while (scaled >= 1e15) {
    if (decimals == 0) return false;
    scaled = magnitude * scale[--decimals];
  }
  const double m = std::nearbyint(scaled);
  if (m / scale[decimals] != magnitude) return false;
  p = write_fixed(p, static_cast<std::uint64_t>(m), decimals);
  return true;
}

// Both printers share the repr algorithm (fixed for -4 <= exponent < 16, else scientific); only
// the exponent spelling differs.
// Writes v to p (room for 48 bytes: 24 at most are written) and returns the end.
char* write_float(char* p, double v, bool pad_exponent, bool ujson_names) {
  const auto put = [&p](std::string_view text) {
    std::memcpy(p, text.data(), text.size());
    p += text.size();
  };
  if (std::isnan(v)) {
    put(ujson_names ? "NaN" : "nan");
    return p;
  }
  if (std::signbit(v)) *p++ = '-';
  if (std::isinf(v)) {
    put(ujson_names ? "Infinity" : "inf");
    return p;
  }
  if (v == 0) {
    put("0.0");
    return p;
  }
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e-4 && magnitude < 1e16 && write_short_decimal(p, magnitude)) return p;
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    // repr's fixed range: the shortest round-trip digits are the same whatever the notation, so
    // to_chars' shortest fixed form is repr's text, bar the ".0" of a whole number. One call
    // instead of scientific digits taken apart and laid out again (a third of a float's cost).
    // A computed number (a box's 14.1591 / 100 * 1920 = 271.85472000000004) takes ~40 ns here; the
    // nearest 15-, 16- and 17-digit decimals tested exactly in 128-bit integers took ~55 ns on this
    // machine (AVX-512, libstdc++ 12), though fewer instructions.
    const auto r = std::to_chars(p, p + 40, magnitude, std::chars_format::fixed);
    const bool whole = std::memchr(p, '.', static_cast<std::size_t>(r.ptr - p)) == nullptr;
    p = r.ptr;
    if (whole) put(".0");
    return p;
  }
  char digit_buf[32];
  int point = 0;
  const std::size_t n = shortest(magnitude, digit_buf, point);
  const std::string_view digits(digit_buf, n);
  const int exponent = point - 1;
  if (exponent >= -4 && exponent < 16) {
    if (point <= 0) {
      put("0.");
      std::memset(p, '0', static_cast<std::size_t>(-point));
      p += -point;
      put(digits);
    } else if (static_cast<std::size_t>(point) >= n) {
      put(digits);
      std::memset(p, '0', static_cast<std::size_t>(point) - n);
      p += static_cast<std::size_t>(point) - n;
      put(".0");
    } else {
      put(digits.substr(0, static_cast<std::size_t>(point)));
      *p++ = '.';
      put(digits.substr(static_cast<std::size_t>(point)));
    }
    return p;
  }
  *p++ = digits[0];
  if (n > 1) {
    *p++ = '.';
    put(digits.substr(1));
  }
  *p++ = 'e';
  *p++ = exponent < 0 ? '-' : '+';
  const int a = exponent < 0 ? -exponent : exponent;
  if (pad_exponent && a < 10) *p++ = '0';
  return std::to_chars(p, p + 8, a).ptr;
}

void append_float(std::string& out, double v, bool pad_exponent, bool ujson_names) {
  char text[48];
  out.append(text, static_cast<std::size_t>(write_float(text, v, pad_exponent, ujson_names) - text));
}

const char* hex = "0123456789abcdef";

void append_u(std::string& out, std::uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(cp >> shift) & 0xF]);
}

// Decodes one UTF-8 sequence at s[i]; invalid bytes come back as themselves (U+00XX) so nothing
// is lost or crashes on broken input.
std::uint32_t decode_utf8(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int n = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  if (n == 0 || i + static_cast<std::size_t>(n) >= s.size()) {
    ++i;
    return b;
  }
  std::uint32_t cp = b & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return b;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += static_cast<std::size_t>(n) + 1;
  return cp;
}

// Whether any of the 8 bytes of `w` needs a look: below 0x20, '"', '\\', '/', or (ensure_ascii) 0x80 and above.
// Exact (bit-twiddling "hasless" / "hasvalue"), so a word without them is plain text.
inline bool word_needs_escape(std::uint64_t w, bool ensure_ascii) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto has_less = [&](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
  auto has_byte = [&](std::uint64_t x, std::uint64_t b) { return has_less(x ^ (ones * b), 1); };
  std::uint64_t m = has_less(w, 0x20) | has_byte(w, '"') | has_byte(w, '\\') | has_byte(w, '/');
  if (ensure_ascii) m |= w & highs;
  return m != 0;
}

// A byte that ends a run written as it is: one word_needs_escape looks for.
inline bool ends_plain_run(unsigned char b, bool ensure_ascii) {
  return b < 0x20 || b == '"' || b == '\\' || b == '/' || (ensure_ascii && b >= 0x80);
}

// Whether a short string is written as it is: word_needs_escape over 8 bytes at a time, the last word
// overlapping the one before, and a string under 8 bytes read as two overlapping halves (or its first,
// middle and last bytes, the rest 'a'): a byte tested twice changes nothing.
bool plain_short(std::string_view s, bool ensure_ascii) {
  const std::size_t n = s.size();
  const char* d = s.data();
  std::uint64_t w;
#ifdef __SSE2__
  // 16 bytes a test (two overlapping words under 16): a fifth of a JSON_MIN export's strings are 8 bytes or
  // longer (keys, dates, URLs), and the word test costs three times as much per byte.
  if (n >= 8) {
    const auto needs_escape = [ensure_ascii](__m128i v) {
      const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
      const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
      const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
      const __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('/'));
      int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(control, quote), _mm_or_si128(backslash, slash)));
      if (ensure_ascii) m |= _mm_movemask_epi8(v);
      return m != 0;
    };
    if (n < 16) {
      std::uint64_t lo, hi;
      std::memcpy(&lo, d, 8);
      std::memcpy(&hi, d + n - 8, 8);
      return !needs_escape(_mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo)));
    }
    for (std::size_t i = 0; i + 16 < n; i += 16)
      if (needs_escape(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d + i)))) return false;
    return !needs_escape(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d + n - 16)));
  }
#endif
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&w, d + i, 8);
      if (word_needs_escape(w, ensure_ascii)) return false;
    }
    std::memcpy(&w, d + n - 8, 8);
  } else if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, d, 4);
    std::memcpy(&hi, d + n - 4, 4);
    w = lo | (std::uint64_t{hi} << 32);
  } else if (n > 0) {
    w = 0x6161616161000000ULL | static_cast<unsigned char>(d[0]) |
        (std::uint64_t{static_cast<unsigned char>(d[n / 2])} << 8) | (std::uint64_t{static_cast<unsigned char>(d[n - 1])} << 16);
  } else {
    return true;
  }
  return !word_needs_escape(w, ensure_ascii);
}

void append_escaped(std::string& out, std::string_view s, bool ensure_ascii, bool escape_slash) {
  // Most strings are short keys and labels with nothing to escape: quoted in a stack buffer and
  // appended at once instead of three appends (2-3% of a JSON_MIN or CSV export's instructions).
  if (s.size() <= 62 && plain_short(s, ensure_ascii)) {
    char quoted[64];
    quoted[0] = '"';
    std::memcpy(quoted + 1, s.data(), s.size());
    quoted[s.size() + 1] = '"';
    out.append(quoted, s.size() + 2);
    return;
  }
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    // A run of bytes written as they are, appended at once; plain text is skipped 8 bytes at a time.
    std::size_t run = i;
    for (std::uint64_t w; run + 8 <= s.size(); run += 8) {
      std::memcpy(&w, s.data() + run, 8);
      if (word_needs_escape(w, ensure_ascii)) break;
    }
    while (run < s.size() && !ends_plain_run(static_cast<unsigned char>(s[run]), ensure_ascii)) ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (!ensure_ascii) {
        out.push_back(static_cast<char>(c));
        ++i;
        continue;
      }
      std::uint32_t cp = decode_utf8(s, i);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        append_u(out, 0xD800 + (cp >> 10));
        append_u(out, 0xDC00 + (cp & 0x3FF));
      } else {
        append_u(out, cp);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '/':
        if (escape_slash)
          out += "\\/";
        else
          out.push_back('/');
        break;
      default:
        if (c < 0x20)
          append_u(out, c);
        else
          out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

void newline(std::string& out, int indent, int level) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent * level), ' ');
}

}  // namespace

std::string python_float(double v) {
  std::string out;
  append_float(out, v, true, false);
  return out;
}
void append_python_float(std::string& out, double v) { append_float(out, v, true, false); }
void append_ujson_float(std::string& out, double v) { append_float(out, v, false, true); }
char* write_ujson_float(char* p, double v) { return write_float(p, v, false, true); }

void append_ujson_string(std::string& out, std::string_view s, bool ensure_ascii) {
  append_escaped(out, s, ensure_ascii, true);
}

void append_ujson(std::string& out, const json& value, const ujson_options& options, int level) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      out += "null";
      return;
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case json::value_t::number_float:
      append_ujson_float(out, value.get<double>());
      return;
    case json::value_t::string:
      append_escaped(out, value.get_ref<const std::string&>(), options.ensure_ascii, true);
      return;
    case json::value_t::binary:
      out += "null";
      return;
    case json::value_t::array: {
      if (value.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& v : value) {
        if (!first) out.push_back(',');
        first = false;
        if (options.indent > 0) newline(out, options.indent, level + 1);
        append_ujson(out, v, options, level + 1);
      }
      if (options.indent > 0) newline(out, options.indent, level);
      out.push_back(']');
      return;
    }
    case json::value_t::object: {
      if (value.empty()) {
        out += "{}";
        return;
      }
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        if (options.indent > 0) newline(out, options.indent, level + 1);
        append_escaped(out, it.key(), options.ensure_ascii, true);
        out += options.indent > 0 ? ": " : ":";
        append_ujson(out, it.value(), options, level + 1);
      }
      if (options.indent > 0) newline(out, options.indent, level);
      out.push_back('}');
      return;
    }
  }
}

std::string ujson(const json& value, const ujson_options& options) {
  std::string out;
  append_ujson(out, value, options, 0);
  return out;
}

void append_python_json_string(std::string& out, std::string_view s, bool ensure_ascii) {
  append_escaped(out, s, ensure_ascii, false);
}

void append_python_json(std::string& out, const json& value, const python_json_options& options, int level) {
  bool pretty = options.indent >= 0;
  switch (value.type()) {
    case json::value_t::number_float: {
      double d = value.get<double>();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d < 0 ? "-Infinity" : "Infinity";
      else
        append_python_float(out, d);
      return;
    }
    case json::value_t::string:
      append_escaped(out, value.get_ref<const std::string&>(), options.ensure_ascii, false);
      return;
    case json::value_t::array: {
      if (value.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& v : value) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        if (pretty) newline(out, options.indent, level + 1);
        append_python_json(out, v, options, level + 1);
      }
      if (pretty) newline(out, options.indent, level);
      out.push_back(']');
      return;
    }
    case json::value_t::object: {
      if (value.empty()) {
        out += "{}";
        return;
      }
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        if (pretty) newline(out, options.indent, level + 1);
        append_escaped(out, it.key(), options.ensure_ascii, false);
        out += ": ";
        append_python_json(out, it.value(), options, level + 1);
      }
      if (pretty) newline(out, options.indent, level);
      out.push_back('}');
      return;
    }
    default:
      append_ujson(out, value, {}, 0);
      return;
  }
}

std::string python_json(const json& value, const python_json_options& options) {
  std::string out;
  append_python_json(out, value, options, 0);
  return out;
}

std::string python_str(const json& scalar) {
  switch (scalar.type()) {
    case json::value_t::null: return "None";
    case json::value_t::boolean: return scalar.get<bool>() ? "True" : "False";
    case json::value_t::number_integer: return std::to_string(scalar.get<std::int64_t>());
    case json::value_t::number_unsigned: return std::to_string(scalar.get<std::uint64_t>());
    case json::value_t::number_float: return python_float(scalar.get<double>());
    case json::value_t::string: return scalar.get<std::string>();
    default: return ujson(scalar, {.indent = 0, .ensure_ascii = false});
  }
}

namespace detail {

void put_ujson_float(text_cursor& out, double v) { out.done(write_float(out.room(48), v, false, true)); }

void put_ujson_string(text_cursor& out, std::string_view s, bool ensure_ascii) {
  if (s.size() <= 62 && plain_short(s, ensure_ascii)) {
    char* p = out.room(s.size() + 2);
    *p = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    out.done(p + s.size() + 2);
    return;
  }
  append_escaped(out.pause(), s, ensure_ascii, true);
  out.resume();
}

}  // namespace detail

}  // namespace annot::plugins::export_support
