// The SPACY exporter (Annot's own; Label Studio has none): JSONL, one {"text", "entities"} line per
// live annotation of a Text + Labels project, the shape spaCy's training examples take.
#include <annot/plugin.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "export_support/item_view.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::spacy {
namespace es = annot::plugins::export_support;

// Label Studio's offsets are code points (its editor converts a selection's JavaScript indices
// before saving), which are spaCy's too (Python str indices): they are written as they are. The
// text's length in code points bounds them; a byte that is not UTF-8 counts one.
std::int64_t code_points(std::string_view s) {
  std::int64_t n = 0;
  for (unsigned char b : s) n += (b & 0xC0) != 0x80;
  return n;
}

class spacy_exporter final : public exporter {
 public:
  explicit spacy_exporter(std::string) {}

  status run(const export_request& request, task_cursor& tasks, export_sink& sink, export_log& log) noexcept override {
    return es::guarded([&]() -> status {
      result<es::schema> schema = es::schema::parse(request.config.parsed_config);
      if (!schema.ok()) return schema.error();
      result<output_stream*> out = sink.open("result.jsonl");
      if (!out.ok()) return out.error();
      es::buffered_writer w(*out);
      // The lines are made on the host's threads and written here in task order.
      status st = es::write_each_task(
          tasks, log, w, [&schema = *schema](const es::task_view& task, std::string& out, export_log& task_log) -> status {
            thread_local es::item_views items;
            thread_local line_writer lines;
            if (es::expand(task, schema, items) == es::task_fate::no_annotations_key)
              task_log.skipped(task.id(), "the task has no annotations key");
            for (const es::item_view& it : items) {
              if (!it.annotation) continue;  // one line per annotation; none without
              lines.write(it, schema, out, task_log);
            }
            return {};
          });
      if (!st.ok()) return st;
      return w.flush();
    });
  }

 private:
  // Writes one item's line; the offset table and the spans are kept for the run.
  class line_writer {
   public:
    void write(const es::item_view& it, const es::schema& schema, std::string& out, export_log& log) {
      // The spans: the first output group of a Labels control (as CoNLL picks them), else none.
      const es::result_group* group = nullptr;
      std::string_view text_key;
      for (const es::result_group& g : it.output()) {
        const es::schema_control* c = schema.find(g.from_name);
        if (c && c->type == "Labels") {
          group = &g;
          if (!c->inputs.empty()) text_key = c->inputs[0].value;
          break;
        }
      }
      if (text_key.empty())
        for (const auto& c : schema.controls())
          if (c.type == "Labels" && !c.inputs.empty()) {
            text_key = c.inputs[0].value;
            break;
          }
      std::optional<es::element> t = text_key.empty() ? std::nullopt : it.data(text_key);
      if (!t || !t->is_string()) {
        log.skipped(it.task_id, "no text under data key '" + std::string(text_key) + "'");
        return;
      }
      const std::string_view text = es::string_or(*t);
      const std::int64_t length = code_points(text);
      spans_.clear();
      if (group) {
        for (const es::value_view& v : group->values) {
          std::optional<es::element> s = v.find("start"), e = v.find("end"), l = v.find("labels");
          if (!s || !e || !es::is_integer(*s) || !es::is_integer(*e)) {
            log.skipped(it.task_id, "a span without integer start/end offsets");
            continue;
          }
          std::optional<es::element> first;
          if (l && l->is_array())
            for (es::element label : simdjson::dom::array(*l)) {
              first = label;
              break;
            }
          if (!first || !first->is_string()) continue;
          const std::int64_t c0 = es::to_int64(*s), c1 = es::to_int64(*e);
          if (c0 < 0 || c1 < c0 || c1 > length) {
            log.skipped(it.task_id, "a span outside the text");
            continue;
          }
          if (c0 == c1) {  // spaCy has no empty entity
            log.skipped(it.task_id, "span " + std::to_string(c0) + "-" + std::to_string(c1) + " (" +
                                        std::string(es::string_or(*first)) + ") covers no character");
            continue;
          }
          spans_.push_back({c0, c1, es::string_or(*first)});
        }
      }
      std::stable_sort(spans_.begin(), spans_.end(), [](const span& a, const span& b) {
        return a.start != b.start ? a.start < b.start : a.end < b.end;
      });
      // json.dumps of {"text": ..., "entities": [[start, end, label], ...]} (ensure_ascii off), written directly.
      out += "{\"text\": ";
      es::append_python_json_string(out, text, false);
      out += ", \"entities\": [";
      std::int64_t covered = -1;
      bool first_entity = true;
      for (const span& s : spans_) {
        // spaCy refuses overlapping entities in one example: keep the first, report the others.
        if (s.start < covered) {
          log.skipped(it.task_id, "span " + std::to_string(s.start) + "-" + std::to_string(s.end) + " (" +
                                      std::string(s.label) + ") overlaps an earlier one");
          continue;
        }
        if (!first_entity) out += ", ";
        first_entity = false;
        out += '[';
        out += std::to_string(s.start);
        out += ", ";
        out += std::to_string(s.end);
        out += ", ";
        es::append_python_json_string(out, s.label, false);
        out += ']';
        covered = s.end;
      }
      out += "]}\n";
    }

   private:
    struct span {
      std::int64_t start, end;
      std::string_view label;  // into the task (valid for this item)
    };
    std::vector<span> spans_;
  };
};

status register_spacy(registrar& reg) {
  exporter_spec spec;
  spec.id = "spacy";
  spec.formats.push_back({.name = "SPACY",
                          .title = "spaCy",
                          .description = "JSON lines of {\"text\", \"entities\": [[start, end, label], ...]} per annotation, "
                                         "character offsets with exclusive ends, for training spaCy NER models.",
                          .link = "https://spacy.io/usage/training#training-data",
                          .tags = {"text", "NER"},
                          .layout = export_layout::single_file,
                          .file_name = "result.jsonl",
                          .task_content = export_task_content::items});
  spec.factory = std::make_unique<es::label_studio_factory<spacy_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::spacy

ANNOT_PLUGIN(spacy, exporter, "1.0.0", "spaCy NER export: JSONL of text and entity offsets",
             annot::plugins::spacy::register_spacy)
