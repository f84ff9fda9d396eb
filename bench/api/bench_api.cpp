// API benchmarks. `setup DIR` prepares a data directory for run.sh (wrk): a user, an image project,
// 10,000 tasks; prints "TOKEN FIRST_TASK LAST_TASK". `dm DIR [--tasks N] [--rebuild]` builds a
// 1,000,000-task project with bench/store's deterministic generator (30% annotated, "split" =
// "train" on about half) and times GET /api/tasks pages over HTTP, each on the first request after
// a restart of the host (a new host_app on the same database), then warm.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/host_app.hpp"
#include "bench_common.hpp"
#include "store/store.hpp"
#include "test_http_client.hpp"

using namespace annot::host;
using namespace annot::bench;
namespace fs = std::filesystem;

namespace {

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += char(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::unique_ptr<store::store> open(const fs::path& dir) {
  fs::create_directories(dir);
  auto s = store::open_store({(dir / "annot.db").string()});
  if (!s) throw std::runtime_error(s.error().message());
  return std::move(*s);
}

std::string make_user(store::store& s) {
  auto u = s.run<store::user>([](store::write_context& w) { return w.create_user({.email = "bench@example.com"}); });
  if (!u) throw std::runtime_error(u.error().message());
  return *s.read()->legacy_token(u->id);
}

int setup(const fs::path& dir) {
  auto s = open(dir);
  const std::string token = make_user(*s);
  auto p = s->run<store::project>([](store::write_context& w) {
    store::project_fields f;
    f.title = "api bench";
    f.label_config = label_config();
    f.data_types = R"({"image":"Image"})";
    f.data_keys = std::vector<std::string>{"image"};
    return w.create_project({f, std::nullopt});
  });
  if (!p) throw std::runtime_error(p.error().message());
  std::int64_t first = 0, last = 0;
  for (int i = 0; i < 10000; ++i) {
    auto t = s->run<store::task>([&](store::write_context& w) {
      return w.create_task({.project_id = p->id, .data = task_data(std::uint64_t(i))});
    });
    if (!t) throw std::runtime_error(t.error().message());
    if (!first) first = t->id;
    last = t->id;
  }
  std::cout << token << ' ' << first << ' ' << last << '\n';
  return 0;
}

bool annotated(std::int64_t i) { return mix(std::uint64_t(i) ^ 0x5eed) % 10 < 3; }

// The same project as bench_store_dm's, in a host data directory, plus a user.
std::pair<std::int64_t, std::string> build(const fs::path& dir, std::int64_t n) {
  fs::remove_all(dir);
  auto s = open(dir);
  const std::string token = make_user(*s);
  auto p = s->run<store::project>([](store::write_context& w) {
    store::project_fields f;
    f.title = "dm bench";
    f.label_config = label_config();
    f.data_types = R"({"image":"Image"})";
    f.data_keys = std::vector<std::string>{"image", "split"};
    return w.create_project({f, std::nullopt});
  });
  auto imp = s->run<store::import_record>([&](store::write_context& w) { return w.begin_import({p->id}); });
  const std::string result = prediction_result();
  for (std::int64_t first = 0; first < n; first += 5000) {
    std::vector<store::import_task> tasks;
    for (std::int64_t i = first; i < std::min(n, first + 5000); ++i) {
      store::import_task t;
      t.data = task_data(std::uint64_t(i));
      if (annotated(i)) {
        store::import_annotation a;
        a.result = result;
        a.lead_time = 3.5;
        t.annotations.push_back(std::move(a));
      }
      tasks.push_back(std::move(t));
    }
    auto b = s->run<store::staged_batch>([&](store::write_context& w) { return w.stage_tasks(imp->id, tasks); });
    if (!b) throw std::runtime_error(b.error().message());
  }
  auto pub = s->run<store::import_record>([&](store::write_context& w) { return w.publish_import(imp->id, {}); });
  if (!pub) throw std::runtime_error(pub.error().message());
  s->drain();
  return {p->id, token};
}

struct page_timing {
  int status = 0;
  double first_ms = 0, warm_ms = 0;
  std::int64_t total = -1;
};

page_timing time_page(const fs::path& dir, const std::string& token, const std::string& target) {
  app::host_options o;
  o.http.address = "127.0.0.1";
  o.http.port = 0;
  o.data_dir = dir;
  auto created = app::host_app::create(o);  // a restart: a new store, nothing cached
  if (!created) throw std::runtime_error(created.error().message());
  auto& host = **created;
  const std::uint16_t port = host.start();
  annot::test::http_client c(port, "127.0.0.1", std::chrono::seconds(60));
  const annot::test::header_list h = {{"Authorization", "Token " + token}};
  c.request("GET", "/health");  // the connection is up; time only the API request
  page_timing out;
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.request("GET", target, {}, h);
  out.first_ms = seconds_since(t0) * 1000;
  out.status = r.status;
  if (r.status == 200) {
    auto j = nlohmann::json::parse(r.body);
    out.total = j["total"].get<std::int64_t>();
  }
  t0 = std::chrono::steady_clock::now();
  c.request("GET", target, {}, h);
  out.warm_ms = seconds_since(t0) * 1000;
  return out;
}

int dm(const fs::path& dir, std::int64_t n, bool rebuild) {
  std::int64_t project_id = 1;
  std::string token;
  if (rebuild || !fs::exists(dir / "annot.db") || !fs::exists(dir / "token")) {
    auto t0 = std::chrono::steady_clock::now();
    std::tie(project_id, token) = build(dir, n);
    std::ofstream(dir / "token") << token;
    std::printf("built %lld tasks (30%% annotated) in %.1f s\n", static_cast<long long>(n), seconds_since(t0));
  } else {
    std::ifstream(dir / "token") >> token;
    std::printf("reusing %s (--rebuild to regenerate)\n", dir.string().c_str());
  }
  // Issue 5's query (both filters: about 150,000 tasks, so page 5,000 is past the end: a 404), then
  // the data-field filter alone (about half the tasks: page 5,000 exists).
  const std::string split = R"({"filter":"filter:tasks:data.split","operator":"equal","type":"String","value":"train"})";
  const std::string annotated_filter =
      R"({"filter":"filter:tasks:total_annotations","operator":"greater_or_equal","type":"Number","value":1})";
  const struct {
    const char* name;
    std::string query;
  } queries[] = {
      {"data.split = train AND total_annotations >= 1",
       R"({"filters":{"conjunction":"and","items":[)" + split + "," + annotated_filter + R"(]},"ordering":["tasks:-id"]})"},
      {"data.split = train", R"({"filters":{"conjunction":"and","items":[)" + split + R"(]},"ordering":["tasks:-id"]})"},
  };
  for (const auto& q : queries) {
    const std::string base =
        "/api/tasks?project=" + std::to_string(project_id) + "&page_size=100&query=" + url_encode(q.query);
    auto first = time_page(dir, token, base + "&page=1");
    const std::int64_t last = std::max<std::int64_t>(1, (first.total + 99) / 100);
    std::printf("GET /api/tasks, %s, ordered by -id, page size 100 (%lld tasks)\n", q.name,
                static_cast<long long>(first.total));
    std::printf("  %-12s %6s %16s %10s\n", "page", "status", "first after restart", "warm");
    for (std::int64_t page : {std::int64_t(1), std::int64_t(5000), last}) {
      auto t = page == 1 ? first : time_page(dir, token, base + "&page=" + std::to_string(page));
      std::printf("  %-12lld %6d %16.1f ms %7.2f ms\n", static_cast<long long>(page), t.status, t.first_ms, t.warm_ms);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 3 && !std::strcmp(argv[1], "setup")) return setup(argv[2]);
    if (argc >= 3 && !std::strcmp(argv[1], "dm")) {
      std::int64_t n = 1'000'000;
      bool rebuild = false;
      for (int i = 3; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--tasks") && i + 1 < argc) n = std::stoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--rebuild")) rebuild = true;
      }
      return dm(argv[2], n, rebuild);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_api: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: bench_api setup DIR | bench_api dm DIR [--tasks N] [--rebuild]\n");
  return 2;
}
