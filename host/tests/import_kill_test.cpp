// Crash safety of imports against the real `annot serve` process: SIGKILL once half of a
// 1,000,000-task body has been sent (the import is asserted to be running, with staged rows), then a
// restart: the project holds none of that import and everything imported before it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/store.hpp"
#include "test_http_client.hpp"

namespace annot::host {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::int64_t big_import = 1'000'000;
constexpr std::int64_t before = 500;

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class serve_process {
 public:
  serve_process(const fs::path& data_dir, std::uint16_t port) : port_(port) {
    const std::string bin = std::string(ANNOT_TEST_BIN_DIR) + "/annot";
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string p = std::to_string(port), d = data_dir.string();
      ::execl(bin.c_str(), bin.c_str(), "serve", "--host", "127.0.0.1", "--port", p.c_str(), "--data-dir", d.c_str(),
              "--log-level", "warn", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~serve_process() { kill(SIGKILL); }

  // Waits until /health answers.
  bool wait_ready() {
    for (int i = 0; i < 300; ++i) {
      try {
        test::http_client c(port_, "127.0.0.1", std::chrono::seconds(2));
        if (c.request("GET", "/health").status == 200) return true;
      } catch (const std::exception&) {
      }
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
  }

 private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

// One task of the generated body: ~90 bytes, deterministic.
std::string task_text(std::int64_t i) {
  return R"({"image":"https://example.com/images/)" + std::to_string(i) + R"(.jpg","n":)" + std::to_string(i) + "}";
}

// The import rows as SQLite has them, read without the store (the server holds the database).
struct import_row {
  std::string status;
  std::int64_t task_count = 0;
};
std::optional<import_row> running_import(const fs::path& db, std::int64_t project_id) {
  sqlite3* c = nullptr;
  if (sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(c);
    return std::nullopt;
  }
  sqlite3_busy_timeout(c, 2000);
  sqlite3_stmt* st = nullptr;
  std::optional<import_row> out;
  if (sqlite3_prepare_v2(c, "SELECT status, task_count FROM imports WHERE project_id = ?1 ORDER BY id DESC LIMIT 1", -1,
                         &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, project_id);
    if (sqlite3_step(st) == SQLITE_ROW)
      out = import_row{reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), sqlite3_column_int64(st, 1)};
  }
  sqlite3_finalize(st);
  sqlite3_close(c);
  return out;
}

TEST(ImportKillTest, SigkillHalfwayThroughAMillionTaskImportLeavesNoneOfIt) {
  const fs::path root = fs::temp_directory_path() / ("annot-import-kill-" + std::to_string(::getpid()));
  fs::remove_all(root);
  const fs::path data = root / "data";
  fs::create_directories(data);
  const fs::path db_path = data / "annot.db";

  // A user, a project and `before` tasks, through the store.
  std::int64_t pid = 0;
  std::string token;
  {
    auto s = store::open_store({"sqlite:" + db_path.string()});
    ASSERT_TRUE(s) << s.error().message();
    auto u = (*s)->run<store::user>([](store::write_context& w) { return w.create_user({.email = "kill@example.com"}); });
    ASSERT_TRUE(u);
    token = *(*s)->read()->legacy_token(u->id);
    auto p = (*s)->run<store::project>([&](store::write_context& w) {
      store::project_fields f;
      f.title = "kill";
      f.label_config = R"(<View><Image name="image" value="$image"/></View>)";
      return w.create_project({f, u->id});
    });
    ASSERT_TRUE(p);
    pid = p->id;
    auto st = (*s)->run([&](store::write_context& w) -> status {
      for (std::int64_t i = 0; i < before; ++i) {
        auto t = w.create_task({.project_id = pid, .data = task_text(-1 - i)});
        if (!t) return t.error();
      }
      return status::success();
    });
    ASSERT_TRUE(st) << st.message();
  }

  const std::uint16_t port = free_port();
  {
    serve_process serve(data, port);
    ASSERT_TRUE(serve.wait_ready()) << "annot serve did not start";

    // The body's exact length, to send a Content-Length and stop at half of it.
    std::uint64_t total = 2;  // "[" and "]"
    for (std::int64_t i = 0; i < big_import; ++i) total += task_text(i).size() + (i ? 1 : 0);
    test::http_client c(port, "127.0.0.1", std::chrono::seconds(30));
    c.send("POST /api/projects/" + std::to_string(pid) +
           "/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Token " + token +
           "\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n");
    std::string chunk = "[";
    std::uint64_t sent = 0;
    std::int64_t i = 0;
    while (sent < total / 2) {
      for (; i < big_import && chunk.size() < 256 * 1024; ++i) chunk += (i ? "," : "") + task_text(i);
      c.send(chunk);
      sent += chunk.size();
      chunk.clear();
    }
    // The import is running and has staged rows (hidden from readers), but is far from done.
    std::optional<import_row> row;
    for (int k = 0; k < 300; ++k) {
      row = running_import(db_path, pid);
      if (row && row->task_count > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(row) << "no import row for the project";
    EXPECT_EQ(row->status, "in_progress");
    EXPECT_GT(row->task_count, 0);
    EXPECT_LT(row->task_count, big_import);
    serve.kill(SIGKILL);
  }

  // Restart: the interrupted import is failed and invisible; the tasks from before are all there.
  {
    serve_process serve(data, port);
    ASSERT_TRUE(serve.wait_ready()) << "annot serve did not restart";
    test::http_client c(port);
    auto imports_seen = running_import(db_path, pid);
    ASSERT_TRUE(imports_seen);
    EXPECT_EQ(imports_seen->status, "failed");
    // A new import still works after the crash.
    auto r = c.request("POST", "/api/projects/" + std::to_string(pid) + "/import",
                       "[" + task_text(7) + "," + task_text(8) + "]",
                       {{"Authorization", "Token " + token}, {"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 201) << r.body;
    serve.kill(SIGTERM);
  }
  {
    auto s = store::open_store({"sqlite:" + db_path.string()});
    ASSERT_TRUE(s) << s.error().message();
    (*s)->drain();
    auto p = (*s)->read()->get_project(pid);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->task_number, before + 2);
    auto tasks = (*s)->read()->list_project_tasks(pid, 0, big_import);
    ASSERT_TRUE(tasks);
    EXPECT_EQ(std::int64_t(tasks->size()), before + 2);
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace annot::host
