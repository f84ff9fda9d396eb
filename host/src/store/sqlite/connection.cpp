// SQLite connections: pragmas, the statement cache, and the SQL functions the engine's queries use.
#include "store/sqlite/connection.hpp"
#include "store/sqlite/read_ahead_vfs.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>

#include "util/unicode_lower.hpp"

namespace annot::host::store::sqlite {

namespace {

constexpr std::size_t max_cached_statements = 512;

// annot_num(x): x as a number when it is one or a string that is one ("50", " -7.5 "); else NULL.
// Label Studio compares data fields typed Number this way.
void fn_num(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_value* v = argv[0];
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      sqlite3_result_int64(ctx, sqlite3_value_int64(v));
      return;
    case SQLITE_FLOAT:
      sqlite3_result_double(ctx, sqlite3_value_double(v));
      return;
    case SQLITE_TEXT: {
      std::string_view s(reinterpret_cast<const char*>(sqlite3_value_text(v)),
                         std::size_t(sqlite3_value_bytes(v)));
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
      if (s.empty()) break;
      std::int64_t i;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && p == s.data() + s.size()) {
        sqlite3_result_int64(ctx, i);
        return;
      }
      double d;
      auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec2 == std::errc() && p2 == s.data() + s.size() && std::isfinite(d)) {
        sqlite3_result_double(ctx, d);
        return;
      }
      break;
    }
    default:
      break;
  }
  sqlite3_result_null(ctx);
}

// annot_regexp(pattern, x): a Perl-style search (PCRE2), as Python's `re.search` runs Label Studio's
// regex filter on SQLite. An invalid pattern matches nothing (Label Studio answers an empty page, not
// an error). PCRE2 backtracks on its heap within a step budget, so a pattern that would backtrack
// for ages on a long text ("(a|b)*c" over 20 KB) is no match instead of a stack overflow (std::regex
// recursed once per character and crashed the server). The compiled pattern is kept as auxiliary data.
// annot_lower(x): lower() for every script, not only A-Z (util::unicode_lower); NULL stays NULL.
void fn_lower(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (!text) return sqlite3_result_error_nomem(ctx);
  const std::string lower =
      util::unicode_lower(std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, lower.data(), static_cast<int>(lower.size()), SQLITE_TRANSIENT);
}

struct compiled_regex {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
  pcre2_match_context* limits = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ~compiled_regex() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(limits);
    pcre2_match_data_free(match);
    pcre2_code_free(code);
  }
};

// Steps one row's search may take: ~10-50 ms of backtracking, then the row does not match.
constexpr std::uint32_t regex_match_limit = 1'000'000;

std::unique_ptr<compiled_regex> compile_regex(std::string_view pattern) {
  auto c = std::make_unique<compiled_regex>();
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF with Unicode classes (\w, \d as Python 3 reads them); texts that are not valid UTF-8 are searched
  // anyway rather than refused.
  c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (!c->code) return c;
  (void)pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE);  // interpreted where JIT is unavailable
  c->match = pcre2_match_data_create_from_pattern(c->code, nullptr);
  c->limits = pcre2_match_context_create(nullptr);
  if (!c->match || !c->limits) {
    c->code = (pcre2_code_free(c->code), nullptr);
    return c;
  }
  pcre2_set_match_limit(c->limits, regex_match_limit);
  // Room to backtrack over a long text ("^(ab)+$" over 200 KB): the JIT's own stack grows to 16 MiB
  // (32 KiB by default), the interpreter's frames to 64 MiB. Pages are taken as they are used.
  pcre2_set_heap_limit(c->limits, 64 * 1024);
  c->stack = pcre2_jit_stack_create(32 * 1024, 16 * 1024 * 1024, nullptr);
  if (c->stack) pcre2_jit_stack_assign(c->limits, nullptr, c->stack);
  return c;
}

