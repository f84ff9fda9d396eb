// The SPACY exporter (Annot's own; Label Studio has none): JSONL, one {"text", "entities"} line per
// live annotation of a Text + Labels project, the shape spaCy's training examples take.
#include <annot/plugin.h>

#include <algorithm>

#include "export_support/items.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::spacy {
namespace es = annot::plugins::export_support;
using es::json;

// Maps Label Studio's offsets (UTF-16 code units: JavaScript string indices) to spaCy's (Python
// str indices: code points). at[u] = code points before UTF-16 offset u; an offset inside a
// surrogate pair maps past the character.
std::vector<std::int64_t> utf16_to_code_points(std::string_view s) {
  std::vector<std::int64_t> at;
  at.reserve(s.size() + 1);
  std::int64_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    if (i + len > s.size()) len = 1;
    at.push_back(cp);
    if (len == 4) at.push_back(cp + 1);  // the low surrogate
    i += len;
    ++cp;
  }
  at.push_back(cp);
  return at;
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
      std::vector<es::item> items;
      status st = es::for_each_task(tasks, log, [&](json& task) -> status {
        std::int64_t id = es::task_id_of(task);
        if (es::expand(task, *schema, items) == es::task_fate::no_annotations_key)
          log.skipped(id, "the task has no annotations key");
        for (const es::item& it : items) {
          if (!it.annotation) continue;  // one line per annotation; none without
          write_item(it, *schema, w, log);
        }
        return w.error();
      });
      if (!st.ok()) return st;
      return w.flush();
    });
  }

 private:
  static void write_item(const es::item& it, const es::schema& schema, es::buffered_writer& w, export_log& log) {
    // The spans: the first output group of a Labels control (as CoNLL picks them), else none.
    const json* group = nullptr;
    std::string text_key;
    for (auto g = it.output.begin(); g != it.output.end(); ++g) {
      const es::schema_control* c = schema.find(g.key());
      if (c && c->type == "Labels") {
        group = &g.value();
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
    auto t = it.input->is_object() ? it.input->find(text_key) : it.input->end();
    if (text_key.empty() || t == it.input->end() || !t->is_string()) {
      log.skipped(it.task_id, "no text under data key '" + text_key + "'");
      return;
    }
    const std::string& text = t->get_ref<const std::string&>();
    std::vector<std::int64_t> at = utf16_to_code_points(text);
    struct span {
      std::int64_t start, end;
      std::string label;
    };
    std::vector<span> spans;
    if (group) {
      for (const auto& v : *group) {
        auto s = v.find("start"), e = v.find("end"), l = v.find("labels");
        if (s == v.end() || e == v.end() || !s->is_number_integer() || !e->is_number_integer()) {
          log.skipped(it.task_id, "a span without integer start/end offsets");
          continue;
        }
        if (l == v.end() || !l->is_array() || l->empty() || !(*l)[0].is_string()) continue;
        auto u0 = s->get<std::int64_t>(), u1 = e->get<std::int64_t>();
        auto last = static_cast<std::int64_t>(at.size()) - 1;
        if (u0 < 0 || u1 < u0 || u1 > last) {
          log.skipped(it.task_id, "a span outside the text");
          continue;
        }
        spans.push_back({at[static_cast<std::size_t>(u0)], at[static_cast<std::size_t>(u1)], (*l)[0].get<std::string>()});
      }
    }
    std::stable_sort(spans.begin(), spans.end(),
                     [](const span& a, const span& b) { return a.start != b.start ? a.start < b.start : a.end < b.end; });
    json entities = json::array();
    std::int64_t covered = -1;
    for (const span& s : spans) {
      // spaCy refuses overlapping entities in one example: keep the first, report the others.
      if (s.start < covered) {
        log.skipped(it.task_id, "span " + std::to_string(s.start) + "-" + std::to_string(s.end) + " (" + s.label +
                                    ") overlaps an earlier one");
        continue;
      }
      entities.push_back(json::array({s.start, s.end, s.label}));
      covered = s.end;
    }
    json line = json::object();
    line["text"] = text;
    line["entities"] = std::move(entities);
    es::append_python_json(w.buffer(), line, {.indent = -1, .ensure_ascii = false});
    w.buffer().push_back('\n');
    w.maybe_flush();
  }
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
                          .file_name = "result.jsonl"});
  spec.factory = std::make_unique<es::label_studio_factory<spacy_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::spacy

ANNOT_PLUGIN(spacy, exporter, "1.0.0", "spaCy NER export: JSONL of text and entity offsets",
             annot::plugins::spacy::register_spacy)
