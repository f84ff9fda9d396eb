// The CSV exporter (spec §2.3).
#include <annot/plugin.h>

#include "export_support/run.hpp"
#include "table_export.hpp"

namespace annot::plugins::csv {
namespace es = annot::plugins::export_support;

class csv_exporter final : public exporter {
 public:
  explicit csv_exporter(std::string) {}
  status run(const export_request& request, task_cursor& tasks, export_sink& sink, export_log& log) noexcept override {
    return table_export::run_table_export(',', request, tasks, sink, log);
  }
};

status register_csv(registrar& reg) {
  exporter_spec spec;
  spec.id = "csv";
  spec.formats.push_back({.name = "CSV",
                          .title = "CSV",
                          .description = "Results are stored as comma-separated values with the column names specified "
                                         "by the values of the \"from_name\" and \"to_name\" fields.",
                          .link = "https://labelstud.io/guide/export.html#CSV",
                          .tags = {},
                          .layout = export_layout::single_file,
                          .file_name = "result.csv",
                          .task_content = export_task_content::items});
  spec.factory = std::make_unique<es::label_studio_factory<csv_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::csv

ANNOT_PLUGIN(csv, exporter, "1.0.0", "CSV export: one row per annotation", annot::plugins::csv::register_csv)
