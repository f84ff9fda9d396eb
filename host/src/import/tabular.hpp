// CSV, TSV and TXT task files (spec §3.2), read the way Label Studio reads them with pandas: a header
// row, columns typed as a whole (int, float, bool or text), missing values as "".
#pragma once

#include <annot/status.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace annot::host::imports {

struct tabular_tasks {
  std::vector<std::string> columns;  // the header, in order
  std::vector<std::string> rows;     // each row's task data as a JSON object text
};

// The separator Label Studio picks for a .csv file: ';' when the first line has more ';' than ','.
char detect_csv_separator(std::string_view text);

// Parses delimited text with a header row (RFC 4180 quoting). Numbers stay numbers: a column
// whose values all parse as integers becomes int, as numbers float (ints written 1.0 when the column
// also has missing values, as pandas does), True/False columns bool; pandas' NA markers ("", "NA",
// "null", "nan", ...) become "". Errors (no header, ragged rows) are invalid_argument.
result<tabular_tasks> parse_delimited(std::string_view text, char separator);

// One task per line (Python's splitlines()): {"$undefined$": line}.
std::vector<std::string> parse_lines(std::string_view text);

// A JSON string literal for `s` (UTF-8 kept, control characters escaped).
std::string json_quote(std::string_view s);

}  // namespace annot::host::imports
