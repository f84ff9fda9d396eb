#include "export/download_sink.hpp"

#include "export/runner.hpp"

namespace annot::host::exporting {

// The single file's bytes: the download starts with the first of them (on the sink's thread).
class download_sink::lazy_writer final : public byte_writer {
 public:
  lazy_writer(starter start, std::string extension)
      : start_(std::move(start)), extension_(std::move(extension)) {}
  annot::status write(std::string_view bytes) override {
    if (annot::status st = ensure_started(); !st.ok()) return st;
    return out_->write(bytes);
  }
  annot::status ensure_started() {
    if (out_) return {};
    started_ = true;
    annot::result<byte_writer*> out = start_(extension_);
    if (!out.ok()) return out.error();
    out_ = *out;
    return {};
  }
  bool started() const noexcept { return started_; }

 private:
  starter start_;
  std::string extension_;
  byte_writer* out_ = nullptr;
  std::atomic<bool> started_{false};
};

download_sink::download_sink(const annot::export_format& format, starter start) {
  if (format.layout == annot::export_layout::archive) {
    archive_ = std::make_unique<one_file_or_zip_sink>(std::move(start));
  } else {
    lazy_ = std::make_unique<lazy_writer>(std::move(start), download_extension(format));
    single_ = std::make_unique<single_file_sink>(*lazy_);
  }
}

// The sinks go before the lazy writer, which their threads may still write to.
download_sink::~download_sink() {
  single_.reset();
  archive_.reset();
}

annot::export_sink& download_sink::sink() noexcept {
  if (archive_) return *archive_;
  return *single_;
}

annot::status download_sink::finish() {
  if (archive_) return archive_->finish();
  if (annot::status st = single_->finish(); !st.ok()) return st;
  return lazy_->ensure_started();
}

// An archive starts on the export's thread only (when its packaging is decided), so only the single
// file's sink thread has to stop.
void download_sink::abandon() noexcept {
  single_.reset();
}

bool download_sink::started() const noexcept {
  return archive_ ? archive_->started() : lazy_->started();
}

}  // namespace annot::host::exporting
