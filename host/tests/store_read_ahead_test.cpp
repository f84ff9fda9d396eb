// The read-ahead VFS (store/sqlite/read_ahead_vfs): a connection reading through its windows sees the
// same rows as one reading page by page, in every transaction, while another connection writes and
// checkpoints into the file those windows were filled from; scans use the windows, seeks do not.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "scratch_folder.hpp"
#include "store/sqlite/read_ahead_vfs.hpp"

namespace annot::host::store::sqlite {
namespace {

class db {
 public:
  db(const std::string& path, const char* vfs) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) != SQLITE_OK)
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA mmap_size = 0");  // as the export reader: every page through xRead
    exec("PRAGMA cache_size = -64");  // a small cache, so that pages are read again and again
  }
  ~db() { sqlite3_close_v2(db_); }
  db(const db&) = delete;
  db& operator=(const db&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error ? error : "?");
      sqlite3_free(error);
    }
  }
  // Every row's value, by id.
  std::vector<std::string> values() {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT v FROM t ORDER BY id", -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_);
      return out;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
    if (rc != SQLITE_DONE) ADD_FAILURE() << sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    return out;
  }
  void checkpoint(int mode) {
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, mode, nullptr, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "checkpoint: " << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

// Row i of generation g: sizes from a few bytes to 9 KiB (overflow pages), so that the rows spread over
// several megabytes and many windows.
std::string value(int i, int generation) {
  std::string v = "g" + std::to_string(generation) + "-" + std::to_string(i) + ":";
  v.append(static_cast<std::size_t>((i * 7919) % (i % 50 == 0 ? 9000 : 300)), static_cast<char>('a' + (i + generation) % 26));
  return v;
}
std::vector<std::string> generation(int rows, int g) {
  std::vector<std::string> out;
  for (int i = 0; i < rows; ++i) out.push_back(value(i, g));
  return out;
}
// "" when equal, else the first row that differs (the vectors are too long to print whole).
std::string difference(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  if (got.size() != want.size()) return std::to_string(got.size()) + " rows, expected " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) return "row " + std::to_string(i) + " is " + got[i].substr(0, 20) + "..., expected " + want[i].substr(0, 20) + "...";
  return "";
}

void write(db& w, int rows, int g) {
  w.exec("BEGIN");
  for (int i = 0; i < rows; ++i) {
    std::string v = value(i, g);
    w.exec("INSERT INTO t(id, v) VALUES (" + std::to_string(i) + ", '" + v + "') ON CONFLICT(id) DO UPDATE SET v = excluded.v");
  }
  w.exec("COMMIT");
}

struct fixture {
  testing::temp_dir dir{"read-ahead-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())};
  std::string path = (dir.path / "t.db").string();
  db writer{path, nullptr};
  fixture() {
    writer.exec("PRAGMA journal_mode = WAL");
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  }
};

TEST(StoreReadAhead, RowsReadThroughTheWindowsAreTheFilesRows) {
  fixture f;
  write(f.writer, 6000, 1);
  f.writer.checkpoint(SQLITE_CHECKPOINT_TRUNCATE);  // every page in the database file, none in the WAL
  db reader(f.path, read_ahead_vfs_name());
  EXPECT_EQ(difference(reader.values(), generation(6000, 1)), "");
}

TEST(StoreReadAhead, EachTransactionSeesWhatCheckpointsWroteIntoTheFileBeforeIt) {
  // A database smaller than the windows (~100 KiB), so that a window kept from one transaction to the
  // next would be read again.
  fixture f;
  write(f.writer, 400, 1);
  f.writer.checkpoint(SQLITE_CHECKPOINT_TRUNCATE);
  db reader(f.path, read_ahead_vfs_name());
  ASSERT_EQ(difference(reader.values(), generation(400, 1)), "");
  // The same pages rewritten in place, and the file grown, all copied into the database file and the WAL
  // emptied: the next transaction reads them from the file, where windows kept from the last one
  // would still hold the generation before.
  for (int g = 2; g <= 4; ++g) {
    write(f.writer, 400 + 50 * g, g);
    f.writer.checkpoint(SQLITE_CHECKPOINT_TRUNCATE);
    EXPECT_EQ(difference(reader.values(), generation(400 + 50 * g, g)), "") << "generation " << g;
  }
}

TEST(StoreReadAhead, ATransactionKeepsItsSnapshotWhileACheckpointWritesTheFile) {
  fixture f;
  write(f.writer, 400, 1);
  f.writer.checkpoint(SQLITE_CHECKPOINT_TRUNCATE);
  write(f.writer, 400, 2);  // in the WAL only
  db reader(f.path, read_ahead_vfs_name());
  reader.exec("BEGIN");
  ASSERT_EQ(difference(reader.values(), generation(400, 2)), "");  // windows filled from the file's generation-1 pages
  // Generation 3 commits; the checkpoint copies generation 2 (the frames this transaction may use) into
  // the file under the reader's windows.
  write(f.writer, 400, 3);
  f.writer.checkpoint(SQLITE_CHECKPOINT_PASSIVE);
  EXPECT_EQ(difference(reader.values(), generation(400, 2)), "");
  reader.exec("COMMIT");
  EXPECT_EQ(difference(reader.values(), generation(400, 3)), "");
}

// A scan reads the file a window at a time; seeks to rows spread over the file read their pages alone.
// Each seek once filled a 64 KiB window for the one 4 KiB page it needed: a labelled project's export,
// whose annotations lie in the order they were made, read 2.4 times the bytes it would page by page.
TEST(StoreReadAhead, ScansReadWindowsAndSeeksReadTheirPages) {
  fixture f;
  f.writer.exec(
      "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 39999) "
      "INSERT INTO t(id, v) SELECT i, hex(randomblob(150)) FROM c");
  f.writer.checkpoint(SQLITE_CHECKPOINT_TRUNCATE);
  const std::uintmax_t pages = std::filesystem::file_size(f.path) / 4096;
  ASSERT_GT(pages, 2000u);
  db reader(f.path, read_ahead_vfs_name());

  read_ahead_counts before = read_ahead_totals();
  EXPECT_EQ(reader.values().size(), 40000u);
  read_ahead_counts after = read_ahead_totals();
  EXPECT_LT(after.reads - before.reads, pages / 8) << "a scan of " << pages << " pages";
  EXPECT_GE(after.bytes - before.bytes, pages * 4096 * 9 / 10) << "the scan read less than the table";

  // Rows in no order (as annotations made across tasks, read task by task), in one transaction.
  std::uint64_t state = 12345;
  before = read_ahead_totals();
  reader.exec("BEGIN");
  for (int i = 0; i < 400; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    reader.exec("SELECT v FROM t WHERE id = " + std::to_string((state >> 33) % 40000));
  }
  reader.exec("COMMIT");
  after = read_ahead_totals();
  const std::uint64_t reads = after.reads - before.reads, bytes = after.bytes - before.bytes;
  ASSERT_GT(reads, 100u) << "the lookups were served from the cache";
  EXPECT_LT(bytes / reads, 12u * 1024) << reads << " reads of " << bytes << " bytes for 400 lookups";
}

}  // namespace
}  // namespace annot::host::store::sqlite
