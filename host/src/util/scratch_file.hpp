// Scratch files of the host (the import's CSV spool, the zip sink's spilled central directory):
// unnamed, so nothing is left behind however the process ends, in a folder the admin chooses.
#pragma once

#include <filesystem>

namespace annot::host::util {

// The system's temporary folder: TMPDIR (or TMP, TEMP, TEMPDIR) when it names a folder, else /tmp.
// The exporter plugins' scratch files (export_support/scratch_file.hpp) go to the same one.
std::filesystem::path temp_folder();

// A new, empty file open for reading and writing in `dir` (O_TMPFILE; where the file system lacks it, a
// named file unlinked at once), with close-on-exec. -1 with errno set when none can be made. The caller
// owns the descriptor. Any thread.
int open_unnamed_file(const std::filesystem::path& dir);

}  // namespace annot::host::util
