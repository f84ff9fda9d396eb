// `annot db status|migrate`: the schema version of the database and its pending migrations.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "store/store.hpp"

namespace annot::host::cli {

int run_db(const std::vector<std::string>& args) {
  option_table table;
  table.value("data-dir", "ANNOT_DATA_DIR", "./data", "where the database lives (data-dir/annot.db)")
      .value("db", "ANNOT_DB", "", "database location (sqlite:PATH or a path); default: data-dir/annot.db")
      .flag("help", "", "show this help");
  const char* usage = "usage: annot db status|migrate [--data-dir D | --db LOCATION]\n";
  auto parsed = table.parse(args);
  if (!parsed) {
    std::fprintf(stderr, "annot db: %s\n\n%s\noptions:\n%s", parsed.error().message().c_str(), usage, table.help().c_str());
    return 2;
  }
  if (parsed->flag("help")) {
    std::printf("%s\noptions:\n%s", usage, table.help().c_str());
    return 0;
  }
  if (parsed->positional.size() != 1) {
    std::fprintf(stderr, "%s", usage);
    return 2;
  }
  store::store_options options;
  std::string db = parsed->get("db");
  options.location =
      db.empty() ? "sqlite:" + (std::filesystem::path(parsed->get("data-dir")) / "annot.db").string() : db;
  if (db.empty() && parsed->positional.front() == "migrate") {
    std::error_code ec;
    std::filesystem::create_directories(parsed->get("data-dir"), ec);
  }
  return store::run_db_command(parsed->positional.front(), options, std::cout, std::cerr);
}

}  // namespace annot::host::cli
