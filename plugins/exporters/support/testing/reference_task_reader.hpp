// Reference implementation (tests only): the task text read into a trimmed `json` document, the path exporters
// used before task_view; tests/view_test.cpp checks the view against it.
#pragma once

#include <memory>
#include <string_view>

#include "export_support/json_text.hpp"

namespace annot::plugins::export_support::reference {

// Parses tasks one after another. Kept keys: on the task "id", "data", "annotations",
// "completions", "agreement"; on each annotation "id", "completed_by", "result", "was_cancelled",
// "skipped", "created_at", "updated_at", "lead_time", "history" (results and data are whole).
// Values come out as nlohmann's parser gives them (non-negative integers unsigned, negative ones
// signed, the rest doubles, key order kept, a repeated key's last value in its first place); text
// simdjson refuses (an integer beyond 64 bits, say) goes through nlohmann's parser instead.
// Threading: one thread at a time. Memory: the parser keeps the largest task's buffers.
class task_reader {
 public:
  task_reader();
  ~task_reader();
  task_reader(const task_reader&) = delete;
  task_reader& operator=(const task_reader&) = delete;

  // Replaces `out` with the trimmed task. false: the text is not valid JSON (out is then null).
  bool parse(std::string_view text, json& out);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace annot::plugins::export_support::reference
