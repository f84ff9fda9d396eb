// conll_tokenizer: NLTK's Treebank word tokenizer as patched by Label Studio's converter, pass by pass on code points.
#include "conll_tokenizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <iterator>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace annot::plugins::conll2003 {
namespace {

using text32 = std::u32string;

// --- UTF-8 <-> code points (the input comes from a JSON parser, so it is valid UTF-8) ---------------------------

text32 decode_utf8(std::string_view s) {
  text32 out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    std::size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1F;
      n = 2;
    } else if ((c >> 4) == 0xE) {
      cp = c & 0x0F;
      n = 3;
    } else if ((c >> 3) == 0x1E) {
      cp = c & 0x07;
      n = 4;
    } else {
      cp = 0xFFFD;  // stray byte: keep one replacement character so offsets stay monotonic
      n = 1;
    }
    if (i + n > s.size()) {
      cp = 0xFFFD;
      n = s.size() - i;
    } else {
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// --- Python's character classes ---------------------------------------------------------------------------------

// str.isspace(), which is what both re's \s and str.split() use.
bool is_space_beyond_ascii(char32_t c) {
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}
// Called for every character of every text: the ASCII test stays inline.
inline bool is_space(char32_t c) {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  return is_space_beyond_ascii(c);
}

struct char_range {
  char32_t lo, hi;
};
#include "conll_char_classes.inc"

template <std::size_t N>
bool in_ranges(const std::array<char_range, N>& ranges, char32_t c) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                             [](char32_t v, const char_range& r) { return v < r.lo; });
  return it != ranges.begin() && c <= std::prev(it)->hi;
}

// re's \d: Unicode decimal digits (category Nd), from Python's own tables (conll_char_classes.inc).
bool is_digit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return in_ranges(digit_ranges, c);
}

// re's \w: str.isalnum() or '_', from Python's own tables: it decides the \b of the contraction patterns
// (can|not, gon|na, ...), so "™cannot" splits as Python splits it.
bool is_word(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return in_ranges(word_ranges, c);
}

