// ABI fixture (registration): an exporter that registers a UI bundle, which only data_type plugins
// may do. It ignores the error status and reports success: the host must refuse it anyway.
#include <annot/plugin.h>

namespace annot::plugins::abi_broken_exporter_ui {

status register_ui_anyway(registrar& reg) {
  (void)reg.add_ui_bundle({.module = "index.js"});
  return status::success();
}

}  // namespace annot::plugins::abi_broken_exporter_ui

ANNOT_PLUGIN(abi_broken_exporter_ui, exporter, "1.0.0", "ABI fixture: an exporter registering a UI bundle",
             annot::plugins::abi_broken_exporter_ui::register_ui_anyway)
