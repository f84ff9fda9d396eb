// glibc's malloc settings (the mallopt equivalents of the glibc.malloc.* tunables) plus
// MADV_HUGEPAGE on the heap, which glibc.malloc.hugetlb=1 would do but only from the environment.
#include "app/heap_policy.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <thread>

namespace annot::host::app {
namespace {

constexpr std::size_t mib = std::size_t(1) << 20;

// Held for the process's life; volatile, so that the compiler keeps an allocation nobody reads.
void* volatile gap_filler = nullptr;

bool turned_off() {
  const char* off = std::getenv("ANNOT_NO_HEAP_POLICY");
  return off && *off && *off != '0';
}

}  // namespace

void use_batch_heap_policy() {
  if (turned_off()) return;
  constexpr std::uintptr_t huge_page = 2 * mib;
  // One arena: every thread's allocations come from the one heap that gets huge pages below.
  mallopt(M_ARENA_MAX, 1);
  // Large buffers from the heap (whose freed memory is reused) rather than from their own mmap (whose
  // pages are returned at free and fault again at the next); 32 MiB is the most glibc takes.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(32 * mib));
  // Never give the heap's top back: the process ends soon, and the memory would fault in again.
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(1024 * mib));
  // Grow the heap 16 MiB at a time: fewer brk calls, and room for huge pages.
  mallopt(M_TOP_PAD, static_cast<int>(16 * mib));
  // Grow the heap now and mark it for transparent huge pages (THP in "madvise" mode, Debian's
  // default): a region's first touch then maps 2 MiB at once. Memory is only taken when touched.
  void* probe = std::malloc(8 * mib);
  if (!probe) return;
  const auto start = reinterpret_cast<std::uintptr_t>(probe);
  const auto from = (start + huge_page - 1) & ~(huge_page - 1);
  const auto to = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(huge_page - 1);
  if (to <= from || madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) != 0) {
    std::free(probe);
    return;
  }
  std::free(probe);
  // Later allocations would start where the probe did, in the small pages below the first 2 MiB
  // boundary (up to 512 faults). A block that is never touched fills that gap for good.
  if (from - start > 64) gap_filler = std::malloc(from - start - 64);
}

void use_server_heap_policy() {
  if (turned_off()) return;
  // Two arenas per core (at least 4), not glibc's eight: each arena keeps the top of its heap (which
  // malloc_trim leaves alone outside the main arena), so every arena a burst of exports touched stayed
  // at its peak. Three bursts of 40 concurrent COCO exports, then five alone, on 2 cores: 223 MB
  // resident with glibc's 16 arenas, 145-156 MB with 4, at the same speed; 2 arenas kept 85-111 MB
  // but saved annotations ~15% slower (bench/export/README.md, session 51).
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(4u, 2 * std::thread::hardware_concurrency())));
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(32 * mib));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(128 * mib));
}

}  // namespace annot::host::app
