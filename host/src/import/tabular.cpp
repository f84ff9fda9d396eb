// Delimited-text and line-per-task readers, fed in chunks, with pandas' column typing.
#include "import/tabular.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace annot::host::imports {
namespace {

// pandas.read_csv's default na_values.
constexpr std::array<std::string_view, 19> na_markers = {
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"};

bool is_na(std::string_view v) {
  return std::find(na_markers.begin(), na_markers.end(), v) != na_markers.end();
}

// pandas' C tokenizer lets spaces and tabs around a number pass (str_to_int64, xstrtod skip them).
std::string_view strip_ascii_space(std::string_view v) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  while (!v.empty() && space(v.front())) v.remove_prefix(1);
  while (!v.empty() && space(v.back())) v.remove_suffix(1);
  return v;
}

// What an integer-looking value is to pandas: [+-]digits, maybe beyond 64 bits.
struct integer_text {
  bool is_integer = false, negative = false, fits_int64 = false, fits_uint64 = false;
};

integer_text classify_integer(std::string_view raw) {
  integer_text out;
  std::string_view v = strip_ascii_space(raw);
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    out.negative = v.front() == '-';
    v.remove_prefix(1);
  }
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return out;
  out.is_integer = true;
  unsigned long long u = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), u);
  const bool fits = ec == std::errc() && p == v.data() + v.size();
  const unsigned long long int64_max = static_cast<unsigned long long>(INT64_MAX);
  out.fits_int64 = fits && (out.negative ? u <= int64_max + 1 : u <= int64_max);
  out.fits_uint64 = fits && (!out.negative || u == 0);
  return out;
}

// The value of a column typed integer, as JSON: digits without sign noise or leading zeros.
std::string integer_json(std::string_view raw) {
  std::string_view v = strip_ascii_space(raw);
  bool negative = false;
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    negative = v.front() == '-';
    v.remove_prefix(1);
  }
  unsigned long long u = 0;
  std::from_chars(v.data(), v.data() + v.size(), u);
  if (u == 0) return "0";
  return negative ? "-" + std::to_string(u) : std::to_string(u);
}

bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// pandas' float grammar (precise_xstrtod): [+-](digits[.digits]|.digits)[(e|E)[+-]digits], spaces
// around allowed; and, exactly and in any case, inf, +inf, -inf, Infinity, +Infinity, -Infinity. No
// hex, no "nan" (that one is an NA marker or text), no digit separators. A value past the double
// range is an error there, not an infinity, so it is no float here.
bool parse_float(std::string_view raw, double& out) {
  for (std::string_view inf : {"inf", "+inf", "infinity", "+infinity"})
    if (ascii_iequals(raw, inf)) return out = HUGE_VAL, true;
  for (std::string_view inf : {"-inf", "-infinity"})
    if (ascii_iequals(raw, inf)) return out = -HUGE_VAL, true;
  const std::string_view v = strip_ascii_space(raw);
  std::size_t i = 0;
  auto digit = [&] { return i < v.size() && v[i] >= '0' && v[i] <= '9'; };
  // pandas' own arithmetic decides the overflow: the first 17 digits (leading zeros count) make the
  // number, later integer digits raise the exponent, later decimals are dropped.
  constexpr int max_digits = 17;
  double number = 0;
  int kept = 0, exponent = 0;
  std::size_t mantissa = 0;
  const bool negative = i < v.size() && v[i] == '-';
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  for (; digit(); ++i, ++mantissa) {
    if (kept == max_digits) {
      ++exponent;
      continue;
    }
    number = number * 10 + (v[i] - '0');
    ++kept;
  }
  if (i < v.size() && v[i] == '.') {
    ++i;
    for (; digit(); ++i, ++mantissa) {
      if (kept == max_digits) continue;
      number = number * 10 + (v[i] - '0');
      ++kept;
      --exponent;
    }
  }
  if (mantissa == 0) return false;
  if (negative) number = -number;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    const bool minus = i < v.size() && v[i] == '-';
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    // At most 17 exponent digits (more are left unread, so the value is text), summed in a C int
    // that wraps: "1e4294967297" is 10.0 to pandas.
    std::uint32_t n = 0;
    int count = 0;
    for (; count < max_digits && digit(); ++i, ++count) n = n * 10 + std::uint32_t(v[i] - '0');
    if (count == 0) return false;
    exponent = static_cast<std::int32_t>(minus ? std::uint32_t(exponent) - n : std::uint32_t(exponent) + n);
  }
  if (i != v.size()) return false;
  if (exponent > 308) return false;  // ERANGE, whatever the digits ("0e400" too)
  static const auto powers = [] {
    std::array<double, 309> p{};
    // Correctly rounded powers, as the literals of pandas' table are (products would drift).
    for (int k = 0; k <= 308; ++k)
      p[std::size_t(k)] = std::strtod(("1e" + std::to_string(k)).c_str(), nullptr);
    return p;
  }();
  if (exponent > 0)
    number *= powers[std::size_t(exponent)];
  else if (exponent < -616)
    number = 0;
  else if (exponent < -308)
    number = number / powers[std::size_t(-308 - exponent)] / powers[308];
  else
    number /= powers[std::size_t(-exponent)];
  if (std::isinf(number)) return false;
  // The value itself stays the correctly rounded one.
  const std::string copy(v);
  out = std::strtod(copy.c_str(), nullptr);
  return true;
}