bool in(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

// (?i) comparison of a code point with an ASCII lowercase pattern letter, with the extra equivalences of sre.
bool iequal(char32_t c, char32_t p) {
  if (c == p) return true;
  if (c >= 'A' && c <= 'Z' && c + 32 == p) return true;
  if (p == 's' && c == 0x17F) return true;                           // long s
  if (p == 'i' && (c == 0x130 || c == 0x131)) return true;           // dotted capital I, dotless i
  if (p == 'k' && c == 0x212A) return true;                          // Kelvin sign
  return false;
}

// --- the passes -------------------------------------------------------------------------------------------------

// Pads every occurrence of any char of `set` with spaces: r"[set]" -> r" \g<0> ".
text32 pad_chars(const text32& t, std::u32string_view set) {
  text32 out;
  out.reserve(t.size() + 16);
  for (char32_t c : t) {
    if (in(c, set)) {
      out.push_back(' ');
      out.push_back(c);
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Pads every non-overlapping occurrence of `lit`, left to right: r"lit" -> " lit ".
text32 pad_literal(const text32& t, std::u32string_view lit) {
  text32 out;
  out.reserve(t.size() + 16);
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] == lit[0] && t.compare(i, lit.size(), lit) == 0) {
      out.push_back(' ');
      out.append(lit);
      out.push_back(' ');
      i += lit.size();
    } else {
      out.push_back(t[i++]);
    }
  }
  return out;
}

// Python's `$` without MULTILINE: at the end, or before a newline that ends the string.
bool at_dollar(const text32& t, std::size_t i) { return i == t.size() || (i + 1 == t.size() && t[i] == '\n'); }

text32 starting_quotes(text32 t) {
  // r'^"' -> '``'
  if (!t.empty() && t[0] == '"') t.replace(0, 1, U"``");
  // r'(``)' -> r' \1 '
  t = pad_literal(t, U"``");
  // r'([ \(\[{<])("|\'{2})' -> r'\1 `` '
  text32 out;
  out.reserve(t.size() + 16);
  for (std::size_t i = 0; i < t.size();) {
    if (in(t[i], U" ([{<") && i + 1 < t.size()) {
      std::size_t q = 0;
      if (t[i + 1] == '"')
        q = 1;
      else if (t[i + 1] == '\'' && i + 2 < t.size() && t[i + 2] == '\'')
        q = 2;
      if (q) {
        out.push_back(t[i]);
        out.append(U" `` ");
        i += 1 + q;
        continue;
      }
    }
    out.push_back(t[i++]);
  }
  return out;
}

text32 punctuation(text32 t) {
  // r'([:,])([^\d])' -> r' \1 \2'
  {
    text32 out;
    out.reserve(t.size() + 16);
    for (std::size_t i = 0; i < t.size();) {
      if ((t[i] == ':' || t[i] == ',') && i + 1 < t.size() && !is_digit(t[i + 1])) {
        out.push_back(' ');
        out.push_back(t[i]);
        out.push_back(' ');
        out.push_back(t[i + 1]);
        i += 2;
      } else {
        out.push_back(t[i++]);
      }
    }
    t = std::move(out);
  }
  // r'([:,])$' -> r' \1 ' (the first match wins: end of text, or just before a final newline)
  for (std::size_t i = 0; i < t.size(); ++i) {
    if ((t[i] == ':' || t[i] == ',') && at_dollar(t, i + 1)) {
      char32_t c = t[i];
      t.replace(i, 1, text32{' ', c, ' '});
      break;
    }
  }
  // r'\.\.\.' -> ' ... '
  t = pad_literal(t, U"...");
  // r'[;@#$/%&]' -> r' \g<0> ' (the converter adds '/')
  t = pad_chars(t, U";@#$/%&");
  // r'([^\.])(\.)([\]\)}>"\']*)\s*$' -> r'\1 \2\3 ': the final period, before closing brackets/quotes and spaces.
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] == '.' || t[i + 1] != '.') continue;
    std::size_t j = i + 2;
    while (j < t.size() && in(t[j], U"])}>\"'")) ++j;
    std::size_t closers_end = j;
    while (j < t.size() && is_space(t[j])) ++j;
    if (j != t.size()) continue;
    text32 rep;
    rep.push_back(t[i]);
    rep.append(U" .");
    rep.append(t, i + 2, closers_end - (i + 2));
    rep.push_back(' ');
    t.replace(i, t.size() - i, rep);
    break;
  }
  // r'[?!]' -> r' \g<0> '
  t = pad_chars(t, U"?!");
  // r"([^'])' " -> r"\1 ' "
  {
    text32 out;
    out.reserve(t.size() + 16);
    for (std::size_t i = 0; i < t.size();) {
      if (t[i] != '\'' && i + 2 < t.size() && t[i + 1] == '\'' && t[i + 2] == ' ') {
        out.push_back(t[i]);
        out.append(U" ' ");
        i += 3;
      } else {
        out.push_back(t[i++]);
      }
    }
    t = std::move(out);
  }
  return t;
}

