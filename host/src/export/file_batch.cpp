#include "export/file_batch.hpp"

#include <fcntl.h>
#include <liburing.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace annot::host::exporting {

struct file_batch::state {
  io_uring ring{};
  bool broken = false;  // the ring failed mid-batch: its state is unknown, nothing more is submitted
  std::string dir;      // the queued files' folder, with its '/'
  int dir_fd = -1;
  std::size_t count = 0;
  std::array<std::string, kFiles> names;  // NUL-terminated for the kernel
  std::array<std::size_t, kFiles> hashes{};
  std::array<std::string_view, kFiles> bytes;

  ~state() {
    io_uring_queue_exit(&ring);
    if (dir_fd >= 0) ::close(dir_fd);
  }
  std::string path_of(std::size_t i) const { return dir + names[i]; }
};

namespace {
// Operations of file i's chain, in its completion's user_data.
constexpr std::uint64_t kOpenOp = 0, kWriteOp = 1, kCloseOp = 2;
}  // namespace

namespace {
// ANNOT_EXPORT_IO_URING: "0" never, "1" always, anything else or unset: batch_pays_off() measures.
enum class uring_setting { never, always, measure };
uring_setting setting() {
  static const uring_setting s = [] {
    const char* v = std::getenv("ANNOT_EXPORT_IO_URING");
    if (v && std::string_view(v) == "0") return uring_setting::never;
    if (v && std::string_view(v) == "1") return uring_setting::always;
    return uring_setting::measure;
  }();
  return s;
}
}  // namespace

// The least of 4 rounds of 24 getppid calls: a round the thread was preempted in only comes out slower.
double system_call_ns() {
  double best = 1e300;
  for (int round = 0; round < 4; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 24; ++i) ::syscall(SYS_getppid);
    const std::chrono::duration<double, std::nano> spent = std::chrono::steady_clock::now() - start;
    best = std::min(best, spent.count() / 24);
  }
  return best;
}

bool batch_pays_off() {
  static const bool yes = [] {
    switch (setting()) {
      case uring_setting::never: return false;
      case uring_setting::always: return true;
      case uring_setting::measure: break;
    }
    return system_call_ns() >= 700;
  }();
  return yes;
}

std::unique_ptr<file_batch> file_batch::create() {
  if (setting() == uring_setting::never) return nullptr;
  auto s = std::make_unique<state>();
  io_uring_params params{};
  // One thread submits and reaps (the lane's): completions are run when it waits, not by interrupts.
  // SUBMIT_ALL: an entry the kernel refuses at submission gets its error as a completion, and the rest
  // are still submitted, so flush() gets a completion for every entry it queued.
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
  int rc = io_uring_queue_init_params(kFiles * 4, &s->ring, &params);
  if (rc == -EINVAL) {  // kernels before 6.1 lack these flags
    params = {};
    rc = io_uring_queue_init_params(kFiles * 4, &s->ring, &params);
  }
  if (rc < 0) return nullptr;
  // A slot per queued file: its descriptor never enters the process's table (no fd limit, no leak on fork).
  if (io_uring_register_files_sparse(&s->ring, kFiles) < 0) return nullptr;  // ~state exits the ring
  return std::unique_ptr<file_batch>(new file_batch(std::move(s)));
}

file_batch::file_batch(std::unique_ptr<state> s) : s_(std::move(s)) {}
file_batch::~file_batch() = default;

annot::status file_batch::add(std::string_view path, std::string_view bytes) {
  state& s = *s_;
  const std::size_t slash = path.rfind('/');
  const std::string_view parent =
      slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
  const std::string_view name = path.substr(parent.size());
  const std::size_t hash = std::hash<std::string_view>{}(name);
  bool queued = false;
  for (std::size_t i = 0; i < s.count && !queued; ++i) queued = s.hashes[i] == hash && s.names[i] == name;
  if (s.count == kFiles || queued || parent != s.dir)
    if (annot::status st = flush(); !st.ok()) return st;
  if (parent != s.dir || s.dir_fd < 0) {
    if (s.dir_fd >= 0) ::close(s.dir_fd);
    s.dir.assign(parent);
    s.dir_fd = ::open(s.dir.empty() ? "." : s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s.dir_fd < 0)
      return annot::status(annot::errc::io_error,
                           "cannot open folder " + s.dir + ": " + std::strerror(errno));
  }
  s.names[s.count].assign(name);
  s.hashes[s.count] = hash;
  s.bytes[s.count] = bytes;
  ++s.count;
  return {};
}

