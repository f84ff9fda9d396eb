/* The SDK version, and the rules that decide whether a plugin and a host fit.
 *
 * Versioning rules (the host checks them in this order, before running any plugin code):
 *  - MAJOR changes when the C handshake in plugin.h changes (the descriptor layout, the entry symbol,
 *    the meaning of a field). A host refuses a plugin of another major.
 *  - MINOR changes with any declaration change in the C++ headers (a class gains a virtual function,
 *    a struct gains a member, a signature changes). The C++ body is not a stable ABI, so a host
 *    refuses a plugin of another minor: rebuild the plugin against the host's SDK.
 *  - PATCH changes with documentation or inline-only fixes that change no declaration. It is ignored.
 * Beyond the version, the toolchain fingerprint (see plugin.h) must match: std::string and
 * std::vector cross the boundary, so compiler family, standard library and its ABI switches must agree.
 *
 * Every public SDK item says in its comment the minor it appeared in ("Since: SDK 1.N").
 */
#ifndef ANNOT_VERSION_H
#define ANNOT_VERSION_H

#define ANNOT_SDK_VERSION_MAJOR 1
#define ANNOT_SDK_VERSION_MINOR 6
#define ANNOT_SDK_VERSION_PATCH 1

#define ANNOT_SDK_STRINGIFY_(x) #x
#define ANNOT_SDK_STRINGIFY(x) ANNOT_SDK_STRINGIFY_(x)

/** "1.0.0": the SDK version as text. Since: SDK 1.0 */
#define ANNOT_SDK_VERSION_STRING                                                    \
  ANNOT_SDK_STRINGIFY(ANNOT_SDK_VERSION_MAJOR)                                      \
  "." ANNOT_SDK_STRINGIFY(ANNOT_SDK_VERSION_MINOR) "." ANNOT_SDK_STRINGIFY(ANNOT_SDK_VERSION_PATCH)

#endif
