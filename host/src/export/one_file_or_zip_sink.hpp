// Label Studio's packaging of an easy export (spec §1.1): an output of exactly one entry is downloaded as
// that file, anything else as a zip. BRUSH_TO_NUMPY/PNG with a single mask is the case that shows: a
// bare .npy. Which one it is becomes known at the second entry, a folder, or the end of the export, so
// the first file is held in memory (up to kHoldLimit bytes; beyond that it is zipped) and the download
// starts only once the packaging is decided. A format that creates a folder first (COCO's images/)
// streams its zip from the first byte, as before.
#pragma once

#include <annot/exporter.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "export/sinks.hpp"

namespace annot::host::exporting {

class one_file_or_zip_sink final : public annot::export_sink {
 public:
  // Called once, when the packaging is decided, with the download's extension: ".zip", or the single
  // file's own (".npy", "" without one). Returns where the download's bytes go; it must stay valid
  // until finish() has returned. An error ends the export with it.
  using starter = std::function<annot::result<byte_writer*>(std::string_view extension)>;
  static constexpr std::size_t kHoldLimit = 64 << 20;

  explicit one_file_or_zip_sink(starter start);
  ~one_file_or_zip_sink();

  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view path) override;
  annot::status add_file(std::string_view path, std::string_view source) override;
  // Decides (one held file: that file; else a zip, empty when nothing was written) and writes the rest.
  annot::status finish();
  // Whether the download started (the starter was called): until then an error can still be answered
  // with a status of its own instead of a truncated body.
  bool started() const noexcept { return started_; }

 private:
  class held_stream;
  annot::status to_zip();  // decides a zip and writes the held entry into it

  starter start_;
  bool started_ = false;
  std::unique_ptr<zip_sink> zip_;
  std::unique_ptr<held_stream> stream_;
  // The first entry, while undecided: its path, and its bytes or the local file it copies.
  bool held_ = false;
  std::string held_path_, held_bytes_, held_source_;
};

}  // namespace annot::host::exporting
