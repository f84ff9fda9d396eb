// The JSON_MIN exporter: one flat record per live annotation (spec §2.2).
#include <annot/plugin.h>

#include "export_support/items.hpp"
#include "export_support/prettify.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::json_min {
namespace es = annot::plugins::export_support;
using es::json;

// The JSON_MIN record of one item, keys in Label Studio's order.
// The item's output groups are moved into the record.
json record_of(es::item& it) {
  json r = it.input->is_object() ? *it.input : json::object();
  auto id = it.task->find("id");
  r["id"] = id == it.task->end() ? json(nullptr) : *id;
  // An output name equal to a data key overwrites the data value in place (spec §4 row 12).
  for (auto g = it.output.begin(); g != it.output.end(); ++g) r[g.key()] = es::prettify(std::move(g.value()));
  r["annotator"] = es::annotator_of(it);
  r["annotation_id"] = it.annotation_id;
  r["created_at"] = it.created_at;
  r["updated_at"] = it.updated_at;
  r["lead_time"] = it.lead_time;
  if (it.has_agreement) r["agreement"] = it.agreement;
  return r;
}

class json_min_exporter final : public exporter {
 public:
  explicit json_min_exporter(std::string) {}

  status run(const export_request& request, task_cursor& tasks, export_sink& sink, export_log& log) noexcept override {
    return es::guarded([&]() -> status {
      result<es::schema> schema = es::schema::parse(request.config.parsed_config);
      if (!schema.ok()) return schema.error();
      result<output_stream*> out = sink.open("result.json");
      if (!out.ok()) return out.error();
      es::buffered_writer w(*out);
      w.append("[\n");
      bool first = true;
      std::vector<es::item> items;
      status st = es::for_each_task(tasks, log, [&](json& task) -> status {
        es::task_fate fate = es::expand(task, *schema, items);
        if (fate == es::task_fate::no_annotations_key)
          log.skipped(es::task_id_of(task), "the task has no annotations key");
        for (es::item& it : items) {
          if (!first) w.append(",\n");
          first = false;
          es::append_ujson(w.buffer(), record_of(it), {.indent = 2, .ensure_ascii = false});
          w.maybe_flush();
        }
        return w.error();
      });
      if (!st.ok()) return st;
      w.append("\n]");
      return w.flush();
    });
  }
};

status register_json_min(registrar& reg) {
  exporter_spec spec;
  spec.id = "json_min";
  spec.formats.push_back({.name = "JSON_MIN",
                          .title = "JSON-MIN",
                          .description = "List of items where only \"from_name\", \"to_name\" values from the raw JSON "
                                         "format are exported. Use to export only the annotations for a dataset.",
                          .link = "https://labelstud.io/guide/export.html#JSON-MIN",
                          .tags = {},
                          .layout = export_layout::single_file,
                          .file_name = "result.json"});
  spec.factory = std::make_unique<es::label_studio_factory<json_min_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::json_min

ANNOT_PLUGIN(json_min, exporter, "1.0.0", "JSON_MIN export: one flat record per annotation",
             annot::plugins::json_min::register_json_min)
