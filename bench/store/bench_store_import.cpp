// Import throughput: N tasks (with and without one prediction each) through the store's staged
// import path, next to the bound measured in the same run: the same rows inserted into the same
// schema (indexes included) with one prepared statement in one transaction.
//   bench_store_import [DIR] [--tasks N] [--batch B]
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "bench_common.hpp"
#include "store/store.hpp"
#include "store/time.hpp"

using namespace annot::host::store;
using namespace annot::bench;
namespace fs = std::filesystem;

namespace {

struct setup {
  std::int64_t project_id = 0;
  std::int64_t import_id = 0;
};

// A fresh database with the project the rows go to (its config's data key is indexed).
setup prepare(const fs::path& db, bool with_import) {
  fs::remove(db);
  fs::remove(db.string() + "-wal");
  fs::remove(db.string() + "-shm");
  auto s = open_store({db.string()});
  if (!s) throw std::runtime_error(s.error().message());
  setup out;
  out.project_id = (*s)->run<project>([](write_context& w) {
                         project_fields f;
                         f.title = "bench";
                         f.label_config = label_config();
                         f.data_keys = std::vector<std::string>{"image"};
                         return w.create_project({f, std::nullopt});
                       })
                       ->id;
  if (with_import)
    out.import_id =
        (*s)->run<import_record>([&](write_context& w) { return w.begin_import({out.project_id}); })->id;
  (*s)->drain();
  return out;
}

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
}

// The bound: the same rows, one prepared statement per table, one transaction.
double run_bound(const fs::path& db, std::int64_t n, bool predictions) {
  setup st = prepare(db, true);
  sqlite3* c = nullptr;
  check(sqlite3_open(db.string().c_str(), &c), c);
  check(sqlite3_exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr,
                     nullptr, nullptr),
        c);
  sqlite3_stmt* ins = nullptr;
  sqlite3_stmt* pred = nullptr;
  check(sqlite3_prepare_v2(
            c,
            "INSERT INTO tasks(project_id, inner_id, data, meta, created_at, updated_at, is_labeled, "
            "overlap, total_annotations, cancelled_annotations, total_predictions, ground_truth, "
            "completed_at, predictions_score, avg_lead_time, file_upload_id, import_id) VALUES (?1, ?2, ?3, "
            "'{}', ?4, ?4, 0, 1, 0, 0, ?5, 0, NULL, ?6, NULL, NULL, ?7)",
            -1, &ins, nullptr),
        c);
  check(sqlite3_prepare_v2(
            c,
            "INSERT INTO predictions(task_id, project_id, result, score, model_version, cluster, neighbors, "
            "mislabeling, created_at, updated_at) VALUES (?1, ?2, ?3, 0.87, 'yolo-v8', NULL, NULL, 0, ?4, "
            "?4)",
            -1, &pred, nullptr),
        c);
  const std::string result = prediction_result();
  auto t0 = std::chrono::steady_clock::now();
  std::int64_t ts = now().time_since_epoch().count();
  check(sqlite3_exec(c, "BEGIN", nullptr, nullptr, nullptr), c);
  for (std::int64_t i = 0; i < n; ++i) {
    std::string data = task_data(std::uint64_t(i));
    sqlite3_bind_int64(ins, 1, st.project_id);
    sqlite3_bind_int64(ins, 2, i + 1);
    sqlite3_bind_text(ins, 3, data.data(), int(data.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 4, ts);
    sqlite3_bind_int64(ins, 5, predictions ? 1 : 0);
    if (predictions) {
      sqlite3_bind_double(ins, 6, 0.87);
    } else {
      sqlite3_bind_null(ins, 6);
    }
    sqlite3_bind_int64(ins, 7, st.import_id);
    check(sqlite3_step(ins), c);
    sqlite3_reset(ins);
    if (predictions) {
      sqlite3_bind_int64(pred, 1, sqlite3_last_insert_rowid(c));
      sqlite3_bind_int64(pred, 2, st.project_id);
      sqlite3_bind_text(pred, 3, result.data(), int(result.size()), SQLITE_STATIC);
      sqlite3_bind_int64(pred, 4, ts);
      check(sqlite3_step(pred), c);
      sqlite3_reset(pred);
    }
  }
  check(sqlite3_exec(c, "COMMIT", nullptr, nullptr, nullptr), c);
  double secs = seconds_since(t0);
  sqlite3_finalize(ins);
  sqlite3_finalize(pred);
  sqlite3_close(c);
  return secs;
}

