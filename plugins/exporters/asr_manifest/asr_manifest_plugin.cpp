// The asr_manifest exporter plugin: registers ASR_MANIFEST (spec §2.11).
#include <annot/plugin.h>

#include "asr_manifest_exporter.hpp"

ANNOT_PLUGIN(asr_manifest, exporter, "1.0.0", "Label Studio's ASR manifest export (NeMo JSON lines + audio)",
             annot::plugins::asr_manifest::register_asr_manifest)
