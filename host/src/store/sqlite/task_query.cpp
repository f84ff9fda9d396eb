// The data manager on SQLite: filters and ordering compiled to SQL with bound values, one
// index-driven scan per (query, project generation) collecting the ordered ids and totals, and
// pages served from that cached, compressed id list.
#include <algorithm>
#include <bit>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>

#include "store/sqlite/ops_impl.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

bool is_data(std::string_view c) {
  return c.size() > 5 && c.substr(0, 5) == "data.";
}

// Real task columns the data manager compares directly.
std::optional<std::string> plain_column(std::string_view c) {
  static const std::pair<std::string_view, std::string_view> cols[] = {
      {"id", "t.id"},
      {"inner_id", "t.inner_id"},
      {"total_annotations", "t.total_annotations"},
      {"cancelled_annotations", "t.cancelled_annotations"},
      {"total_predictions", "t.total_predictions"},
      {"predictions_score", "t.predictions_score"},
      {"avg_lead_time", "t.avg_lead_time"},
      {"comment_count", "t.comment_count"},
      {"comments", "t.comment_count"},
      {"unresolved_comment_count", "t.unresolved_comment_count"},
      {"completed_at", "t.completed_at"},
      {"created_at", "t.created_at"},
      {"updated_at", "t.updated_at"},
      {"last_comment_updated_at", "t.last_comment_updated_at"},
      {"ground_truth", "t.ground_truth"},
      {"is_labeled", "t.is_labeled"},
      {"draft_exists", "EXISTS (SELECT 1 FROM drafts xd WHERE xd.task_id = t.id)"},
  };
  for (const auto& [k, v] : cols)
    if (k == c) return std::string(v);
  return std::nullopt;
}

const char* file_name_sql =
    "(SELECT coalesce(nullif(f.original_name, ''), f.file) FROM file_uploads f WHERE f.id = "
    "t.file_upload_id)";

[[noreturn]] void unsupported(const filter_item& f) {
  fail(errc::invalid_argument, "filter on \"" + f.column + "\": operator " + std::string(to_string(f.op)) +
                                   " is not supported on this column");
}

std::string scalar_json(const scalar& s) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "null";
        } else {
          return nlohmann::json(x).dump();
        }
      },
      s);
}

// An annotation id written as digits only (Label Studio's str.isdigit), else nullopt.
std::optional<std::int64_t> digits_id(std::string_view s) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (s.empty() || s.front() == '-' || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return id;
}

