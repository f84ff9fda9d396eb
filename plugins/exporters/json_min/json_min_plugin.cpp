// The JSON_MIN exporter: one flat record per live annotation (spec §2.2).
#include <annot/plugin.h>

#include <optional>
#include <string_view>
#include <vector>

#include "export_support/item_view.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::json_min {
namespace es = annot::plugins::export_support;

// One member of a record: a value read in place (none = null), an output group printed prettified, or a
// string made for it (text).
struct field {
  std::string_view key;
  std::optional<es::element> value;
  const es::result_group* group = nullptr;
  std::optional<std::string> text;
};

// The JSON_MIN record of one item, keys in Label Studio's order, appended to `out` as append_ujson(record,
// {2, false}) would print the dict upstream builds: the data's keys first, then "id", the output groups
// (prettified), "annotator", "annotation_id", "created_at", "updated_at", "lead_time" and "agreement"; a key
// that is already there keeps its place and takes the new value (spec §4 row 12). Nothing is copied: the
// record is a list of fields pointing into the task's DOM.
void append_record(std::string& out, const es::item_view& it, std::vector<field>& fields) {
  fields.clear();
  auto put = [&](std::string_view key, std::optional<es::element> value,
                 const es::result_group* group = nullptr, std::optional<std::string> text = std::nullopt) {
    for (auto& f : fields)
      if (f.key == key) {
        f.value = value;
        f.group = group;
        f.text = std::move(text);
        return;
      }
    fields.push_back({key, value, group, std::move(text)});
  };
  if (it.input) es::for_each_member(*it.input, [&](std::string_view key, es::element v) { put(key, v); });
  put("id", it.task->find("id"));
  for (const es::result_group& g : it.output()) put(g.from_name, std::nullopt, &g);
  put("annotator", it.annotator(), nullptr, it.annotator_str());
  put("annotation_id", it.annotation_id);
  put("created_at", it.created_at);
  put("updated_at", it.updated_at);
  put("lead_time", it.lead_time);
  if (it.agreement) put("agreement", it.agreement);
  constexpr es::ujson_options options{.indent = 2, .ensure_ascii = false};
  out += '{';
  for (std::size_t i = 0; i < fields.size(); ++i) {
    out += i ? ",\n  " : "\n  ";
    es::append_ujson_string(out, fields[i].key, false);
    out += ": ";
    if (fields[i].group)
      es::append_pretty_group(out, *fields[i].group, options, 1);
    else if (fields[i].text)
      es::append_ujson_string(out, *fields[i].text, false);
    else if (fields[i].value)
      es::append_ujson(out, *fields[i].value, options, 1);
    else
      out += "null";
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
      // Each task's records are printed on the host's threads (the preparer); here they are only joined.
      es::task_view_preparer preparer([&schema = *schema](const es::task_view& task, std::string& records,
                                                         export_log& task_log) -> status {
        thread_local es::item_views items;
        thread_local std::vector<field> fields;
        es::task_fate fate = es::expand(task, schema, items);
        if (fate == es::task_fate::no_annotations_key) task_log.skipped(task.id(), "the task has no annotations key");
        bool first = true;
        for (const es::item_view& it : items) {
          if (!first) records += ",\n";
          first = false;
          append_record(records, it, fields);
        }
        return {};
      });
      bool first = true;
      status st = es::for_each_prepared(tasks, preparer, log, [&](std::string_view records) -> status {
        if (records.empty()) return {};
        if (!first) w.append(",\n");
        first = false;
        w.append(records);
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
                          .file_name = "result.json",
                          .task_content = export_task_content::items});
  spec.factory = std::make_unique<es::label_studio_factory<json_min_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::json_min

ANNOT_PLUGIN(json_min, exporter, "1.0.0", "JSON_MIN export: one flat record per annotation",
             annot::plugins::json_min::register_json_min)
