// ABI fixture (registration): stages a UI bundle, a tag and a region, then fails; the registry must
// keep none of them.
#include <annot/plugin.h>

namespace annot::plugins::abi_broken_register_fails {

status register_then_fail(registrar& reg) {
  if (auto st = reg.add_ui_bundle({.module = "index.js"}); !st) return st;
  if (auto st = reg.add_object_tag({.tag = {.name = "AbiFailing", .description = "never kept"}}); !st)
    return st;
  if (auto st = reg.add_region({.object_tag = "AbiFailing", .result_type = "*", .geometry = "none"}); !st)
    return st;
  return status(errc::invalid_argument, "fixture failure after staging a UI bundle, a tag and a region");
}

}  // namespace annot::plugins::abi_broken_register_fails

ANNOT_PLUGIN(abi_broken_register_fails, data_type, "1.0.0", "ABI fixture: registration fails after staging",
             annot::plugins::abi_broken_register_fails::register_then_fail)
