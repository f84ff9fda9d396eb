// The host's annot::json_access over nlohmann::json: validators read the host's parsed document
// through annot::json_ref without re-parsing and without seeing nlohmann types.
#pragma once

#include <annot/regions.hpp>
#include <nlohmann/json.hpp>

namespace annot::host::config {

// Stateless; one instance serves every document.
const annot::json_access& nlohmann_access() noexcept;

// A json_ref to `j`, valid while `j` lives and is not modified.
inline annot::json_ref make_ref(const nlohmann::json& j) noexcept { return {&nlohmann_access(), &j}; }

}  // namespace annot::host::config
