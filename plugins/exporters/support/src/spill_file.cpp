// spill_file: the temporary file behind an exporter's deferred bytes.
#include "export_support/spill_file.hpp"

#include <stdexcept>

namespace annot::plugins::export_support {

spill_file::spill_file(std::size_t limit) : limit_(limit), file_(nullptr, &std::fclose) {
  buffer_.reserve(limit + 4096);
}

void spill_file::spill() {
  if (!file_) {
    file_.reset(std::tmpfile());
    if (!file_) throw std::runtime_error("cannot create a temporary file");
  }
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size())
    throw std::runtime_error("cannot write a temporary file");
  buffer_.clear();
}

void spill_file::start_reading() {
  if (!file_) return;
  spill();
  if (std::fflush(file_.get()) != 0) throw std::runtime_error("cannot write a temporary file");
  std::rewind(file_.get());
}

std::size_t spill_file::read_some(char* to, std::size_t n) {
  const std::size_t got = std::fread(to, 1, n, file_.get());
  if (got < n && std::ferror(file_.get())) throw std::runtime_error("cannot read a temporary file");
  return got;
}

bool spill_file::read_exact(char* to, std::size_t n) { return read_some(to, n) == n; }

}  // namespace annot::plugins::export_support
