/* The plugin handshake: the only C-level contract between a plugin library and the host.
 *
 * A plugin is a shared library `annot_<name>.so` in its own folder `<plugins-dir>/<name>/`, next to an
 * optional `ui/` folder with its web assets. It exports exactly one C symbol,
 * `annot_plugin_<name>_entry`, returning a pointer to a static descriptor. The host reads the
 * descriptor and checks, in order: magic and struct size, SDK version, toolchain fingerprint,
 * required fields, name against the file name, duplicate names. Only then does it call `register_fn`.
 *
 * Plugin authors do not fill the descriptor by hand: they write one ANNOT_PLUGIN(...) line (below),
 * which stamps the magic, size, SDK version and toolchain from the headers they compiled against.
 *
 * Since: SDK 1.0
 */
#ifndef ANNOT_PLUGIN_H
#define ANNOT_PLUGIN_H

#include "annot/toolchain.h"
#include "annot/version.h"

#ifdef __cplusplus
#include <cstdint>
extern "C" {
#else
#include <stdint.h>
#endif

/** "ANNOTPLG" as a little-endian 64-bit number; a descriptor that does not start with it is refused.
 *  Since: SDK 1.0 */
#define ANNOT_PLUGIN_MAGIC 0x474C50544F4E4E41ull

/** What a plugin may register. Each kind registers only its own kind of thing:
 *  data types register tags, regions, validators and a UI bundle; exporters register export formats;
 *  storage plugins register storage connectors. Since: SDK 1.0 */
typedef enum annot_plugin_kind {
  ANNOT_PLUGIN_KIND_data_type = 1,
  ANNOT_PLUGIN_KIND_exporter = 2,
  ANNOT_PLUGIN_KIND_storage = 3
} annot_plugin_kind;

/** Opaque handle to the host's registrar; in C++ it is an `annot::registrar`. Valid only during the
 *  call to `register_fn`. Since: SDK 1.0 */
typedef struct annot_registrar annot_registrar;

/** The plugin descriptor. Static storage in the plugin; the host only reads it.
 *  All strings are NUL-terminated UTF-8 with static lifetime. Since: SDK 1.0 */
typedef struct annot_plugin_descriptor {
  uint64_t magic;            /**< ANNOT_PLUGIN_MAGIC */
  uint32_t struct_size;      /**< sizeof(annot_plugin_descriptor) as the plugin was compiled */
  uint16_t sdk_major;        /**< ANNOT_SDK_VERSION_MAJOR the plugin was built with */
  uint16_t sdk_minor;        /**< ANNOT_SDK_VERSION_MINOR */
  uint16_t sdk_patch;        /**< ANNOT_SDK_VERSION_PATCH (informational) */
  uint16_t reserved;         /**< zero */
  const char* toolchain;     /**< ANNOT_TOOLCHAIN_FINGERPRINT of the plugin's build */
  const char* name;          /**< lower-case id, [a-z0-9_]+, equal to <name> in the file name */
  uint32_t kind;             /**< an annot_plugin_kind */
  const char* version;       /**< the plugin's own version, e.g. "1.2.0"; required */
  const char* description;   /**< one line for listings; may be empty */
  /** Registers everything the plugin provides. Called once, on the host's start-up thread, after
   *  every check passed. Returns 0 on success; on failure it has reported why through the registrar
   *  and the host discards whatever it staged. Must not throw (ANNOT_PLUGIN's thunk catches). */
  int (*register_fn)(annot_registrar* registrar);
} annot_plugin_descriptor;

/** The entry symbol's type. Since: SDK 1.0 */
typedef const annot_plugin_descriptor* (*annot_plugin_entry_fn)(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#ifdef __cplusplus
#include <exception>

#include "annot/registrar.hpp"

namespace annot::detail {
/** Runs a plugin's C++ register function and turns its status or exception into the C result.
 *  Exceptions never cross into the host. Since: SDK 1.0 */
inline int run_register(annot_registrar* handle, status (*fn)(registrar&)) noexcept {
  auto& reg = *reinterpret_cast<registrar*>(handle);
  try {
    status st = fn(reg);
    if (st.ok()) return 0;
    reg.report_failure(st.message());
    return 1;
  } catch (const std::exception& e) {
    reg.report_failure(std::string("registration threw an exception: ") + e.what());
  } catch (...) {
    reg.report_failure("registration threw a non-standard exception");
  }
  return 2;
}
}  // namespace annot::detail

/** Declares a plugin. Write it once, at namespace scope, in the plugin's main file:
 *
 *    ANNOT_PLUGIN(hello, data_type, "1.0.0", "Greets the user", register_hello)
 *
 *  `name` is a bare identifier (it also names the entry symbol and must match the file name
 *  annot_<name>.so); `kind` is one of data_type, exporter, storage; `fn` is
 *  `annot::status fn(annot::registrar&)`. Versions and toolchain are stamped from the headers.
 *  Since: SDK 1.0 */
#define ANNOT_PLUGIN(name, kind, version_string, description_string, fn)                        \
  static int annot_plugin_##name##_register_thunk(annot_registrar* r) noexcept {               \
    return ::annot::detail::run_register(r, &fn);                                              \
  }                                                                                            \
  extern "C" __attribute__((visibility("default"))) const annot_plugin_descriptor*             \
  annot_plugin_##name##_entry(void) {                                                          \
    static const annot_plugin_descriptor descriptor = {                                        \
        ANNOT_PLUGIN_MAGIC,                                                                    \
        static_cast<uint32_t>(sizeof(annot_plugin_descriptor)),                                \
        ANNOT_SDK_VERSION_MAJOR,                                                               \
        ANNOT_SDK_VERSION_MINOR,                                                               \
        ANNOT_SDK_VERSION_PATCH,                                                               \
        0,                                                                                     \
        ANNOT_TOOLCHAIN_FINGERPRINT,                                                           \
        #name,                                                                                 \
        ANNOT_PLUGIN_KIND_##kind,                                                              \
        version_string,                                                                        \
        description_string,                                                                    \
        &annot_plugin_##name##_register_thunk};                                                \
    return &descriptor;                                                                        \
  }
#endif  // __cplusplus

#endif
