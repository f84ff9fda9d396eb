// The conll2003 exporter plugin: Label Studio's CONLL2003 export (spec §2.4), one token per line with IOB tags.
#include <annot/exporter.hpp>
#include <annot/plugin.h>
#include <annot/registrar.hpp>

#include <cctype>
#include <cstring>

#include "conll2003_exporter.hpp"
#include "export_support/item_view.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::conll2003 {
namespace es = annot::plugins::export_support;
namespace dom = simdjson::dom;
namespace {

std::string text_of_label(es::element l) {
  return l.type() == dom::element_type::STRING ? std::string(std::string_view(l)) : es::to_json(l).dump();
}

// The spans of the first output group whose tag type is Labels (upstream compares type.lower() == "labels").
// `spans` is reused from item to item (its spans' label lists too).
void spans_of(const es::item_view& it, std::vector<span>& spans) {
  std::size_t n = 0;
  for (const es::result_group& group : it.output()) {
    if (group.values.empty()) continue;
    const std::string_view t = group.values.front().type();
    if (t.size() != 6) continue;
    bool labels = true;
    for (std::size_t i = 0; i < 6; ++i)
      labels = labels && std::tolower(static_cast<unsigned char>(t[i])) == "labels"[i];
    if (!labels) continue;
    for (const es::value_view& v : group.values) {
      if (n == spans.size()) spans.emplace_back();
      span& s = spans[n++];
      s.start.reset();
      s.end.reset();
      s.labels.clear();
      // One pass over the value's members instead of a find() per key; the last of a repeated key wins, as
      // find() has it.
      std::optional<es::element> st, en, ls;
      v.for_each([&](std::string_view key, const es::element* e) {
        if (!e) return;
        if (key == "start") st = *e;
        else if (key == "end") en = *e;
        else if (key == "labels") ls = *e;
      });
      if (st && es::is_number(*st)) s.start = es::to_double(*st);
      if (en && es::is_number(*en)) s.end = es::to_double(*en);
      if (ls && ls->type() == dom::element_type::ARRAY)
        for (es::element l : dom::array(*ls)) s.labels.push_back(text_of_label(l));
    }
    break;
  }
  spans.resize(n);
}

}  // namespace

void item_writer::write(std::string& out, const es::item_view& it, const std::string& data_key,
                        annot::export_log& log) {
  std::string_view text;
  // A task without "data" reads as an empty object (the key is then missing); data that is not an object
  // gives an empty text without a warning, as before.
  if (!it.input || it.input->type() == dom::element_type::OBJECT) {
    std::optional<es::element> v = it.data(data_key);
    if (v && v->type() == dom::element_type::STRING) {
      text = std::string_view(*v);
    } else {
      // Upstream raises (KeyError / TypeError) and aborts the whole export; we write an empty block. A
      // missing key is said as such: a <Text> whose value is a literal (no "$") names no data key at all.
      log.warn("task " + std::to_string(it.task_id) +
               (v ? ": data \"" + data_key + "\" is not a string" : ": the data has no key \"" + data_key + "\"") +
               "; written as an empty text");
    }
  }
  const tokenize_result& tr = tokenizer_(text);
  if (!tr.error.empty()) {
    log.skipped(it.task_id, "the text cannot be tokenised the way Label Studio does (" + tr.error + ")");
    return;
  }
  spans_of(it, spans_);
  tag_tokens(tr.tokens, spans_, tags_);
  // "<token> -X- _ <tag>\n" per token and a blank line, sized first and copied in place (four appends a
  // token were a twentieth of the export).
  constexpr std::string_view middle = " -X- _ ";
  std::size_t size = 1;
  for (std::size_t i = 0; i < tr.tokens.size(); ++i) size += tr.tokens[i].text.size() + middle.size() + tags_[i].size() + 1;
  const std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  const auto put = [&p](std::string_view bytes) {
    std::memcpy(p, bytes.data(), bytes.size());
    p += bytes.size();
  };
  for (std::size_t i = 0; i < tr.tokens.size(); ++i) {
    put(tr.tokens[i].text);
    put(middle);
    *p++ = tags_[i].kind;
    if (tags_[i].label) {
      *p++ = '-';
      put(*tags_[i].label);
    }
    *p++ = '\n';
  }
  *p = '\n';
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
    // Tokenising and tagging run on the host's threads; the blocks are written here in task order.
    annot::status st = es::write_each_task(
        tasks, log, w,
        [&schema = *s, &data_key](const es::task_view& task, std::string& out, annot::export_log& task_log) -> annot::status {
          thread_local es::item_views items;
          thread_local item_writer writer;
          if (es::expand(task, schema, items) == es::task_fate::no_annotations_key)
            task_log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
          for (const es::item_view& it : items) writer.write(out, it, data_key, task_log);
          return {};
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
  f.task_content = annot::export_task_content::items;
  f.file_name = "result.conll";
  spec.formats.push_back(std::move(f));
  spec.factory = std::make_unique<es::label_studio_factory<conll_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::conll2003

ANNOT_PLUGIN(conll2003, exporter, "1.0.0", "Label Studio's CONLL2003 export with its Treebank tokenisation",
             annot::plugins::conll2003::register_conll2003)
