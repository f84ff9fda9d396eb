// ABI fixture: a well-formed data_type plugin. It loads, logs, writes to its data folder, and
// registers a UI bundle, an object tag and a region with a validator.
#include <annot/plugin.h>

#include <fstream>
#include <memory>

namespace annot::plugins::abi_valid {

// Spans must not end before they start.
class span_check final : public result_validator {
 public:
  void check(const result_view& r, issue_sink& issues) const noexcept override {
    if (r.value.get("end").as_number() < r.value.get("start").as_number()) {
      issues.add(severity::error, "value.end", "end must not be before start");
    }
  }
};

status register_abi_valid(registrar& reg) {
  reg.services().log(log_level::info, "abi_valid registering");
  // The data folder is optional: the host may run without a data directory.
  if (auto dir = reg.services().data_dir()) std::ofstream(*dir + "/registered.txt") << "abi_valid\n";

  if (auto st = reg.add_ui_bundle({.module = "index.js",
                                   .styles = {"abi_valid.css"},
                                   .imports = {{"abi-valid/helpers", "helpers.js"}}});
      !st) {
    return st;
  }
  if (auto st = reg.add_object_tag(
          {.tag = {.name = "AbiDoc",
                   .description = "Shows a text (ABI fixture)",
                   .attributes = {{.name = "name", .required = true},
                                  {.name = "value", .required = true, .variable_allowed = true}},
                   .data_types = {data_type::str}}});
      !st) {
    return st;
  }
  return reg.add_region({.object_tag = "AbiDoc",
                         .result_type = "labels",
                         .geometry = "char_span",
                         .description = "Character offsets, end exclusive",
                         .value_fields = {{.name = "start", .type = field_type::integer, .required = true},
                                          {.name = "end", .type = field_type::integer, .required = true}},
                         .validator = std::make_unique<span_check>()});
}

}  // namespace annot::plugins::abi_valid

ANNOT_PLUGIN(abi_valid, data_type, "1.2.3", "ABI fixture: a plugin that loads",
             annot::plugins::abi_valid::register_abi_valid)