// The ids in an annotations_ids value: the digit runs between commas, semicolons and spaces
// ("24,25" -> 24, 25), anything else dropped; a number is itself.
std::vector<std::int64_t> annotation_id_list(const scalar& v) {
  std::vector<std::int64_t> out;
  if (auto i = std::get_if<std::int64_t>(&v)) out.push_back(*i);
  if (auto text = std::get_if<std::string>(&v)) {
    std::string_view rest = *text;
    for (;;) {
      auto end = rest.find_first_of(",; ");
      if (auto id = digits_id(rest.substr(0, end))) out.push_back(*id);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  return out;
}

}  // namespace

struct ops::selection_sql {
  std::string where;
  std::vector<bind_value> binds;
  std::string sort_expr;  // empty: order by id
  bool sort_desc = false;
  bool numeric_strings = false;  // Number ordering of a data field
  std::vector<std::string> data_keys;

  std::string param(bind_value v) {
    binds.push_back(std::move(v));
    return "?" + std::to_string(binds.size());
  }
};

namespace {

using sel_t = std::vector<bind_value>;

// Turns a filter value into what SQLite compares it with, for a column of type `t`.
bind_value to_bind(const scalar& s, value_type t, bool real_column) {
  return std::visit(
      [&](const auto& x) -> bind_value {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return std::monostate{};
        } else if constexpr (std::is_same_v<T, bool>) {
          return std::int64_t(x ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return x;
        } else {
          if (t == value_type::datetime && real_column) {
            auto ts = parse_iso8601(x);
            if (!ts) fail(errc::invalid_argument, "\"" + x + "\" is not an ISO 8601 date or time");
            return std::int64_t(ts->time_since_epoch().count());
          }
          return x;
        }
      },
      s);
}

}  // namespace

ops::selection_sql ops::build_selection(const task_selection& sel, const project& p,
                                        const std::vector<order_item>* ordering) {
  selection_sql q;
  // The project id is spelt as a literal so that the project's partial expression indexes
  // (WHERE project_id = <id>) qualify; it is an integer from the database, not user text. With a
  // list of selected ids the list drives instead (the unary + keeps the planner off the project's
  // index, which without statistics it rates as a handful of rows: one selected task of 20,000
  // took 3.5 ms by a project scan, 0.04 ms by rowid).
  const bool by_list = sel.selected && !sel.selected->all;
  q.where = (by_list ? "+t.project_id = " : "t.project_id = ") + std::to_string(p.id);
  if (auto hidden = hidden_imports(p.id); !hidden.empty())
    q.where += " AND (t.import_id IS NULL OR t.import_id NOT IN (SELECT value FROM json_each(" +
               q.param(ids_to_json(hidden)) + ")))";

  auto data_expr = [&](const std::string& key) {
    q.data_keys.push_back(key);
    if (auto lit = data_path_literal(key)) return "json_extract(t.data, " + *lit + ")";
    return "(SELECT je.value FROM json_each(t.data) je WHERE je.key = " + q.param(key) + ")";
  };
  auto data_present = [&](const std::string& key) {
    if (auto lit = data_path_literal(key)) return "json_type(t.data, " + *lit + ") IS NOT NULL";
    return "EXISTS (SELECT 1 FROM json_each(t.data) je WHERE je.key = " + q.param(key) + ")";
  };
  auto list_json = [&](const filter_item& f) {
    std::string j = "[";
    for (std::size_t i = 0; i < f.list.size(); ++i) {
      if (i) j += ",";
      j += scalar_json(f.list[i]);
    }
    return q.param(j + "]");
  };
  // Comparisons of an expression with the item's value(s), shared by most column kinds.
  auto compare = [&](const filter_item& f, const std::string& e, bool real_column) -> std::string {
    auto v = [&] { return q.param(to_bind(f.value, f.type, real_column)); };
    auto text = "annot_lower(CAST(" + e + " AS TEXT))";
    switch (f.op) {
      case filter_op::equal:
        return e + " = " + v();
      case filter_op::not_equal:
        return e + " IS NOT " + v();
      case filter_op::greater:
        return e + " > " + v();
      case filter_op::greater_or_equal:
        return e + " >= " + v();
      case filter_op::less:
        return e + " < " + v();
      case filter_op::less_or_equal:
        return e + " <= " + v();
      case filter_op::in_range: {
        auto a = q.param(to_bind(f.min, f.type, real_column));
        auto b = q.param(to_bind(f.max, f.type, real_column));
        return e + " BETWEEN " + a + " AND " + b;
      }
      case filter_op::not_in_range: {
        auto a = q.param(to_bind(f.min, f.type, real_column));
        auto b = q.param(to_bind(f.max, f.type, real_column));
        return "NOT coalesce(" + e + " BETWEEN " + a + " AND " + b + ", 0)";
      }
      case filter_op::in_list:
        return e + " IN (SELECT value FROM json_each(" + list_json(f) + "))";
      case filter_op::not_in_list:
        return e + " NOT IN (SELECT value FROM json_each(" + list_json(f) + "))";
      case filter_op::contains:
        return "instr(" + text + ", annot_lower(" + v() + ")) > 0";
      case filter_op::not_contains:
        return "NOT coalesce(instr(" + text + ", annot_lower(" + v() + ")) > 0, 0)";
      case filter_op::starts_with: {
        auto x = v();
        return "substr(" + text + ", 1, length(" + x + ")) = annot_lower(" + x + ")";
      }
      case filter_op::ends_with: {
        auto x = v();
        return "(length(" + x + ") = 0 OR substr(" + text + ", -length(" + x + ")) = annot_lower(" + x + "))";
      }
      case filter_op::regex:
        return "coalesce(annot_regexp(" + v() + ", CAST(" + e + " AS TEXT)), 0)";
      case filter_op::empty:
        return std::get<bool>(f.value) ? e + " IS NULL" : e + " IS NOT NULL";
      case filter_op::exists:
        return e + " IS NOT NULL";
      case filter_op::not_exists:
        return e + " IS NULL";
    }
    unsupported(f);
  };
  // "Some related row matches" columns: annotators, results, ids, model versions.
  auto related = [&](const filter_item& f, const std::string& table, const std::string& e) -> std::string {
    std::string base = "SELECT 1 FROM " + table + " x WHERE x.task_id = t.id";
    switch (f.op) {
      case filter_op::empty: {
        // A result that is an empty list counts as none (Label Studio's add_result_filter).
        const bool results = e == "x.result";
        return std::string(std::get<bool>(f.value) ? "NOT " : "") + "EXISTS (" + base +
               (results ? " AND json_array_length(x.result) > 0" : "") + ")";
      }
      case filter_op::not_equal:
      case filter_op::not_contains:
      case filter_op::not_in_list: {
        filter_item pos = f;
        pos.op = f.op == filter_op::not_equal      ? filter_op::equal
                 : f.op == filter_op::not_contains ? filter_op::contains
                                                   : filter_op::in_list;
        return "NOT EXISTS (" + base + " AND " + compare(pos, e, false) + ")";
      }
      case filter_op::exists:
        return "EXISTS (" + base + ")";
      case filter_op::not_exists:
        return "NOT EXISTS (" + base + ")";
      default:
        return "EXISTS (" + base + " AND " + compare(f, e, false) + ")";
    }
  };

  auto item_sql = [&](const filter_item& f) -> std::string {
    if (is_data(f.column)) {
      std::string key = f.column.substr(5);
      if (f.op == filter_op::exists) return data_present(key);
      if (f.op == filter_op::not_exists) return "NOT (" + data_present(key) + ")";
      std::string e = data_expr(key);
      if (f.op == filter_op::empty)
        return std::get<bool>(f.value) ? "(" + e + " IS NULL OR " + e + " = '')"
                                       : "(" + e + " IS NOT NULL AND " + e + " <> '')";
      if (f.type == value_type::number) {
        // Label Studio compares Number data fields numerically and counts numeric strings ("50")
        // as numbers. The plain range on the raw value lets the expression index narrow the scan
        // (text sorts after every number, so it keeps every candidate).
        std::string n = "annot_num(" + e + ")";
        switch (f.op) {
          case filter_op::greater:
          case filter_op::greater_or_equal: {
            auto x = q.param(to_bind(f.value, f.type, false));
            return "(" + e + " >= " + x + " AND " + n + (f.op == filter_op::greater ? " > " : " >= ") + x +
                   ")";
          }
          case filter_op::in_range: {
            auto a = q.param(to_bind(f.min, f.type, false));
            auto b = q.param(to_bind(f.max, f.type, false));
            return "(" + e + " >= " + a + " AND " + n + " BETWEEN " + a + " AND " + b + ")";
          }
          case filter_op::equal:
          case filter_op::not_equal:
          case filter_op::less:
          case filter_op::less_or_equal:
          case filter_op::not_in_range:
          case filter_op::in_list:
          case filter_op::not_in_list:
            return compare(f, n, false);
          default:
            return compare(f, e, false);  // text operators on the raw value
        }
      }
      return compare(f, e, false);
    }
    if (f.column == "annotators") {
      filter_item g = f;
      if (g.op == filter_op::contains) g.op = filter_op::equal;
      if (g.op == filter_op::not_contains) g.op = filter_op::not_equal;
      g.type = value_type::number;
      g.value = std::visit(
          [](const auto& x) -> scalar {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
              try {
                return std::int64_t(std::stoll(x));
              } catch (...) {
                return x;
              }
            } else {
              return x;
            }
          },
          f.value);
      switch (g.op) {
        case filter_op::equal:
        case filter_op::not_equal:
        case filter_op::in_list:
        case filter_op::not_in_list:
        case filter_op::empty:
        case filter_op::exists:
        case filter_op::not_exists:
          return related(g, "annotations", "x.completed_by");
        default:
          unsupported(f);
      }
    }
    if (f.column == "updated_by") {
      filter_item g = f;
      if (g.op == filter_op::contains) g.op = filter_op::equal;
      if (g.op == filter_op::not_contains) g.op = filter_op::not_equal;
      g.type = value_type::number;
      return compare(g, "t.updated_by", true);
    }
    if (f.column == "annotations_results") return related(f, "annotations", "x.result");
    if (f.column == "predictions_results") return related(f, "predictions", "x.result");
    if (f.column == "annotations_ids") {
      // As Label Studio: contains takes a list of ids ("3", "24,25", "1 2;3") and matches a task with
      // any of them exactly; equal takes one id (text that is not one matches nothing).
      if (f.op == filter_op::contains || f.op == filter_op::not_contains) {
        filter_item g = f;
        g.op = f.op == filter_op::contains ? filter_op::in_list : filter_op::not_in_list;
        g.list.clear();
        for (auto id : annotation_id_list(f.value)) g.list.push_back(id);
        return related(g, "annotations", "x.id");
      }
      if (f.op == filter_op::equal || f.op == filter_op::not_equal) {
        filter_item g = f;
        std::optional<std::int64_t> id;
        if (auto i = std::get_if<std::int64_t>(&f.value)) id = *i;
        if (auto text = std::get_if<std::string>(&f.value)) id = digits_id(*text);
        g.value = id.value_or(0);
        return related(g, "annotations", "x.id");
      }
      return related(f, "annotations", "CAST(x.id AS TEXT)");
    }
    if (f.column == "predictions_model_versions") return related(f, "predictions", "x.model_version");
    if (f.column == "file_upload") {
      if (f.op == filter_op::empty)
        return std::get<bool>(f.value) ? "t.file_upload_id IS NULL" : "t.file_upload_id IS NOT NULL";
      return compare(f, file_name_sql, false);
    }
    if (auto col = plain_column(f.column)) {
      // Counters are never NULL: Label Studio reads "empty" on them as zero.
      if (f.op == filter_op::empty && (f.column == "total_annotations" || f.column == "total_predictions" ||
                                       f.column == "cancelled_annotations"))
        return *col + (std::get<bool>(f.value) ? " = 0" : " <> 0");
      return compare(f, *col, true);
    }
    fail(errc::invalid_argument, "unknown filter column \"" + f.column + "\"");
  };

  if (!sel.filters.items.empty()) {
    // Joined as a balanced tree: a chain of N terms is an expression N deep, and SQLite refuses one deeper
    // than 1,000 (a tab of ~1,000 filters broke every read of it); halves keep any number of filters ~log2 N
    // deep.
    std::vector<std::string> terms;
    terms.reserve(sel.filters.items.size());
    for (const auto& f : sel.filters.items) terms.push_back("(" + item_sql(f) + ")");
    const char* op = sel.filters.any ? " OR " : " AND ";
    while (terms.size() > 1) {
      std::vector<std::string> joined;
      joined.reserve((terms.size() + 1) / 2);
      for (std::size_t i = 0; i < terms.size(); i += 2)
        joined.push_back(i + 1 < terms.size() ? "(" + terms[i] + op + terms[i + 1] + ")"
                                              : std::move(terms[i]));
      terms = std::move(joined);
    }
    q.where += " AND " + terms.front();
  }
  if (sel.selected) {
    if (by_list) {
      q.where +=
          " AND t.id IN (SELECT value FROM json_each(" + q.param(ids_to_json(sel.selected->ids)) + "))";
    } else if (!sel.selected->ids.empty()) {
      q.where +=
          " AND t.id NOT IN (SELECT value FROM json_each(" + q.param(ids_to_json(sel.selected->ids)) + "))";
    }
  }

  if (ordering && !ordering->empty()) {
    if (ordering->size() > 1) fail(errc::invalid_argument, "ordering: only one column is supported");
    const order_item& o = ordering->front();
    q.sort_desc = o.descending;
    const std::string& c = o.column;
    if (c == "id") {
      // ids themselves
    } else if (is_data(c)) {
      q.sort_expr = data_expr(c.substr(5));
      q.numeric_strings = o.type == value_type::number;
    } else if (c == "annotations_results") {
      q.sort_expr = "(SELECT group_concat(x.result, ',') FROM annotations x WHERE x.task_id = t.id)";
    } else if (c == "predictions_results") {
      q.sort_expr = "(SELECT group_concat(x.result, ',') FROM predictions x WHERE x.task_id = t.id)";
    } else if (c == "annotations_ids") {
      q.sort_expr = "(SELECT group_concat(x.id, ',') FROM annotations x WHERE x.task_id = t.id)";
    } else if (c == "predictions_model_versions") {
      q.sort_expr = "(SELECT group_concat(x.model_version, ',') FROM predictions x WHERE x.task_id = t.id)";
    } else if (c == "file_upload") {
      q.sort_expr = file_name_sql;
    } else if (auto col = plain_column(c)) {
      q.sort_expr = *col;
    } else {
      fail(errc::invalid_argument, "ordering: column \"" + c + "\" cannot be ordered");
    }
  }
  return q;
}

