// Many small projects: what creating a project with its first task costs as projects add up, and what
// a fresh read-only store's first read costs at the end (what every `annot export` and CLI command
// pays), with data-key indexes from each project's first task (the rule before migration 0011:
// data_index_min_tasks = 1) and with the default (from the 5,000th task), in the same run. SQLite
// parses every index of the schema when a connection opens and after each schema change.
//   bench_store_projects [DIR] [--projects N]   (default 2,000)
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

#include "bench_common.hpp"
#include "store/store.hpp"

using namespace annot::host::store;
using namespace annot::bench;
namespace fs = std::filesystem;

namespace {

struct figures {
  std::vector<double> ms_per_project;  // one per slice of projects
  double open_ms = 0;                   // median: read-only store opened, one project read
  std::int64_t indexes = 0;
};

constexpr std::int64_t kSlice = 500;

std::int64_t data_indexes(const fs::path& db) {
  sqlite3* c = nullptr;
  sqlite3_stmt* st = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'tasks_data_%'",
                         -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(c);
  return n;
}

figures run(const fs::path& db, std::int64_t projects, std::int64_t min_tasks) {
  for (const char* end : {"", "-wal", "-shm"}) fs::remove(db.string() + end);
  figures out;
  {
    store_options o;
    o.location = db.string();
    o.data_index_min_tasks = min_tasks;
    auto s = open_store(o);
    if (!s) throw std::runtime_error(s.error().message());
    auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < projects; ++i) {
      auto p = (*s)->run<project>([&](write_context& w) {
        project_fields f;
        f.title = "project " + std::to_string(i);
        f.label_config = label_config();
        f.data_keys = std::vector<std::string>{"image"};
        return w.create_project({f, std::nullopt});
      });
      if (!p) throw std::runtime_error(p.error().message());
      auto t = (*s)->run<task>([&](write_context& w) { return w.create_task({p->id, task_data(i)}); });
      if (!t) throw std::runtime_error(t.error().message());
      if ((i + 1) % kSlice == 0 || i + 1 == projects) {
        const std::int64_t in_slice = (i % kSlice) + 1;
        out.ms_per_project.push_back(seconds_since(t0) * 1000 / double(in_slice));
        t0 = std::chrono::steady_clock::now();
      }
    }
    (*s)->drain();
  }
  out.indexes = data_indexes(db);
  std::vector<double> opens;
  for (int k = 0; k < 9; ++k) {
    store_options o;
    o.location = db.string();
    o.read_only = true;
    o.readers = 1;
    auto t0 = std::chrono::steady_clock::now();
    auto s = open_store(o);
    if (!s) throw std::runtime_error(s.error().message());
    auto p = (*s)->read()->get_project(1);
    if (!p) throw std::runtime_error(p.error().message());
    opens.push_back(seconds_since(t0) * 1000);
  }
  std::sort(opens.begin(), opens.end());
  out.open_ms = opens[opens.size() / 2];
  return out;
}

void print(const char* rule, const figures& f) {
  std::printf("%-28s %6lld  ", rule, static_cast<long long>(f.indexes));
  for (double ms : f.ms_per_project) std::printf("%6.2f", ms);
  std::printf("   %6.2f ms\n", f.open_ms);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "annot-bench-projects";
  std::int64_t projects = 2000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--projects") && i + 1 < argc)
      projects = std::max<std::int64_t>(1, std::stoll(argv[++i]));
    else
      dir = argv[i];
  }
  fs::create_directories(dir);
  const fs::path db = dir / "projects.db";
  std::printf("%lld projects, each created with one task (its data key asked for an index)\n",
              static_cast<long long>(projects));
  std::printf("%-28s %6s  %s   %s\n", "data-key index", "built", "ms per project, by 500",
              "read-only open + first read (median of 9)");
  // Alternated twice: this VM's speed drifts by tens of percent over minutes.
  for (int round = 0; round < 2; ++round) {
    print("from the first task (min 1)", run(db, projects, 1));
    print("from 5,000 tasks (default)", run(db, projects, store_options{}.data_index_min_tasks));
  }
  for (const char* end : {"", "-wal", "-shm"}) fs::remove(db.string() + end);
  return 0;
}
