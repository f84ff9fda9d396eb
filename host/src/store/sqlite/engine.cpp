// The SQLite store's threads: the writer (group commit), the completion thread (callbacks), the
// reader pool and the checkpointer.
#include "store/sqlite/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite/schema.hpp"

namespace annot::host::store::sqlite {

namespace {

// The checkpointer starts at a sixteenth of checkpoint_pages and then runs at most this often. Each
// run copies what changed since the last one and fsyncs the database file; unpaced, a steady writer
// kept it busy nonstop (some 30 database fsyncs a second beside the commits' WAL fsyncs, and
// 2-3x the copying, since a hot page is copied once per run).
constexpr auto checkpoint_interval = std::chrono::milliseconds(200);
// How long a fold waits for the readers still on the WAL (and for the checkpointer).
constexpr auto fold_wait = std::chrono::milliseconds(10);
// How long an idle reader's snapshot may be reused when this process committed nothing since it
// began: how late another process's commits can be seen (see read()).
constexpr auto snapshot_reuse = std::chrono::milliseconds(10);
// Readers keep snapshots between leases only once the writer has committed nothing for this long.
constexpr auto quiet_before_keeping = std::chrono::milliseconds(50);
// How soon the writer tries again to fold the WAL back when a reader kept it from starting over.
constexpr auto fold_retry = std::chrono::milliseconds(100);

status to_status(const std::exception& e) {
  if (auto se = dynamic_cast<const store_error*>(&e)) return status(se->code(), se->what());
  return status(errc::internal, e.what());
}

}  // namespace

std::string path_from_location(std::string_view location) {
  if (location.rfind("sqlite://", 0) == 0) return std::string(location.substr(9));
  if (location.rfind("sqlite:", 0) == 0) return std::string(location.substr(7));
  return std::string(location);
}

sqlite_store::sqlite_store(const store_options& options)
    : state_(options), path_(path_from_location(options.location)) {}

result<std::unique_ptr<store>> sqlite_store::open(const store_options& options) {
  std::unique_ptr<sqlite_store> s(new sqlite_store(options));
  try {
    if (s->path_.empty()) return status(errc::invalid_argument, "the database location is empty");
    if (options.readers == 0)
      return status(errc::invalid_argument, "at least one reader connection is needed");
    if (options.must_exist && s->path_ != ":memory:") {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(s->path_, ec))
        return status(errc::not_found, "no database at " + s->path_);
    }
    if (options.read_only) {
      s->open_read_only();
      return std::unique_ptr<store>(std::move(s));
    }
    std::filesystem::path parent = std::filesystem::path(s->path_).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
    }
    s->writer_conn_ = connection::open(s->path_, connection::role::writer);
    if (options.migrate) {
      apply_migrations(*s->writer_conn_);
    } else {
      s->check_schema(*s->writer_conn_);
    }
    // A WAL that starts over above this is cut back to it inside a commit (a stall of 100+ ms):
    // above the most the fold lets it reach, twice checkpoint_pages.
    s->writer_conn_->exec("PRAGMA journal_size_limit = " +
                          std::to_string(std::int64_t(2) * options.checkpoint_pages * 4096));
    s->writer_ops_ = std::make_unique<ops>(*s->writer_conn_, s->state_);
    // Imports whose process stopped can never finish: fail them now (their rows stay hidden) and let
    // the purge remove their rows in the background. Those of a process still running (`annot
    // import` beside `annot serve`, or the server's own when `annot import` opens) hold their locks.
    s->turn_ = std::make_unique<writer_turn>(s->path_ + ".annot-lock");
    s->import_locks_ = std::make_unique<import_locks>(s->path_ + ".annot-lock");
    s->state_.imports = s->import_locks_.get();
    if (auto ids = s->writer_ops_->interrupted_imports(true); !ids.empty()) {
      s->writer_conn_->exec("BEGIN IMMEDIATE");
      std::int64_t interrupted = s->writer_ops_->fail_interrupted_imports(ids);
      s->writer_conn_->exec("COMMIT");
      if (interrupted > 0) spdlog::warn("store: {} interrupted import(s) will be removed", interrupted);
    }

