// An export's download, packaged as Label Studio packages it (spec §1.1): a single-file format's one
// file as it is; an archive format's output as a zip, or its one file alone as that file
// (one_file_or_zip_sink). The easy export streams it to the client; a stored export's conversion
// writes it into its file.
//
// `start` is called once with the download's extension (".zip", ".json", "" for none): for a
// single-file format when its first bytes are written (so an export that fails before any can still
// be answered with an error of its own), for an archive once its packaging is decided, and by
// finish() for an output with no bytes. It returns where the bytes go, valid until finish() returned
// or the sink is destroyed. It may be called on the sink's thread.
// Threading: sink() and finish() from the export's thread; started() from any.
#pragma once

#include <annot/exporter.hpp>
#include <atomic>
#include <memory>
#include <string>

#include "export/one_file_or_zip_sink.hpp"
#include "export/sinks.hpp"

namespace annot::host::exporting {

class download_sink {
 public:
  using starter = one_file_or_zip_sink::starter;

  download_sink(const annot::export_format& format, starter start);
  ~download_sink();
  download_sink(const download_sink&) = delete;
  download_sink& operator=(const download_sink&) = delete;

  // What the exporter writes to.
  annot::export_sink& sink() noexcept;
  // Writes the rest and waits for it; starts an empty download if nothing started it.
  annot::status finish();
  // After a failed export: drops what is queued and stops the sink's threads, so that started() is
  // final. Neither sink() nor finish() may be called after it.
  void abandon() noexcept;
  // Whether `start` was called: until then a failure can still get an answer of its own. While the
  // sink's threads run, it may still change: abandon() first.
  bool started() const noexcept;

 private:
  class lazy_writer;
  std::unique_ptr<lazy_writer> lazy_;         // single-file formats: starts at the first bytes
  std::unique_ptr<single_file_sink> single_;  // over lazy_
  std::unique_ptr<one_file_or_zip_sink> archive_;
};

}  // namespace annot::host::exporting
