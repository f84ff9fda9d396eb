// The voc exporter plugin: registers VOC (spec §2.6).
#include <annot/plugin.h>

#include "voc_exporter.hpp"

ANNOT_PLUGIN(voc, exporter, "1.0.0", "Label Studio's Pascal VOC XML export", annot::plugins::voc::register_voc)