    s->maintenance_conn_ = connection::open(s->path_, connection::role::maintenance);
    for (unsigned i = 0; i < options.readers; ++i)
      s->add_reader(connection::open(s->path_, connection::role::reader));
  } catch (const std::exception& e) {
    return to_status(e);
  }
  s->start();
  return std::unique_ptr<store>(std::move(s));
}

void sqlite_store::check_schema(connection& c) {
  auto st = read_schema_status(c, path_);
  if (st.current_version != st.latest_version)
    fail(errc::failed_precondition, "the database schema is version " + std::to_string(st.current_version) +
                                        ", this build needs " + std::to_string(st.latest_version) +
                                        ": run `annot db migrate`");
}

// A reader, a writer and a maintenance connection, three threads and a write transaction were
// ~1.6 ms of a 10 ms `annot export` start, and closing them (a checkpoint) some more.
void sqlite_store::open_read_only() {
  auto first = connection::open(path_, connection::role::reader);
  check_schema(*first);
  add_reader(std::move(first));
  for (unsigned i = 1; i < state_.options.readers; ++i)
    add_reader(connection::open(path_, connection::role::reader));
}

void sqlite_store::add_reader(std::unique_ptr<connection> c) {
  auto r = std::make_unique<reader>();
  r->conn = std::move(c);
  r->ctx = std::make_unique<ops>(*r->conn, state_);
  reader_of_[r->ctx.get()] = r.get();
  free_readers_.push_back(r.get());
  readers_.push_back(std::move(r));
}

void sqlite_store::start() {
  state_.request_index = [this](std::int64_t project_id, std::string key) {
    schedule_index(project_id, std::move(key));
  };
  sqlite3_wal_hook(writer_conn_->raw(), &sqlite_store::on_wal_commit, this);
  writer_thread_ = std::thread([this] { writer_loop(); });
  completion_thread_ = std::thread([this] { completion_loop(); });
  checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
  schedule_purge();
  submit(
      [this](write_context&) -> status {
        writer_ops_->request_pending_indexes(std::nullopt);
        return status::success();
      },
      [](const status& s) {
        if (!s.ok() && s.code() != errc::failed_precondition)
          spdlog::error("store: asking for pending data-key indexes failed: {}", s.message());
      });
}

sqlite_store::~sqlite_store() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(queue_mutex_);
    completion_stop_ = true;  // the thread runs what is left first
  }
  completion_cv_.notify_all();
  if (completion_thread_.joinable()) completion_thread_.join();
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  {
    // Leases must not outlive the store; wait for any still out (a bug elsewhere otherwise).
    std::unique_lock lock(readers_mutex_);
    readers_cv_.wait(lock, [&] { return free_readers_.size() == readers_.size(); });
  }
  for (auto& r : readers_) end_read_txn(*r);  // every reader is back: no snapshot may stop the fold
  if (writer_conn_) {
    sqlite3_wal_hook(writer_conn_->raw(), nullptr, nullptr);
    // Fold the WAL into the database so the next open starts clean.
    sqlite3_wal_checkpoint_v2(writer_conn_->raw(), "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  }
  readers_.clear();
  writer_ops_.reset();
  maintenance_conn_.reset();
  writer_conn_.reset();
  state_.imports = nullptr;
  import_locks_.reset();  // this process's imports that did not end are interrupted now
  turn_.reset();
}

// ---- writes ---------------------------------------------------------------------------------------------

void sqlite_store::submit(unit_fn unit, done_fn done) {
  if (state_.options.read_only) {
    if (done) done(status(errc::failed_precondition, "the store was opened read-only"));
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(unit), std::move(done)});
      submitted_.fetch_add(1, std::memory_order_relaxed);
      queue_cv_.notify_one();
      return;
    }
  }
  if (done) done(status(errc::failed_precondition, "the store is closing"));
}

