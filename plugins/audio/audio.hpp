// The Audio tag family: <Audio>, its alias <AudioPlus>, and their segment regions.
#pragma once

#include <annot/registrar.hpp>

namespace annot::plugins::audio {

// Registers Audio and AudioPlus, each with its regions: labels (a segment), textarea (the
// transcription of a segment, or of the whole audio) and "*" (other controls' results).
annot::status register_audio(annot::registrar& reg);

}  // namespace annot::plugins::audio
