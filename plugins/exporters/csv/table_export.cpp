// CSV/TSV writer (spec §2.3), reading each task in place (task_view / item_views).
#include "table_export.hpp"

#include <cstring>
#include <map>
#include <set>

#include "export_support/item_view.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::table_export {
namespace es = annot::plugins::export_support;
namespace dom = simdjson::dom;
using es::element;

namespace {

// A cell as csv.writer sees it: numbers unquoted, everything else quoted (QUOTE_NONNUMERIC). Runs without
// '"' are appended at once.
void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (;;) {
    const void* q = std::memchr(text.data(), '"', text.size());
    if (!q) break;
    const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(q) - text.data()) + 1;
    out.append(text.data(), n);
    out.push_back('"');
    text.remove_prefix(n);
  }
  out.append(text);
  out.push_back('"');
}

// append_cell of the value an element holds. `scratch` is reused for the ujson text of lists and dicts.
void append_cell(std::string& out, const std::optional<element>& v, std::string& scratch) {
  if (!v) {
    out += "\"\"";
    return;
  }
  switch (v->type()) {
    case dom::element_type::NULL_VALUE: out += "\"\""; return;
    case dom::element_type::INT64: out += std::to_string(std::int64_t(*v)); return;
    case dom::element_type::UINT64: out += std::to_string(std::uint64_t(*v)); return;
    case dom::element_type::DOUBLE: es::append_python_float(out, double(*v)); return;
    // Python's csv treats bool as a number (an int subclass): True, unquoted.
    case dom::element_type::BOOL: out += bool(*v) ? "True" : "False"; return;
    case dom::element_type::STRING: append_quoted(out, std::string_view(*v)); return;
    default:
      scratch.clear();
      es::append_ujson(scratch, *v, {.indent = 0, .ensure_ascii = false});
      append_quoted(out, scratch);
      return;
  }
}

bool is_chat_type(std::string_view t) { return t == "Chat" || t == "chatmessage"; }

// Whether a group holds chat messages: CSV adds "<name>_transcript".
bool is_chat_group(const es::result_group& g) {
  for (const es::value_view& v : g.values)
    if (is_chat_type(v.type())) return true;
  return false;
}

// "role: content" lines of a chat group, joined by '\n' (prettify.hpp's chat_transcript).
void append_transcript(std::string& out, const es::result_group& g) {
  bool first = true;
  for (const es::value_view& v : g.values) {
    std::optional<element> m = v.find("chatmessage");
    if (!m || m->type() != dom::element_type::OBJECT) continue;
    if (!first) out.push_back('\n');
    first = false;
    auto text = [&](std::string_view key) {
      std::optional<element> e = es::find_member(*m, key);
      if (!e || e->type() == dom::element_type::NULL_VALUE) return;
      if (e->type() == dom::element_type::STRING) out += std::string_view(*e);
      else out += es::python_str(*e);
    };
    text("role");
    out += ": ";
    text("content");
  }
}

// The cell of an output group: prettify's value (a single Choices/TextArea value unwrapped to its one
// choice or text, printed as that value; anything else as its ujson text).
void append_group_cell(std::string& out, const es::result_group& g, std::string& scratch) {
  if (g.values.size() == 1) {
    const es::value_view& v = g.values.front();
    const std::string_view t = v.type();
    const char* key = t == "Choices" ? "choices" : t == "TextArea" ? "text" : nullptr;
    if (key) {
      std::optional<element> list = v.find(key);
      if (list && list->type() == dom::element_type::ARRAY && dom::array(*list).size() == 1) {
        append_cell(out, dom::array(*list).at(0).value(), scratch);
        return;
      }
    }
  }
  scratch.clear();
  es::append_pretty_group(scratch, g, {.indent = 0, .ensure_ascii = false});
  append_quoted(out, scratch);
}

// Column indexes of names met in the last rows, by position: tasks usually list the same data keys and
// output names in the same order, so a lookup is one comparison (a miss goes to the map).
class column_cache {
 public:
  template <class Find>
  std::size_t at(std::size_t position, std::string_view name, Find&& find) {
    if (position >= names_.size()) names_.resize(position + 1), columns_.resize(position + 1);
    if (columns_[position] == unknown || names_[position] != name) {
      names_[position].assign(name);
      columns_[position] = find(name);
    }
    return columns_[position];
  }

 private:
  static constexpr std::size_t unknown = std::size_t(-2);
  std::vector<std::string> names_;
  std::vector<std::size_t> columns_;
};

}  // namespace

