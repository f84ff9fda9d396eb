// Bytes an exporter must write after something it only knows at the end (COCO's categories come before its
// images and boxes; CSV's header before its rows), gathered in memory up to a limit and then in an anonymous
// temporary file, so memory does not grow with the export and a small export never touches the disk.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "export_support/scratch_file.hpp"

namespace annot::plugins::export_support {

// Writing: append to buffer(), then call maybe_spill() at a record boundary; the buffer goes to the file
// when it holds `limit` bytes or more. Reading, once writing is done: for_each_chunk() (the bytes as a few
// large pieces), or, when spilled(), start_reading() and read_exact() (records of known size); when not
// spilled the bytes are all in buffer(). Errors of the temporary file throw std::runtime_error.
// Owned by one exporter run; not thread-safe. The file (scratch_file.hpp) is deleted when the object goes.
class spill_file {
 public:
  explicit spill_file(std::size_t limit = std::size_t(1) << 20);

  std::string& buffer() noexcept { return buffer_; }
  void maybe_spill() {
    if (buffer_.size() >= limit_) spill();
  }
  bool spilled() const noexcept { return file_ != nullptr; }

  // Calls fn(std::string_view) with every byte written, in order.
  template <class Fn>
  void for_each_chunk(Fn&& fn) {
    if (!file_) {
      if (!buffer_.empty()) fn(std::string_view(buffer_));
      return;
    }
    start_reading();
    buffer_.resize(limit_);
    for (std::size_t n; (n = read_some(buffer_.data(), buffer_.size())) > 0;) fn(std::string_view(buffer_.data(), n));
    buffer_.clear();
  }

  // Moves what the buffer holds to the file and goes back to its start (only when spilled()).
  void start_reading();
  // Reads exactly n bytes; false at the end of the file (or a short last record).
  bool read_exact(char* to, std::size_t n);

 private:
  void spill();
  std::size_t read_some(char* to, std::size_t n);

  std::size_t limit_;
  scratch_file file_;
  std::string buffer_;
};

}  // namespace annot::plugins::export_support
