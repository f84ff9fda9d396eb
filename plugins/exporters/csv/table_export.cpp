// CSV/TSV writer (spec §2.3), reading each task in place (task_view / item_views).
#include "table_export.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "export_support/item_view.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/spill_file.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::table_export {
namespace es = annot::plugins::export_support;
namespace dom = simdjson::dom;
using es::element;

// A cell as csv.writer sees it: numbers unquoted, everything else quoted (QUOTE_NONNUMERIC), '"' doubled.
// The cells are mostly JSON text, a quote every few bytes: 16 bytes are copied at a time, and each quote
// in them ends a copy and adds its double (a memchr and two appends per quote cost five times as much).
void append_quoted(std::string& out, std::string_view text) {
  const std::size_t start = out.size(), n = text.size();
  // At most two bytes per byte and the two quotes; then the tail's padding and a copy's 16 bytes.
  out.resize(start + 2 * n + 48);
  char* p = out.data() + start;
  *p++ = '"';
  const char* d = text.data();
#ifdef __SSE2__
  const auto copy16 = [](char* to, const char* from) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(to), _mm_loadu_si128(reinterpret_cast<const __m128i*>(from)));
  };
  // A block's copies read up to 16 bytes past the quote before: `src` must hold 16 bytes after each block.
  const auto blocks = [&p, &copy16](const char* src, std::size_t count) {
    for (; count; --count, src += 16) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
      unsigned quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8('"'))));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), block);
      std::size_t done = 0;  // bytes of the block written
      while (quotes) {
        const std::size_t k = static_cast<std::size_t>(__builtin_ctz(quotes)) + 1;  // through this quote
        quotes &= quotes - 1;
        if (done) copy16(p, src + done);
        p += k - done;
        *p++ = '"';
        done = k;
      }
      if (done) copy16(p, src + done);
      p += 16 - done;
    }
  };
  const std::size_t in_place = n >= 32 ? (n - 16) / 16 : 0;
  blocks(d, in_place);
  // The last 0-31 bytes from a copy padded with bytes that are no quote, whose output is then taken back.
  const std::size_t rest = n - 16 * in_place, tail_blocks = (rest + 15) / 16;
  char tail[64] = {};
  if (rest) std::memcpy(tail, d + 16 * in_place, rest);  // an empty view may have no data pointer
  blocks(tail, tail_blocks);
  p -= 16 * tail_blocks - rest;
#else
  for (std::size_t i = 0; i < n; ++i) {
    *p++ = d[i];
    if (d[i] == '"') *p++ = '"';
  }
#endif
  *p++ = '"';
  out.resize(static_cast<std::size_t>(p - out.data()));
}

namespace {

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

// What a row's cell belongs to; the column is decided when the export's columns are known.
enum class cell_kind : char {
  data = 'D',        // a data key (renamed "_data_<key>" when an output has its name)
  column = 'C',      // a column named as it is ("id", "annotator", an output's from_name...)
  transcript = 'T',  // "<from_name>_transcript", written when from_name is a chat group anywhere in the export
  chat = 'H',        // no cell: marks from_name as a chat group (the transcript columns exist for those)
};

std::size_t get_u32(const char* p) {
  std::uint32_t u;
  std::memcpy(&u, p, 4);
  return u;
}

// Rows as (kind, name, cell text) records, in the order the cells were set (a later cell of the same column
// replaces an earlier one, as the dict upstream builds): [u32 row size] then per cell [kind][u32 name size]
// [name][u32 text size][text]. Appended to a string it does not own.
class row_writer {
 public:
  explicit row_writer(std::string& out) : b_(out) {}
  void begin_row() {
    row_at_ = b_.size();
    put_u32(0);
  }
  // Starts a cell; its text is appended to the returned string, then end_cell().
  std::string& begin_cell(cell_kind kind, std::string_view name) {
    b_.push_back(static_cast<char>(kind));
    put_u32(name.size());
    b_.append(name);
    cell_at_ = b_.size();
    put_u32(0);
    return b_;
  }
  void end_cell() { patch_u32(cell_at_, b_.size() - cell_at_ - 4); }
  void end_row() { patch_u32(row_at_, b_.size() - row_at_ - 4); }