void sqlite_store::drain() {
  std::unique_lock lock(queue_mutex_);
  // A callback may queue more (a purge's next step): idle() holds only once both threads are idle.
  idle_cv_.wait(lock, [&] { return idle(); });
}

void sqlite_store::writer_loop() {
  std::vector<pending> batch;
  std::vector<completion> finished;
  const auto sweep_every = state_.options.interrupted_import_sweep;
  auto next_sweep = std::chrono::steady_clock::now() + sweep_every;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait_until(lock, next_sweep, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) break;  // everything queued has run
      // Everything queued so far shares one transaction: one fsync for the lot.
      std::size_t n = std::min(queue_.size(), state_.options.max_batch);
      batch.clear();
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      busy_ = n > 0;
    }
    // Checked between batches too: a server that never idles must still see imports end.
    if (std::chrono::steady_clock::now() >= next_sweep) {
      sweep_interrupted_imports();
      next_sweep = std::chrono::steady_clock::now() + sweep_every;
    }
    if (batch.empty()) continue;
    run_batch(batch, finished);
    const bool any = !finished.empty();
    {
      std::lock_guard lock(queue_mutex_);
      // The callbacks go to the completion thread, so the writer starts the next batch at once:
      // each callback wakes an I/O thread to send its response, and those wake-ups cost the
      // writer (preempted on a busy machine) up to a tenth of its time.
      for (auto& c : finished) completions_.push_back(std::move(c));
      busy_ = false;
      if (idle()) idle_cv_.notify_all();
    }
    finished.clear();
    if (any) completion_cv_.notify_one();
    if (wal_pages_ >= state_.options.checkpoint_pages)
      maybe_fold();
    else
      fold_after_ = 0;
  }
  std::lock_guard lock(queue_mutex_);
  idle_cv_.notify_all();
}

