// Test harness of the image plugin: the shared plugin harness (annot_testing/config_harness.hpp) over
// a catalog of the statically linked core and image plugins.
#pragma once

#include <annot_testing/config_harness.hpp>

extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);
extern "C" const annot_plugin_descriptor* annot_plugin_image_entry(void);

namespace image_test {

using namespace annot::testing;

inline const tag_catalog& catalog() {
  static const tag_catalog& c = catalog_of({annot_plugin_core_entry(), annot_plugin_image_entry()});
  return c;
}

// Compiles a config that must be accepted against this plugin's catalog.
inline std::shared_ptr<const config_model> accepted(std::string_view xml) {
  return annot::testing::accepted(catalog(), xml);
}

}  // namespace image_test
