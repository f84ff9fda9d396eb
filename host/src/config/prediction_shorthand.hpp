// Label Studio's Prediction.prepare_prediction_result (spec §2.3): a prediction's result given as a
// shorthand, not a list, becomes a list of one item for the config's first control that takes it:
// a dict holding a control type's key ({"choices": ["A"]}), or a string or number for the first
// single-valued control (choices and textarea take a string; rating and number a number).
#pragma once

#include <nlohmann/json.hpp>

#include "config/model.hpp"

namespace annot::host::config {

// Expands `result` in place; a list, null, or a shorthand no control takes is left as it is.
void expand_prediction_shorthand(const config_model& model, nlohmann::ordered_json& result);

}  // namespace annot::host::config
