// libFuzzer target: any bytes as a labeling config. Compiling, deriving data keys and
// parsed_label_config, and checking the sample task must never crash, leak or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/linked_plugins.hpp"
#include "config/model.hpp"
#include "config/parsed_config.hpp"
#include "config/results.hpp"
#include "config/task_data.hpp"

using namespace annot::host::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tag_catalog& catalog = linked_catalog();
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  compiled_config c = compile_config(xml, catalog);
  if (!c.model) return 0;
  for (const auto& e : c.errors) (void)describe(e);
  (void)parsed_label_config(*c.model).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)required_data_keys(*c.model);
  // The sample task in the trailing comment exercises the task checks and result validation.
  if (const auto& task = c.model->sample_task()) {
    (void)check_task(*c.model, *task);
    const nlohmann::json& data = (*task)["data"];
    for (const char* list : {"annotations", "predictions"}) {
      const nlohmann::json& items = (*task)[list];
      if (!items.is_array()) continue;
      for (const auto& a : items) {
        if (!a.is_object() || !a.contains("result")) continue;
        result_check_options o;
        o.task_data = data.is_object() ? &data : nullptr;
        (void)validate_results(*c.model, a["result"], o);
      }
    }
  }
  return 0;
}