// Python's repr of a float: shortest round-trip digits, always with a '.' or exponent.
std::string py_float(double d) {
  // JSON has no NaN or infinities (Python would write them; the store would refuse them).
  if (!std::isfinite(d)) return "null";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, p);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

char detect_csv_separator(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  auto semis = std::count(first.begin(), first.end(), ';');
  auto commas = std::count(first.begin(), first.end(), ',');
  return semis > commas ? ';' : ',';
}

delimited_reader::delimited_reader(char separator, record_fn on_record)
    : sep_(separator), on_record_(std::move(on_record)) {}

status delimited_reader::end_record() {
  record_.push_back(std::move(field_));
  field_.clear();
  ++records_;
  ++lines_;
  status st = on_record_(record_);
  record_.clear();
  line_start_ = true;
  return st;
}

status delimited_reader::feed(std::string_view chunk) {
  if (!bom_done_) {
    // The BOM may be cut by a chunk boundary: hold the first three bytes.
    const std::size_t take = std::min(chunk.size(), 3 - bom_.size());
    bom_.append(chunk.substr(0, take));
    chunk.remove_prefix(take);
    if (bom_.size() < 3) return status::success();
    bom_done_ = true;
    if (bom_ != "\xEF\xBB\xBF")
      if (auto st = scan(bom_); !st) return st;
    bom_.clear();
  }
  return scan(chunk);
}

status delimited_reader::scan(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    char c = text[i];
    if (cr_pending_) {
      cr_pending_ = false;
      if (c == '\n') {
        ++i;
        continue;
      }
    }
    if (quote_pending_) {
      // A quote ended the previous chunk inside a quoted field: "" is a quote, else the field closed.
      quote_pending_ = false;
      if (c == '"') {
        field_.push_back('"');
        ++i;
        continue;
      }
      quoted_ = false;
    }
    if (quoted_) {
      // Copy the run up to the next quote at once.
      const std::size_t q = text.find('"', i);
      if (q == std::string_view::npos) {
        field_.append(text.substr(i));
        return status::success();
      }
      field_.append(text.substr(i, q - i));
      if (q + 1 == n) {
        quote_pending_ = true;
        return status::success();
      }
      if (text[q + 1] == '"') {
        field_.push_back('"');
        i = q + 2;
      } else {
        quoted_ = false;
        i = q + 1;
      }
      continue;
    }
    if (line_start_) {
      // pandas' skip_blank_lines: a line of spaces and tabs is no record, unless one of them is the
      // separator; blanks followed by text begin the first field.
      if ((c == ' ' || c == '\t') && c != sep_) {
        blanks_.push_back(c);
        ++i;
        continue;
      }
      if (c == '\n' || c == '\r') {
        blanks_.clear();
        cr_pending_ = c == '\r';
        ++lines_;
        ++i;
        continue;
      }
      line_start_ = false;
      field_ = std::move(blanks_);
      blanks_.clear();
    }
    if (c == '"' && field_.empty()) {
      quoted_ = true;
    } else if (c == sep_) {
      record_.push_back(std::move(field_));
      field_.clear();
    } else if (c == '\n' || c == '\r') {
      if (auto st = end_record(); !st) return st;
      if (c == '\r') cr_pending_ = true;
    } else {
      field_.push_back(c);
    }
    ++i;
  }
  return status::success();
}

