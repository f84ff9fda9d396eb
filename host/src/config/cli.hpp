// `annot config validate FILE.xml [--task task.json] [--result result.json]`, as a library function.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/tag_catalog.hpp"

namespace annot::host::config {

// Validates a labeling config file, and optionally a task and results against it, printing errors
// and warnings with line numbers (config) or JSON paths (task, results) to `out`.
// args: the words after "config", e.g. {"validate", "c.xml", "--task", "t.json"}.
// Exit codes: 0 clean or warnings only, 1 errors found, 2 usage or unreadable file.
// --result accepts a list of result items, {"result": [...]}, or a task with "annotations" /
// "predictions" (each one's result list is checked; its "data" serves as the task when --task is absent).
int run_config_validate(const std::vector<std::string>& args, const tag_catalog& catalog, std::ostream& out,
                        std::ostream& err);

// The usage text of `annot config`.
const char* config_usage() noexcept;

}  // namespace annot::host::config
