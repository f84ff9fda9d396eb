// Numbered schema migrations for the SQLite engine (embedded from migrations/sqlite/NNNN_*.sql).
#pragma once

#include <string>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace annot::host::store::sqlite {

// The newest schema version this build knows.
int latest_schema_version();
// The schema as the database records it (schema_migrations), next to every known migration.
schema_status read_schema_status(connection& c, const std::string& location);
// Applies every pending migration, each in its own transaction; returns the versions applied.
// Refuses (failed_precondition) a database whose schema is newer than this build.
std::vector<int> apply_migrations(connection& c);

}  // namespace annot::host::store::sqlite