namespace {

// Orders distinct task ids. An index scan yields them in runs (one per value of the index's
// leading columns), and a 500,000-id std::sort was a fifth of a cold data-manager page: when the
// ids are dense enough, a bitmap over their range orders them in two linear passes instead.
void order_ids(std::vector<std::int64_t>& ids, bool desc) {
  if (ids.size() < 2) return;
  auto [lo_it, hi_it] = std::minmax_element(ids.begin(), ids.end());
  const std::int64_t lo = *lo_it, hi = *hi_it;
  const std::uint64_t span = std::uint64_t(hi) - std::uint64_t(lo) + 1;
  if (span / 64 > ids.size()) {  // sparse: the bitmap would cost more than the sort
    if (desc) std::sort(ids.begin(), ids.end(), std::greater<>());
    else std::sort(ids.begin(), ids.end());
    return;
  }
  std::vector<std::uint64_t> bits((span + 63) / 64, 0);
  for (auto id : ids) {
    const std::uint64_t at = std::uint64_t(id) - std::uint64_t(lo);
    bits[at / 64] |= std::uint64_t(1) << (at % 64);
  }
  std::size_t out = 0;
  auto emit = [&](std::size_t word) {
    std::uint64_t w = bits[word];
    if (!desc) {
      while (w) {
        ids[out++] = lo + std::int64_t(word * 64 + std::size_t(std::countr_zero(w)));
        w &= w - 1;
      }
    } else {
      while (w) {
        const int top = 63 - std::countl_zero(w);
        ids[out++] = lo + std::int64_t(word * 64 + std::size_t(top));
        w &= ~(std::uint64_t(1) << top);
      }
    }
  };
  if (desc) {
    for (std::size_t word = bits.size(); word-- > 0;) emit(word);
  } else {
    for (std::size_t word = 0; word < bits.size(); ++word) emit(word);
  }
}

}  // namespace

