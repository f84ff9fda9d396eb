// ABI fixture (sdk_version): a descriptor written by hand instead of ANNOT_PLUGIN(...), built for SDK minor 3
// above the host's.
#include <annot/plugin.h>

#include <cstdlib>

namespace {
// The loader must refuse the plugin before running any of its code.
int register_never(annot_registrar*) {
  std::abort();
}

const annot_plugin_descriptor descriptor = {ANNOT_PLUGIN_MAGIC,
                                            static_cast<uint32_t>(sizeof(annot_plugin_descriptor)),
                                            ANNOT_SDK_VERSION_MAJOR,
                                            ANNOT_SDK_VERSION_MINOR + 3,
                                            ANNOT_SDK_VERSION_PATCH,
                                            0,
                                            ANNOT_TOOLCHAIN_FINGERPRINT,
                                            "abi_broken_sdk_minor",
                                            ANNOT_PLUGIN_KIND_data_type,
                                            "1.0.0",
                                            "ABI fixture: built for SDK minor 3 above the host's",
                                            &register_never};
}  // namespace

extern "C" __attribute__((visibility("default"))) const annot_plugin_descriptor*
annot_plugin_abi_broken_sdk_minor_entry(void) {
  return &descriptor;
}
