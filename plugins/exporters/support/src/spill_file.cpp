// spill_file: the temporary file behind an exporter's deferred bytes.
#include "export_support/spill_file.hpp"

#include "export_support/scratch_file.hpp"

namespace annot::plugins::export_support {

spill_file::spill_file(std::size_t limit) : limit_(limit), file_(nullptr, &std::fclose) {
  buffer_.reserve(limit + 4096);
}

void spill_file::spill() {
  if (!file_) {
    file_ = open_scratch_file();
  }
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size()) scratch_file_failed("write");
  buffer_.clear();
}

void spill_file::start_reading() {
  if (!file_) return;
  spill();
  if (std::fflush(file_.get()) != 0) scratch_file_failed("write");
  std::rewind(file_.get());
}

std::size_t spill_file::read_some(char* to, std::size_t n) {
  const std::size_t got = std::fread(to, 1, n, file_.get());
  if (got < n && std::ferror(file_.get())) scratch_file_failed("read");
  return got;
}

bool spill_file::read_exact(char* to, std::size_t n) { return read_some(to, n) == n; }

}  // namespace annot::plugins::export_support
