// asr_manifest_exporter: Label Studio's ASR_MANIFEST export (spec §2.11), NeMo's JSON-lines manifest plus audio/.
#pragma once

#include <annot/exporter.hpp>
#include <annot/registrar.hpp>
#include <optional>
#include <string>

namespace annot::plugins::asr_manifest {

// Python's wave: nframes / float(framerate) of a PCM WAV file; nullopt when the file is missing or not a PCM WAV
// that the wave module opens.
std::optional<double> wav_duration(const std::string& path);

class asr_manifest_exporter final : public annot::exporter {
 public:
  explicit asr_manifest_exporter(std::string format) : format_(std::move(format)) {}
  annot::status run(const annot::export_request& request, annot::task_cursor& tasks, annot::export_sink& sink,
                    annot::export_log& log) noexcept override;

 private:
  std::string format_;
};

annot::status register_asr_manifest(annot::registrar& reg);

}  // namespace annot::plugins::asr_manifest
