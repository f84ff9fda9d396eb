// SQLite's own count of the virtual machine steps of every statement run on connections opened while
// a sqlite_step_count lives (an auto-extension sets a profile hook on each). A step count, unlike a
// time, says how much work a query did whatever the machine's load: tests use it to show that a
// request's work is bounded by what it reads, not by the rest of the database.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>

namespace annot::host::testing {

class sqlite_step_count {
 public:
  sqlite_step_count() {
    steps() = 0;
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(install));
  }
  ~sqlite_step_count() { sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(install)); }
  sqlite_step_count(const sqlite_step_count&) = delete;
  sqlite_step_count& operator=(const sqlite_step_count&) = delete;

  // Steps counted since construction or the last reset(), on any thread.
  std::int64_t count() const { return steps(); }
  void reset() { steps() = 0; }

 private:
  static std::atomic<std::int64_t>& steps() {
    static std::atomic<std::int64_t> n{0};
    return n;
  }
  static int on_profile(unsigned, void*, void* statement, void*) {
    steps() += sqlite3_stmt_status(static_cast<sqlite3_stmt*>(statement), SQLITE_STMTSTATUS_VM_STEP, 1);
    return 0;
  }
  static int install(sqlite3* db, const char**, const struct sqlite3_api_routines*) {
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, on_profile, nullptr);
    return SQLITE_OK;
  }
};

}  // namespace annot::host::testing