 private:
  void put_u32(std::size_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    b_.append(reinterpret_cast<const char*>(&u), 4);
  }
  void patch_u32(std::size_t at, std::size_t v) {
    if (v > UINT32_MAX) throw std::runtime_error("a CSV cell or row of 4 GiB or more");
    const auto u = static_cast<std::uint32_t>(v);
    std::memcpy(b_.data() + at, &u, 4);
  }
  std::string& b_;
  std::size_t row_at_ = 0, cell_at_ = 0;
};

// Calls fn(std::string_view row) per row of whole records held in memory.
template <class Fn>
void for_each_row_in(std::string_view rows, Fn&& fn) {
  for (std::size_t at = 0; at < rows.size();) {
    const std::size_t n = get_u32(rows.data() + at);
    fn(rows.substr(at + 4, n));
    at += 4 + n;
  }
}

// The next cell of a row (advancing `row`); false at the end.
bool next_cell(std::string_view& row, cell_kind& kind, std::string_view& name, std::string_view& cell) {
  if (row.empty()) return false;
  kind = static_cast<cell_kind>(row[0]);
  const std::size_t n = get_u32(row.data() + 1);
  name = row.substr(5, n);
  const std::size_t m = get_u32(row.data() + 5 + n);
  cell = row.substr(9 + n, m);
  row.remove_prefix(9 + n + m);
  return true;
}

// The export's rows (row_writer records), gathered in a buffer of at most `limit` bytes that goes to a
// temporary file each time it fills, so memory does not grow with the export and the tasks are read once (the
// columns are only known at the end).
class row_spill {
 public:
  explicit row_spill(std::size_t limit) : file_(limit) {}
  // Appends whole rows.
  void append(std::string_view rows) {
    file_.buffer().append(rows);
    file_.maybe_spill();
  }
  // Calls fn(std::string_view row) per row, in order; parse it with next_cell.
  template <class Fn>
  void for_each_row(Fn&& fn) {
    if (!file_.spilled()) {
      for_each_row_in(file_.buffer(), fn);
      return;
    }
    file_.start_reading();
    char size[4];
    std::string row;
    while (file_.read_exact(size, 4)) {
      row.resize(get_u32(size));
      if (!file_.read_exact(row.data(), row.size())) throw std::runtime_error("a temporary file ended early");
      fn(std::string_view(row));
    }
  }

 private:
  es::spill_file file_;
};

// Column indexes of the cells met in the last rows, by position in the row: rows usually set the same cells in
// the same order, so a lookup is one comparison (a miss goes to `find`).
class column_cache {
 public:
  template <class Find>
  std::size_t at(std::size_t position, cell_kind kind, std::string_view name, Find&& find) {
    if (position >= entries_.size()) entries_.resize(position + 1);
    entry& e = entries_[position];
    if (!e.known || e.kind != kind || e.name != name) {
      e.known = true;
      e.kind = kind;
      e.name.assign(name);
      e.column = find(kind, name);
    }
    return e.column;
  }

 private:
  struct entry {
    bool known = false;
    cell_kind kind = cell_kind::column;
    std::string name;
    std::size_t column = 0;
  };
  std::vector<entry> entries_;
};

}  // namespace

