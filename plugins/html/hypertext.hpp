// The HyperText tag family: <HyperText> (object), <HyperTextLabels> (control) and their regions.
#pragma once

#include <annot/registrar.hpp>

namespace annot::plugins::html {

// Registers HyperText with its measure, its regions (hypertextlabels, labels, and "*" for
// per-region results of other controls), then HyperTextLabels.
annot::status register_hypertext(annot::registrar& reg);

}  // namespace annot::plugins::html