void sqlite_store::completion_loop() {
  std::deque<completion> run;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    completion_cv_.wait(lock, [&] { return completion_stop_ || !completions_.empty(); });
    if (completions_.empty()) break;  // stopping, and every callback has run
    run.swap(completions_);
    completing_ = true;
    lock.unlock();
    for (auto& c : run) {
      try {
        c.done(c.result);
      } catch (const std::exception& e) {
        spdlog::error("store: a write callback threw: {}", e.what());
      } catch (...) {
        spdlog::error("store: a write callback threw");
      }
    }
    run.clear();
    lock.lock();
    completing_ = false;
    if (idle()) idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

void sqlite_store::run_batch(std::vector<pending>& batch, std::vector<completion>& finished) {
  connection& db = *writer_conn_;
  std::vector<status> results(batch.size());
  state_.batch.clear();
  bool began = false;
  // SQLite starts the WAL over (when every frame was copied) at a write transaction's start, and
  // only if no reader is on it: idle readers' kept snapshots must not be what stops it.
  end_idle_snapshots();
  // Another process (`annot import` beside `annot serve`) gets its turn between two batches of ours.
  if (turn_) turn_->take();
  try {
    db.run_cached("BEGIN IMMEDIATE");
    began = true;
  } catch (const std::exception& e) {
    status s = to_status(e);
    for (auto& r : results) r = s;
  }
  if (began) {
    auto units_start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      state_.unit.clear();
      try {
        db.run_cached("SAVEPOINT unit");
      } catch (const std::exception& e) {
        results[i] = to_status(e);
        continue;
      }
      try {
        results[i] = batch[i].unit(*writer_ops_);
      } catch (const std::exception& e) {
        results[i] = to_status(e);
      } catch (...) {
        results[i] = status(errc::internal, "a write unit threw a non-standard exception");
      }
      try {
        if (results[i].ok()) {
          db.run_cached("RELEASE unit");
          auto& b = state_.batch;
          b.touched.insert(b.touched.end(), state_.unit.touched.begin(), state_.unit.touched.end());
          b.index_requests.insert(b.index_requests.end(), state_.unit.index_requests.begin(),
                                  state_.unit.index_requests.end());
          b.ended_imports.insert(b.ended_imports.end(), state_.unit.ended_imports.begin(),
                                 state_.unit.ended_imports.end());
          b.purge = b.purge || state_.unit.purge;
          b.auth = b.auth || state_.unit.auth;
        } else {
          // Only this unit's changes go; the others in the batch still commit.
          db.run_cached("ROLLBACK TO unit");
          db.run_cached("RELEASE unit");
        }
      } catch (const std::exception& e) {
        if (results[i].ok()) results[i] = to_status(e);
      }
    }
    auto& touched = state_.batch.touched;
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (auto p : touched) state_.bump(p);  // before COMMIT: no reader trusts a cache past this point
    if (state_.batch.auth) state_.bump_auth();
    commit_seq_.fetch_add(1, std::memory_order_acq_rel);  // and no reader reuses a snapshot
    auto commit_start = std::chrono::steady_clock::now();
    unit_ns_.fetch_add(std::uint64_t(std::chrono::nanoseconds(commit_start - units_start).count()),
                       std::memory_order_relaxed);
    try {
      db.run_cached("COMMIT");  // synchronous=FULL: durable when this returns
      commits_.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception& e) {
      status s = to_status(e);
      try {
        db.exec("ROLLBACK");
      } catch (...) {
      }
      for (auto& r : results)
        if (r.ok()) r = status(s.code(), "the transaction failed to commit: " + s.message());
      state_.batch.index_requests.clear();
      state_.batch.ended_imports.clear();  // still in progress: their locks stay
      state_.batch.purge = false;
    }
    commit_ns_.fetch_add(
        std::uint64_t(std::chrono::nanoseconds(std::chrono::steady_clock::now() - commit_start).count()),
        std::memory_order_relaxed);
    if (turn_) turn_->end();
    for (auto p : touched) state_.bump(p);  // after COMMIT: caches built meanwhile are dropped
    if (state_.batch.auth) state_.bump_auth();
    last_commit_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_release);
    commit_seq_.fetch_add(1, std::memory_order_acq_rel);
  }
  if (turn_) turn_->end();  // BEGIN failed
  units_.fetch_add(batch.size(), std::memory_order_relaxed);
  for (const auto& r : results)
    if (!r.ok()) failed_units_.fetch_add(1, std::memory_order_relaxed);
  if (state_.imports)
    for (auto id : state_.batch.ended_imports) state_.imports->release(id);  // committed: over for good
  state_.batch.ended_imports.clear();
  auto requests = std::move(state_.batch.index_requests);
  bool purge = state_.batch.purge;
  for (auto& [p, k] : requests) schedule_index(p, std::move(k));
  if (purge) schedule_purge();
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].done) finished.push_back({std::move(batch[i].done), std::move(results[i])});
  batch.clear();
}

void sqlite_store::sweep_interrupted_imports() {
  std::vector<std::int64_t> ids;
  try {
    ids = writer_ops_->interrupted_imports(false);  // a read, outside any transaction
  } catch (const std::exception& e) {
    spdlog::warn("store: looking for interrupted imports failed: {}", e.what());
    return;
  }
  if (ids.empty()) return;
  submit(
      [this, ids](write_context&) -> status {
        if (auto n = writer_ops_->fail_interrupted_imports(ids); n > 0)
          spdlog::warn("store: {} import(s) whose process stopped will be removed", n);
        return status::success();
      },
      [](const status& s) {
        if (!s.ok() && s.code() != errc::failed_precondition)
          spdlog::error("store: failing interrupted imports failed: {}", s.message());
      });
}

void sqlite_store::schedule_purge() {
  // A request that arrives while a purge unit is queued or running is remembered, so that work
  // added by a commit in the same batch as a "nothing left" purge step is not lost.
  purge_again_ = true;
  if (purge_pending_.exchange(true)) return;
  auto more = std::make_shared<bool>(false);
  std::int64_t limit = state_.options.purge_batch;
  submit(
      [this, more, limit](write_context&) -> status {
        purge_again_ = false;
        *more = writer_ops_->purge_step(limit);
        return status::success();
      },
      [this, more](const status& s) {
        purge_pending_ = false;
        if (!s.ok()) {
          // Closing, or a real failure: the next open (or the next failed import) tries again.
          if (s.code() != errc::failed_precondition)
            spdlog::error("store: background purge failed: {}", s.message());
          return;
        }
        if (*more || purge_again_) schedule_purge();  // next batch, behind whatever else is queued
      });
}

