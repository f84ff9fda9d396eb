// The plugins statically linked into a test, fuzzer or bench by annot_link_static_plugins(), and a
// catalog filled from them. Include only from a target that CMake function configured.
#pragma once

#include <annot/plugin.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/static_registrar.hpp"
#include "config/tag_catalog.hpp"

#ifndef ANNOT_STATIC_PLUGINS_INC
#error "configure this target with annot_link_static_plugins() (host/src/config/CMakeLists.txt)"
#endif

#define ANNOT_STATIC_PLUGIN(n) extern "C" const annot_plugin_descriptor* annot_plugin_##n##_entry(void);
#include ANNOT_STATIC_PLUGINS_INC
#undef ANNOT_STATIC_PLUGIN

namespace annot::host::config {

// The descriptors of the linked plugins, in the order core, image, text, html, audio, video, timeseries.
inline std::vector<const annot_plugin_descriptor*> linked_plugins() {
  std::vector<const annot_plugin_descriptor*> out;
#define ANNOT_STATIC_PLUGIN(n) out.push_back(annot_plugin_##n##_entry());
#include ANNOT_STATIC_PLUGINS_INC
#undef ANNOT_STATIC_PLUGIN
  return out;
}

// Names of the linked plugins.
inline std::vector<std::string> linked_plugin_names() {
  std::vector<std::string> out;
  for (const auto* d : linked_plugins()) out.emplace_back(d->name);
  return out;
}

// A frozen catalog of every linked plugin, built once. A plugin that fails to register ends the
// process with its reason: every consumer of this catalog would fail anyway.
inline const tag_catalog& linked_catalog() {
  static const tag_catalog* catalog = [] {
    auto* c = new tag_catalog;
    for (const auto* d : linked_plugins()) {
      annot::status st = register_static_plugin(*c, d);
      if (!st.ok()) {
        std::fprintf(stderr, "registering plugin %s failed: %s\n", d->name, st.message().c_str());
        std::abort();
      }
    }
    c->freeze();
    return c;
  }();
  return *catalog;
}

}  // namespace annot::host::config
