// The audio plugin's entry: declares the plugin and registers the Audio tag family.
#include <annot/plugin.h>

#include "audio.hpp"

namespace annot::plugins::audio {

annot::status register_audio_starters(annot::registrar& reg);  // audio_starters.cpp

annot::status register_audio_plugin(annot::registrar& reg) {
  if (auto st = register_audio(reg); !st) return st;
  return register_audio_starters(reg);
}

}  // namespace annot::plugins::audio

ANNOT_PLUGIN(audio, data_type, "1.0.0", "Audio and AudioPlus: segments in seconds with a channel",
             annot::plugins::audio::register_audio_plugin)
