// Ctrl-C (SIGINT) and SIGTERM for the commands that write (export, import): a signal stops the work at
// its next check, as a failure does, so what the command cleans up after a failure (a partial file, a
// folder it made, a staged import) is cleaned up after an interrupt too, instead of the default action
// ending the process where it stands.
#pragma once

#include <atomic>
#include <string>

namespace annot::host::cli {

// Installs the handlers for SIGINT and SIGTERM, except for a signal the process was started ignoring
// (a shell's background job is meant not to hear the terminal's Ctrl-C). A handler only notes the
// signal; SA_RESETHAND: a second one takes the default action and ends the process at once; SA_RESTART:
// reads and writes under way are not cut short by it. Call from the main thread, once, before the
// command creates anything it would have to clear.
void stop_on_interrupt();

// Set by the handlers; read it from any thread (the export cursor's cancel flag, the import's poll).
const std::atomic<bool>& interrupted() noexcept;

// "interrupted by SIGINT" (or SIGTERM), for the command's last message; and the exit status of a
// command so stopped: 128 + the signal, as a shell reports a process the signal ended.
std::string interrupted_by();
int interrupted_exit_code() noexcept;

}  // namespace annot::host::cli