status run_table_export(char delimiter, const export_request& request, task_cursor& tasks, export_sink& sink,
                        export_log& log, std::size_t spill_limit) noexcept {
  return es::guarded([&]() -> status {
    result<es::schema> schema = es::schema::parse(request.config.parsed_config);
    if (!schema.ok()) return schema.error();
    // One pass. Each task's rows are printed on the host's threads (the preparer); here they go to the spill,
    // and their cells say which columns exist.
    es::task_view_preparer preparer([&schema = *schema](const es::task_view& task, std::string& out,
                                                        export_log& task_log) -> status {
      thread_local es::item_views items;
      thread_local std::string scratch;
      if (es::expand(task, schema, items) == es::task_fate::no_annotations_key)
        task_log.skipped(task.id(), "the task has no annotations key");
      row_writer rows(out);
      auto set = [&](cell_kind kind, std::string_view name, const std::optional<element>& v) {
        append_cell(rows.begin_cell(kind, name), v, scratch);
        rows.end_cell();
      };
      for (const es::item_view& it : items) {
        rows.begin_row();
        if (it.input)
          es::for_each_member(*it.input, [&](std::string_view k, element v) { set(cell_kind::data, k, v); });
        set(cell_kind::column, "id", task.find("id"));
        for (const es::result_group& g : it.output()) {
          if (is_chat_group(g)) {
            rows.begin_cell(cell_kind::chat, g.from_name);
            rows.end_cell();
          }
          // Every group's transcript: whether the column exists is known at the end.
          std::string& t = rows.begin_cell(cell_kind::transcript, g.from_name);
          scratch.clear();
          append_transcript(scratch, g);
          append_quoted(t, scratch);
          rows.end_cell();
          append_group_cell(rows.begin_cell(cell_kind::column, g.from_name), g, scratch);
          rows.end_cell();
        }
        // get_annotator: a number is written as its text (quoted), a null completed_by as "None".
        {
          std::string& c = rows.begin_cell(cell_kind::column, "annotator");
          std::optional<element> a = it.annotator();
          if (std::optional<std::string> text = it.annotator_str())
            append_quoted(c, *text);
          else if (a && es::is_number(*a))
            append_quoted(c, es::python_str(*a));
          else
            append_cell(c, a, scratch);
          rows.end_cell();
        }
        set(cell_kind::column, "annotation_id", it.annotation_id);
        set(cell_kind::column, "created_at", it.created_at);
        set(cell_kind::column, "updated_at", it.updated_at);
        set(cell_kind::column, "lead_time", it.lead_time);
        if (it.agreement) set(cell_kind::column, "agreement", it.agreement);
        if (it.history && es::truthy(*it.history)) set(cell_kind::column, "history", it.history);
        rows.end_row();
      }
      return {};
    });
    // Which columns exist. Every output group has a transcript cell, so those name the outputs. An "agreement"
    // or "history" cell comes from the item's field or from an output of that name, which is a column anyway.
    std::set<std::string, std::less<>> data_keys, outputs, chats;
    bool agreement = false, history = false, any_row = false;
    row_spill rows(spill_limit);
    status st = es::for_each_prepared(tasks, preparer, log, [&](std::string_view task_rows) -> status {
      rows.append(task_rows);
      for_each_row_in(task_rows, [&](std::string_view row) {
        any_row = true;
        cell_kind kind;
        std::string_view name, cell;
        while (next_cell(row, kind, name, cell)) {
          std::set<std::string, std::less<>>* names = kind == cell_kind::data         ? &data_keys
                                                      : kind == cell_kind::transcript ? &outputs
                                                      : kind == cell_kind::chat       ? &chats
                                                                                      : nullptr;
          if (names) {
            if (names->find(name) == names->end()) names->emplace(name);
          } else if (name == "agreement") {
            agreement = true;
          } else if (name == "history") {
            history = true;
          }
        }
      });
      return {};
    });
    if (!st.ok()) return st;

    // Data keys equal to an output name anywhere in the export are renamed (spec §4 row 12).
    auto data_column = [&](std::string_view key) {
      return outputs.count(key) ? "_data_" + std::string(key) : std::string(key);
    };
    // "id" is a key of every row: with no rows there is none (the five others are always there).
    std::set<std::string> columns = {"annotator", "annotation_id", "created_at", "updated_at", "lead_time"};
    if (any_row) columns.insert("id");
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

    // The rows, laid out in the columns; unset cells are "".
    constexpr std::size_t none = std::size_t(-1);
    auto column_of = [&](cell_kind kind, std::string_view name) -> std::size_t {
      std::map<std::string, std::size_t, std::less<>>::const_iterator at;
      switch (kind) {
        case cell_kind::data: at = index.find(data_column(name)); break;
        case cell_kind::chat: return none;
        case cell_kind::transcript:
          if (!chats.count(name)) return none;
          at = index.find(std::string(name) + "_transcript");
          break;
        default: at = index.find(name); break;
      }
      return at == index.end() ? none : at->second;
    };
    std::vector<std::string_view> cells(order.size());
    std::vector<char> filled(order.size());
    column_cache cache;
    rows.for_each_row([&](std::string_view row) {
      std::fill(filled.begin(), filled.end(), 0);
      cell_kind kind;
      std::string_view name, cell;
      for (std::size_t position = 0; next_cell(row, kind, name, cell); ++position) {
        const std::size_t at = cache.at(position, kind, name, column_of);
        if (at == none) continue;
        cells[at] = cell;
        filled[at] = 1;
      }
      std::string& b = w.buffer();
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (i) b.push_back(delimiter);
        if (filled[i]) b += cells[i];
        else b += "\"\"";
      }
      b += "\r\n";
      w.maybe_flush();
    });
    return w.flush();
  });
}

}  // namespace annot::plugins::table_export
