// CSV and TSV exports (spec §2.3): Python csv.DictWriter with QUOTE_NONNUMERIC and CRLF, columns
// sorted, one row per live annotation. Shared by the csv and tsv plugins.
#pragma once

#include <annot/exporter.hpp>

namespace annot::plugins::table_export {

// Runs the export with `delimiter` (',' for CSV, '\t' for TSV) into "result.csv". Two passes over
// the tasks: columns first (data keys colliding with output names become "_data_<key>"), rows next.
status run_table_export(char delimiter, const export_request& request, task_cursor& tasks, export_sink& sink,
                        export_log& log) noexcept;

}  // namespace annot::plugins::table_export
