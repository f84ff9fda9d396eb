// Engine selection for open_store(), the blocking run(), and the `annot db` commands.
#include "store/store.hpp"

#include <future>
#include <ostream>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/engine.hpp"
#include "store/sqlite/schema.hpp"
#include "store/time.hpp"

namespace annot::host::store {

namespace {

enum class engine_kind { sqlite, postgres, unknown };

engine_kind engine_of(std::string_view location) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0)
    return engine_kind::postgres;
  if (location.find("://") != std::string_view::npos && location.rfind("sqlite://", 0) != 0)
    return engine_kind::unknown;
  return engine_kind::sqlite;
}

status unsupported_engine(std::string_view location) {
  if (engine_of(location) == engine_kind::postgres)
    return status(errc::unsupported, "the PostgreSQL engine is not built in yet; use a SQLite path");
  return status(errc::invalid_argument, "unknown database location \"" + std::string(location) +
                                            "\": use a file path or sqlite:<path>");
}

template <class F>
result<schema_status> with_sqlite(const store_options& o, bool create, F&& f) {
  if (engine_of(o.location) != engine_kind::sqlite) return unsupported_engine(o.location);
  try {
    auto path = sqlite::path_from_location(o.location);
    if (path.empty()) return status(errc::invalid_argument, "the database location is empty");
    // `status` never creates a database; `migrate` does.
    auto c = sqlite::connection::open(
        path, create ? sqlite::connection::role::writer : sqlite::connection::role::maintenance);
    return f(*c, path);
  } catch (const sqlite::store_error& e) {
    return status(e.code(), e.what());
  } catch (const std::exception& e) {
    return status(errc::internal, e.what());
  }
}

}  // namespace

status store::run(unit_fn unit) {
  std::promise<status> done;
  auto f = done.get_future();
  submit(std::move(unit), [&done](const status& s) { done.set_value(s); });
  return f.get();
}

result<std::unique_ptr<store>> open_store(const store_options& options) {
  if (engine_of(options.location) != engine_kind::sqlite) return unsupported_engine(options.location);
  return sqlite::sqlite_store::open(options);
}

result<schema_status> db_status(const store_options& options) {
  return with_sqlite(options, false,
                     [](sqlite::connection& c, const std::string& path) -> result<schema_status> {
                       return sqlite::read_schema_status(c, path);
                     });
}

result<schema_status> db_migrate(const store_options& options) {
  return with_sqlite(options, true,
                     [](sqlite::connection& c, const std::string& path) -> result<schema_status> {
                       sqlite::apply_migrations(c);
                       return sqlite::read_schema_status(c, path);
                     });
}

void print_schema_status(const schema_status& s, std::ostream& out) {
  out << "database: " << s.engine << " " << s.location << "\n";
  out << "schema version: " << s.current_version << " (this build: " << s.latest_version << ")\n";
  for (const auto& m : s.migrations) {
    out << (m.applied_at ? "  applied  " : "  pending  ") << m.name;
    if (m.applied_at) out << "  " << to_iso8601(*m.applied_at);
    out << "\n";
  }
  if (s.current_version < s.latest_version) {
    out << "pending migrations: run `annot db migrate`\n";
  } else if (s.current_version > s.latest_version) {
    out << "the database is newer than this build\n";
  } else {
    out << "up to date\n";
  }
}

int run_db_command(std::string_view command, const store_options& options, std::ostream& out,
                   std::ostream& err) {
  result<schema_status> r = status(errc::invalid_argument, "");
  if (command == "status") {
    r = db_status(options);
  } else if (command == "migrate") {
    auto before = db_status(options);
    r = db_migrate(options);
    if (r) {
      int applied = 0;
      for (const auto& m : r->migrations)
        if (m.applied_at) ++applied;
      if (before)  // no database yet: everything was applied now
        for (const auto& m : before->migrations)
          if (m.applied_at) --applied;
      out << (applied > 0 ? "applied " + std::to_string(applied) + " migration(s)\n"
                          : std::string("nothing to apply\n"));
    }
  } else {
    err << "annot db: unknown command \"" << command << "\" (use status or migrate)\n";
    return 2;
  }
  if (!r) {
    err << "annot db " << command << ": " << r.error().message() << "\n";
    return 1;
  }
  print_schema_status(*r, out);
  return 0;
}

}  // namespace annot::host::store
