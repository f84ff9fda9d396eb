// The heap policy of a short batch command (annot export): keep what is freed, grow in large steps,
// and back the heap with huge pages, so the process takes a few hundred page faults instead of a
// few thousand. On the shared VMs we run on, a page fault costs 2-15 us (a bulk-populated page ~1 us):
// bench/export/README.md, session 28.
#pragma once

namespace annot::host::cli {

// Call once, first thing in the command, before other threads start. Never fails: what the kernel
// or the C library does not offer is skipped. Not for `annot serve`, whose heap must give memory back.
// ANNOT_NO_BATCH_MEMORY=1 in the environment leaves glibc's defaults (for benchmarks comparing both).
void use_batch_memory_policy();

}  // namespace annot::host::cli
