// Plumbing every exporter needs: a buffered writer over the host's output stream, exception guards, and a
// factory applying Label Studio's rules. (The task loop is for_each_task_view, task_view.hpp.)
#pragma once

#include <annot/exporter.hpp>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "export_support/json_text.hpp"
#include "export_support/path_hashes.hpp"
#include "export_support/schema.hpp"

namespace annot::plugins::export_support {

// Collects bytes and hands them to the host's stream in large writes. The first error sticks:
// later appends are dropped and flush()/error() return it.
class buffered_writer {
 public:
  explicit buffered_writer(annot::output_stream* stream, std::size_t capacity = 1 << 18)
      : stream_(stream), capacity_(capacity) {
    buffer_.reserve(capacity);
  }
  // Appends; writes through when the buffer is full. A piece of a buffer's size or more (COCO's and CSV's
  // spilled chunks) goes to the stream itself after what the buffer holds, not through a copy into it.
  void append(std::string_view bytes) {
    if (bytes.size() >= capacity_) {
      flush();
      if (error_.ok()) error_ = stream_->write(bytes);
      return;
    }
    buffer_.append(bytes);
    if (buffer_.size() >= capacity_) flush();
  }
  // The buffer to append to directly; call maybe_flush() afterwards.
  std::string& buffer() noexcept { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= capacity_) flush();
  }
  annot::status flush() {
    if (error_.ok() && !buffer_.empty()) error_ = stream_->write(buffer_);
    buffer_.clear();
    return error_;
  }
  const annot::status& error() const noexcept { return error_; }

 private:
  annot::output_stream* stream_;
  std::size_t capacity_;
  std::string buffer_;
  annot::status error_;
};

// Copies local files into the output (images of COCO_WITH_IMAGES, YOLO and VOC with resources): once
// per entry and file. Another file for an entry already copied replaces it, as upstream's
// shutil.copy does (so an image and the label file named after it come from the same, last, task),
// with a warning; a file that cannot be read is left out with a warning. Any other error is returned.
// Entries and files are remembered as hashes (path_hashes.hpp; memory bounded): two entries whose
// hashes collide and whose files' hashes collide too (about one chance in 10^27 for a million images)
// would leave the second out.
class resource_copies {
 public:
  annot::status copy(annot::export_sink& sink, annot::export_log& log, std::string_view entry,
                     std::string_view file);

 private:
  path_hashes<std::uint64_t> copied_;  // entry -> the hash of the file copied into it
};

// Runs fn() -> annot::status, turning an exception into errc::internal (nothing may cross the
// plugin boundary).
template <class Fn>
annot::status guarded(Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return annot::status(annot::errc::internal, "the exporter ran out of memory");
  } catch (const std::exception& e) {
    return annot::status(annot::errc::internal, std::string("the exporter failed: ") + e.what());
  } catch (...) {
    return annot::status(annot::errc::internal, "the exporter failed with a non-standard exception");
  }
}

// The options object of a request ({} when empty or not an object).
json parse_options(std::string_view options_json);
// A boolean option (absent or not a boolean: `fallback`).
bool option_bool(const json& options, const char* key, bool fallback);

// A factory for an exporter type E constructed as E(std::string format); applies_to follows Label
// Studio's offering rules (label_studio_offers) on the parsed config.
template <class E>
class label_studio_factory final : public annot::exporter_factory {
 public:
  annot::status applies_to(std::string_view format, const annot::export_config& config) const noexcept override {
    return guarded([&]() -> annot::status {
      annot::result<schema> s = schema::parse(config.parsed_config, schema_parts::shape);
      if (!s.ok()) return s.error();
      return label_studio_offers(*s, format);
    });
  }
  annot::result<std::unique_ptr<annot::exporter>> create(std::string_view format) const noexcept override {
    try {
      return std::unique_ptr<annot::exporter>(std::make_unique<E>(std::string(format)));
    } catch (const std::exception& e) {
      return annot::status(annot::errc::internal, std::string("cannot create the exporter: ") + e.what());
    }
  }
};

}  // namespace annot::plugins::export_support