status delimited_reader::finish() {
  if (!bom_done_) {
    bom_done_ = true;
    std::string head = std::move(bom_);
    if (auto st = scan(head); !st) return st;
  }
  if (quote_pending_) {
    quote_pending_ = false;
    quoted_ = false;
  }
  // pandas' words: the row is the 0-based line the unfinished record began on.
  if (quoted_)
    return status(
        errc::invalid_argument,
        "Error tokenizing data. C error: EOF inside string starting at row " + std::to_string(lines_));
  blanks_.clear();  // a last line of blanks without a newline
  if (!line_start_) return end_record();
  return status::success();
}

namespace {

// pandas' names for a header row (TextReader._get_header): an empty name is "Unnamed: <index>", and
// a repeated one gets ".1", ".2", ... skipping names the header already has, so every key is kept.
std::vector<std::string> pandas_column_names(std::vector<std::string> header) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i].empty()) header[i] = "Unnamed: " + std::to_string(i);
  std::map<std::string, std::size_t> counts;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string old = header[i];
    std::string name = old;
    std::size_t count = counts[name];
    while (count > 0) {
      counts[old] = count + 1;
      name = old + "." + std::to_string(count);
      if (std::find(header.begin(), header.end(), name) != header.end())
        ++count;
      else
        count = counts[name];
    }
    header[i] = name;
    counts[name] = count + 1;
  }
  return header;
}

}  // namespace

column_typer::column_typer(std::vector<std::string> columns)
    : columns_(pandas_column_names(std::move(columns))) {
  stats_.resize(columns_.size());
  keys_.reserve(columns_.size());
  for (auto& c : columns_) keys_.push_back(json_quote(c));
}

status column_typer::add(std::vector<std::string>& record, std::uint64_t line) {
  const std::size_t ncol = columns_.size();
  if (record.size() > ncol)
    return status(errc::invalid_argument, "Error tokenizing data. C error: Expected " + std::to_string(ncol) +
                                              " fields in line " + std::to_string(line) + ", saw " +
                                              std::to_string(record.size()));
  record.resize(ncol);  // short rows: missing values
  for (std::size_t col = 0; col < ncol; ++col) {
    const std::string& v = record[col];
    stats& st = stats_[col];
    if (is_na(v)) {
      st.has_na = true;
      continue;
    }
    st.any_value = true;
    if (st.all_integer) {
      const integer_text t = classify_integer(v);
      if (!t.is_integer) {
        st.all_integer = false;
      } else {
        st.any_negative |= t.negative;
        st.beyond_int64 |= !t.fits_int64;
        st.beyond_uint64 |= !t.fits_uint64 && !t.fits_int64;
      }
    }
    double d;
    if (!st.all_integer && st.all_num && !parse_float(v, d)) st.all_num = false;
    if (st.all_bool && v != "True" && v != "False" && v != "TRUE" && v != "FALSE" && v != "true" && v != "false")
      st.all_bool = false;
  }
  return status::success();
}

column_typer::kind column_typer::kind_of(std::size_t col) const {
  const stats& st = stats_[col];
  if (!st.any_value) return kind::text;  // an all-missing column: every value ""
  if (st.all_integer) {
    if (!st.beyond_int64) return st.has_na ? kind::floating : kind::integer;
    // Past int64, pandas tries uint64 and falls back to the column's text (_convert_tokens): a
    // negative value or one past uint64 is an OverflowError (missing values still ""); a missing
    // value is a "conflict", a ValueError, and the column is read again without NA markers.
    if (st.any_negative || st.beyond_uint64) return kind::text;
    return st.has_na ? kind::text_with_markers : kind::integer;
  }
  if (st.all_num) return kind::floating;
  if (st.all_bool) return kind::boolean;
  return kind::text;
}

std::string column_typer::row_json(const std::vector<std::string>& record) const {
  std::string row = "{";
  for (std::size_t col = 0; col < columns_.size(); ++col) {
    if (col) row.push_back(',');
    row += keys_[col];
    row.push_back(':');
    const std::string* v = col < record.size() ? &record[col] : nullptr;
    const kind k = kind_of(col);
    if (!v || (k != kind::text_with_markers && is_na(*v))) {
      row += "\"\"";
      continue;
    }
    switch (k) {
      case kind::integer:
        row += integer_json(*v);
        break;
      case kind::floating: {
        double d = 0;
        parse_float(*v, d);
        row += py_float(d);
        break;
      }
      case kind::boolean:
        row += (*v == "True" || *v == "TRUE" || *v == "true") ? "true" : "false";
        break;
      case kind::text:
      case kind::text_with_markers:
        row += json_quote(*v);
        break;
    }
  }
  row.push_back('}');
  return row;
}

