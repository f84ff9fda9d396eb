// Ops a preparer writes for run() when a task's output depends on the tasks before it (ids counted over the
// export, categories appended for unknown labels, files written once): the preparer prints everything it can
// and leaves the rest as ops, in order; run() applies them. The log is kept in its place among the ops ('W',
// 'S'), so warnings come out in the order a one-thread loop gives them. A format picks its own op codes
// (other than 'W' and 'S'); fields are strings ([u32 size][bytes]) and ids (i64). Both ends are the format's
// own code: the layout is no contract.
#pragma once

#include <annot/exporter.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace annot::plugins::export_support {

// Appends ops to a prepared task's bytes; as an export_log it appends log ops.
// Threading: one per prepare() call.
class op_writer final : public annot::export_log {
 public:
  static constexpr char warn_op = 'W', skipped_op = 'S';

  explicit op_writer(std::string& out) : out_(out) {}
  void op(char code) { out_ += code; }
  void text(std::string_view text);
  void id(std::int64_t v);
  // A string field written in place: append to begin_text()'s buffer, then end_text().
  std::string& begin_text();
  void end_text();

  void warn(std::string_view message) noexcept override;
  void skipped(std::int64_t task_id, std::string_view reason) noexcept override;

 private:
  std::string& out_;
  std::size_t text_at_ = 0;
};

// Reads ops back. A malformed stream throws std::runtime_error (a bug: both ends are the format's).
class op_reader {
 public:
  explicit op_reader(std::string_view ops) : ops_(ops) {}
  bool done() const noexcept { return ops_.empty(); }
  char op() { return take(1)[0]; }
  std::string_view text();
  std::int64_t id();
  // Replays log op `code` into `log`; false when `code` is not a log op.
  bool replay_log(char code, annot::export_log& log);

 private:
  std::string_view take(std::size_t n);
  std::string_view ops_;
};

}  // namespace annot::plugins::export_support
