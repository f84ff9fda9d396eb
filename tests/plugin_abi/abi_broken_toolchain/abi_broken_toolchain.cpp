// ABI fixture (toolchain): a descriptor written by hand instead of ANNOT_PLUGIN(...), built with another
// compiler and standard library.
#include <annot/plugin.h>

#include <cstdlib>

namespace {
// The loader must refuse the plugin before running any of its code.
int register_never(annot_registrar*) {
  std::abort();
}

const annot_plugin_descriptor descriptor = {
    ANNOT_PLUGIN_MAGIC,
    static_cast<uint32_t>(sizeof(annot_plugin_descriptor)),
    ANNOT_SDK_VERSION_MAJOR,
    ANNOT_SDK_VERSION_MINOR,
    ANNOT_SDK_VERSION_PATCH,
    0,
    "clang-99 libc++ cxx11abi=n/a glibcxx_debug=0 glibcxx_assertions=0",
    "abi_broken_toolchain",
    ANNOT_PLUGIN_KIND_data_type,
    "1.0.0",
    "ABI fixture: built with another compiler and standard library",
    &register_never};
}  // namespace

extern "C" __attribute__((visibility("default"))) const annot_plugin_descriptor*
annot_plugin_abi_broken_toolchain_entry(void) {
  return &descriptor;
}
