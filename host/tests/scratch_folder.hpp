// A per-test folder under the temp dir (removed at the end) and a whole-file reader, for the
// export sink tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace annot::host::testing {

struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("annot-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace annot::host::testing