// r"([^' ])(alt1|alt2|...) " -> r"\1 \2 ", alternatives tried in order at each position.
text32 split_suffixes(const text32& t, std::initializer_list<std::u32string_view> alts) {
  text32 out;
  out.reserve(t.size() + 16);
  for (std::size_t i = 0; i < t.size();) {
    // Only a position followed by some alternative's first letter can match.
    bool candidate = false;
    if (i + 1 < t.size())
      for (auto a : alts) candidate = candidate || a.empty() || a[0] == t[i + 1];
    if (candidate && t[i] != '\'' && t[i] != ' ') {
      bool matched = false;
      for (auto a : alts) {
        std::size_t e = i + 1 + a.size();
        if (e < t.size() && t.compare(i + 1, a.size(), a) == 0 && t[e] == ' ') {
          out.push_back(t[i]);
          out.push_back(' ');
          out.append(a);
          out.push_back(' ');
          i = e + 1;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    out.push_back(t[i++]);
  }
  return out;
}

text32 ending_quotes(text32 t) {
  // r"''" -> " '' "
  t = pad_literal(t, U"''");
  // r'"' -> " '' "
  {
    text32 out;
    out.reserve(t.size() + 16);
    for (char32_t c : t) {
      if (c == '"')
        out.append(U" '' ");
      else
        out.push_back(c);
    }
    t = std::move(out);
  }
  t = split_suffixes(t, {U"'s", U"'S", U"'m", U"'M", U"'d", U"'D", U"'"});
  t = split_suffixes(t, {U"'ll", U"'LL", U"'re", U"'RE", U"'ve", U"'VE", U"n't", U"N'T"});
  return t;
}

bool word_boundary(const text32& t, std::size_t i) {
  bool before = i > 0 && is_word(t[i - 1]);
  bool after = i < t.size() && is_word(t[i]);
  return before != after;
}

bool imatch(const text32& t, std::size_t i, std::u32string_view lower) {
  if (i + lower.size() > t.size()) return false;
  for (std::size_t k = 0; k < lower.size(); ++k)
    if (!iequal(t[i + k], lower[k])) return false;
  return true;
}

// CONTRACTIONS2: r"(?i)\b(a)(b)\b" (or "(?=\s)" after wanna) -> r" \1 \2 ".
text32 contraction2(const text32& t, std::u32string_view a, std::u32string_view b, bool space_after) {
  text32 out;
  out.reserve(t.size() + 8);
  const std::size_t n = a.size() + b.size();
  for (std::size_t i = 0; i < t.size();) {
    // The letters first: they rarely match, and the boundary test is the costly one.
    if (imatch(t, i, a) && imatch(t, i + a.size(), b) && word_boundary(t, i)) {
      std::size_t e = i + n;
      bool tail = space_after ? (e < t.size() && is_space(t[e])) : word_boundary(t, e);
      if (tail) {
        out.push_back(' ');
        out.append(t, i, a.size());
        out.push_back(' ');
        out.append(t, i + a.size(), b.size());
        out.push_back(' ');
        i = e;
        continue;
      }
    }
    out.push_back(t[i++]);
  }
  return out;
}

// CONTRACTIONS3: r"(?i) ('t)(b)\b" -> r" \1 \2 ".
text32 contraction3(const text32& t, std::u32string_view b) {
  text32 out;
  out.reserve(t.size() + 8);
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] == ' ' && i + 2 < t.size() && t[i + 1] == '\'' && iequal(t[i + 2], 't') && imatch(t, i + 3, b) &&
        word_boundary(t, i + 3 + b.size())) {
      out.push_back(' ');
      out.append(t, i + 1, 2);
      out.push_back(' ');
      out.append(t, i + 3, b.size());
      out.push_back(' ');
      i += 3 + b.size();
      continue;
    }
    out.push_back(t[i++]);
  }
  return out;
}

std::vector<text32> split_ws(const text32& t) {
  std::vector<text32> out;
  std::size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && is_space(t[i])) ++i;
    std::size_t s = i;
    while (i < t.size() && !is_space(t[i])) ++i;
    if (i > s) out.emplace_back(t, s, i - s);
  }
  return out;
}

std::vector<text32> treebank_tokenize(text32 t) {
  t = starting_quotes(std::move(t));
  t = punctuation(std::move(t));
  t = pad_chars(t, U"][(){}<>");
  t = pad_literal(t, U"--");
  t = U" " + t + U" ";
  t = ending_quotes(std::move(t));
  t = contraction2(t, U"can", U"not", false);
  t = contraction2(t, U"d", U"'ye", false);
  t = contraction2(t, U"gim", U"me", false);
  t = contraction2(t, U"gon", U"na", false);
  t = contraction2(t, U"got", U"ta", false);
  t = contraction2(t, U"lem", U"me", false);
  t = contraction2(t, U"more", U"'n", false);
  t = contraction2(t, U"wan", U"na", true);
  t = contraction3(t, U"is");
  t = contraction3(t, U"was");
  return split_ws(t);
}

}  // namespace

namespace {

// Code points of a UTF-8 text (lead bytes counted).
std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Byte length of the sequence a lead byte starts; 0 for a byte that cannot start one.
std::size_t sequence_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 0;
}

