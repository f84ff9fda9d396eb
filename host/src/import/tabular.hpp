// CSV, TSV and TXT task files (spec §3.2), read the way Label Studio reads them with pandas: a header
// row, columns typed as a whole (int, float, bool or text), missing values as "". The readers take
// the text in chunks of any size, so a file never has to be in memory whole.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <functional>
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
// "null", "nan", ...) become "". Spaces around a number are allowed; integers past 64 bits and
// floats past the double range keep their column's text. Empty and repeated header names are
// renamed as pandas renames them ("Unnamed: 2", "a.1"). Errors (no header, ragged rows) are
// invalid_argument.
result<tabular_tasks> parse_delimited(std::string_view text, char separator);

// One task per line (Python's splitlines()): {"$undefined$": line}.
std::vector<std::string> parse_lines(std::string_view text);

// Splits delimited text fed in chunks into records (RFC 4180 quoting: quoted fields may hold
// separators, quotes and newlines). A leading UTF-8 BOM is dropped and lines of nothing but spaces
// and tabs (other than the separator) are skipped, as pandas does. `on_record` gets each record as it
// completes; the vector is reused afterwards. Memory holds one record and nothing else.
class delimited_reader {
 public:
  using record_fn = std::function<status(std::vector<std::string>& record)>;
  delimited_reader(char separator, record_fn on_record);
  status feed(std::string_view chunk);
  // Ends the text: the last record without a newline, or pandas' "EOF inside string" error.
  status finish();
  std::uint64_t records() const noexcept { return records_; }
  // The lines ended so far as pandas counts them (its file_lines): a record, however many newlines
  // its quoted fields hold, or a blank line, is one. Inside on_record: the record's 1-based line.
  std::uint64_t lines() const noexcept { return lines_; }

 private:
  status end_record();
  status scan(std::string_view chunk);

  char sep_;
  record_fn on_record_;
  std::vector<std::string> record_;
  std::string field_;
  std::string bom_;     // the first bytes, until we know whether they are a BOM
  std::string blanks_;  // spaces and tabs opening a line, until we know whether it is blank
  bool bom_done_ = false, quoted_ = false, quote_pending_ = false, cr_pending_ = false, line_start_ = true;
  std::uint64_t records_ = 0;
  std::uint64_t lines_ = 0;
};

// pandas' typing of the columns of a file: add() every data row (a pass over the whole file), then
// row_json() writes rows with the kind of each column. Ragged rows (more fields than the header)
// are invalid_argument with pandas' message; short rows are padded with missing values.
class column_typer {
 public:
  explicit column_typer(std::vector<std::string> columns);
  // `line`: the record's 1-based line as pandas counts it (delimited_reader::lines()), for messages.
  status add(std::vector<std::string>& record, std::uint64_t line);
  // The record's task data as a JSON object text; call after the last add().
  std::string row_json(const std::vector<std::string>& record) const;
  const std::vector<std::string>& columns() const noexcept { return columns_; }

 private:
  struct stats {
    bool all_integer = true, all_num = true, all_bool = true, any_value = false, has_na = false;
    bool any_negative = false, beyond_int64 = false, beyond_uint64 = false;
  };
  // text_with_markers: text in which NA markers stay as written (pandas' uint64 "conflict" path).
  enum class kind { integer, floating, boolean, text, text_with_markers };
  kind kind_of(std::size_t col) const;

  std::vector<std::string> columns_, keys_;
  std::vector<stats> stats_;
};

// Splits text fed in chunks into lines the way parse_lines() does, as Python's str.splitlines()
// splits them: at "\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", NEL, U+2028 and U+2029 (in
// UTF-8); a final line break adds no line. Calls on_line with each line's text.
class line_reader {
 public:
  using line_fn = std::function<status(std::string_view line)>;
  explicit line_reader(line_fn on_line) : on_line_(std::move(on_line)) {}
  status feed(std::string_view chunk);
  status finish();

 private:
  line_fn on_line_;
  std::string partial_;
  std::string held_;  // the end of a chunk that may open a multibyte line break
  bool cr_pending_ = false;
};

// A JSON string literal for `s` (UTF-8 kept, control characters escaped).
std::string json_quote(std::string_view s);

}  // namespace annot::host::imports
