// Op streams: fields as [u32 size][bytes] and i64, log ops 'W' and 'S'.
#include "export_support/op_stream.hpp"

#include <cstring>
#include <stdexcept>

namespace annot::plugins::export_support {

void op_writer::text(std::string_view text) {
  begin_text().append(text);
  end_text();
}

void op_writer::id(std::int64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }

std::string& op_writer::begin_text() {
  text_at_ = out_.size();
  out_.append(4, '\0');
  return out_;
}

void op_writer::end_text() {
  const std::size_t n = out_.size() - text_at_ - 4;
  if (n > UINT32_MAX) throw std::runtime_error("an export op field of 4 GiB or more");
  const auto u = static_cast<std::uint32_t>(n);
  std::memcpy(out_.data() + text_at_, &u, 4);
}

void op_writer::warn(std::string_view message) noexcept {
  try {
    op(warn_op);
    text(message);
  } catch (...) {
    // Out of memory: the stream may end in a partial op, which run() reports as an error.
  }
}

void op_writer::skipped(std::int64_t task_id, std::string_view reason) noexcept {
  try {
    op(skipped_op);
    id(task_id);
    text(reason);
  } catch (...) {
  }
}

std::string_view op_reader::take(std::size_t n) {
  if (n > ops_.size()) throw std::runtime_error("a prepared task's ops are cut off");
  std::string_view part = ops_.substr(0, n);
  ops_.remove_prefix(n);
  return part;
}

std::string_view op_reader::text() {
  std::uint32_t n;
  std::memcpy(&n, take(4).data(), 4);
  return take(n);
}

std::int64_t op_reader::id() {
  std::int64_t v;
  std::memcpy(&v, take(sizeof v).data(), sizeof v);
  return v;
}

bool op_reader::replay_log(char code, annot::export_log& log) {
  if (code == op_writer::warn_op) {
    log.warn(text());
    return true;
  }
  if (code == op_writer::skipped_op) {
    const std::int64_t task_id = id();
    log.skipped(task_id, text());
    return true;
  }
  return false;
}

}  // namespace annot::plugins::export_support