// The code point at s[i] (a sequence already checked whole).
char32_t code_point_at(std::string_view s, std::size_t i, std::size_t n) {
  auto c = static_cast<unsigned char>(s[i]);
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// span_tokenize's last steps on the raw tokens (UTF-8): converted quotes go back to the quotes the text had, in
// order, then each token is found from the end of the previous one (byte search: on valid UTF-8 the first match
// is the first match in code points).
// `ascii`: the text has no byte above 0x7F, so code points are bytes and need no counting.
void restore_and_align(std::string_view text, std::vector<std::string_view>& raw, tokenize_result& r, bool ascii) {
  r.tokens.clear();
  r.error.clear();
  if (text.find('"') != std::string_view::npos || text.find("''") != std::string_view::npos) {
    std::vector<std::string_view> matched;
    for (std::size_t i = 0; i < text.size();) {
      if (text.compare(i, 2, "``") == 0 || text.compare(i, 2, "''") == 0) {
        matched.push_back(text.substr(i, 2));
        i += 2;
      } else if (text[i] == '"') {
        matched.push_back(text.substr(i, 1));
        ++i;
      } else {
        ++i;
      }
    }
    std::size_t next = 0;
    for (auto& tok : raw) {
      if (tok == "\"" || tok == "``" || tok == "''") {
        if (next >= matched.size()) {
          r.error = "more quote tokens than quotes in the text";
          return;
        }
        tok = matched[next++];
      }
    }
  }
  std::size_t point = 0, point_cp = 0;
  r.tokens.reserve(raw.size());
  const auto whitespace_only = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i)
      if (static_cast<unsigned char>(text[i]) >= 0x80 || !is_space(static_cast<unsigned char>(text[i]))) return false;
    return true;
  };
  for (std::string_view tok : raw) {
    // Most tokens are views of the text itself (plain chunks). When only whitespace lies between the
    // previous token and this view, no match of the token (it starts with no space) can begin before
    // it: the view's place is what find() would return, without the search.
    std::size_t at = std::string_view::npos;
    const auto tok_address = reinterpret_cast<std::uintptr_t>(tok.data()),
               text_address = reinterpret_cast<std::uintptr_t>(text.data());
    if (!tok.empty() && tok_address >= text_address + point && tok_address + tok.size() <= text_address + text.size()) {
      const auto view_at = static_cast<std::size_t>(tok_address - text_address);
      if (whitespace_only(point, view_at)) at = view_at;
    }
    if (at == std::string_view::npos) at = text.find(tok, point);
    if (at == std::string_view::npos) {
      r.tokens.clear();
      r.error = "token \"" + std::string(tok) + "\" is not a substring of the text";
      return;
    }
    token out;
    out.text = text.substr(at, tok.size());
    out.start = point_cp + (ascii ? at - point : count_code_points(text.substr(point, at - point)));
    out.length = ascii ? tok.size() : count_code_points(tok);
    r.tokens.push_back(out);
    point = at + tok.size();
    point_cp = out.start + out.length;
  }
}

// A chunk that is a token as it stands: ASCII word characters only, and none of the CONTRACTIONS2 words the
// pipeline splits ("cannot" -> "can not"; the others have an apostrophe).
// Of a chunk of word characters only: whether it is none of those words.
bool no_contraction(std::string_view c) {
  if (c.size() != 5 && c.size() != 6) return true;
  char low[6];
  for (std::size_t i = 0; i < c.size(); ++i)
    low[i] = static_cast<char>(c[i] >= 'A' && c[i] <= 'Z' ? c[i] + 32 : c[i]);
  std::string_view l(low, c.size());
  return !(l == "cannot" || l == "gimme" || l == "gonna" || l == "gotta" || l == "lemme" || l == "wanna");
}

constexpr bool is_ascii_word(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

bool plain_chunk(std::string_view c) {
  for (char ch : c)
    if (!is_ascii_word(ch)) return false;
  return no_contraction(c);
}

// What the chunk scan needs to know of an ASCII byte: str.isspace(), or part of a plain chunk.
enum class ascii_class : unsigned char { other, space, word };
constexpr auto ascii_classes = [] {
  std::array<ascii_class, 128> t{};
  for (int c = 0; c < 128; ++c)
    t[static_cast<std::size_t>(c)] = (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) ? ascii_class::space
                                     : is_ascii_word(static_cast<char>(c))                 ? ascii_class::word
                                                                                           : ascii_class::other;
  return t;
}();

}  // namespace