status run_table_export(char delimiter, const export_request& request, task_cursor& tasks, export_sink& sink,
                        export_log& log) noexcept {
  return es::guarded([&]() -> status {
    result<es::schema> schema = es::schema::parse(request.config.parsed_config);
    if (!schema.ok()) return schema.error();
    es::item_views items;

    // Pass 1: which columns exist.
    std::set<std::string, std::less<>> data_keys, outputs, chats;
    bool agreement = false, history = false;
    status st = es::for_each_task_view(tasks, log, [&](const es::task_view& task) -> status {
      if (es::expand(task, *schema, items) == es::task_fate::no_annotations_key)
        log.skipped(task.id(), "the task has no annotations key");
      for (const es::item_view& it : items) {
        if (it.input)
          es::for_each_member(*it.input, [&](std::string_view k, element) {
            if (data_keys.find(k) == data_keys.end()) data_keys.emplace(k);
          });
        for (const es::result_group& g : it.output()) {
          if (outputs.find(g.from_name) == outputs.end()) outputs.emplace(g.from_name);
          if (is_chat_group(g) && chats.find(g.from_name) == chats.end()) chats.emplace(g.from_name);
        }
        agreement = agreement || it.agreement.has_value();
        history = history || (it.history && es::truthy(*it.history));
      }
      return {};
    });
    if (!st.ok()) return st;

    // Data keys equal to an output name anywhere in the export are renamed (spec §4 row 12).
    auto data_column = [&](std::string_view key) {
      return outputs.count(key) ? "_data_" + std::string(key) : std::string(key);
    };
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

    // Pass 2: rows. Each cell is printed into its own reused string (a later value for the same column
    // replaces an earlier one, as the dict upstream builds); unset cells are "".
    if (status r = tasks.rewind(); !r.ok()) return r;
    constexpr std::size_t none = std::size_t(-1);
    auto column_at = [&](std::string_view column) {
      auto at = index.find(column);
      return at == index.end() ? none : at->second;
    };
    const std::size_t id_at = column_at("id"), annotator_at = column_at("annotator"),
                      annotation_id_at = column_at("annotation_id"), created_at = column_at("created_at"),
                      updated_at = column_at("updated_at"), lead_time_at = column_at("lead_time"),
                      agreement_at = column_at("agreement"), history_at = column_at("history");
    std::vector<std::string> cells(order.size());
    std::vector<char> filled(order.size());
    std::string scratch;
    column_cache data_cache, output_cache, transcript_cache;
    auto cell = [&](std::size_t at) -> std::string* {
      if (at == none) return nullptr;
      filled[at] = 1;
      cells[at].clear();
      return &cells[at];
    };
    auto set = [&](std::size_t at, const std::optional<element>& v) {
      if (std::string* c = cell(at)) append_cell(*c, v, scratch);
    };
    st = es::for_each_task_view(tasks, log, [&](const es::task_view& task) -> status {
      es::expand(task, *schema, items);
      for (const es::item_view& it : items) {
        std::fill(filled.begin(), filled.end(), 0);
        if (it.input) {
          std::size_t position = 0;
          es::for_each_member(*it.input, [&](std::string_view k, element v) {
            set(data_cache.at(position++, k, [&](std::string_view key) { return column_at(data_column(key)); }), v);
          });
        }
        set(id_at, task.find("id"));
        std::size_t position = 0;
        for (const es::result_group& g : it.output()) {
          if (chats.count(g.from_name))
            if (std::string* c = cell(transcript_cache.at(position, g.from_name, [&](std::string_view name) {
                  return column_at(std::string(name) + "_transcript");
                }))) {
              scratch.clear();
              append_transcript(scratch, g);
              append_quoted(*c, scratch);
            }
          if (std::string* c = cell(output_cache.at(position, g.from_name, column_at)))
            append_group_cell(*c, g, scratch);
          ++position;
        }
        // annotator_of; a number is written as its text (quoted).
        if (std::string* c = cell(annotator_at)) {
          std::optional<element> a = it.annotator();
          if (a && es::is_number(*a)) append_quoted(*c, es::python_str(*a));
          else append_cell(*c, a, scratch);
        }
        set(annotation_id_at, it.annotation_id);
        set(created_at, it.created_at);
        set(updated_at, it.updated_at);
        set(lead_time_at, it.lead_time);
        if (it.agreement) set(agreement_at, it.agreement);
        if (it.history && es::truthy(*it.history)) set(history_at, it.history);
        std::string& b = w.buffer();
        for (std::size_t i = 0; i < order.size(); ++i) {
          if (i) b.push_back(delimiter);
          if (filled[i]) b += cells[i];
          else b += "\"\"";
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
