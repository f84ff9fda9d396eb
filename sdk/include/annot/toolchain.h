/* The toolchain fingerprint: what a plugin and its host must agree on, besides the SDK version, for
 * C++ objects (std::string, std::vector, virtual classes) to cross between them safely.
 * It names the compiler family and major version, the C++ standard library, the libstdc++ dual-ABI
 * switch, and whether the libstdc++ debug or assertion modes are on (they change container layouts
 * or inline behaviour). Computed by the preprocessor in the including translation unit, so the
 * plugin's value is stamped from the plugin's own build. Since: SDK 1.0
 */
#ifndef ANNOT_TOOLCHAIN_H
#define ANNOT_TOOLCHAIN_H

#include "annot/version.h"

#ifdef __cplusplus
#include <cstddef> /* defines the standard library's identifying macros */
#else
#include <stddef.h>
#endif

#if defined(__clang__)
#define ANNOT_TOOLCHAIN_COMPILER_ "clang-" ANNOT_SDK_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define ANNOT_TOOLCHAIN_COMPILER_ "gcc-" ANNOT_SDK_STRINGIFY(__GNUC__)
#elif defined(_MSC_VER)
#define ANNOT_TOOLCHAIN_COMPILER_ "msvc-" ANNOT_SDK_STRINGIFY(_MSC_VER)
#else
#define ANNOT_TOOLCHAIN_COMPILER_ "unknown-compiler"
#endif

#if defined(_LIBCPP_VERSION)
#define ANNOT_TOOLCHAIN_STDLIB_ " libc++"
#elif defined(__GLIBCXX__)
#define ANNOT_TOOLCHAIN_STDLIB_ " libstdc++"
#elif defined(__cplusplus)
#define ANNOT_TOOLCHAIN_STDLIB_ " unknown-stdlib"
#else
#define ANNOT_TOOLCHAIN_STDLIB_ " c"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define ANNOT_TOOLCHAIN_ABI_ " cxx11abi=" ANNOT_SDK_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#else
#define ANNOT_TOOLCHAIN_ABI_ " cxx11abi=n/a"
#endif

#if defined(_GLIBCXX_DEBUG)
#define ANNOT_TOOLCHAIN_DEBUG_ " glibcxx_debug=1"
#else
#define ANNOT_TOOLCHAIN_DEBUG_ " glibcxx_debug=0"
#endif

#if defined(_GLIBCXX_ASSERTIONS)
#define ANNOT_TOOLCHAIN_ASSERT_ " glibcxx_assertions=1"
#else
#define ANNOT_TOOLCHAIN_ASSERT_ " glibcxx_assertions=0"
#endif

/** e.g. "gcc-12 libstdc++ cxx11abi=1 glibcxx_debug=0 glibcxx_assertions=0". Since: SDK 1.0 */
#define ANNOT_TOOLCHAIN_FINGERPRINT                                                              \
  ANNOT_TOOLCHAIN_COMPILER_ ANNOT_TOOLCHAIN_STDLIB_ ANNOT_TOOLCHAIN_ABI_ ANNOT_TOOLCHAIN_DEBUG_ \
      ANNOT_TOOLCHAIN_ASSERT_

#endif
