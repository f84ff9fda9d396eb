// The SQLite store: one writer thread running queued units with group commit, a completion thread
// running their callbacks, a pool of reader connections, a checkpointer thread, and background
// maintenance (purges, data-key indexes).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "store/export_reader.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/ops.hpp"
#include "store/sqlite/state.hpp"
#include "store/sqlite/writer_turn.hpp"
#include "store/store.hpp"

namespace annot::host::store::sqlite {

// "sqlite:<path>", "sqlite://<path>" or a plain path -> the file path.
std::string path_from_location(std::string_view location);

class sqlite_store final : public store {
 public:
  static result<std::unique_ptr<store>> open(const store_options& options);
  ~sqlite_store() override;

  void submit(unit_fn unit, done_fn done) override;
  void drain() override;
  read_lease read() override;
  store_stats stats() const override;
  std::uint64_t credentials_generation() const noexcept override { return state_.auth_generation(); }
  std::string_view engine() const noexcept override { return "sqlite"; }
  // An export's own unmapped connection (store/export_reader.hpp).
  result<std::unique_ptr<export_reader>> open_export_reader(export_rows rows);

 private:
  struct pending {
    unit_fn unit;
    done_fn done;
  };
  struct completion {
    done_fn done;
    status result;
  };
  struct reader {
    std::unique_ptr<connection> conn;
    std::unique_ptr<ops> ctx;
    // A read transaction outlives its lease while nothing commits (see read()).
    bool in_txn = false;
    std::uint64_t txn_commits = 0;  // commit_seq_ when it began
    std::uint64_t txn_epoch = 0;    // the cache epoch when it began
    std::chrono::steady_clock::time_point txn_began;
  };

  explicit sqlite_store(const store_options& options);
  // failed_precondition (thrown) unless the schema is this build's.
  void check_schema(connection& c);
  void open_read_only();
  void add_reader(std::unique_ptr<connection> c);
  void start();
  // Fails the imports whose process is gone (import_locks.hpp); writer thread only.
  void sweep_interrupted_imports();
  void writer_loop();
  void run_batch(std::vector<pending>& batch, std::vector<completion>& finished);
  void completion_loop();
  bool idle() const { return queue_.empty() && !busy_ && completions_.empty() && !completing_; }
  void checkpoint_loop();
  void fold_wal();
  void maybe_fold();
  void schedule_purge();
  void schedule_index(std::int64_t project_id, std::string key);
  static void release_reader(void* self, read_context* ctx) noexcept;
  static void end_read_txn(reader& r) noexcept;
  // Ends the snapshots of the readers in the pool that began at least min_age ago.
  void end_idle_snapshots(std::chrono::steady_clock::duration min_age = {});
  void snapshots_moved();
  bool writer_quiet() const noexcept;
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);

  engine_state state_;
  std::string path_;
  std::unique_ptr<import_locks> import_locks_;  // a writing store's; "<database>.annot-lock"
  std::unique_ptr<writer_turn> turn_;           // taken around each write transaction
  std::unique_ptr<connection> writer_conn_;
  std::unique_ptr<ops> writer_ops_;
  std::unique_ptr<connection> maintenance_conn_;

  // the writer's queue
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::condition_variable idle_cv_;
  std::deque<pending> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread writer_thread_;

  // callbacks of committed batches, run in commit order by the completion thread (queue_mutex_)
  std::condition_variable completion_cv_;
  std::deque<completion> completions_;
  bool completing_ = false;
  bool completion_stop_ = false;
  std::thread completion_thread_;

  // readers
  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<reader>> readers_;
  std::vector<reader*> free_readers_;
  std::unordered_map<const read_context*, reader*> reader_of_;
  // Bumped by the writer before and after every COMMIT, and when a checkpoint copied the whole WAL
  // (snapshots_moved): a reader's snapshot taken at an equal value has seen every commit this
  // process made, and does not hold the WAL back from starting over.
  std::atomic<std::uint64_t> commit_seq_{0};
  std::atomic<std::chrono::steady_clock::rep> last_commit_{0};  // when the writer last committed
  // Some reader in the pool kept its snapshot (written under readers_mutex_): the checkpointer then
  // ends it once stale, so an idle host holds no snapshot that would hold another process's WAL back.
  std::atomic<bool> snapshots_kept_{false};

  // checkpoints
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  bool checkpoint_now_ = false;         // run without waiting for the pacing (the writer wants to fold)
  std::uint64_t checkpoint_started_ = 0;  // runs started (checkpoint_mutex_)
  std::atomic<std::uint64_t> checkpoint_finished_{0};  // the last run that ended
  std::uint64_t fold_after_ = 0;  // writer thread: fold once this run has ended (0: no fold wanted)
  std::thread checkpoint_thread_;
  int wal_pages_ = 0;  // the WAL's size after the last commit (writer thread only)
  std::chrono::steady_clock::time_point next_fold_;

  // maintenance
  std::atomic<bool> purge_pending_{false};
  std::atomic<bool> purge_again_{false};
  std::mutex index_mutex_;
  // Index decisions queued: a request for one already queued or running only marks it to run once
  // more (true), since the tasks it would read may have been written after it started.
  std::map<std::pair<std::int64_t, std::string>, bool> index_pending_;

  std::atomic<std::uint64_t> submitted_{0}, units_{0}, commits_{0}, failed_units_{0};
  std::atomic<std::uint64_t> unit_ns_{0}, commit_ns_{0};
};

}  // namespace annot::host::store::sqlite
