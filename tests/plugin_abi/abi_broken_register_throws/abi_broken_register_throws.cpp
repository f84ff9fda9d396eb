// ABI fixture (registration): stages a UI bundle and a tag, then throws; ANNOT_PLUGIN's thunk turns
// the exception into a failure and the registry must keep nothing of the plugin.
#include <annot/plugin.h>

#include <stdexcept>

namespace annot::plugins::abi_broken_register_throws {

status register_then_throw(registrar& reg) {
  if (auto st = reg.add_ui_bundle({.module = "index.js"}); !st) return st;
  if (auto st = reg.add_visual_tag({.tag = {.name = "AbiThrowing"}}); !st) return st;
  throw std::runtime_error("fixture exception after staging a UI bundle and a tag");
}

}  // namespace annot::plugins::abi_broken_register_throws

ANNOT_PLUGIN(abi_broken_register_throws, data_type, "1.0.0", "ABI fixture: registration throws after staging",
             annot::plugins::abi_broken_register_throws::register_then_throw)
