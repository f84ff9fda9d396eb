// An exporter's per-task work on the host's threads (SDK 1.5 task_preparer): a preparer parses each task
// and turns it into bytes on whichever thread the host runs it; run() reads the bytes back in task order,
// and what the preparer logged is replayed into the export's log at the task's place, so warnings, skips
// and the output come out exactly as a one-thread loop gives them.
//
// Prepared bytes: [what fn wrote][log entries][u32 size of the log entries], an entry being
// [u8 'w' or 's'][i64 task id][u32 size][message]. Both ends are this file's: the layout is no contract.
#pragma once

#include <annot/exporter.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::export_support {

// The export_log a preparer's fn writes to: entries are appended to a buffer, moved into the prepared
// bytes after fn returns. Threading: one per prepare() call.
class deferred_log final : public annot::export_log {
 public:
  explicit deferred_log(std::string& entries) : entries_(entries) {}
  void warn(std::string_view message) noexcept override { add('w', 0, message); }
  void skipped(std::int64_t task_id, std::string_view reason) noexcept override { add('s', task_id, reason); }

 private:
  void add(char kind, std::int64_t task_id, std::string_view message) noexcept;
  std::string& entries_;
};

namespace detail {
// The task_view of the calling thread: a preparer runs on host threads, one task at a time per thread.
// Its parser keeps the largest task's buffers for the life of the thread.
task_view& thread_task_view();
// Appends the log entries and their size to `prepared`.
void seal_prepared(std::string& prepared, std::string_view entries);
// Splits prepared bytes: replays the log entries into `log` and returns what fn wrote; an error when the
// bytes are not prepared bytes (a cursor that ignored prepare_with).
annot::result<std::string_view> open_prepared(std::string_view prepared, annot::export_log& log);
}  // namespace detail

// A task_preparer calling fn(const task_view& task, std::string& out, annot::export_log& log) ->
// annot::status for each task that parses (one that does not is reported as skipped, as
// for_each_task_view does); fn appends to `out` what run() needs of the task. fn is called on several
// threads at once: it may read only what does not change during the pass and keep its scratch
// thread_local or on the stack. An exception becomes errc::internal.
template <class Fn>
class task_view_preparer final : public annot::task_preparer {
 public:
  explicit task_view_preparer(Fn fn) : fn_(std::move(fn)) {}

  // The padding the cursor promises after each task's text (task_cursor::text_padding()), so that a
  // task is parsed where it lies. Set before the cursor gets the preparer: for_each_prepared does.
  void set_text_padding(std::size_t bytes) noexcept { text_padding_ = bytes; }

  annot::status prepare(std::string_view task_json, std::string& prepared) const noexcept override {
    return guarded([&]() -> annot::status {
      thread_local std::string entries;
      entries.clear();
      deferred_log log(entries);
      task_view& task = detail::thread_task_view();
      if (!task.parse(task_json, text_padding_)) {
        log.skipped(0, "a task is not valid JSON");
      } else if (annot::status st =
                     fn_(static_cast<const task_view&>(task), prepared, static_cast<annot::export_log&>(log));
                 !st.ok()) {
        return st;
      }
      detail::seal_prepared(prepared, entries);
      return {};
    });
  }

 private:
  Fn fn_;
  std::size_t text_padding_ = 0;
};

// Hands `preparer` to the cursor and reads every task as prepared: replays what the preparer logged for
// the task into `log`, then calls fn(std::string_view what_fn_wrote) -> annot::status (empty for a task
// that did not parse, or one the preparer's fn wrote nothing for). The first error of
// the cursor, the preparer or fn ends the loop. On return (an exception too) the cursor has let the
// preparer go, so it may be destroyed.
template <class Fn>
annot::status for_each_prepared(annot::task_cursor& tasks, const annot::task_preparer& preparer,
                                annot::export_log& log, Fn&& fn) {
  if (annot::status st = tasks.prepare_with(&preparer); !st.ok()) return st;
  struct let_go {
    annot::task_cursor& tasks;
    ~let_go() { (void)tasks.prepare_with(nullptr); }
  } guard{tasks};
  std::string_view bytes;
  for (;;) {
    annot::result<bool> more = tasks.next(bytes);
    if (!more.ok()) return more.error();
    if (!*more) return {};
    annot::result<std::string_view> payload = detail::open_prepared(bytes, log);
    if (!payload.ok()) return payload.error();
    if (annot::status st = fn(*payload); !st.ok()) return st;
  }
}

// The same with a task_view_preparer told the cursor's text_padding() first, so that each task is parsed
// where the cursor holds it rather than copied.
template <class PrepareFn, class Fn>
annot::status for_each_prepared(annot::task_cursor& tasks, task_view_preparer<PrepareFn>& preparer,
                                annot::export_log& log, Fn&& fn) {
  preparer.set_text_padding(tasks.text_padding());
  return for_each_prepared(tasks, static_cast<const annot::task_preparer&>(preparer), log,
                           std::forward<Fn>(fn));
}

// The common case: a format whose output is each task's text, one after the other, in one file. fn is a
// task_view_preparer's fn (run on the host's threads); what it appends for each task is written to `w` in
// task order.
template <class Fn>
annot::status write_each_task(annot::task_cursor& tasks, annot::export_log& log, buffered_writer& w, Fn fn) {
  task_view_preparer<Fn> preparer(std::move(fn));
  return for_each_prepared(tasks, preparer, log, [&](std::string_view text) -> annot::status {
    w.append(text);
    return w.error();
  });
}

}  // namespace annot::plugins::export_support
