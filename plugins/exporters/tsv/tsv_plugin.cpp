// The TSV exporter: CSV with TAB as the delimiter, still written to result.csv (spec §2.3).
#include <annot/plugin.h>

#include "export_support/run.hpp"
#include "table_export.hpp"

namespace annot::plugins::tsv {
namespace es = annot::plugins::export_support;

class tsv_exporter final : public exporter {
 public:
  explicit tsv_exporter(std::string) {}
  status run(const export_request& request, task_cursor& tasks, export_sink& sink, export_log& log) noexcept override {
    return table_export::run_table_export('\t', request, tasks, sink, log);
  }
};

status register_tsv(registrar& reg) {
  exporter_spec spec;
  spec.id = "tsv";
  spec.formats.push_back({.name = "TSV",
                          .title = "TSV",
                          .description = "Results are stored in tab-separated tabular file with column names specified "
                                         "by \"from_name\" \"to_name\" values",
                          .link = "https://labelstud.io/guide/export.html#TSV",
                          .tags = {},
                          .layout = export_layout::single_file,
                          .file_name = "result.csv",
                          .task_content = export_task_content::items});
  spec.factory = std::make_unique<es::label_studio_factory<tsv_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::tsv

ANNOT_PLUGIN(tsv, exporter, "1.0.0", "TSV export: one tab-separated row per annotation",
             annot::plugins::tsv::register_tsv)