std::shared_ptr<const cached_selection> ops::resolve(const task_query& q, const project& p) {
  // The cache key: everything that decides the ordered set (not the page).
  nlohmann::json k = nlohmann::json::array();
  k.push_back(p.id);
  k.push_back(q.selection.filters.any);
  for (const auto& f : q.selection.filters.items) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : f.list) list.push_back(scalar_json(v));
    k.push_back({f.column, to_string(f.op), to_string(f.type), scalar_json(f.value), scalar_json(f.min),
                 scalar_json(f.max), list});
  }
  if (q.selection.selected) k.push_back({q.selection.selected->all, q.selection.selected->ids});
  for (const auto& o : q.ordering) k.push_back({o.column, o.descending, to_string(o.type)});
  const std::string key = k.dump();
  const bool use_cache = !writer();
  if (use_cache) {
    auto hit = st_.cache.find(
        key, [&](const cached_selection& e) { return e.project_id == p.id && st_.fresh(p.id, e.tag); });
    if (hit) {
      st_.cache_hits.fetch_add(1, std::memory_order_relaxed);
      return hit;
    }
    st_.cache_misses.fetch_add(1, std::memory_order_relaxed);
  }

  selection_sql ss = build_selection(q.selection, p, &q.ordering);
  for (const auto& key_name : ss.data_keys) request_index_if_missing(p.id, key_name, true);
  collector c;
  if (!ss.sort_expr.empty()) {
    c.sort = collector::key_kind::number;  // the collector records each value's own type
    c.numeric_strings = ss.numeric_strings;
  }
  std::string sql = "SELECT annot_collect(t.id, t.total_annotations, t.total_predictions" +
                    (ss.sort_expr.empty() ? std::string() : ", " + ss.sort_expr) + ") FROM tasks t WHERE " +
                    ss.where;
  {
    auto s = db_.prepare(sql);
    for (std::size_t i = 0; i < ss.binds.size(); ++i) s.bind(int(i + 1), ss.binds[i]);
    struct scope {
      connection& db;
      ~scope() { db.active_collector = nullptr; }
    } reset{db_};
    db_.active_collector = &c;
    s.run();
  }

  std::vector<std::int64_t> ordered;
  if (ss.sort_expr.empty()) {
    ordered = std::move(c.ids);
    order_ids(ordered, ss.sort_desc);
  } else {
    std::vector<std::uint32_t> perm(c.ids.size());
    std::iota(perm.begin(), perm.end(), 0u);
    const bool desc = ss.sort_desc;
    // NULL/missing last in both directions (as Label Studio orders with nulls_last), numbers
    // before text (SQLite's order), ties by id in the same direction.
    std::sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) {
      int ta = c.key_types[a], tb = c.key_types[b];
      if ((ta == 0) != (tb == 0)) return tb == 0;
      if (ta != 0) {
        if (ta != tb) return desc ? ta > tb : ta < tb;
        if (ta == 1) {
          if (c.num_keys[a] != c.num_keys[b])
            return desc ? c.num_keys[a] > c.num_keys[b] : c.num_keys[a] < c.num_keys[b];
        } else if (int cmp = c.text_keys[a].compare(c.text_keys[b]); cmp != 0) {
          return desc ? cmp > 0 : cmp < 0;
        }
      }
      return desc ? c.ids[a] > c.ids[b] : c.ids[a] < c.ids[b];
    });
    ordered.reserve(perm.size());
    for (auto i : perm) ordered.push_back(c.ids[i]);
  }
  auto entry = cached_selection::encode(ordered);
  entry->project_id = p.id;
  entry->tag = lease_epoch_;
  entry->sum_annotations = c.sum_annotations;
  entry->sum_predictions = c.sum_predictions;
  if (use_cache) st_.cache.put(key, entry);
  return entry;
}

