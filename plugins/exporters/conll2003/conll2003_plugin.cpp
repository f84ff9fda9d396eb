// The conll2003 exporter plugin: Label Studio's CONLL2003 export (spec §2.4), one token per line with IOB tags.
#include <annot/exporter.hpp>
#include <annot/plugin.h>
#include <annot/registrar.hpp>

#include <cctype>

#include "conll2003_exporter.hpp"
#include "export_support/items.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::conll2003 {
namespace es = annot::plugins::export_support;
namespace {

// The spans of the first output group whose tag type is Labels (upstream compares type.lower() == "labels").
std::vector<span> spans_of(const es::item& it) {
  std::vector<span> spans;
  for (const auto& [name, group] : it.output.items()) {
    if (!group.is_array() || group.empty() || !group[0].is_object()) continue;
    const auto t = group[0].find("type");
    if (t == group[0].end() || !t->is_string()) continue;
    std::string type = t->get<std::string>();
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type != "labels") continue;
    for (const auto& v : group) {
      span s;
      if (v.is_object()) {
        if (auto st = v.find("start"); st != v.end() && st->is_number()) s.start = st->get<double>();
        if (auto en = v.find("end"); en != v.end() && en->is_number()) s.end = en->get<double>();
        if (auto ls = v.find("labels"); ls != v.end() && ls->is_array())
          for (const auto& l : *ls) s.labels.push_back(l.is_string() ? l.get<std::string>() : l.dump());
      }
      spans.push_back(std::move(s));
    }
    break;
  }
  return spans;
}

}  // namespace

void write_item(std::string& out, const es::item& it, const std::string& data_key, annot::export_log& log) {
  std::string_view text;
  const es::json* input = it.input;
  if (input && input->is_object()) {
    auto v = input->find(data_key);
    if (v != input->end() && v->is_string()) {
      text = v->get_ref<const std::string&>();
    } else {
      // Upstream raises (KeyError / TypeError) and aborts the whole export; we write an empty block.
      log.warn("task " + std::to_string(it.task_id) + ": data \"" + data_key +
               "\" is not a string; written as an empty text");
    }
  }
  tokenize_result tr = tokenize(text);
  if (!tr.error.empty()) {
    log.skipped(it.task_id, "the text cannot be tokenised the way Label Studio does (" + tr.error + ")");
    return;
  }
  std::vector<std::string> tags = tag_tokens(tr.tokens, spans_of(it));
  for (std::size_t i = 0; i < tr.tokens.size(); ++i) {
    out += tr.tokens[i].text;
    out += " -X- _ ";
    out += tags[i];
    out += '\n';
  }
  out += '\n';
}

annot::status conll_exporter::run(const annot::export_request& request, annot::task_cursor& tasks,
                                  annot::export_sink& sink, annot::export_log& log) noexcept {
  return es::guarded([&]() -> annot::status {
    annot::result<es::schema> s = es::schema::parse(request.config.parsed_config);
    if (!s.ok()) return s.error();
    const std::string data_key = s->data_keys().empty() ? std::string("text") : s->data_keys().front();
    annot::result<annot::output_stream*> file = sink.open("result.conll");
    if (!file.ok()) return file.error();
    es::buffered_writer w(*file);
    w.append("-DOCSTART- -X- O\n");
    std::vector<es::item> items;
    annot::status st = es::for_each_task(tasks, log, [&](es::json& task) -> annot::status {
      es::task_fate fate = es::expand(task, *s, items);
      if (fate == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(es::task_id_of(task)) + " has no \"annotations\" key; left out");
      for (const auto& it : items) write_item(w.buffer(), it, data_key, log);
      w.maybe_flush();
      return w.error();
    });
    if (!st.ok()) return st;
    return w.flush();
  });
}

annot::status register_conll2003(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "conll2003";
  annot::export_format f;
  f.name = "CONLL2003";
  f.title = "CONLL2003";
  f.description = "Popular format used for the CoNLL-2003 named entity recognition challenge.";
  f.link = "https://labelstud.io/guide/export.html#CONLL2003";
  f.tags = {"sequence labeling", "text tagging", "named entity recognition"};
  f.layout = annot::export_layout::single_file;
  f.file_name = "result.conll";
  spec.formats.push_back(std::move(f));
  spec.factory = std::make_unique<es::label_studio_factory<conll_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::conll2003

ANNOT_PLUGIN(conll2003, exporter, "1.0.0", "Label Studio's CONLL2003 export with its Treebank tokenisation",
             annot::plugins::conll2003::register_conll2003)
