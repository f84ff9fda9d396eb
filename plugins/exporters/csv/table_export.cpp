// CSV/TSV writer (spec §2.3).
#include "table_export.hpp"

#include <map>
#include <set>

#include "export_support/items.hpp"
#include "export_support/prettify.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::table_export {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

// A cell as csv.writer sees it: numbers unquoted, everything else quoted (QUOTE_NONNUMERIC).
void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_cell(std::string& out, const json* v) {
  if (!v || v->is_null()) {
    out += "\"\"";
    return;
  }
  switch (v->type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
    case json::value_t::boolean:
      // Python's csv treats bool as a number (an int subclass): True, unquoted.
      out += es::python_str(*v);
      return;
    case json::value_t::string:
      append_quoted(out, v->get_ref<const std::string&>());
      return;
    default:
      append_quoted(out, es::ujson(*v, {.indent = 0, .ensure_ascii = false}));
      return;
  }
}

bool non_empty_history(const es::item& it) {
  return (it.history.is_array() || it.history.is_object() || it.history.is_string()) ? !it.history.empty()
                                                                                       : !it.history.is_null() &&
                                                                                             it.history != false &&
                                                                                             it.history != 0;
}

}  // namespace

status run_table_export(char delimiter, const export_request& request, task_cursor& tasks, export_sink& sink,
                        export_log& log) noexcept {
  return es::guarded([&]() -> status {
    result<es::schema> schema = es::schema::parse(request.config.parsed_config);
    if (!schema.ok()) return schema.error();
    std::vector<es::item> items;

    // Pass 1: which columns exist.
    std::set<std::string> data_keys, outputs, chats;
    bool agreement = false, history = false;
    status st = es::for_each_task(tasks, log, [&](json& task) -> status {
      es::task_fate fate = es::expand(task, *schema, items);
      if (fate == es::task_fate::no_annotations_key)
        log.skipped(es::task_id_of(task), "the task has no annotations key");
      for (const es::item& it : items) {
        if (it.input->is_object())
          for (auto k = it.input->begin(); k != it.input->end(); ++k) data_keys.insert(k.key());
        for (auto g = it.output.begin(); g != it.output.end(); ++g) {
          outputs.insert(g.key());
          if (es::is_chat_group(g.value())) chats.insert(g.key());
        }
        agreement = agreement || it.has_agreement;
        history = history || non_empty_history(it);
      }
      return {};
    });
    if (!st.ok()) return st;

    // Data keys equal to an output name anywhere in the export are renamed (spec §4 row 12).
    auto data_column = [&](const std::string& key) { return outputs.count(key) ? "_data_" + key : key; };
    std::set<std::string> columns = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"};
    for (const auto& k : data_keys) columns.insert(data_column(k));
    for (const auto& o : outputs) columns.insert(o);
    for (const auto& c : chats) columns.insert(c + "_transcript");
    if (agreement) columns.insert("agreement");
    if (history) columns.insert("history");
    std::vector<std::string> order(columns.begin(), columns.end());  // byte order = Python str order
    std::map<std::string, std::size_t, std::less<>> index;
    for (std::size_t i = 0; i < order.size(); ++i) index.emplace(order[i], i);

    result<output_stream*> out = sink.open("result.csv");
    if (!out.ok()) return out.error();
    es::buffered_writer w(*out);
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i) w.buffer().push_back(delimiter);
      append_quoted(w.buffer(), order[i]);
    }
    w.append("\r\n");

    // Pass 2: rows. A row is a pointer per column into the item (nothing copied); `made` holds the values
    // computed here (reserved up front, so the pointers stay valid).
    if (status r = tasks.rewind(); !r.ok()) return r;
    constexpr std::size_t none = std::size_t(-1);
    auto column_at = [&](const std::string& column) {
      auto at = index.find(column);
      return at == index.end() ? none : at->second;
    };
    std::map<std::string, std::size_t, std::less<>> data_at;  // data key -> its column
    for (const auto& k : data_keys) data_at.emplace(k, column_at(data_column(k)));
    const std::size_t id_at = column_at("id"), annotator_at = column_at("annotator"),
                      annotation_id_at = column_at("annotation_id"), created_at = column_at("created_at"),
                      updated_at = column_at("updated_at"), lead_time_at = column_at("lead_time"),
                      agreement_at = column_at("agreement"), history_at = column_at("history");
    static const json null_value;
    std::vector<const json*> row(order.size());
    std::vector<json> made;
    st = es::for_each_task(tasks, log, [&](json& task) -> status {
      es::expand(task, *schema, items);
      for (es::item& it : items) {
        std::fill(row.begin(), row.end(), nullptr);
        made.clear();
        made.reserve(2 * it.output.size() + 1);
        auto set = [&](std::size_t at, const json* value) {
          if (at != none) row[at] = value;
        };
        if (it.input->is_object())
          for (auto k = it.input->begin(); k != it.input->end(); ++k) {
            auto at = data_at.find(k.key());
            set(at != data_at.end() ? at->second : column_at(data_column(k.key())), &k.value());
          }
        auto id = it.task->find("id");
        set(id_at, id == it.task->end() ? &null_value : &*id);
        for (auto g = it.output.begin(); g != it.output.end(); ++g) {
          if (chats.count(g.key())) set(column_at(g.key() + "_transcript"), &made.emplace_back(es::chat_transcript(g.value())));
          set(column_at(g.key()), &made.emplace_back(es::prettify(std::move(g.value()))));
        }
        json& annotator = made.emplace_back(es::annotator_of(it));
        if (annotator.is_number()) annotator = es::python_str(annotator);
        set(annotator_at, &annotator);
        set(annotation_id_at, &it.annotation_id);
        set(created_at, &it.created_at);
        set(updated_at, &it.updated_at);
        set(lead_time_at, &it.lead_time);
        if (it.has_agreement) set(agreement_at, &it.agreement);
        if (non_empty_history(it)) set(history_at, &it.history);
        std::string& b = w.buffer();
        for (std::size_t i = 0; i < order.size(); ++i) {
          if (i) b.push_back(delimiter);
          append_cell(b, row[i]);
        }
        b += "\r\n";
        w.maybe_flush();
      }
      return w.error();
    });
    if (!st.ok()) return st;
    return w.flush();
  });
}

}  // namespace annot::plugins::table_export
