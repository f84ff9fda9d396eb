// ABI fixture (entry_symbol): a plugin built under another name, so its folder abi_broken_no_entry
// finds no annot_plugin_abi_broken_no_entry_entry in annot_abi_broken_no_entry.so.
#include <annot/plugin.h>

#include <cstdlib>

namespace annot::plugins::abi_broken_no_entry {
// The loader must refuse the plugin before running any of its code.
status register_never(registrar&) {
  std::abort();
}
}  // namespace annot::plugins::abi_broken_no_entry

ANNOT_PLUGIN(some_other_name, data_type, "1.0.0", "ABI fixture: exports the wrong entry symbol",
             annot::plugins::abi_broken_no_entry::register_never)
