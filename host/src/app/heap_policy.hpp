// How the process's heap (glibc malloc) is tuned for what the process does. On the shared VMs we run
// on, a page fault costs 2-15 us (a bulk-populated page ~1 us), and glibc's defaults give freed memory
// back to the kernel, so every export faulted its buffers in afresh: 1,000-2,600 faults each
// (bench/export/README.md, session 28). Both policies keep freed memory for reuse.
// ANNOT_NO_HEAP_POLICY=1 in the environment leaves glibc's defaults (for benchmarks comparing both).
#pragma once

namespace annot::host::app {

// A short batch command (annot export): one arena, nothing ever trimmed, the heap grown 16 MiB at a
// time and backed by transparent huge pages. Peak RSS grows by a few MiB (huge pages are 2 MiB).
// Not for commands whose threads allocate at once (annot import: one arena is slower there).
// Call once, first thing in the command, before other threads start. Never fails: what the kernel or
// the C library does not offer is skipped.
void use_batch_heap_policy();

// A server (annot serve): two malloc arenas per core, large buffers come from the heaps instead of
// their own mappings, and up to 128 MiB freed at the top of a heap is kept, so the next export or
// import reuses the last one's pages. The heaps keep about their busiest moment's size (~+13 MiB of
// RSS after exports here); after a burst of concurrent exports the server trims them
// (http/burst_counter.hpp).
// Call once at start, before the server's threads start.
void use_server_heap_policy();

}  // namespace annot::host::app
