// The labeling stream (/next) of a large project with maximum_annotations 2: a deterministic 60% of
// the tasks already hold one annotation by another annotator, so the breadth-first rule applies at
// every call. Times next_task for a fresh annotator who takes a task, annotates it and asks again,
// once with the tasks_project_breadth index and once without it (dropped in the same run: the
// baseline is the scan the stream did before that index), plus the worst case of the index's walk.
//   bench_store_next [DIR] [--tasks N] [--calls K]
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "bench_common.hpp"
#include "store/store.hpp"
#include "store/time.hpp"

using namespace annot::host::store;
using namespace annot::bench;
namespace fs = std::filesystem;

namespace {

bool annotated(std::int64_t i) {
  return mix(std::uint64_t(i) ^ 0xb4ead7) % 10 < 6;
}

struct built {
  std::int64_t project_id = 0, first_annotator = 0;
};

built build(store& s, std::int64_t n) {
  built b;
  b.first_annotator = s.run<user>([](write_context& w) { return w.create_user({"first@bench.io"}); })->id;
  project_fields f;
  f.title = "next bench";
  f.label_config = label_config();
  f.maximum_annotations = 2;
  f.overlap_cohort_percentage = 100;
  auto p = s.run<project>([&](write_context& w) { return w.create_project({f, std::nullopt}); });
  if (!p) throw std::runtime_error(p.error().message());
  b.project_id = p->id;
  import_annotation a;
  a.result = prediction_result();
  a.completed_by = b.first_annotator;
  import_generated(s, p->id, n, annotated, a);
  return b;
}

void exec(const fs::path& db, const char* sql) {
  sqlite3* c = nullptr;
  if (sqlite3_open(db.string().c_str(), &c) != SQLITE_OK)
    throw std::runtime_error("cannot open the database");
  char* err = nullptr;
  int rc = sqlite3_exec(c, sql, nullptr, nullptr, &err);
  std::string why = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(c);
  if (rc != SQLITE_OK) throw std::runtime_error(why);
}

struct series {
  std::vector<double> next_ms;
  double worst_ms = 0;
  std::vector<std::int64_t> handed;
};

// K rounds of /next + annotate for a new annotator, then /next for the annotator of the import, who
// has nothing left (the scan that finds no task, as a 404 does).
series run(const fs::path& db, const built& b, int calls, const std::string& email) {
  auto opened = open_store({db.string()});
  if (!opened) throw std::runtime_error(opened.error().message());
  store& s = **opened;
  auto u = s.run<user>([&](write_context& w) { return w.create_user({email}); });
  if (!u) throw std::runtime_error(u.error().message());
  auto next = [&](std::int64_t user_id) {
    return s.run<std::optional<task>>([&](write_context& w) {
      next_task_request q;
      q.project_id = b.project_id;
      q.user_id = user_id;
      q.lock_ttl = std::chrono::seconds(600);
      return w.next_task(q, now());
    });
  };
  series out;
  for (int i = 0; i < calls; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto t = next(u->id);
    out.next_ms.push_back(seconds_since(t0) * 1000);
    if (!t || !*t) throw std::runtime_error("no task handed out");
    out.handed.push_back((*t)->id);
    auto a = s.run<annotation>([&](write_context& w) {
      new_annotation na;
      na.task_id = (*t)->id;
      na.completed_by = u->id;
      na.result = prediction_result();
      return w.create_annotation(na);
    });
    if (!a) throw std::runtime_error(a.error().message());
  }
  // The import's annotator: every task with a count is theirs, so the walk down the index reads all
  // of them before it reaches the tasks nobody annotated (the worst case; the scan always reads all).
  auto unlocked =
      s.run([&](write_context& w) { return w.unlock_user_tasks(b.project_id, b.first_annotator); });
  if (!unlocked.ok()) throw std::runtime_error(unlocked.message());
  auto t0 = std::chrono::steady_clock::now();
  auto own = next(b.first_annotator);
  out.worst_ms = seconds_since(t0) * 1000;
  if (!own || !*own) throw std::runtime_error("no task for the import's annotator");
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "annot-bench-next";
  std::int64_t n = 200'000;
  int calls = 50;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tasks") && i + 1 < argc) {
      n = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--calls") && i + 1 < argc) {
      calls = std::stoi(argv[++i]);
    } else {
      dir = argv[i];
    }
  }
  fs::create_directories(dir);
  fs::path db = dir / "next.db";
  for (const char* ext : {"", "-wal", "-shm"}) fs::remove(db.string() + ext);
  built b;
  {
    auto opened = open_store({db.string()});
    if (!opened) throw std::runtime_error(opened.error().message());
    auto t0 = std::chrono::steady_clock::now();
    b = build(**opened, n);
    std::printf("built %lld tasks (60%% with one annotation, maximum_annotations 2) in %.1f s\n",
                static_cast<long long>(n), seconds_since(t0));
  }
  auto with = run(db, b, calls, "with@bench.io");
  exec(db, "DROP INDEX tasks_project_breadth");
  auto without = run(db, b, calls, "without@bench.io");
  exec(db,
       "CREATE INDEX tasks_project_breadth ON tasks(project_id, is_labeled, (total_annotations + "
       "cancelled_annotations) DESC, inner_id)");
  std::printf("/next then annotate, %d rounds each, median (first call, slowest):\n", calls);
  std::printf("  with tasks_project_breadth:    %8.3f ms (%.3f, %.3f)\n", median(with.next_ms),
              with.next_ms[0], *std::max_element(with.next_ms.begin(), with.next_ms.end()));
  std::printf("  without (the scan it replaces): %8.3f ms (%.3f, %.3f)  ratio %.0fx\n",
              median(without.next_ms), without.next_ms[0],
              *std::max_element(without.next_ms.begin(), without.next_ms.end()),
              median(without.next_ms) / std::max(median(with.next_ms), 1e-6));
  std::printf(
      "  the import's annotator, who annotated every counted task (the walk reads them all): %.1f / "
      "%.1f ms\n",
      with.worst_ms, without.worst_ms);
  // Breadth first in a sequential project: the tasks holding one annotation in inner-id order. The
  // first series completed its tasks (two annotations each), so the second one takes the ones after
  // them. A fresh database numbers task i as i + 1.
  std::vector<std::int64_t> expected, handed = with.handed;
  handed.insert(handed.end(), without.handed.begin(), without.handed.end());
  for (std::int64_t i = 0; i < n && expected.size() < handed.size(); ++i)
    if (annotated(i)) expected.push_back(i + 1);
  std::printf("  tasks handed out as the rule says, in both series: %s\n", handed == expected ? "yes" : "NO");
  std::printf("peak RSS %ld MB\n", peak_rss_mb());
  return handed == expected ? 0 : 1;
}
