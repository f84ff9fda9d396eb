// The JSON_MIN exporter: one flat record per live annotation (spec §2.2).
#include <annot/plugin.h>

#include "export_support/items.hpp"
#include "export_support/prettify.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::json_min {
namespace es = annot::plugins::export_support;
using es::json;

// The JSON_MIN record of one item, keys in Label Studio's order, appended to `out` as append_ujson(record,
// {2, false}) would print the dict upstream builds: the data's keys first, then "id", the output groups
// (prettified: moved out of the item), "annotator", "annotation_id", "created_at", "updated_at", "lead_time" and
// "agreement"; a key that is already there keeps its place and takes the new value (spec §4 row 12). Nothing is
// copied: the record is a list of (key, value) pointers into the item, and `made` holds the values computed here.
void append_record(std::string& out, es::item& it, std::vector<std::pair<std::string_view, const json*>>& fields,
                   std::vector<json>& made) {
  static const json null_value;
  fields.clear();
  made.clear();
  made.reserve(it.output.size() + 1);  // no reallocation below: `fields` points into it
  auto put = [&](std::string_view key, const json* value) {
    for (auto& f : fields)
      if (f.first == key) {
        f.second = value;
        return;
      }
    fields.emplace_back(key, value);
  };
  if (it.input->is_object())
    for (auto d = it.input->begin(); d != it.input->end(); ++d) put(d.key(), &d.value());
  auto id = it.task->find("id");
  put("id", id == it.task->end() ? &null_value : &*id);
  for (auto g = it.output.begin(); g != it.output.end(); ++g) put(g.key(), &made.emplace_back(es::prettify(std::move(g.value()))));
  made.push_back(es::annotator_of(it));
  put("annotator", &made.back());
  put("annotation_id", &it.annotation_id);
  put("created_at", &it.created_at);
  put("updated_at", &it.updated_at);
  put("lead_time", &it.lead_time);
  if (it.has_agreement) put("agreement", &it.agreement);
  out += '{';
  for (std::size_t i = 0; i < fields.size(); ++i) {
    out += i ? ",\n  " : "\n  ";
    es::append_ujson_string(out, fields[i].first, false);
    out += ": ";
    es::append_ujson(out, *fields[i].second, {.indent = 2, .ensure_ascii = false}, 1);
  }
  out += "\n}";
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
      std::vector<std::pair<std::string_view, const json*>> fields;
      std::vector<json> made;
      status st = es::for_each_task(tasks, log, [&](json& task) -> status {
        es::task_fate fate = es::expand(task, *schema, items);
        if (fate == es::task_fate::no_annotations_key)
          log.skipped(es::task_id_of(task), "the task has no annotations key");
        for (es::item& it : items) {
          if (!first) w.append(",\n");
          first = false;
          append_record(w.buffer(), it, fields, made);
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
