// parsed_label_config in Label Studio's shape, for the project API (spec §4.2).
#pragma once

#include <nlohmann/json.hpp>

#include "config/model.hpp"

namespace annot::host::config {

// {control_name: {"type", "to_name", ["regex"], ["conditionals"], ["dynamic_labels"], "inputs",
//  "labels", "labels_attrs"}} in document order, derived the way label-studio-sdk's parse_config
// derives it (exact-case tag and attribute names, labels from the nearest control ancestor).
nlohmann::ordered_json parsed_label_config(const config_model& model);

}  // namespace annot::host::config
