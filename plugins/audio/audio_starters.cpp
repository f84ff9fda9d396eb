// The audio plugin's starter configs, previewed on ui/samples/tones.wav (made by make_samples.py).
#include <annot/registrar.hpp>

namespace annot::plugins::audio {

annot::status register_audio_starters(annot::registrar& reg) {
  // Served by the host at /plugins/audio/samples/tones.wav from the plugin's own ui/ folder.
  const std::string sample = R"({"audio": "/plugins/audio/samples/tones.wav"})";
  const annot::starter_config starters[] = {
      {.title = "Sound segments",
       .group = "Audio and Speech",
       .config = R"(<View>
  <Labels name="kind" toName="audio">
    <Label value="Tone" background="#1c7ed6"/>
    <Label value="Chirp" background="#f76707"/>
    <Label value="Silence" background="#adb5bd"/>
  </Labels>
  <Audio name="audio" value="$audio"/>
</View>)",
       .sample_data = sample,
       .description = "Mark where each kind of sound starts and ends."},
      {.title = "Transcribe segments",
       .group = "Audio and Speech",
       .config = R"(<View>
  <Labels name="speaker" toName="audio">
    <Label value="Speaker 1"/>
    <Label value="Speaker 2"/>
  </Labels>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcript" toName="audio" perRegion="true" rows="2" placeholder="What is said in this segment?"/>
</View>)",
       .sample_data = sample,
       .description = "Segments by speaker, each with its own transcript."},
      {.title = "Audio classification",
       .group = "Audio and Speech",
       .config = R"(<View>
  <Audio name="audio" value="$audio"/>
  <Choices name="quality" toName="audio" choice="single-radio">
    <Choice value="Clean"/>
    <Choice value="Noisy"/>
    <Choice value="Unusable"/>
  </Choices>
</View>)",
       .sample_data = sample,
       .description = "One class per recording."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::audio