result<tabular_tasks> parse_delimited(std::string_view text, char sep) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::uint64_t> lines;  // each record's line, for pandas' messages
  std::optional<delimited_reader> reader;
  reader.emplace(sep, [&](std::vector<std::string>& r) {
    records.push_back(r);
    lines.push_back(reader->lines());
    return status::success();
  });
  if (auto st = reader->feed(text); !st) return st;
  if (auto st = reader->finish(); !st) return st;
  if (records.empty()) return status(errc::invalid_argument, "No columns to parse from file");
  column_typer typer(std::move(records.front()));
  for (std::size_t r = 1; r < records.size(); ++r)
    if (auto st = typer.add(records[r], lines[r]); !st) return st;
  tabular_tasks out;
  out.columns = typer.columns();
  out.rows.reserve(records.size() - 1);
  for (std::size_t r = 1; r < records.size(); ++r) out.rows.push_back(typer.row_json(records[r]));
  return out;
}

namespace {

// The bytes that open a boundary of Python's str.splitlines(): \n \r \v \f \x1c \x1d \x1e, and the
// UTF-8 lead bytes of NEL (C2 85), LINE SEPARATOR (E2 80 A8) and PARAGRAPH SEPARATOR (E2 80 A9).
constexpr std::string_view line_break_starts("\n\r\v\f\x1c\x1d\x1e\xC2\xE2", 9);

// The length of the boundary at text[j], a byte of line_break_starts: 0 when the lead byte opens
// another character (Å, …), -1 when the text ends before that is known.
int line_break_length(std::string_view text, std::size_t j) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  if (byte(j) == 0xC2) {
    if (j + 1 == text.size()) return -1;
    return byte(j + 1) == 0x85 ? 2 : 0;
  }
  if (byte(j) == 0xE2) {
    if (j + 1 == text.size()) return -1;
    if (byte(j + 1) != 0x80) return 0;
    if (j + 2 == text.size()) return -1;
    return byte(j + 2) == 0xA8 || byte(j + 2) == 0xA9 ? 3 : 0;
  }
  return 1;
}

}  // namespace

status line_reader::feed(std::string_view chunk) {
  if (chunk.empty()) return status::success();
  std::string joined;
  if (!held_.empty()) {
    // The previous chunk ended inside what may be a boundary: read its bytes again with this one.
    joined = std::move(held_);
    held_.clear();
    joined.append(chunk);
    chunk = joined;
  }
  std::size_t i = 0;
  if (cr_pending_) {
    cr_pending_ = false;
    if (chunk.front() == '\n') i = 1;
  }
  while (i < chunk.size()) {
    std::size_t j = chunk.find_first_of(line_break_starts, i);
    int length = 0;
    while (j != std::string_view::npos && (length = line_break_length(chunk, j)) == 0)
      j = chunk.find_first_of(line_break_starts, j + 1);
    if (j == std::string_view::npos) {
      partial_.append(chunk.substr(i));
      return status::success();
    }
    if (length < 0) {
      partial_.append(chunk.substr(i, j - i));
      held_.assign(chunk.substr(j));
      return status::success();
    }
    status st = status::success();
    if (partial_.empty()) {
      st = on_line_(chunk.substr(i, j - i));
    } else {
      partial_.append(chunk.substr(i, j - i));
      st = on_line_(partial_);
      partial_.clear();
    }
    if (!st) return st;
    i = j + std::size_t(length);
    if (chunk[j] == '\r') {
      if (i < chunk.size()) {
        if (chunk[i] == '\n') ++i;
      } else {
        cr_pending_ = true;
      }
    }
  }
  return status::success();
}

status line_reader::finish() {
  partial_.append(held_);  // a lead byte that ended the text is text
  held_.clear();
  if (partial_.empty()) return status::success();
  status st = on_line_(partial_);
  partial_.clear();
  return st;
}

std::vector<std::string> parse_lines(std::string_view text) {
  std::vector<std::string> out;
  line_reader reader([&](std::string_view line) {
    out.push_back("{\"$undefined$\":" + json_quote(line) + "}");
    return status::success();
  });
  (void)reader.feed(text);
  (void)reader.finish();
  return out;
}

}  // namespace annot::host::imports