tokenize_result tokenize_reference(std::string_view text) {
  const text32 original = decode_utf8(text);
  std::vector<text32> raw32 = treebank_tokenize(original);
  std::vector<std::string> raw8(raw32.size());
  std::vector<std::string_view> raw(raw32.size());
  for (std::size_t i = 0; i < raw32.size(); ++i) {
    for (char32_t c : raw32[i]) append_utf8(raw8[i], c);
    raw[i] = raw8[i];
  }
  tokenize_result r;
  restore_and_align(text, raw, r, false);
  return r;
}

tokenize_result tokenize(std::string_view text) { return tokenizer()(text); }

const tokenize_result& tokenizer::operator()(std::string_view text) {
  tokenize_result& r = result_;
  auto invalid = [&]() -> const tokenize_result& {
    r.tokens.clear();
    r.error = "the text is not valid UTF-8";
    return r;
  };
  // The chunks (maximal runs of non-space code points), with the UTF-8 checked on the way. ASCII bytes (nearly
  // all, in most texts) are classed from a table, which also tells whether a chunk is all word characters.
  std::vector<chunk>& chunks = chunks_;
  chunks.clear();
  std::size_t open = std::string_view::npos;
  bool ascii = true, words_only = false;
  const auto close = [&](std::size_t end) {
    chunks.push_back({open, end, words_only && no_contraction(text.substr(open, end - open))});
    open = std::string_view::npos;
  };
  std::size_t i = 0;
#ifdef __SSE2__
  // ASCII text 16 bytes at a time: spaces and bytes that are neither space nor word as bit masks, then a few
  // bit operations per chunk instead of a table lookup per byte. The first block with a byte above 0x7F
  // leaves the rest to the byte loop below, which carries on with the same state.
  const auto in_range = [](__m128i b, char lo, char hi) {  // lo <= b <= hi, as unsigned bytes
    const __m128i x = _mm_sub_epi8(b, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(static_cast<char>(hi - lo))), x);
  };
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    if (_mm_movemask_epi8(b) != 0) break;
    const unsigned spaces = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(in_range(b, 0x09, 0x0D), in_range(b, 0x1C, 0x20))));
    const __m128i word =
        _mm_or_si128(_mm_or_si128(in_range(b, '0', '9'), in_range(b, 'a', 'z')),
                     _mm_or_si128(in_range(b, 'A', 'Z'), _mm_cmpeq_epi8(b, _mm_set1_epi8('_'))));
    const unsigned others = ~(spaces | static_cast<unsigned>(_mm_movemask_epi8(word))) & 0xFFFFu;
    unsigned pos = 0;
    while (pos < 16) {
      if (open == std::string_view::npos) {
        const unsigned starts = ~spaces & (0xFFFFu << pos) & 0xFFFFu;
        if (!starts) break;
        pos = static_cast<unsigned>(__builtin_ctz(starts));
        open = i + pos;
        words_only = true;
      }
      const unsigned ends = spaces & (0xFFFFu << pos);
      const unsigned end = ends ? static_cast<unsigned>(__builtin_ctz(ends)) : 16;
      if (others & (0xFFFFu << pos) & ((1u << end) - 1)) words_only = false;
      if (!ends) break;
      close(i + end);
      pos = end;
    }
  }