void fn_regexp(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  auto* c = static_cast<compiled_regex*>(sqlite3_get_auxdata(ctx, 0));
  std::unique_ptr<compiled_regex> fresh;
  if (!c) {
    const auto* pattern = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    if (!pattern) return sqlite3_result_error_nomem(ctx);
    fresh = compile_regex(std::string_view(pattern, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
    c = fresh.get();
  }
  int matched = 0;
  if (c->code) {
    const auto* text = sqlite3_value_text(argv[1]);
    if (!text) return sqlite3_result_error_nomem(ctx);
    const auto n = static_cast<PCRE2_SIZE>(sqlite3_value_bytes(argv[1]));
    // Negative results (no match, the step budget spent, a bad offset) all read as "no match".
    matched = pcre2_match(c->code, text, n, 0, 0, c->match, c->limits) >= 0 ? 1 : 0;
  }
  // Kept for the next rows while the pattern argument stays the same; SQLite may free it at once, so
  // it is handed over only after this row's use.
  if (fresh)
    sqlite3_set_auxdata(ctx, 0, fresh.release(), [](void* p) { delete static_cast<compiled_regex*>(p); });
  sqlite3_result_int(ctx, matched);
}

// annot_collect(id, total_annotations, total_predictions [, sort key]): appends to the
// connection's active collector. Runs inside the SQLite VM, so a scan costs no per-row round trip.
void fn_collect_step(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* conn = static_cast<connection*>(sqlite3_user_data(ctx));
  collector* c = conn->active_collector;
  if (!c) {
    sqlite3_result_error(ctx, "annot_collect without a collector", -1);
    return;
  }
  c->ids.push_back(sqlite3_value_int64(argv[0]));
  c->sum_annotations += sqlite3_value_int64(argv[1]);
  c->sum_predictions += sqlite3_value_int64(argv[2]);
  if (argc < 4 || c->sort == collector::key_kind::none) return;
  sqlite3_value* k = argv[3];
  int t = sqlite3_value_type(k);
  if (c->numeric_strings && t == SQLITE_TEXT) {
    // Number ordering of a data field: numeric strings count as numbers, other text as missing.
    std::string_view s(reinterpret_cast<const char*>(sqlite3_value_text(k)),
                       std::size_t(sqlite3_value_bytes(k)));
    double d;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    bool ok = ec == std::errc() && p == s.data() + s.size() && !s.empty();
    c->key_types.push_back(ok ? 1 : 0);
    c->num_keys.push_back(ok ? d : 0);
    c->text_keys.emplace_back();
    return;
  }
  switch (t) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      c->key_types.push_back(1);
      c->num_keys.push_back(sqlite3_value_double(k));
      c->text_keys.emplace_back();
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      if (c->numeric_strings) {  // blobs never come from JSON; treat as missing
        c->key_types.push_back(0);
        c->num_keys.push_back(0);
        c->text_keys.emplace_back();
        break;
      }
      c->key_types.push_back(2);
      c->num_keys.push_back(0);
      c->text_keys.emplace_back(reinterpret_cast<const char*>(sqlite3_value_text(k)),
                                std::size_t(sqlite3_value_bytes(k)));
      break;
    default:
      c->key_types.push_back(0);
      c->num_keys.push_back(0);
      c->text_keys.emplace_back();
      break;
  }
}

void fn_collect_final(sqlite3_context* ctx) {
  auto* conn = static_cast<connection*>(sqlite3_user_data(ctx));
  sqlite3_result_int64(ctx, conn->active_collector ? std::int64_t(conn->active_collector->ids.size()) : 0);
}

}  // namespace

void fail(errc code, const std::string& message) {
  throw store_error(code, message);
}

std::string cat(std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (auto p : parts) out.append(p);
  return out;
}

errc map_sqlite_error(int rc) noexcept {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return errc::already_exists;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_CHECK:
      return errc::invalid_argument;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return errc::io_error;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errc::failed_precondition;
    default:
      return errc::internal;
  }
}

// ---- statement --------------------------------------------------------------------------------------

statement::~statement() {
  if (s_) owner_->release(s_, owned_);
}

statement& statement::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(s_, i, v); rc != SQLITE_OK) owner_->throw_error(rc, "bind");
  return *this;
}

statement& statement::bind(int i, double v) {
  if (int rc = sqlite3_bind_double(s_, i, v); rc != SQLITE_OK) owner_->throw_error(rc, "bind");
  return *this;
}

statement& statement::bind(int i, std::string_view v) {
  if (int rc = sqlite3_bind_text64(s_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      rc != SQLITE_OK)
    owner_->throw_error(rc, "bind");
  return *this;
}

statement& statement::bind(int i, borrowed_text v) {
  if (int rc = sqlite3_bind_text64(s_, i, v.text.data() ? v.text.data() : "", v.text.size(), SQLITE_STATIC,
                                   SQLITE_UTF8);
      rc != SQLITE_OK)
    owner_->throw_error(rc, "bind");
  return *this;
}

statement& statement::bind(int i, std::nullopt_t) {
  if (int rc = sqlite3_bind_null(s_, i); rc != SQLITE_OK) owner_->throw_error(rc, "bind");
  return *this;
}

statement& statement::bind(int i, const bind_value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          bind(i, std::nullopt);
        } else {
          bind(i, x);
        }
      },
      v);
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  owner_->throw_error(sqlite3_extended_errcode(owner_->raw()), sqlite3_sql(s_) ? sqlite3_sql(s_) : "step");
}