void sqlite_store::schedule_index(std::int64_t project_id, std::string key) {
  {
    std::lock_guard lock(index_mutex_);
    auto [at, queued] = index_pending_.try_emplace({project_id, key}, false);
    if (!queued) {
      at->second = true;  // run again after the one queued or running (which may not see new tasks)
      return;
    }
  }
  submit(
      [this, project_id, key](write_context&) -> status {
        writer_ops_->build_data_index(project_id, key);
        return status::success();
      },
      [this, project_id, key](const status& s) {
        if (!s.ok())
          spdlog::error("store: building the index on data key \"{}\" failed: {}", key, s.message());
        bool again = false;
        {
          std::lock_guard lock(index_mutex_);
          auto at = index_pending_.find({project_id, key});
          if (at != index_pending_.end()) {
            again = at->second;
            index_pending_.erase(at);
          }
        }
        if (again && s.ok()) schedule_index(project_id, key);
      });
}

// ---- reads ---------------------------------------------------------------------------------------------

read_lease sqlite_store::read() {
  reader* r = nullptr;
  {
    std::unique_lock lock(readers_mutex_);
    readers_cv_.wait(lock, [&] { return !free_readers_.empty(); });
    r = free_readers_.back();
    free_readers_.pop_back();
  }
  // Starting and ending a read transaction takes WAL read-mark locks (fcntl on the -shm file and
  // a mutex shared by the connections): some 15-20% of a task read's CPU. So a reader keeps its
  // transaction between leases and reuses the snapshot while this process has committed nothing
  // since it began (commit_seq_ unchanged: every write of this process goes through the writer),
  // for at most snapshot_reuse, which bounds how late another process's commits (`annot import`
  // beside `annot serve`) are seen. Idle readers' snapshots are ended before checkpoints and folds,
  // so they never hold the WAL back.
  const std::uint64_t commits = commit_seq_.load(std::memory_order_acquire);
  const auto now = std::chrono::steady_clock::now();
  const bool reuse = r->in_txn && r->txn_commits == commits && now - r->txn_began < snapshot_reuse &&
                     sqlite3_get_autocommit(r->conn->raw()) == 0;
  if (!reuse) {
    end_read_txn(*r);
    // The epoch is taken before the snapshot starts (at the first read), so a cached page built
    // with this snapshot is never trusted past a write it might not have seen.
    r->txn_epoch = state_.epoch();
    r->txn_commits = commits;
    r->txn_began = now;
    try {
      r->conn->run_cached("BEGIN");
      r->in_txn = true;
    } catch (const std::exception& e) {
      spdlog::error("store: cannot start a read transaction: {}", e.what());
    }
  }
  r->ctx->start_lease(r->txn_epoch);
  return read_lease(r->ctx.get(), this, &sqlite_store::release_reader);
}

