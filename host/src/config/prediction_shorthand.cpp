#include "config/prediction_shorthand.hpp"

#include <cctype>
#include <string>

namespace annot::host::config {

void expand_prediction_shorthand(const config_model& model, nlohmann::ordered_json& result) {
  using json = nlohmann::ordered_json;
  if (result.is_array() || result.is_null()) return;
  if (!result.is_object() && !result.is_string() && !result.is_number()) return;
  for (const auto& c : model.controls()) {
    if (c.inst.to_names.empty()) continue;
    std::string type = c.inst.tag.tag;
    for (auto& ch : type) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    const std::string& key = c.spec().payload_key;
    json value;
    if (result.is_object()) {
      if (!result.contains(type) && (key.empty() || !result.contains(key))) continue;
      value = result;
    } else if (type == "choices" || type == "textarea") {
      value = {{key.empty() ? type : key, json::array({result})}};
    } else if ((type == "rating" || type == "number") && result.is_number()) {
      value = {{key.empty() ? type : key, result}};
    } else {
      continue;
    }
    result = json::array({json{{"from_name", c.inst.tag.name},
                               {"to_name", c.inst.to_names.front()},
                               {"type", type},
                               {"value", std::move(value)}}});
    return;
  }
}

}  // namespace annot::host::config
