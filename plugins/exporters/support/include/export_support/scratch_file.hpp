// The temporary files of exporters (spill_file, sorted_runs, a format's own): unnamed files in the
// system's temporary folder (TMPDIR when it names a folder, else /tmp, as for the host's scratch
// files), so nothing is left behind however the export ends, and an admin can move them off a small /tmp.
#pragma once

#include <cstdio>
#include <memory>

namespace annot::plugins::export_support {

using scratch_file = std::unique_ptr<FILE, int (*)(FILE*)>;

// A new, empty file open for reading and writing ("w+b"), deleted when closed. Throws
// std::runtime_error naming the folder and the system's reason when none can be made. Any thread.
scratch_file open_scratch_file();

// Throws std::runtime_error for a failed `what` ("write", "read") on a scratch file, naming the folder and
// errno's reason (EIO's when errno is 0).
[[noreturn]] void scratch_file_failed(const char* what);

}  // namespace annot::plugins::export_support
