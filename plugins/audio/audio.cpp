// Audio and AudioPlus: attribute tables (Label Studio 1.22 editor) and their segment regions.
#include "audio.hpp"

#include <string>

#include "seconds_span.hpp"

namespace annot::plugins::audio {
namespace {

using annot::field_type;

annot::field_spec flag(std::string name, std::string default_value, std::string description) {
  return {.name = std::move(name), .type = field_type::boolean, .default_value = std::move(default_value),
          .description = std::move(description)};
}

annot::field_table audio_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element; results name it in to_name"},
      {.name = "value", .required = true, .description = "Task-data key holding the audio URL, e.g. $audio",
       .variable_allowed = true},
      {.name = "hotkey", .description = "Key that plays or pauses the audio"},
      {.name = "sync", .description = "Sync group: objects with the same value play, pause and seek together"},
      {.name = "height", .type = field_type::number, .default_value = "96",
       .description = "Total height of the player in pixels", .min = 0},
      {.name = "waveheight", .type = field_type::number, .default_value = "32",
       .description = "Minimum height of each channel's waveform with splitchannels", .min = 0},
      {.name = "defaultspeed", .type = field_type::number, .default_value = "1",
       .description = "Initial playback speed", .min = 0.5, .max = 2},
      {.name = "defaultscale", .type = field_type::number, .default_value = "1",
       .description = "Initial vertical scale of the waveform", .min = 0},
      {.name = "defaultzoom", .type = field_type::number, .default_value = "1",
       .description = "Initial zoom of the waveform", .min = 1, .max = 1500},
      {.name = "defaultvolume", .type = field_type::number, .default_value = "1", .description = "Initial volume",
       .min = 0, .max = 1},
      flag("spectrogram", "false", "Show the spectrogram when the audio loads"),
      flag("splitchannels", "false", "Show each channel's waveform separately; regions then carry value.channel"),
      {.name = "decoder", .type = field_type::enumeration, .default_value = "webaudio",
       .allowed = {"webaudio", "ffmpeg", "none"},
       .description = "How the waveform is decoded; none loads fast but shows no waveform"},
      {.name = "player", .type = field_type::enumeration, .default_value = "html5", .allowed = {"html5", "webaudio"},
       .description = "How the audio is played"},
      {.name = "cursorcolor", .type = field_type::color, .default_value = "#333", .description = "Colour of the play cursor"},
      {.name = "cursorwidth", .type = field_type::number, .default_value = "2",
       .description = "Width of the play cursor in pixels", .min = 0},
      flag("muted", "false", "Start muted"),
      flag("zoom", "true", "Show the zoom control"),
      flag("volume", "true", "Show the volume control"),
      flag("speed", "true", "Show the speed control"),
      flag("showlabels", "false", "Show label names on regions"),
      flag("showscores", "false", "Show prediction scores on regions"),
      flag("autocenter", "true", "Keep the cursor in view while playing"),
      flag("scrollparent", "true", "Scroll the page to follow the waveform"),
  };
}

annot::status register_object(annot::registrar& reg, const std::string& tag, const std::string& description) {
  if (auto st = reg.add_object_tag({.tag = {.name = tag,
                                            .description = description,
                                            .attributes = audio_attributes(),
                                            .data_types = {annot::data_type::str}}});
      !st)
    return st;
  if (auto st = reg.add_region({.object_tag = tag,
                                .result_type = "labels",
                                .geometry = "seconds_span",
                                .description = "A segment from start to end seconds, on one channel",
                                .value_fields = seconds_span_fields(true),
                                .validator = make_seconds_span_validator(true)});
      !st)
    return st;
  if (auto st = reg.add_region({.object_tag = tag,
                                .result_type = "textarea",
                                .geometry = "optional_seconds_span",
                                .description = "A transcription: per region, of that segment (the result repeats "
                                               "its start, end and channel); otherwise of the whole audio",
                                .value_fields = seconds_span_fields(false),
                                .validator = make_seconds_span_validator(false)});
      !st)
    return st;
  return reg.add_region({.object_tag = tag,
                         .result_type = "*",
                         .geometry = "optional_seconds_span",
                         .description = "Other controls' results; per-region ones repeat their segment",
                         .value_fields = seconds_span_fields(false),
                         .validator = make_seconds_span_validator(false)});
}

}  // namespace

annot::status register_audio(annot::registrar& reg) {
  if (auto st = register_object(reg, "Audio", "Plays audio and shows its waveform; regions are segments in seconds");
      !st)
    return st;
  // AudioPlus is the editor's older name for the same tag and model.
  return register_object(reg, "AudioPlus", "The former name of <Audio>: the same player, attributes and regions");
}

}  // namespace annot::plugins::audio
