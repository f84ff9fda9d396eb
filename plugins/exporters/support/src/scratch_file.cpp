// scratch_file: unnamed temporary files in the system's temporary folder.
#include "export_support/scratch_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace annot::plugins::export_support {
namespace {

// TMPDIR (or TMP, TEMP, TEMPDIR), else /tmp: what std::filesystem and the host's zip sink use.
std::string scratch_folder() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  return dir.empty() ? std::string("/tmp") : dir.string();
}

[[noreturn]] void fail(const std::string& what, int err) {
  throw std::runtime_error("cannot " + what + " a temporary file in " + scratch_folder() +
                           " (TMPDIR chooses another folder): " + std::strerror(err));
}

}  // namespace

scratch_file open_scratch_file() {
  const std::string dir = scratch_folder();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: a named file, unlinked at once.
    std::string name = dir + "/annot-export-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) fail("create", errno);
  FILE* file = ::fdopen(fd, "w+b");
  if (!file) {
    const int err = errno;
    ::close(fd);
    fail("open", err);
  }
  return scratch_file(file, &std::fclose);
}

void scratch_file_failed(const char* what) {
  fail(what, errno ? errno : EIO);
}

}  // namespace annot::plugins::export_support
