// ABI fixture (registration): registers an object tag abi_valid already owns, spelled in another
// case (tag names compare ignoring case). It ignores the error and reports success: the host must
// refuse the whole plugin, keeping neither that tag nor the one it registered first.
#include <annot/plugin.h>

namespace annot::plugins::abi_wants_valid_tag {

status register_clashing(registrar& reg) {
  if (auto st = reg.add_visual_tag({.tag = {.name = "AbiWanting"}}); !st) return st;
  (void)reg.add_object_tag({.tag = {.name = "abidoc", .description = "clashes with abi_valid's AbiDoc"}});
  return status::success();
}

}  // namespace annot::plugins::abi_wants_valid_tag

ANNOT_PLUGIN(abi_wants_valid_tag, data_type, "1.0.0", "ABI fixture: takes a tag another plugin owns",
             annot::plugins::abi_wants_valid_tag::register_clashing)
