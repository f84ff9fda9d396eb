// Prepared task bytes: the payload, the deferred log entries, and their size at the end.
#include "export_support/prepared.hpp"

#include <cstring>

namespace annot::plugins::export_support {

namespace {

template <class T>
void put_raw(std::string& out, T v) {
  char b[sizeof v];
  std::memcpy(b, &v, sizeof v);
  out.append(b, sizeof v);
}

template <class T>
T get_raw(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

constexpr std::size_t entry_head = 1 + sizeof(std::int64_t) + sizeof(std::uint32_t);

}  // namespace

void deferred_log::add(char kind, std::int64_t task_id, std::string_view message) noexcept {
  try {
    entries_ += kind;
    put_raw(entries_, task_id);
    put_raw(entries_, static_cast<std::uint32_t>(message.size()));
    entries_.append(message);
  } catch (...) {
    // Out of memory: the entry is lost, as a log drops what it cannot keep; the output is not.
  }
}

task_view& detail::thread_task_view() {
  thread_local task_view view;
  return view;
}

void detail::seal_prepared(std::string& prepared, std::string_view entries) {
  prepared.append(entries);
  put_raw(prepared, static_cast<std::uint32_t>(entries.size()));
}

annot::result<std::string_view> detail::open_prepared(std::string_view prepared, annot::export_log& log) {
  const auto bad = [] {
    return annot::status(annot::errc::internal, "the task cursor handed out bytes its preparer did not make");
  };
  if (prepared.size() < sizeof(std::uint32_t)) return bad();
  const std::size_t log_size = get_raw<std::uint32_t>(prepared.data() + prepared.size() - sizeof(std::uint32_t));
  if (log_size > prepared.size() - sizeof(std::uint32_t)) return bad();
  const std::size_t payload_size = prepared.size() - sizeof(std::uint32_t) - log_size;
  std::string_view entries = prepared.substr(payload_size, log_size);
  while (!entries.empty()) {
    if (entries.size() < entry_head) return bad();
    const char kind = entries[0];
    const auto task_id = get_raw<std::int64_t>(entries.data() + 1);
    const std::size_t size = get_raw<std::uint32_t>(entries.data() + 1 + sizeof(std::int64_t));
    if (size > entries.size() - entry_head) return bad();
    std::string_view message = entries.substr(entry_head, size);
    if (kind == 'w') log.warn(message);
    else log.skipped(task_id, message);
    entries.remove_prefix(entry_head + size);
  }
  return prepared.substr(0, payload_size);
}

}  // namespace annot::plugins::export_support
