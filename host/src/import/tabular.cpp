// Delimited-text and line-per-task readers with pandas' column typing.
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

enum class column_kind { integer, floating, boolean, text };

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

result<tabular_tasks> parse_delimited(std::string_view text, char sep) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Split into records of fields (quotes may hold separators and newlines).
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  std::size_t i = 0;
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    // pandas skips blank lines.
    if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
    record.clear();
  };
  while (i < text.size()) {
    char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field.push_back(c);
      }
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == sep) {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      end_record();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      field.push_back(c);
    }
    ++i;
  }
  if (quoted) return status(errc::invalid_argument, "EOF inside string");
  if (any && (!field.empty() || !record.empty())) end_record();
  if (records.empty()) return status(errc::invalid_argument, "No columns to parse from file");

  tabular_tasks out;
  out.columns = std::move(records.front());
  const std::size_t ncol = out.columns.size();
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() > ncol)
      return status(errc::invalid_argument, "Error tokenizing data. C error: Expected " + std::to_string(ncol) +
                                                " fields in line " + std::to_string(r + 1) + ", saw " +
                                                std::to_string(records[r].size()));
    records[r].resize(ncol);  // short rows: missing values
  }

  // Type each column as pandas would.
  std::vector<column_kind> kinds(ncol, column_kind::integer);
  std::vector<bool> has_na(ncol, false);
  for (std::size_t col = 0; col < ncol; ++col) {
    bool all_int = true, all_num = true, all_bool = true, any_value = false;
    for (std::size_t r = 1; r < records.size(); ++r) {
      const std::string& v = records[r][col];
      if (is_na(v)) {
        has_na[col] = true;
        continue;
      }
      any_value = true;
      long long li;
      double d;
      if (!parse_int(v, li)) all_int = false;
      if (!all_int && !parse_float(v, d)) all_num = false;
      if (v != "True" && v != "False" && v != "TRUE" && v != "FALSE" && v != "true" && v != "false") all_bool = false;
    }
    if (!any_value) {
      kinds[col] = column_kind::text;  // an all-missing column: every value ""
    } else if (all_int) {
      kinds[col] = has_na[col] ? column_kind::floating : column_kind::integer;
    } else if (all_num) {
      kinds[col] = column_kind::floating;
    } else if (all_bool) {
      kinds[col] = column_kind::boolean;
    } else {
      kinds[col] = column_kind::text;
    }
  }

  std::vector<std::string> keys;
  keys.reserve(ncol);
  for (auto& c : out.columns) keys.push_back(json_quote(c));
  out.rows.reserve(records.size() - 1);
  for (std::size_t r = 1; r < records.size(); ++r) {
    std::string row = "{";
    for (std::size_t col = 0; col < ncol; ++col) {
      if (col) row.push_back(',');
      row += keys[col];
      row.push_back(':');
      const std::string& v = records[r][col];
      if (is_na(v)) {
        row += "\"\"";
        continue;
      }
      switch (kinds[col]) {
        case column_kind::integer: {
          long long li = 0;
          parse_int(v, li);
          row += std::to_string(li);
          break;
        }
        case column_kind::floating: {
          double d = 0;
          parse_float(v, d);
          row += py_float(d);
          break;
        }
        case column_kind::boolean:
          row += (v == "True" || v == "TRUE" || v == "true") ? "true" : "false";
          break;
        case column_kind::text:
          row += json_quote(v);
          break;
      }
    }
    row.push_back('}');
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::vector<std::string> parse_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find_first_of("\r\n", i);
    if (j == std::string_view::npos) j = text.size();
    out.push_back("{\"$undefined$\":" + json_quote(text.substr(i, j - i)) + "}");
    if (j < text.size() && text[j] == '\r' && j + 1 < text.size() && text[j + 1] == '\n') ++j;
    i = j + 1;
  }
  return out;
}

}  // namespace annot::host::imports
