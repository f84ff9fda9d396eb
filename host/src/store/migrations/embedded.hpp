// The schema migrations compiled into the binary (generated from migrations/<engine>/NNNN_name.sql).
#pragma once

#include <span>
#include <string_view>

namespace annot::host::store::migrations {

struct embedded_migration {
  std::string_view engine;  // the folder name: "sqlite", later "postgres"
  int version = 0;          // NNNN
  std::string_view name;    // "0001_initial"
  std::string_view sql;
};

// Every embedded migration, sorted by engine then version.
std::span<const embedded_migration> all();

}  // namespace annot::host::store::migrations
