// Delimited-text and line-per-task readers, fed in chunks, with pandas' column typing.
#include "import/tabular.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace annot::host::imports {
namespace {

// pandas.read_csv's default na_values.
constexpr std::array<std::string_view, 19> na_markers = {
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"};

bool is_na(std::string_view v) {
  return std::find(na_markers.begin(), na_markers.end(), v) != na_markers.end();
}

bool parse_int(std::string_view v, long long& out) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size() && !v.empty();
}

bool parse_float(std::string_view v, double& out) {
  if (v.empty()) return false;
  std::string copy(v);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  // strtod also reads hex and "infinity"; pandas reads "inf"/"-inf" but not hex.
  return copy.find_first_of("xX") == std::string::npos;
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
  status st = status::success();
  // pandas skips blank lines.
  if (!(record_.size() == 1 && record_[0].empty())) {
    ++records_;
    st = on_record_(record_);
  }
  record_.clear();
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
    any_ = true;
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
  if (quoted_) return status(errc::invalid_argument, "EOF inside string");
  if (any_ && (!field_.empty() || !record_.empty())) return end_record();
  return status::success();
}

column_typer::column_typer(std::vector<std::string> columns) : columns_(std::move(columns)) {
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
    long long li;
    double d;
    if (st.all_int && !parse_int(v, li)) st.all_int = false;
    if (!st.all_int && st.all_num && !parse_float(v, d)) st.all_num = false;
    if (st.all_bool && v != "True" && v != "False" && v != "TRUE" && v != "FALSE" && v != "true" && v != "false")
      st.all_bool = false;
  }
  return status::success();
}

column_typer::kind column_typer::kind_of(std::size_t col) const {
  const stats& st = stats_[col];
  if (!st.any_value) return kind::text;  // an all-missing column: every value ""
  if (st.all_int) return st.has_na ? kind::floating : kind::integer;
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
    if (!v || is_na(*v)) {
      row += "\"\"";
      continue;
    }
    switch (kind_of(col)) {
      case kind::integer: {
        long long li = 0;
        parse_int(*v, li);
        row += std::to_string(li);
        break;
      }
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
        row += json_quote(*v);
        break;
    }
  }
  row.push_back('}');
  return row;
}

result<tabular_tasks> parse_delimited(std::string_view text, char sep) {
  std::vector<std::vector<std::string>> records;
  delimited_reader reader(sep, [&](std::vector<std::string>& r) {
    records.push_back(r);
    return status::success();
  });
  if (auto st = reader.feed(text); !st) return st;
  if (auto st = reader.finish(); !st) return st;
  if (records.empty()) return status(errc::invalid_argument, "No columns to parse from file");
  column_typer typer(std::move(records.front()));
  for (std::size_t r = 1; r < records.size(); ++r)
    if (auto st = typer.add(records[r], r + 1); !st) return st;
  tabular_tasks out;
  out.columns = typer.columns();
  out.rows.reserve(records.size() - 1);
  for (std::size_t r = 1; r < records.size(); ++r) out.rows.push_back(typer.row_json(records[r]));
  return out;
}

status line_reader::feed(std::string_view chunk) {
  std::size_t i = 0;
  if (cr_pending_ && !chunk.empty()) {
    cr_pending_ = false;
    if (chunk.front() == '\n') i = 1;
  }
  while (i < chunk.size()) {
    const std::size_t j = chunk.find_first_of("\r\n", i);
    if (j == std::string_view::npos) {
      partial_.append(chunk.substr(i));
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
    i = j + 1;
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
