// Import throughput end to end: N image tasks (~230 bytes of data each, generated deterministically)
// as one JSON file, without and with one prediction per task, through `annot import` (CLI) and
// through POST /api/projects/{id}/import against `annot serve` (streamed body). Prints tasks/s and
// peak RSS of the importing process, after the raw-insert bound printed by bench_store_import in
// the same run.
//   bench_import [DIR] [--tasks N] [--skip-bound]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench_common.hpp"
#include "store/store.hpp"

using namespace annot::bench;
namespace fs = std::filesystem;
namespace store = annot::host::store;

namespace {

// The tasks file: [{"data": {...}, "predictions": [...]}, ...].
std::uint64_t write_tasks(const fs::path& file, std::int64_t n, bool predictions) {
  std::ofstream out(file, std::ios::binary);
  std::string buf;
  buf.reserve(1 << 20);
  buf += "[";
  for (std::int64_t i = 0; i < n; ++i) {
    if (i) buf += ",\n";
    buf += "{\"data\":";
    buf += task_data(std::uint64_t(i));
    if (predictions) {
      buf += ",\"predictions\":[{\"model_version\":\"yolo-v8\",\"score\":0.87,\"result\":";
      buf += prediction_result();
      buf += "}]";
    }
    buf += "}";
    if (buf.size() > (1 << 20) - 1024) {
      out.write(buf.data(), std::streamsize(buf.size()));
      buf.clear();
    }
  }
  buf += "]";
  out.write(buf.data(), std::streamsize(buf.size()));
  return std::uint64_t(out.tellp());
}

struct setup {
  std::int64_t project_id = 0;
  std::string token;
};

// A fresh data directory with a user and an image project.
setup prepare(const fs::path& data) {
  fs::remove_all(data);
  fs::create_directories(data);
  auto s = store::open_store({"sqlite:" + (data / "annot.db").string()});
  if (!s) throw std::runtime_error(s.error().message());
  setup out;
  auto u = (*s)->run<store::user>([](store::write_context& w) { return w.create_user({.email = "bench@example.com"}); });
  if (!u) throw std::runtime_error(u.error().message());
  out.token = *(*s)->read()->legacy_token(u->id);
  auto p = (*s)->run<store::project>([&](store::write_context& w) {
    store::project_fields f;
    f.title = "bench";
    f.label_config = label_config();
    f.data_keys = std::vector<std::string>{"image"};
    return w.create_project({f, u->id});
  });
  if (!p) throw std::runtime_error(p.error().message());
  out.project_id = p->id;
  (*s)->drain();
  return out;
}

std::int64_t task_number(const fs::path& data, std::int64_t pid) {
  auto s = store::open_store({"sqlite:" + (data / "annot.db").string()});
  if (!s) return -1;
  auto p = (*s)->read()->get_project(pid);
  return p ? p->task_number : -1;
}

struct outcome {
  double seconds = 0;
  long rss_mb = 0;
  std::string output;
};

// Runs the CLI import in a child: wall time and the child's peak RSS.
outcome run_cli(const fs::path& data, std::int64_t pid, const fs::path& file) {
  const std::string bin = std::string(ANNOT_BENCH_BIN_DIR) + "/annot";
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  auto t0 = std::chrono::steady_clock::now();
  pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::string p = std::to_string(pid), d = data.string(), f = file.string();
    execl(bin.c_str(), bin.c_str(), "import", p.c_str(), f.c_str(), "--data-dir", d.c_str(), "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  outcome o;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) o.output.append(buf, std::size_t(n));
  close(fds[0]);
  int st = 0;
  rusage ru{};
  wait4(child, &st, 0, &ru);
  o.seconds = seconds_since(t0);
  o.rss_mb = ru.ru_maxrss / 1024;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) throw std::runtime_error("annot import failed: " + o.output);
  return o;
}

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

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

long vm_hwm_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return -1;
}

