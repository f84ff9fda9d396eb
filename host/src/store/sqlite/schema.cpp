// Schema migrations: a schema_migrations table records what was applied and when.
#include "store/sqlite/schema.hpp"

#include <algorithm>
#include <map>

#include "store/migrations/embedded.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

std::vector<migrations::embedded_migration> known() {
  std::vector<migrations::embedded_migration> out;
  for (const auto& m : migrations::all())
    if (m.engine == "sqlite") out.push_back(m);
  return out;
}

void ensure_table(connection& c) {
  c.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at INTEGER NOT NULL)");
}

}  // namespace

int latest_schema_version() {
  int v = 0;
  for (const auto& m : known()) v = std::max(v, m.version);
  return v;
}

schema_status read_schema_status(connection& c, const std::string& location) {
  schema_status st;
  st.engine = "sqlite";
  st.location = location;
  st.latest_version = latest_schema_version();
  std::map<int, std::pair<std::string, timestamp>> applied;
  auto has = c.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  if (has.step()) {
    auto s = c.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    while (s.step()) applied[int(s.i64(0))] = {s.text(1), s.ts(2)};
  }
  for (const auto& m : known()) {
    schema_migration_info i;
    i.version = m.version;
    i.name = std::string(m.name);
    if (auto it = applied.find(m.version); it != applied.end()) {
      i.applied_at = it->second.second;
      applied.erase(it);
    }
    st.migrations.push_back(std::move(i));
  }
  // Versions the database has but this build does not know (a newer build migrated it).
  for (const auto& [v, a] : applied) st.migrations.push_back({v, a.first, a.second});
  for (const auto& m : st.migrations)
    if (m.applied_at) st.current_version = std::max(st.current_version, m.version);
  return st;
}

std::vector<int> apply_migrations(connection& c) {
  ensure_table(c);
  auto st = read_schema_status(c, "");
  if (st.current_version > st.latest_version)
    fail(errc::failed_precondition, "the database schema is version " + std::to_string(st.current_version) +
                                        ", newer than this build (" + std::to_string(st.latest_version) +
                                        "); use a newer annot");
  std::vector<int> done;
  for (const auto& m : known()) {
    bool applied = false;
    for (const auto& i : st.migrations)
      if (i.version == m.version && i.applied_at) applied = true;
    if (applied) continue;
    c.exec("BEGIN IMMEDIATE");
    try {
      c.exec(std::string(m.sql));
      auto ins = c.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)");
      ins.args(std::int64_t(m.version), m.name, now()).run();
      c.exec("COMMIT");
    } catch (const store_error& e) {
      try {
        c.exec("ROLLBACK");
      } catch (...) {
      }
      throw store_error(e.code(), "migration " + std::string(m.name) + " failed: " + e.what());
    }
    done.push_back(m.version);
  }
  return done;
}

}  // namespace annot::host::store::sqlite