void sqlite_store::end_read_txn(reader& r) noexcept {
  if (!r.in_txn) return;
  r.in_txn = false;
  if (sqlite3_get_autocommit(r.conn->raw()) != 0) return;  // already ended (an error rolled it back)
  try {
    r.conn->run_cached("COMMIT");
  } catch (...) {
    try {
      r.conn->exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void sqlite_store::release_reader(void* self, read_context* ctx) noexcept {
  auto* s = static_cast<sqlite_store*>(self);
  reader* r = s->reader_of_.at(ctx);
  // The transaction stays open for the next lease (read()) only while the writer is quiet and
  // nothing committed since it began: under writes, kept snapshots would stop checkpoints short
  // and keep the WAL from starting over (a test saw it grow 40-fold), and be stale anyway.
  if (r->txn_commits != s->commit_seq_.load(std::memory_order_acquire) || !s->writer_quiet()) end_read_txn(*r);
  bool first_kept = false;
  {
    std::lock_guard lock(s->readers_mutex_);
    s->free_readers_.push_back(r);
    if (r->in_txn && !s->snapshots_kept_.load(std::memory_order_relaxed)) {
      s->snapshots_kept_.store(true, std::memory_order_relaxed);
      first_kept = true;
    }
  }
  s->readers_cv_.notify_one();
  if (first_kept) {  // the checkpointer may be waiting with no timeout: it is to end it once stale
    std::lock_guard lock(s->checkpoint_mutex_);
    s->checkpoint_cv_.notify_one();
  }
}

bool sqlite_store::writer_quiet() const noexcept {
  const auto last = std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(last_commit_.load(std::memory_order_acquire)));
  return std::chrono::steady_clock::now() - last >= quiet_before_keeping;
}

// Every frame is in the database file: the WAL can start over at the next commit, but only if no
// reader is still on it. A snapshot begun from now reads the file alone (read-mark 0, which does
// not stop the restart); one kept from before would, so none is reused past this point.
void sqlite_store::snapshots_moved() { commit_seq_.fetch_add(1, std::memory_order_acq_rel); }

// The readers' snapshots are ended out of the pool, so no other thread uses their connections
// meanwhile.
void sqlite_store::end_idle_snapshots(std::chrono::steady_clock::duration min_age) {
  // Called before every batch: under writes no snapshot is kept, and this is one atomic load.
  if (!snapshots_kept_.load(std::memory_order_relaxed)) return;
  const auto began_by = std::chrono::steady_clock::now() - min_age;
  std::vector<reader*> idle;
  {
    std::lock_guard lock(readers_mutex_);
    auto stale = std::partition(free_readers_.begin(), free_readers_.end(),
                                [&](reader* r) { return !r->in_txn || r->txn_began > began_by; });
    idle.assign(stale, free_readers_.end());
    free_readers_.erase(stale, free_readers_.end());
    if (std::none_of(free_readers_.begin(), free_readers_.end(), [](reader* r) { return r->in_txn; }))
      snapshots_kept_.store(false, std::memory_order_relaxed);  // a reader out on lease sets it again
  }
  if (idle.empty()) return;
  for (reader* r : idle) end_read_txn(*r);
  {
    std::lock_guard lock(readers_mutex_);
    free_readers_.insert(free_readers_.end(), idle.begin(), idle.end());
  }
  readers_cv_.notify_all();
}

store_stats sqlite_store::stats() const {
  store_stats s;
  s.submitted = submitted_.load();
  s.units = units_.load();
  s.commits = commits_.load();
  s.failed_units = failed_units_.load();
  s.query_cache_hits = state_.cache_hits.load();
  s.query_cache_misses = state_.cache_misses.load();
  s.unit_seconds = double(unit_ns_.load()) / 1e9;
  s.commit_seconds = double(commit_ns_.load()) / 1e9;
  return s;
}

// ---- checkpoints ---------------------------------------------------------------------------------------

int sqlite_store::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto* s = static_cast<sqlite_store*>(self);
  s->wal_pages_ = pages;
  if (pages >= std::max(1, s->state_.options.checkpoint_pages / 16)) {
    {
      std::lock_guard lock(s->checkpoint_mutex_);
      s->checkpoint_wanted_ = true;
    }
    s->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

// Under steady writes the checkpointer never finishes exactly between two of the writer's
// transactions, so SQLite never starts the WAL over: it grew past 250 MB in 10 s of annotation
// writes, and the restart that finally came truncated it to journal_size_limit inside a commit (a
// 150 ms stall). At checkpoint_pages the writer copies the frames the checkpointer has not yet
// (nothing new can arrive meanwhile), so its next transaction writes from the WAL's start, over
// blocks the file already has. Costs one database fsync on the writer per checkpoint_pages.
void sqlite_store::fold_wal() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_fold_) return;
  end_idle_snapshots();
  int log = 0, done = 0;
  // RESTART, not PASSIVE: it also waits for the readers still on the WAL (leases of a request, a
  // few ms) so that the next write starts it over. Readers that begin meanwhile read the database
  // file alone and do not stand in the way. PASSIVE left that to chance: with reads nonstop beside
  // steady writes some reader was always on the WAL at the next commit, and it grew 40-fold past
  // checkpoint_pages (StoreReaderSnapshots.ReadsBetweenBatchesDoNotHoldTheWalBack). The wait is
  // bounded by fold_wait; past it the copy goes on as PASSIVE would, and the fold is retried.
  sqlite3_busy_timeout(writer_conn_->raw(), int(fold_wait.count()));
  int rc = sqlite3_wal_checkpoint_v2(writer_conn_->raw(), "main", SQLITE_CHECKPOINT_RESTART, &log, &done);
  sqlite3_busy_timeout(writer_conn_->raw(), busy_timeout_ms);
  if (rc == SQLITE_BUSY) return;  // the checkpointer or a reader held it up: again after the next batch
  if (rc == SQLITE_OK && log == done) snapshots_moved();
  if (rc != SQLITE_OK) spdlog::warn("store: checkpoint failed: {}", sqlite3_errmsg(writer_conn_->raw()));
  // A reader's snapshot that still needs the WAL keeps it from starting over; retry later.
  next_fold_ = now + fold_retry;
}

// The fold is a stall of the writer (its database fsync flushes every page copied since the
// checkpointer's last run, some 10 ms under steady writes): so past checkpoint_pages the writer
// first has the checkpointer run at once, off the commit path, and folds only once that run is
// over, with little left to copy. Should the checkpointer fall behind (a reader pinning the WAL),
// the writer folds anyway at twice checkpoint_pages.
void sqlite_store::maybe_fold() {
  if (fold_after_ == 0) {
    {
      std::lock_guard lock(checkpoint_mutex_);
      fold_after_ = checkpoint_started_ + 1;
      checkpoint_wanted_ = true;
      checkpoint_now_ = true;
    }
    checkpoint_cv_.notify_one();
  }
  if (checkpoint_finished_.load() >= fold_after_ || wal_pages_ >= 2 * state_.options.checkpoint_pages) fold_wal();
}

void sqlite_store::checkpoint_loop() {
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      while (!checkpoint_wanted_ && !checkpoint_stop_) {
        if (!snapshots_kept_.load(std::memory_order_relaxed)) {
          checkpoint_cv_.wait(lock);
          continue;
        }
        // A kept snapshot is of no use past snapshot_reuse, and an idle host's would hold the WAL
        // back from another process's checkpoints (`annot import` beside an idle `annot serve`).
        checkpoint_cv_.wait_for(lock, snapshot_reuse);
        if (checkpoint_wanted_ || checkpoint_stop_) break;
        lock.unlock();
        end_idle_snapshots(snapshot_reuse);
        lock.lock();
      }
      checkpoint_cv_.wait_until(lock, next, [&] { return checkpoint_stop_ || checkpoint_now_; });
      if (checkpoint_stop_) return;
      checkpoint_wanted_ = false;
      checkpoint_now_ = false;
      ++checkpoint_started_;
    }
    const std::uint64_t run = checkpoint_started_;  // written by this thread only
    end_idle_snapshots();  // an idle reader's old snapshot would stop the copy short
    next = std::chrono::steady_clock::now() + checkpoint_interval;
    // PASSIVE: copies what it can without waiting for readers or blocking the writer.
    int log = 0, done = 0;
    int rc =
        sqlite3_wal_checkpoint_v2(maintenance_conn_->raw(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc == SQLITE_OK && log == done) snapshots_moved();
    checkpoint_finished_ = run;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("store: checkpoint failed: {}", sqlite3_errmsg(maintenance_conn_->raw()));
  }
}

}  // namespace annot::host::store::sqlite
