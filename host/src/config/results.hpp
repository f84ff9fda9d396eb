// Result validation: checks a list of result items against a compiled config, with the registered
// control and region validators.
#pragma once

#include <annot/regions.hpp>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace annot::host::config {

struct result_issue {
  annot::severity level = annot::severity::error;
  std::string path;     // JSON path from the request body, e.g. "result[3].value.x"
  std::string message;
};

struct result_check_options {
  // Prefix of every issue path: the result list's own path in the request ("result",
  // "annotations[0].result").
  std::string base_path = "result";
  // task["data"], when known: enables span bounds (text length), item_index bounds, dynamic data.
  const nlohmann::json* task_data = nullptr;
  // Stop collecting after this many issues (the last one says how many were left out).
  std::size_t max_issues = 1000;
};

struct result_report {
  std::vector<result_issue> issues;
  std::size_t errors = 0;
  std::size_t rule_breaks = 0;
  bool clean() const noexcept { return issues.empty(); }
};

// Checks `results` (a JSON array of result items) against `model`. Never throws for bad input;
// safe to call from several threads at once on the same model.
result_report validate_results(const config_model& model, const nlohmann::json& results,
                               const result_check_options& options = {});

// "error" / "rule break"
std::string_view to_string(annot::severity s) noexcept;

}  // namespace annot::host::config