annot::status file_batch::flush() {
  state& s = *s_;
  if (s.count == 0) return {};
  const std::size_t n = s.count;
  s.count = 0;
  if (s.broken)
    return annot::status(annot::errc::io_error, "cannot write files in " + s.dir + ": io_uring failed");
  for (std::size_t i = 0; i < n; ++i) {
    const auto slot = static_cast<unsigned>(i);
    io_uring_sqe* sqe = io_uring_get_sqe(&s.ring);
    io_uring_prep_openat_direct(sqe, s.dir_fd, s.names[i].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644, slot);
    sqe->flags |= IOSQE_IO_LINK;  // a file that cannot be created is neither written nor closed
    io_uring_sqe_set_data64(sqe, i * 4 + kOpenOp);
    sqe = io_uring_get_sqe(&s.ring);
    io_uring_prep_write(sqe, static_cast<int>(slot), s.bytes[i].data(),
                        static_cast<unsigned>(s.bytes[i].size()), 0);
    sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;  // closed even when the write fails
    io_uring_sqe_set_data64(sqe, i * 4 + kWriteOp);
    sqe = io_uring_get_sqe(&s.ring);
    io_uring_prep_close_direct(sqe, slot);
    io_uring_sqe_set_data64(sqe, i * 4 + kCloseOp);
  }
  const unsigned queued = static_cast<unsigned>(n * 3);
  unsigned total = queued;
  int rc;
  do rc = io_uring_submit_and_wait(&s.ring, total);
  while (rc == -EINTR);
  // Without SUBMIT_ALL (older kernels) submission stops at an entry the kernel refuses: only the
  // entries it took complete, so only those are waited for (waiting for all would never end), and the
  // ring, holding entries that point into this batch's bytes, is not submitted again.
  if (rc >= 0 && static_cast<unsigned>(rc) < total) {
    s.broken = true;
    total = static_cast<unsigned>(rc);
  }
  annot::status first;
  // Files whose write or close failed (a full disk): removed below, so that no truncated file passes
  // for a whole one.
  std::vector<std::size_t> short_files;
  unsigned seen = 0;
  while (rc >= 0 && seen < total) {
    io_uring_cqe* cqe = nullptr;
    rc = io_uring_wait_cqe(&s.ring, &cqe);
    if (rc == -EINTR) {
      rc = 0;
      continue;
    }
    if (rc < 0) break;
    const std::uint64_t data = io_uring_cqe_get_data64(cqe);
    const std::size_t i = data / 4;
    const int res = cqe->res;
    io_uring_cqe_seen(&s.ring, cqe);
    ++seen;
    const bool short_write =
        (data % 4 == kWriteOp && res != -ECANCELED && static_cast<std::size_t>(res) != s.bytes[i].size()) ||
        (data % 4 == kCloseOp && res < 0 && res != -ECANCELED);
    if (short_write && (short_files.empty() || short_files.back() != i)) short_files.push_back(i);
    if (!first.ok()) continue;
    switch (data % 4) {
      case kOpenOp:
        if (res < 0)
          first = annot::status(annot::errc::io_error,
                                "cannot create " + s.path_of(i) + ": " + std::strerror(-res));
        break;
      case kWriteOp:
        // -ECANCELED: its open failed, which is the error to report.
        if (res != -ECANCELED && static_cast<std::size_t>(res) != s.bytes[i].size())
          first = annot::status(annot::errc::io_error, "cannot write " + s.path_of(i) + " (disk full?)");
        break;
      default:
        if (res < 0 && res != -ECANCELED)
          first = annot::status(annot::errc::io_error, "cannot write " + s.path_of(i) + " (disk full?)");
    }
  }
  for (std::size_t i : short_files) ::unlinkat(s.dir_fd, s.names[i].c_str(), 0);
  if (rc < 0) {
    s.broken = true;
    return annot::status(annot::errc::io_error, "cannot write files in " + s.dir + ": " + std::strerror(-rc));
  }
  if (total < queued && first.ok())
    return annot::status(annot::errc::io_error, "cannot write files in " + s.dir + ": io_uring took " +
                                                    std::to_string(total) + " of " + std::to_string(queued) +
                                                    " operations");
  return first;
}

}  // namespace annot::host::exporting