// The store's import path: batches staged by the writer thread (each its own transaction, other
// writers could interleave), prepared by this thread while the previous one is written, then one
// short publish.
double run_import(const fs::path& db, std::int64_t n, bool predictions, std::int64_t batch,
                  int checkpoint_pages) {
  setup st = prepare(db, false);
  store_options o;
  o.location = db.string();
  o.checkpoint_pages = checkpoint_pages;
  auto opened = open_store(o);
  if (!opened) throw std::runtime_error(opened.error().message());
  store& s = **opened;
  auto t0 = std::chrono::steady_clock::now();
  auto imp = s.run<import_record>([&](write_context& w) { return w.begin_import({st.project_id}); });
  if (!imp) throw std::runtime_error(imp.error().message());
  std::mutex m;
  std::condition_variable cv;
  int in_flight = 0;
  std::string failure;
  const std::string result = prediction_result();
  for (std::int64_t first = 0; first < n; first += batch) {
    auto tasks = std::make_shared<std::vector<import_task>>();
    std::int64_t last = std::min(n, first + batch);
    tasks->reserve(std::size_t(last - first));
    for (std::int64_t i = first; i < last; ++i) {
      import_task t;
      t.data = task_data(std::uint64_t(i));
      if (predictions) {
        import_prediction p;
        p.result = result;
        p.score = 0.87;
        p.model_version = "yolo-v8";
        t.predictions.push_back(std::move(p));
      }
      tasks->push_back(std::move(t));
    }
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return in_flight < 2; });  // one being written, one ready
      ++in_flight;
    }
    std::int64_t id = imp->id;
    s.submit<staged_batch>([tasks, id](write_context& w) { return w.stage_tasks(id, *tasks); },
                           [&](annot::result<staged_batch> r) {
                             std::lock_guard lock(m);
                             if (!r) failure = r.error().message();
                             --in_flight;
                             cv.notify_all();
                           });
  }
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  if (!failure.empty()) throw std::runtime_error(failure);
  auto pub = s.run<import_record>([&](write_context& w) { return w.publish_import(imp->id, {}); });
  if (!pub) throw std::runtime_error(pub.error().message());
  double secs = seconds_since(t0);
  auto p = s.read()->get_project(st.project_id);
  if (!p || p->task_number != n || p->total_predictions_number != (predictions ? n : 0))
    throw std::runtime_error("the project does not hold the imported rows");
  auto stats = s.stats();
  std::fprintf(stderr, "    (import path: writer %.2f s in units, %.2f s in %llu commits)\n",
               stats.unit_seconds, stats.commit_seconds, static_cast<unsigned long long>(stats.commits));
  return secs;
}

struct outcome {
  double seconds = 0;
  long rss_mb = 0;
};

// Runs `f` in a child process, so that each run's peak RSS is its own.
template <class F>
outcome in_child(F&& f) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    outcome o;
    try {
      o.seconds = f();
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      _exit(1);
    }
    o.rss_mb = peak_rss_mb();
    if (write(fds[1], &o, sizeof o) != sizeof o) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  outcome o;
  bool ok = read(fds[0], &o, sizeof o) == sizeof o;
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  if (!ok) throw std::runtime_error("benchmark child failed");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "annot-bench-import";
  std::int64_t n = 1'000'000, batch = 5000;
  int checkpoint_pages = store_options{}.checkpoint_pages;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tasks") && i + 1 < argc) {
      n = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--batch") && i + 1 < argc) {
      batch = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--checkpoint-pages") && i + 1 < argc) {
      checkpoint_pages = std::stoi(argv[++i]);
    } else {
      dir = argv[i];
    }
  }
  fs::create_directories(dir);
  std::printf("store import: %lld tasks of ~%zu bytes, batches of %lld, database in %s\n",
              static_cast<long long>(n), task_data(0).size(), static_cast<long long>(batch),
              dir.string().c_str());
  for (bool predictions : {false, true}) {
    auto bound = in_child([&] { return run_bound(dir / "bound.db", n, predictions); });
    auto path =
        in_child([&] { return run_import(dir / "import.db", n, predictions, batch, checkpoint_pages); });
    std::int64_t rows = n * (predictions ? 2 : 1);
    std::printf("%s\n", predictions ? "with one prediction per task:" : "without predictions:");
    std::printf(
        "  bound (1 statement, 1 transaction): %7.2f s  %9.0f tasks/s  %9.0f rows/s  peak RSS %ld MB\n",
        bound.seconds, double(n) / bound.seconds, double(rows) / bound.seconds, bound.rss_mb);
    std::printf(
        "  store import path (staged):         %7.2f s  %9.0f tasks/s  %9.0f rows/s  peak RSS %ld MB\n",
        path.seconds, double(n) / path.seconds, double(rows) / path.seconds, path.rss_mb);
    std::printf("  ratio import/bound: %.2fx (target <= 1.5x)\n", path.seconds / bound.seconds);
  }
  fs::remove_all(dir);
  return 0;
}