result<task_page> ops::query_tasks(const task_query& q) {
  return guard([&]() -> result<task_page> {
    if (q.page < 1) return status(errc::invalid_argument, "page must be at least 1");
    if (q.page_size < 1) return status(errc::invalid_argument, "page_size must be at least 1");
    project p = require_project(q.selection.project_id);
    task_page out;
    // A page past any project's end (DRF: 404 "Invalid page."): its offset would overflow.
    if (q.page - 1 > std::numeric_limits<std::int64_t>::max() / q.page_size / 2)
      return status(errc::not_found, "Invalid page.");
    const std::int64_t from = (q.page - 1) * q.page_size;

    const bool by_id =
        q.ordering.empty() ||
        (q.ordering.size() == 1 && (q.ordering[0].column == "id" || q.ordering[0].column == "inner_id"));
    if (q.selection.filters.items.empty() && !q.selection.selected && by_id) {
      // The whole project by id: totals are the project's maintained counters, and the page
      // comes straight from the (project_id, inner_id) index.
      out.total = p.task_number;
      out.total_annotations = p.total_annotations_number;
      out.total_predictions = p.total_predictions_number;
      if (from >= out.total) return out;
      const bool desc = !q.ordering.empty() && q.ordering[0].descending;
      auto hidden_ids = hidden_imports(p.id);
      // Shallow pages: skipping a few thousand index entries is cheaper than anything else.
      if (from < st_.options.offset_scan_limit) {
        auto s =
            db_.prepare(cat({"SELECT ", task_columns_sql,
                             " FROM tasks t WHERE ", project_is("t.project_id", p.id),
                             " AND (?4 = '[]' OR t.import_id IS NULL OR "
                             "t.import_id NOT IN (SELECT value FROM json_each(?4))) ORDER BY t.inner_id ",
                             desc ? "DESC" : "ASC", " LIMIT ?2 OFFSET ?3"}));
        s.args(p.id, q.page_size, from, ids_to_json(hidden_ids));
        while (s.step()) out.tasks.push_back(read_task(s));
        return out;
      }
      // Deep pages of a project whose inner ids have no holes (the usual case: nothing deleted):
      // the page's first inner id is arithmetic, and the page a keyset read.
      if (hidden_ids.empty()) {
        const std::string own = project_is("project_id", p.id);
        auto m = db_.prepare(cat({"SELECT (SELECT min(inner_id) FROM tasks WHERE ", own,
                                  "), (SELECT max(inner_id) FROM tasks WHERE ", own, ")"}));
        if (m.step() && !m.is_null(0) && m.i64(1) - m.i64(0) + 1 == p.task_number) {
          std::int64_t boundary = desc ? m.i64(1) - from : m.i64(0) + from;
          auto s = db_.prepare(
              cat({"SELECT ", task_columns_sql, " FROM tasks t WHERE ", project_is("t.project_id", p.id), " AND t.inner_id ",
                   desc ? "<= ?2 ORDER BY t.inner_id DESC" : ">= ?2 ORDER BY t.inner_id ASC", " LIMIT ?3"}));
          s.args(p.id, boundary, q.page_size);
          while (s.step()) out.tasks.push_back(read_task(s));
          return out;
        }
      }
      // Otherwise the general path below: one scan, then cached positions.
    }

    auto sel = resolve(q, p);
    out.total = sel->total;
    out.total_annotations = sel->sum_annotations;
    out.total_predictions = sel->sum_predictions;
    std::vector<std::int64_t> ids;
    sel->decode(static_cast<std::size_t>(from), static_cast<std::size_t>(q.page_size), ids);
    if (ids.empty()) return out;
    auto s = db_.prepare(
        cat({"SELECT ", task_columns_sql, " FROM tasks t WHERE t.id IN (SELECT value FROM json_each(?1))"}));
    s.args(ids_to_json(ids));
    std::unordered_map<std::int64_t, task> rows;
    rows.reserve(ids.size());
    while (s.step()) {
      task t = read_task(s);
      rows.emplace(t.id, std::move(t));
    }
    out.tasks.reserve(ids.size());
    for (auto id : ids)
      if (auto it = rows.find(id); it != rows.end()) out.tasks.push_back(std::move(it->second));
    return out;
  });
}

result<std::vector<std::int64_t>> ops::select_task_ids(const task_query& q) {
  return guard([&]() -> result<std::vector<std::int64_t>> {
    project p = require_project(q.selection.project_id);
    auto sel = resolve(q, p);
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(sel->total));
    sel->decode(0, static_cast<std::size_t>(sel->total), ids);
    return ids;
  });
}

std::vector<std::int64_t> ops::selection_ids(const task_selection& s, std::int64_t limit, const char* extra) {
  project p = require_project(s.project_id);
  selection_sql ss = build_selection(s, p, nullptr);
  std::string sql = "SELECT t.id FROM tasks t WHERE " + ss.where;
  if (extra) sql += std::string(" AND ") + extra;
  sql += " LIMIT " + std::to_string(limit);
  auto st = db_.prepare(sql);
  for (std::size_t i = 0; i < ss.binds.size(); ++i) st.bind(int(i + 1), ss.binds[i]);
  std::vector<std::int64_t> out;
  while (st.step()) out.push_back(st.i64(0));
  return out;
}

}  // namespace annot::host::store::sqlite
