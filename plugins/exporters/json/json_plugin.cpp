// The JSON exporter: Label Studio's native export, the list of tasks as the host serialised them
// (spec §2.1: upstream copies its input file byte for byte).
#include <annot/plugin.h>

#include "export_support/run.hpp"

namespace annot::plugins::json_export {
namespace es = annot::plugins::export_support;

class json_exporter final : public exporter {
 public:
  explicit json_exporter(std::string) {}

  status run(const export_request&, task_cursor& tasks, export_sink& sink, export_log&) noexcept override {
    return es::guarded([&]() -> status {
      result<output_stream*> out = sink.open("result.json");
      if (!out.ok()) return out.error();
      es::buffered_writer w(*out);
      // Tasks are copied as text, never parsed: the host already wrote Label Studio's shape.
      w.append("[");
      std::string_view task;
      bool first = true;
      for (;;) {
        result<bool> more = tasks.next(task);
        if (!more.ok()) return more.error();
        if (!*more) break;
        w.append(first ? "\n" : ",\n");
        first = false;
        w.append(task);
        if (!w.error().ok()) return w.error();
      }
      w.append(first ? "]" : "\n]");
      return w.flush();
    });
  }
};

status register_json(registrar& reg) {
  exporter_spec spec;
  spec.id = "json";
  spec.formats.push_back({.name = "JSON",
                          .title = "JSON",
                          .description = "List of items in raw JSON format stored in one JSON file. Use to export both "
                                         "the data and the annotations for a dataset. It's Label Studio Common Format",
                          .link = "https://labelstud.io/guide/export.html#JSON",
                          .tags = {},
                          .layout = export_layout::single_file,
                          .file_name = "result.json"});
  spec.factory = std::make_unique<es::label_studio_factory<json_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::json_export

ANNOT_PLUGIN(json, exporter, "1.0.0", "JSON export: the project's tasks in Label Studio's format",
             annot::plugins::json_export::register_json)