// Starts `annot serve`, streams the file as the request body, and reads the 201.
outcome run_api(const fs::path& data, const setup& st, const fs::path& file) {
  const std::string bin = std::string(ANNOT_BENCH_BIN_DIR) + "/annot";
  const std::uint16_t port = free_port();
  pid_t child = fork();
  if (child == 0) {
    std::string p = std::to_string(port), d = data.string();
    execl(bin.c_str(), bin.c_str(), "serve", "--host", "127.0.0.1", "--port", p.c_str(), "--data-dir", d.c_str(),
          "--log-level", "warn", static_cast<char*>(nullptr));
    _exit(127);
  }
  int fd = -1;
  for (int i = 0; i < 300 && fd < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fd = connect_to(port);
  }
  if (fd < 0) throw std::runtime_error("annot serve did not start");
  const long rss_idle = vm_hwm_mb(child);
  const std::uint64_t size = fs::file_size(file);
  auto t0 = std::chrono::steady_clock::now();
  std::string head = "POST /api/projects/" + std::to_string(st.project_id) +
                     "/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Token " +
                     st.token + "\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    std::size_t n = std::size_t(in.gcount());
    std::size_t off = 0;
    while (off < n) {
      ssize_t w = ::send(fd, buf.data() + off, n - off, MSG_NOSIGNAL);
      if (w <= 0) throw std::runtime_error("send failed");
      off += std::size_t(w);
    }
  }
  outcome o;
  char rb[4096];
  ssize_t n;
  while ((n = ::recv(fd, rb, sizeof rb, 0)) > 0) {
    o.output.append(rb, std::size_t(n));
    auto hdr = o.output.find("\r\n\r\n");
    if (hdr != std::string::npos) {
      auto cl = o.output.find("Content-Length: ");
      if (cl != std::string::npos && o.output.size() >= hdr + 4 + std::stoul(o.output.substr(cl + 16))) break;
    }
  }
  o.seconds = seconds_since(t0);
  o.rss_mb = vm_hwm_mb(child);
  ::close(fd);
  ::kill(child, SIGTERM);
  int wst = 0;
  waitpid(child, &wst, 0);
  if (o.output.rfind("HTTP/1.1 201", 0) != 0) throw std::runtime_error("import answered: " + o.output.substr(0, 400));
  o.output = o.output.substr(o.output.find("\r\n\r\n") + 4) + " (server idle peak RSS " + std::to_string(rss_idle) +
             " MB)";
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "annot-bench-import-e2e";
  std::int64_t n = 1'000'000;
  bool bound = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tasks") && i + 1 < argc) {
      n = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--skip-bound")) {
      bound = false;
    } else {
      dir = argv[i];
    }
  }
  fs::create_directories(dir);
  if (bound) {
    // The raw-insert bound (and the store's own staged path) for the same rows, same machine, same run.
    std::fflush(stdout);
    std::string cmd = std::string(ANNOT_BENCH_BIN_DIR) + "/bench_store_import " + (dir / "store").string() +
                      " --tasks " + std::to_string(n);
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "bench_store_import failed\n");
  }
  for (bool predictions : {false, true}) {
    const fs::path file = dir / (predictions ? "tasks_pred.json" : "tasks.json");
    const std::uint64_t bytes = write_tasks(file, n, predictions);
    std::printf("\nimport of %lld image tasks %s (%.0f MB JSON):\n", static_cast<long long>(n),
                predictions ? "with one prediction each" : "without predictions", double(bytes) / 1e6);
    {
      const fs::path data = dir / "cli";
      setup st = prepare(data);
      auto o = run_cli(data, st.project_id, file);
      std::int64_t got = task_number(data, st.project_id);
      std::printf("  CLI  annot import: %7.2f s  %9.0f tasks/s  %6.1f MB/s  peak RSS %ld MB  (project holds %lld)\n",
                  o.seconds, double(n) / o.seconds, double(bytes) / 1e6 / o.seconds, o.rss_mb,
                  static_cast<long long>(got));
    }
    {
      const fs::path data = dir / "api";
      setup st = prepare(data);
      auto o = run_api(data, st, file);
      std::int64_t got = task_number(data, st.project_id);
      std::printf("  API  POST import:  %7.2f s  %9.0f tasks/s  %6.1f MB/s  server peak RSS %ld MB  (project holds %lld)\n",
                  o.seconds, double(n) / o.seconds, double(bytes) / 1e6 / o.seconds, o.rss_mb,
                  static_cast<long long>(got));
      std::printf("       %s\n", o.output.substr(0, 300).c_str());
    }
    fs::remove(file);
  }
  fs::remove_all(dir);
  return 0;
}