void statement::run() {
  while (step()) {
  }
}

// ---- connection -------------------------------------------------------------------------------------

std::unique_ptr<connection> connection::open(const std::string& path, role r, bool read_ahead) {
  // Process-wide and only possible before SQLite initialises: without memory statistics every
  // allocation skips a global mutex (the writer allocates a lot, and Debian's SQLite has no
  // lookaside). A later call fails harmlessly.
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;  // one thread at a time: no mutex needed
  if (r == role::writer) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, read_ahead ? read_ahead_vfs_name() : nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    fail(errc::io_error, "cannot open database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<connection> c(new connection(db, r));
  sqlite3_busy_timeout(db, busy_timeout_ms);
  if (r == role::writer) {
    // WAL: readers never block the writer nor each other. synchronous=FULL: a commit is on disk
    // (WAL fsynced) before the writer reports it, so an acknowledged write survives power loss.
    c->exec("PRAGMA journal_mode = WAL");
    // Checkpoints run on the maintenance connection, off the writer's commit path.
    c->exec("PRAGMA wal_autocheckpoint = 0");
  }
  c->exec("PRAGMA synchronous = FULL");
  c->exec("PRAGMA foreign_keys = ON");
  c->exec("PRAGMA temp_store = MEMORY");
  // Debian builds SQLite with SECURE_DELETE; FAST keeps the privacy of freed pages where it costs
  // no extra I/O.
  c->exec("PRAGMA secure_delete = FAST");
  // Readers read through the OS page cache (shared by every connection) instead of copying pages.
  // Not the writer: its pages would count towards the process's RSS during a large import.
  if (r == role::reader) c->exec("PRAGMA mmap_size = 1073741824");
  c->exec("PRAGMA cache_size = -16384");
  if (r == role::reader) c->exec("PRAGMA query_only = 1");

  constexpr int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  sqlite3_create_function_v2(db, "annot_num", 1, det, nullptr, fn_num, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "annot_regexp", 2, det, nullptr, fn_regexp, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "annot_lower", 1, det, nullptr, fn_lower, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "annot_collect", 3, SQLITE_UTF8, c.get(), nullptr, fn_collect_step,
                             fn_collect_final, nullptr);
  sqlite3_create_function_v2(db, "annot_collect", 4, SQLITE_UTF8, c.get(), nullptr, fn_collect_step,
                             fn_collect_final, nullptr);
  return c;
}

connection::~connection() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  sqlite3_close_v2(db_);
}

void connection::throw_error(int rc, std::string_view context) const {
  std::string msg = sqlite3_errmsg(db_);
  if (!context.empty()) {
    std::string ctx(context.substr(0, 160));
    msg += " (in: " + ctx + ")";
  }
  throw store_error(map_sqlite_error(rc), msg);
}

statement connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return statement(this, it->second.stmt, false);
  }
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), int(sql.size()),
                              it == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0, &s, nullptr);
  if (rc != SQLITE_OK) throw_error(sqlite3_extended_errcode(db_), sql);
  if (it != cache_.end()) return statement(this, s, true);  // nested use of a busy statement
  if (cache_.size() >= max_cached_statements) {
    // Mostly data-manager queries with one-off shapes; drop the idle ones.
    for (auto e = cache_.begin(); e != cache_.end();) {
      if (!e->second.in_use) {
        by_handle_.erase(e->second.stmt);
        sqlite3_finalize(e->second.stmt);
        e = cache_.erase(e);
      } else {
        ++e;
      }
    }
  }
  auto [pos, inserted] = cache_.emplace(std::string(sql), cached{s, true});
  by_handle_[s] = &pos->second;
  return statement(this, s, false);
}

void connection::release(sqlite3_stmt* s, bool owned) noexcept {
  if (owned) {
    sqlite3_finalize(s);
    return;
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (auto it = by_handle_.find(s); it != by_handle_.end()) it->second->in_use = false;
}

void connection::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw store_error(map_sqlite_error(sqlite3_extended_errcode(db_)),
                      msg + " (in: " + std::string(sql).substr(0, 160) + ")");
  }
}

}  // namespace annot::host::store::sqlite
