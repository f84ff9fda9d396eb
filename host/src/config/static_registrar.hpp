// Fills a tag_catalog from statically linked plugins (tests, fuzzers, benches, the CLI before the
// loader exists) by running their register functions through a minimal annot::registrar. The real
// registrar, with kind checks and UI bundles, lives in host/src/plugins/.
#pragma once

#include <annot/plugin.h>
#include <annot/status.hpp>

#include "config/tag_catalog.hpp"

namespace annot::host::config {

// Runs descriptor->register_fn against `catalog`, committing what it staged on success and rolling
// it back on failure (the status then says why). UI bundles are accepted and ignored.
annot::status register_static_plugin(tag_catalog& catalog, const annot_plugin_descriptor* descriptor);

}  // namespace annot::host::config
