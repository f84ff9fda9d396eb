// Annotation writes through group commit: C concurrent clients, each with one write in flight (as
// HTTP clients waiting for their 201), for D seconds. Each write is durable (synchronous=FULL)
// before its callback runs. Prints writes/s, commits/s and latency percentiles.
//   bench_store_writes [DIR] [--clients C] [--seconds D]
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bench_common.hpp"
#include "store/store.hpp"

using namespace annot::host::store;
using namespace annot::bench;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "annot-bench-writes";
  int clients = 64;
  double duration = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--clients") && i + 1 < argc) {
      clients = std::stoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      duration = std::stod(argv[++i]);
    } else {
      dir = argv[i];
    }
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto opened = open_store({(dir / "writes.db").string()});
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message().c_str());
    return 1;
  }
  store& s = **opened;
  auto p = s.run<project>([](write_context& w) {
    project_fields f;
    f.label_config = label_config();
    return w.create_project({f, std::nullopt});
  });
  std::vector<std::int64_t> tasks;
  for (int i = 0; i < 1000; ++i)
    tasks.push_back(s.run<task>([&](write_context& w) {
                       return w.create_task({p->id, task_data(std::uint64_t(i))});
                     })->id);
  auto u = s.run<user>([](write_context& w) { return w.create_user({"bench@example.com"}); });

  const std::string result = prediction_result();
  {
    // The writer's own cost per annotation: 20,000 units queued at once (full batches).
    const int n = 20000;
    rusage r0{};
    getrusage(RUSAGE_SELF, &r0);
    auto q0 = std::chrono::steady_clock::now();
    for (int k = 0; k < n; ++k) {
      new_annotation a;
      a.task_id = tasks[std::size_t(k) % tasks.size()];
      a.completed_by = u->id;
      a.result = result;
      s.submit<annotation>([a](write_context& w) { return w.create_annotation(a); },
                           [](annot::result<annotation>) {});
    }
    s.drain();
    double secs = seconds_since(q0);
    rusage r1{};
    getrusage(RUSAGE_SELF, &r1);
    auto cpu = [](const rusage& r) {
      return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
             double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
    };
    // CPU time per write is what the figure would be on an idle core (the machine is shared).
    std::printf(
        "writer capacity: %d annotations queued at once in %.2f s = %.0f writes/s (%.1f us wall, %.1f us CPU "
        "each)\n",
        n, secs, n / secs, secs / n * 1e6, (cpu(r1) - cpu(r0)) / n * 1e6);
  }
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> failures{0};
  auto make = [&](std::uint64_t k) {
    new_annotation a;
    a.task_id = tasks[(k * 7919) % tasks.size()];
    a.completed_by = u->id;
    a.result = result;
    a.lead_time = 4.2;
    return a;
  };
  auto percentiles = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    auto pct = [&](double q) { return v.empty() ? 0.0 : v[std::size_t(q * double(v.size() - 1))]; };
    std::printf(
        "  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f (target >= 5000 writes/s, p99 < 20 ms)\n",
        pct(0.5), pct(0.9), pct(0.99), pct(1.0));
  };
  std::int64_t written = 0;

  // 1. Asynchronous clients, as HTTP handlers use the store: each of C clients submits its next
  //    write from the previous one's callback (no thread per client).
  {
    struct client {
      std::chrono::steady_clock::time_point start;
      std::uint64_t k = 0;
    };
    std::vector<client> cs(static_cast<std::size_t>(clients), client{});
    std::vector<double> lat;
    std::mutex m;
    std::condition_variable cv;
    int running = clients;
    std::function<void(std::size_t)> fire;
    fire = [&](std::size_t i) {
      cs[i].start = std::chrono::steady_clock::now();
      auto a = make(cs[i].k++ * 64 + i);
      s.submit<annotation>([a](write_context& w) { return w.create_annotation(a); },
                           [&, i](annot::result<annotation> r) {
                             if (!r) ++failures;
                             lat.push_back(seconds_since(cs[i].start) * 1000);  // writer thread only
                             if (!stop) {
                               fire(i);
                             } else {
                               std::lock_guard lock(m);
                               if (--running == 0) cv.notify_all();
                             }
                           });
    };
    auto before = s.stats();
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < cs.size(); ++i) fire(i);
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
    stop = true;
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return running == 0; });
    }
    double secs = seconds_since(t0);
    auto after = s.stats();
    std::printf("asynchronous clients: %d writes in flight, %.1f s\n", clients, secs);
    std::printf(
        "  %zu writes, %.0f writes/s, %llu commits (%.1f writes per fsync); writer busy %.0f%% in units, "
        "%.0f%% in COMMIT\n",
        lat.size(), double(lat.size()) / secs,
        static_cast<unsigned long long>(after.commits - before.commits),
        double(after.units - before.units) /
            double(std::max<std::uint64_t>(1, after.commits - before.commits)),
        100 * (after.unit_seconds - before.unit_seconds) / secs,
        100 * (after.commit_seconds - before.commit_seconds) / secs);
    percentiles(lat);
    written += std::int64_t(lat.size());
    stop = false;
  }

  // 2. A thread per client, each blocked until its write is durable (a synchronous server).
  {
    std::mutex m;
    std::vector<double> latencies;
    auto before = s.stats();
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&, c] {
        std::vector<double> mine;
        std::mutex wm;
        std::condition_variable cv;
        for (std::uint64_t k = 0; !stop; ++k) {
          auto a = make(k * 64 + std::uint64_t(c));
          bool done = false;
          auto start = std::chrono::steady_clock::now();
          s.submit<annotation>([a](write_context& w) { return w.create_annotation(a); },
                               [&](annot::result<annotation> r) {
                                 if (!r) ++failures;
                                 std::lock_guard lock(wm);
                                 done = true;
                                 cv.notify_one();
                               });
          std::unique_lock lock(wm);
          cv.wait(lock, [&] { return done; });
          mine.push_back(seconds_since(start) * 1000);
        }
        std::lock_guard lock(m);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
    stop = true;
    for (auto& t : threads) t.join();
    double secs = seconds_since(t0);
    auto after = s.stats();
    std::printf("a thread per client: %d clients, %.1f s\n", clients, secs);
    std::printf(
        "  %zu writes, %.0f writes/s, %llu commits (%.1f writes per fsync); writer busy %.0f%% in units, "
        "%.0f%% in COMMIT\n",
        latencies.size(), double(latencies.size()) / secs,
        static_cast<unsigned long long>(after.commits - before.commits),
        double(after.units - before.units) /
            double(std::max<std::uint64_t>(1, after.commits - before.commits)),
        100 * (after.unit_seconds - before.unit_seconds) / secs,
        100 * (after.commit_seconds - before.commit_seconds) / secs);
    percentiles(latencies);
    written += std::int64_t(latencies.size());
  }
  if (failures) std::printf("%llu failures\n", static_cast<unsigned long long>(failures.load()));
  auto pr = s.read()->get_project(p->id);
  if (!pr || pr->total_annotations_number != 20000 + written - std::int64_t(failures.load())) {
    std::fprintf(stderr, "counter mismatch\n");
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}
