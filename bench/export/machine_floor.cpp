// The machine's own speed, measured in the same run as the exports (run on demand, never in CI).
// A shared virtual machine runs the same export 20-30% slower in some phases than in others
// (README.md, sessions 17-22); these two workloads slow down with it, so an export's time divided by
// theirs is a figure that two runs can compare.
//   annot_machine_floor files N DIR [threads=2]  creates N files of 120 bytes in DIR, as YOLO's
//                                                 label files are written (open, write, close), over
//                                                 `threads` threads: no YOLO export can be faster
//   annot_machine_floor pages MIB                 touches MIB of fresh anonymous memory, a page at
//                                                 a time: what an export's first use of memory costs
//   annot_machine_floor cpu N                     prints and reads back N numbers (std::to_chars,
//                                                 std::from_chars) into a growing text, on one
//                                                 thread: the kind of work an export's CPU does,
//                                                 with none of Annot's code (N = 400,000: ~50 ms)
// Prints the wall time in milliseconds.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

int usage() {
  std::fputs("usage: annot_machine_floor files N DIR [threads] | pages MIB | cpu N\n", stderr);
  return 2;
}

// Files i, i + step, i + 2 * step... of n, each named like a YOLO label file of the benchmark's data.
bool create_files(int dir, long first, long step, long n) {
  char line[121];
  std::memset(line, '7', sizeof line);
  line[120] = '\n';
  for (long i = first; i < n; i += step) {
    char name[64];
    std::snprintf(name, sizeof name, "3f1a9c2e__image_%08ld.txt", i);
    const int fd = ::openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    const bool written = ::write(fd, line, 120) == 120;
    ::close(fd);
    if (!written) return false;
  }
  return true;
}

// Numbers like a box's coordinates (four decimals, as gen_tasks.py writes them) printed shortest
// into a text that is cleared every 64 KiB, then read back; the sum keeps the work from being dropped.
double print_and_read(long n) {
  std::string text;
  text.reserve(1 << 16);
  double sum = 0;
  char buf[32];
  for (long i = 0; i < n; ++i) {
    const double v = static_cast<double>((i * 7919) % 1000000) / 10000.0;
    const auto printed = std::to_chars(buf, buf + sizeof buf, v);
    double back = 0;
    std::from_chars(buf, printed.ptr, back);
    sum += back;
    if (text.size() > (1 << 16) - 64) text.clear();
    text.append(buf, printed.ptr);
    text += ", ";
  }
  return sum + static_cast<double>(text.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string what = argv[1];
  const auto start = std::chrono::steady_clock::now();
  if (what == "files" && argc >= 4) {
    const long n = std::atol(argv[2]);
    const long threads = argc >= 5 ? std::atol(argv[4]) : 2;
    if (n <= 0 || threads <= 0) return usage();
    const int dir = ::open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
      std::fprintf(stderr, "annot_machine_floor: cannot open folder %s: %s\n", argv[3], std::strerror(errno));
      return 1;
    }
    std::vector<char> ok(static_cast<std::size_t>(threads), 0);
    std::vector<std::thread> workers;
    for (long t = 0; t < threads; ++t)
      workers.emplace_back([&, t] { ok[static_cast<std::size_t>(t)] = create_files(dir, t, threads, n); });
    for (auto& w : workers) w.join();
    ::close(dir);
    for (char k : ok)
      if (!k) {
        std::fprintf(stderr, "annot_machine_floor: cannot create files in %s\n", argv[3]);
        return 1;
      }
  } else if (what == "pages") {
    const long mib = std::atol(argv[2]);
    if (mib <= 0) return usage();
    const std::size_t size = static_cast<std::size_t>(mib) << 20;
    void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return 1;
    ::madvise(map, size, MADV_NOHUGEPAGE);  // 4 KiB pages, as an export's heap takes them
    const long page = ::sysconf(_SC_PAGESIZE);
    auto* bytes = static_cast<volatile char*>(map);
    for (std::size_t at = 0; at < size; at += static_cast<std::size_t>(page)) bytes[at] = 1;
    ::munmap(map, size);
  } else if (what == "cpu") {
    const long n = std::atol(argv[2]);
    if (n <= 0) return usage();
    if (print_and_read(n) < 0) return 1;  // never: the sum of non-negative numbers
  } else {
    return usage();
  }
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  std::printf("%.1f\n", took.count());
  return 0;
}
