// CSV and TSV exports (spec §2.3): Python csv.DictWriter with QUOTE_NONNUMERIC and CRLF, columns
// sorted, one row per live annotation. Shared by the csv and tsv plugins.
#pragma once

#include <annot/exporter.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace annot::plugins::table_export {

// Runs the export with `delimiter` (',' for CSV, '\t' for TSV) into "result.csv". The tasks are read once: each
// row's cells are printed into a spill (a buffer of `spill_limit` bytes that goes to a temporary file when it fills),
// and laid out in the columns at the end, when they are known (data keys colliding with output names become
// "_data_<key>").
status run_table_export(char delimiter, const export_request& request, task_cursor& tasks, export_sink& sink,
                        export_log& log, std::size_t spill_limit = std::size_t(1) << 20) noexcept;

// Appends `text` as a quoted cell: in '"', each '"' doubled (what csv.writer writes for a string).
void append_quoted(std::string& out, std::string_view text);

}  // namespace annot::plugins::table_export
