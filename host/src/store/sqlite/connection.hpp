// One SQLite connection with its prepared-statement cache, typed bind/column helpers and the
// engine's SQL functions (annot_num, annot_regexp, annot_collect). Used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <annot/status.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "store/model.hpp"

namespace annot::host::store::sqlite {

// How long every connection waits for a lock another holds (PRAGMA busy_timeout) before SQLITE_BUSY.
inline constexpr int busy_timeout_ms = 10000;

// Internal failure carrying a status code; caught at the unit / read boundary and turned into a
// status. Never leaves the engine.
class store_error : public std::runtime_error {
 public:
  store_error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  errc code() const noexcept { return code_; }

 private:
  errc code_;
};

[[noreturn]] void fail(errc code, const std::string& message);

// Concatenates SQL fragments (one allocation; also sidesteps GCC 12's -Warray-bounds false
// positives on chains of std::string operator+).
std::string cat(std::initializer_list<std::string_view> parts);

// A value bound to a parameter built at run time (data-manager queries).
using bind_value = std::variant<std::monostate, std::int64_t, double, std::string>;

class connection;

// Text bound without a copy (SQLITE_STATIC): the caller keeps it alive and unchanged for as long as the
// statement handle it is bound to (the handle's end clears its bindings). For results, where a 60 MB
// text's copy into SQLite was a tenth of a save's time on the writer.
struct borrowed_text {
  std::string_view text;
};

// A borrowed prepared statement: reset (and its bindings cleared) when the handle goes away, so
// the cached statement is ready for the next user. Move-only.
class statement {
 public:
  statement(connection* owner, sqlite3_stmt* s, bool owned) noexcept : owner_(owner), s_(s), owned_(owned) {}
  statement(statement&& o) noexcept : owner_(o.owner_), s_(o.s_), owned_(o.owned_) { o.s_ = nullptr; }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement& operator=(statement&&) = delete;
  ~statement();

  // Parameters are 1-based, as in SQLite.
  statement& bind(int i, std::int64_t v);
  statement& bind(int i, int v) { return bind(i, std::int64_t(v)); }
  statement& bind(int i, bool v) { return bind(i, std::int64_t(v ? 1 : 0)); }
  statement& bind(int i, double v);
  statement& bind(int i, std::string_view v);  // copied (SQLITE_TRANSIENT)
  statement& bind(int i, borrowed_text v);     // not copied: see borrowed_text
  statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, std::nullopt_t);
  statement& bind(int i, timestamp t) { return bind(i, std::int64_t(t.time_since_epoch().count())); }
  statement& bind(int i, const bind_value& v);
  template <class T>
  statement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, *v);
    return bind(i, std::nullopt);
  }
  // Binds arguments to ?1, ?2, ...
  template <class... A>
  statement& args(const A&... a) {
    int i = 0;
    (bind(++i, a), ...);
    return *this;
  }

  // One step: true when a row is available, false when done. Throws store_error on failure.
  bool step();
  // Steps to the end (for statements without rows).
  void run();

  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  int type(int col) const { return sqlite3_column_type(s_, col); }
  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  bool boolean(int col) const { return sqlite3_column_int64(s_, col) != 0; }
  double f64(int col) const { return sqlite3_column_double(s_, col); }
  std::string_view view(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(s_, col))) : std::string_view();
  }
  std::string text(int col) const { return std::string(view(col)); }
  timestamp ts(int col) const { return timestamp(std::chrono::microseconds(i64(col))); }
  std::optional<std::int64_t> opt_i64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::int64_t>(i64(col));
  }
  std::optional<double> opt_f64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<double>(f64(col));
  }
  std::optional<std::string> opt_text(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::string>(text(col));
  }
  std::optional<timestamp> opt_ts(int col) const {
    return is_null(col) ? std::nullopt : std::optional<timestamp>(ts(col));
  }

  sqlite3_stmt* raw() const noexcept { return s_; }

 private:
  connection* owner_;
  sqlite3_stmt* s_;
  bool owned_;
};

// What annot_collect() gathers while the data manager scans a selection.
struct collector {
  enum class key_kind { none, number, text };
  key_kind sort = key_kind::none;  // what the 4th argument is, when there is one
  bool numeric_strings = false;    // Number ordering on data fields: "50" sorts as 50
  std::vector<std::int64_t> ids;
  std::vector<double> num_keys;        // per id when sorting by a value (NaN = NULL / not a number)
  std::vector<std::string> text_keys;  // per id; paired with key_types
  std::vector<signed char> key_types;  // 0 null, 1 number, 2 text (SQLite's order: NULL, numbers, text)
  std::int64_t sum_annotations = 0;
  std::int64_t sum_predictions = 0;
};

class connection {
 public:
  enum class role { writer, reader, maintenance };
  // Opens `path` (created for the writer), applies the engine's pragmas and registers functions.
  // `read_ahead`: the connection reads the file mostly in order (an export), through
  // read_ahead_vfs.hpp's windows.
  static std::unique_ptr<connection> open(const std::string& path, role r, bool read_ahead = false);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // A cached prepared statement for `sql` (prepared on first use). When the cached one is already
  // in use (a nested call), a private one is prepared and finalized after use.
  statement prepare(std::string_view sql);
  // Runs one statement through the cache (BEGIN, SAVEPOINT, RELEASE on hot paths).
  void run_cached(std::string_view sql) { prepare(sql).run(); }
  // Runs one or more statements without caching (DDL, pragmas).
  void exec(const char* sql);
  void exec(const std::string& sql) { exec(sql.c_str()); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() const noexcept { return db_; }
  role kind() const noexcept { return role_; }

  // The collector annot_collect() appends to; set around one query.
  collector* active_collector = nullptr;

  // Throws store_error for `rc` with the connection's message.
  [[noreturn]] void throw_error(int rc, std::string_view context) const;

 private:
  friend class statement;
  connection(sqlite3* db, role r) : db_(db), role_(r) {}
  void release(sqlite3_stmt* s, bool owned) noexcept;

  struct cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_;
  role role_;
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, cached, text_hash, std::equal_to<>> cache_;
  std::unordered_map<sqlite3_stmt*, cached*> by_handle_;
};

// Maps a SQLite result code to a status code (constraint -> already_exists/invalid_argument, disk
// errors -> io_error, the rest -> internal).
errc map_sqlite_error(int extended_rc) noexcept;

}  // namespace annot::host::store::sqlite
