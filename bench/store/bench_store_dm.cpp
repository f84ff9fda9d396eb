// Data-manager pages on a 1,000,000-task project from a deterministic generator (30% of tasks
// annotated, data field "split" = "train" on about half). Each page is timed on the first request
// after a restart of the store (cold caches, cold statements), then once more warm.
//   bench_store_dm [DIR] [--tasks N] [--rebuild]
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "bench_common.hpp"
#include "store/store.hpp"

using namespace annot::host::store;
using namespace annot::bench;
namespace fs = std::filesystem;

namespace {

bool annotated(std::int64_t i) {
  return mix(std::uint64_t(i) ^ 0x5eed) % 10 < 3;
}

std::int64_t build(const fs::path& db, std::int64_t n) {
  fs::remove(db);
  fs::remove(db.string() + "-wal");
  fs::remove(db.string() + "-shm");
  auto opened = open_store({db.string()});
  if (!opened) throw std::runtime_error(opened.error().message());
  store& s = **opened;
  auto p = s.run<project>([](write_context& w) {
    project_fields f;
    f.title = "dm bench";
    f.label_config = label_config();
    f.data_keys = std::vector<std::string>{"image", "split"};
    return w.create_project({f, std::nullopt});
  });
  import_annotation a;
  a.result = prediction_result();
  a.lead_time = 3.5;
  import_generated(s, p->id, n, annotated, a);
  s.drain();  // the data-key indexes
  return p->id;
}

struct measured {
  double first_ms = 0, warm_ms = 0;
  std::int64_t total = 0;
  std::size_t rows = 0;
};

measured fetch_page(const fs::path& db, std::int64_t project_id, const std::string& query,
                    std::int64_t page_no) {
  auto opened = open_store({db.string()});  // a restart: nothing cached
  if (!opened) throw std::runtime_error(opened.error().message());
  store& s = **opened;
  auto q = parse_dm_query(project_id, query);
  if (!q) throw std::runtime_error(q.error().message());
  q->page = page_no;
  q->page_size = 100;
  measured m;
  auto t0 = std::chrono::steady_clock::now();
  auto r = s.read()->query_tasks(*q);
  m.first_ms = seconds_since(t0) * 1000;
  if (!r) throw std::runtime_error(r.error().message());
  m.total = r->total;
  m.rows = r->tasks.size();
  t0 = std::chrono::steady_clock::now();
  auto again = s.read()->query_tasks(*q);
  m.warm_ms = seconds_since(t0) * 1000;
  if (!again || again->tasks.size() != m.rows) throw std::runtime_error("the warm answer differs");
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "annot-bench-dm";
  std::int64_t n = 1'000'000;
  bool rebuild = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tasks") && i + 1 < argc) {
      n = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--rebuild")) {
      rebuild = true;
    } else {
      dir = argv[i];
    }
  }
  fs::create_directories(dir);
  fs::path db = dir / "dm.db";
  std::int64_t project_id = 1;
  if (rebuild || !fs::exists(db)) {
    auto t0 = std::chrono::steady_clock::now();
    project_id = build(db, n);
    std::printf("built %lld tasks (30%% annotated) in %.1f s\n", static_cast<long long>(n),
                seconds_since(t0));
  } else {
    std::printf("reusing %s (--rebuild to regenerate)\n", db.string().c_str());
  }

  struct scenario {
    const char* name;
    std::string query;
  };
  const std::string both =
      R"({"ordering":["tasks:-id"],"filters":{"conjunction":"and","items":[
        {"filter":"filter:tasks:data.split","operator":"equal","type":"String","value":"train"},
        {"filter":"filter:tasks:total_annotations","operator":"greater_or_equal","type":"Number","value":1}]}})";
  const std::string data_only =
      R"({"ordering":["tasks:-id"],"filters":{"conjunction":"and","items":[
        {"filter":"filter:tasks:data.split","operator":"equal","type":"String","value":"train"}]}})";
  const std::string none = R"({"ordering":["tasks:-id"]})";
  std::printf("page size 100, ordered by id descending; first request after a restart / warm\n");
  for (const auto& sc : {scenario{"data.split = train AND total_annotations >= 1", both},
                         scenario{"data.split = train", data_only}, scenario{"no filter", none}}) {
    auto first = fetch_page(db, project_id, sc.query, 1);
    std::int64_t last = (first.total + 99) / 100;
    std::printf("%s: %lld tasks, %lld pages\n", sc.name, static_cast<long long>(first.total),
                static_cast<long long>(last));
    std::vector<std::int64_t> pages = {1, std::max<std::int64_t>(1, last / 2), 5000, last};
    std::sort(pages.begin(), pages.end());
    pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
    for (auto pg : pages) {
      auto m = fetch_page(db, project_id, sc.query, pg);
      std::printf("  page %6lld: %7.2f ms first, %6.2f ms warm, %zu rows%s\n", static_cast<long long>(pg),
                  m.first_ms, m.warm_ms, m.rows,
                  pg > last ? " (past the end)" : (pg == last ? " (last page)" : ""));
    }
  }
  std::printf("peak RSS %ld MB\n", peak_rss_mb());
  return 0;
}
