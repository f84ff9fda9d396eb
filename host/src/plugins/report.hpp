// What the loader did, for programs and for people: the JSON of GET /api/plugins (and of
// `annot plugins --json`) and the text of `annot plugins`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "plugins/loader.hpp"
#include "plugins/registry.hpp"

namespace annot::host::plugins {

// {"sdk_version", "toolchain", "plugins": [{"name", "kind", "version", "description", "file",
//   "sdk_version", "toolchain", "registered": {...}, "ui": {"module", "styles", "imports"} | null}],
//  "refused": [{"file", "name", "stage", "reason"}]}
nlohmann::json plugins_json(const registry& reg);

// What one plugin registered, one key per interface: {"ui_bundle": "/plugins/hello/index.js"}.
nlohmann::json registered_json(const registry& reg, std::string_view plugin);

// A listing for a terminal: the host's SDK and toolchain, each loaded plugin, each refusal and why.
std::string describe_plugins_text(const load_report& report);

}  // namespace annot::host::plugins
