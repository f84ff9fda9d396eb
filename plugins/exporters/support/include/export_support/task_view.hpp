// A task read in place: a view over simdjson's DOM of the host's task text (one parser reused for the
// run) with the lookups and printers exporters need, giving the bytes the json printers give for the task
// as nlohmann's parser reads it.
#pragma once

#include <simdjson.h>

#include <annot/exporter.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export_support/json_text.hpp"

namespace annot::plugins::export_support {

// A value inside the current task's document: a 16-byte handle into the parser's tape, copied freely.
// Lifetime: valid until the task_view it came from parses the next task or is destroyed (for a plugin:
// the for_each_task_view callback); copy out (to_json, std::string) what must live longer.
using element = simdjson::dom::element;

// The member `key` of an object as nlohmann's parser resolves a repeated key: the last value (a
// repeated key keeps its first place when members are listed, see for_each_member). nullopt when absent
// or when `object` is not an object.
std::optional<element> find_member(element object, std::string_view key);

// Calls fn(std::string_view key, element value) per member of an object in the order nlohmann's parser
// keeps them: a repeated key once, in its first place, with its last value. Nothing for a non-object.
template <class Fn>
void for_each_member(element object, Fn&& fn);

// Python truthiness: null, false, 0, 0.0, "", [] and {} are false.
bool truthy(element e);
// nlohmann's is_number() / is_number_integer(): int64 or uint64 (and double for is_number).
bool is_number(element e);
bool is_integer(element e);
// A number as double; 0 for anything else.
double to_double(element e);
// An integer as nlohmann's get<std::int64_t>() gives it (a double truncated, and clamped to the int64
// range where nlohmann's cast is undefined); 0 for a non-number.
std::int64_t to_int64(element e);
// A pixel value computed from a region (already rounded or truncated) as the integer Python's int()
// makes of it: nullopt when it is not finite (int() raises) or |v| >= 2^53, where upstream writes an
// integer of any size, which we do not reproduce. Within that bound, sums and differences of a few
// such values stay far inside long long.
std::optional<long long> pixel_int(double v);
// The text of a string element; `fallback` for anything else.
std::string_view string_or(element e, std::string_view fallback = {});

// The element as nlohmann's parser gives it (non-negative integers unsigned, repeated keys merged as above);
// for the paths that still need a document (rare values printed with append_python_json, say).
json to_json(element e);
// append_ujson(out, to_json(e), options, level), without building the json.
void append_ujson(std::string& out, element e, const ujson_options& options, int level = 0);
// python_str(to_json(e)).
std::string python_str(element e);

// One parsed task. Parse a task, read it through root()/find()/elements until the next parse.
// Text simdjson refuses but nlohmann's parser takes (an integer beyond 64 bits, which becomes a double)
// is parsed by nlohmann, printed and read again, so both paths see the same values.
// Threading: one thread at a time. Memory: the parser keeps the largest task's buffers.
class task_view {
 public:
  task_view() = default;
  task_view(const task_view&) = delete;
  task_view& operator=(const task_view&) = delete;

  // false: the text is not valid JSON (nothing may be read then). Invalidates every element of the last task.
  // `padding`: bytes after the text that may be read (task_cursor::text_padding()); with simdjson's 64 or
  // more the text is parsed where it lies, else copied into the parser's padded buffer first.
  bool parse(std::string_view text, std::size_t padding = 0);
  // The whole task; only after parse() returned true.
  element root() const noexcept { return root_; }
  bool is_object() const noexcept { return ok_ && root_.type() == simdjson::dom::element_type::OBJECT; }
  // A member of the task (last value of a repeated key); nullopt when absent or the task is not an object.
  std::optional<element> find(std::string_view key) const {
    return ok_ ? find_member(root_, key) : std::nullopt;
  }
  // The task id (0 when absent or not an integer).
  std::int64_t id() const;

 private:
  simdjson::dom::parser parser_;
  element root_;
  bool ok_ = false;
  std::string fallback_;
};

// Reads every task, parses it once into a reused task_view and calls fn(const task_view&) ->
// annot::status. Unparsable task text is reported as skipped; the first error of the cursor or of fn
// ends the loop. Elements of a task are valid only inside the call that gets it.
template <class Fn>
annot::status for_each_task_view(annot::task_cursor& tasks, annot::export_log& log, Fn&& fn) {
  std::string_view text;
  task_view task;
  for (;;) {
    annot::result<bool> more = tasks.next(text);
    if (!more.ok()) return more.error();
    if (!*more) return {};
    if (!task.parse(text, tasks.text_padding())) {
      log.skipped(0, "a task is not valid JSON");
      continue;
    }
    if (annot::status st = fn(static_cast<const task_view&>(task)); !st.ok()) return st;
  }
}

namespace detail {
// Whether an object holds a repeated key (then for_each_member takes the slow path).
bool has_repeated_key(simdjson::dom::object o);
// The members of an object with a repeated key, merged as nlohmann's parser merges them (first place, last
// value), into `out`; O(n log n).
void merged_members(simdjson::dom::object o, std::vector<std::pair<std::string_view, element>>& out);
}  // namespace detail

template <class Fn>
void for_each_member(element object, Fn&& fn) {
  if (object.type() != simdjson::dom::element_type::OBJECT) return;
  simdjson::dom::object o(object);
  if (!detail::has_repeated_key(o)) {
    for (simdjson::dom::key_value_pair kv : o) fn(kv.key, kv.value);
    return;
  }
  std::vector<std::pair<std::string_view, element>> members;
  detail::merged_members(o, members);
  for (const auto& [key, value] : members) fn(key, value);
}

}  // namespace annot::plugins::export_support