#endif
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    bool space;
    std::size_t n = 1;
    if (byte < 0x80) {
      const ascii_class k = ascii_classes[byte];
      space = k == ascii_class::space;
      if (!space) {
        if (open == std::string_view::npos) {
          open = i;
          words_only = true;
        }
        words_only = words_only && k == ascii_class::word;
      }
    } else {
      ascii = false;
      n = sequence_length(byte);
      if (n == 0 || i + n > text.size()) return invalid();
      for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return invalid();
      space = is_space(code_point_at(text, i, n));
      if (!space) {
        if (open == std::string_view::npos) open = i;
        words_only = false;
      }
    }
    if (space && open != std::string_view::npos) close(i);
    i += n;
  }
  if (open != std::string_view::npos) close(text.size());

  std::vector<std::string_view>& raw = raw_;
  raw.clear();
  std::deque<std::string>& owned = owned_;  // tokens the pipeline gave; a deque keeps the views valid
  owned.clear();
  for (std::size_t c = 0; c < chunks.size();) {
    if (chunks[c].plain) {
      raw.push_back(text.substr(chunks[c].begin, chunks[c].end - chunks[c].begin));
      ++c;
      continue;
    }
    std::size_t last = c;
    while (last + 1 < chunks.size() && !chunks[last + 1].plain) ++last;
    if (c == last && last + 1 == chunks.size()) {
      // The common sentence end: a plain word and the final period, which only the final-period rule reads.
      std::string_view w = text.substr(chunks[c].begin, chunks[c].end - chunks[c].begin);
      if (w.size() > 1 && w.back() == '.' && plain_chunk(w.substr(0, w.size() - 1))) {
        raw.push_back(w.substr(0, w.size() - 1));
        raw.push_back(w.substr(w.size() - 1));
        break;
      }
    }
    // The window: from the text's start (first chunk) or the one space character before the run, to the text's end
    // (last chunk) or the one after it; beyond a cut, the word "x" stands for the plain chunk there. No rule reads
    // further than one character past a space, and none matches across one into a plain chunk, so the run gets the
    // tokens it gets in the whole text.
    const bool before = c > 0, after = last + 1 < chunks.size();
    std::size_t from = 0, to = text.size();
    if (before) {
      from = chunks[c].begin - 1;
      while ((static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) --from;
    }
    if (after) to = chunks[last].end + sequence_length(static_cast<unsigned char>(text[chunks[last].end]));
    text32 window;
    if (before) window.push_back('x');
    window += decode_utf8(text.substr(from, to - from));
    if (after) window.push_back('x');
    std::vector<text32> toks = treebank_tokenize(std::move(window));
    const std::size_t first = before ? 1 : 0;
    if (toks.size() < first + (after ? 1 : 0) || (before && toks.front() != U"x") || (after && toks.back() != U"x"))
      return r = tokenize_reference(text);  // not expected; the whole-text pipeline decides
    const std::size_t end = toks.size() - (after ? 1 : 0);
    for (std::size_t t = first; t < end; ++t) {
      std::string& s = owned.emplace_back();
      for (char32_t ch : toks[t]) append_utf8(s, ch);
      raw.push_back(s);
    }
    c = last + 1;
  }
  restore_and_align(text, raw, r, ascii);
  return r;
}

void tag_tokens(const std::vector<token>& tokens, std::vector<span>& spans, std::vector<iob_tag>& tags) {
  tags.assign(tokens.size(), iob_tag{});
  const bool usable = !spans.empty() && std::all_of(spans.begin(), spans.end(), [](const span& s) {
    return s.start.has_value() && s.end.has_value();
  });
  if (!usable) return;
  auto by_start = [](const span& a, const span& b) { return *a.start < *b.start; };
  // Spans usually come in order; stable_sort would take a buffer from the heap every time.
  if (!std::is_sorted(spans.begin(), spans.end(), by_start)) std::stable_sort(spans.begin(), spans.end(), by_start);
  std::size_t next = 1;
  const span* cur = &spans[0];
  double span_start = *cur->start;
  double span_end = *cur->end - 1;
  char kind = 'B';
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const token& tok = tokens[i];
    const double token_start = static_cast<double>(tok.start);
    const double token_end = token_start + static_cast<double>(tok.length) - 1;
    if (token_start > span_end) {
      while (next < spans.size()) {
        cur = &spans[next++];
        span_start = *cur->start;
        span_end = *cur->end - 1;
        kind = 'B';
        if (token_start <= span_end) break;
      }
    }
    if (token_end < span_start || cur->labels.empty()) continue;  // "O"
    if (span_start <= token_end && span_end >= token_start) {
      tags[i] = {kind, &cur->labels.front()};
      kind = 'I';
    }
  }
}

std::vector<std::string> tag_tokens(const std::vector<token>& tokens, std::vector<span> spans) {
  std::vector<iob_tag> tags;
  tag_tokens(tokens, spans, tags);
  std::vector<std::string> out;
  out.reserve(tags.size());
  for (const iob_tag& t : tags) out.push_back(t.label ? std::string(1, t.kind) + "-" + *t.label : std::string(1, t.kind));
  return out;
}

}  // namespace annot::plugins::conll2003
