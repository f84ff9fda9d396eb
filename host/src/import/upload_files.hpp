// Uploaded files on disk: data_dir/upload/<project>/<uuid8>-<name>, served at /data/upload/...
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "import/pipeline.hpp"
#include "store/store.hpp"

namespace annot::host::imports {

// The upload root under a data directory.
std::filesystem::path upload_root(const std::filesystem::path& data_dir);
// The URL a stored file is served at: "/data/upload/" + relative path.
std::string upload_url(std::string_view relative);
// A file name safe to keep: the last path segment as UTF-8 text (bytes of another encoding become
// "_"), without control characters, separators or "..", at most 150 bytes (its end kept).
std::string safe_file_name(std::string_view name);
// A guess of a file's Content-Type from its extension.
std::string content_type_of(std::string_view name);

// A file being written into the upload folder. Closed (and removed unless kept) on destruction.
class upload_writer {
 public:
  // Creates data_dir/upload/<project>/<uuid8>-<safe name>.
  static result<upload_writer> create(const std::filesystem::path& data_dir, std::int64_t project_id,
                                      std::string_view original_name);
  upload_writer(upload_writer&& o) noexcept;
  upload_writer& operator=(upload_writer&&) = delete;
  ~upload_writer();

  status write(std::string_view bytes);
  // Flushes and closes; the file stays.
  status close();
  // Copies a whole reader into the file, then closes it.
  status write_all(const chunk_reader& read);

  const std::filesystem::path& path() const noexcept { return path_; }
  const std::string& relative() const noexcept { return relative_; }  // "<project>/<uuid8>-<name>"
  const std::string& original_name() const noexcept { return original_; }
  std::int64_t size() const noexcept { return size_; }
  // The store record for this file (after close()).
  store::new_file_upload record(std::optional<std::int64_t> user_id, std::int64_t project_id) const;

 private:
  upload_writer() = default;
  std::FILE* file_ = nullptr;
  std::filesystem::path path_;
  std::string relative_, original_;
  std::int64_t size_ = 0;
  bool kept_ = false;
};

// A chunk_reader over a file on disk (64 KiB chunks).
class file_source {
 public:
  explicit file_source(const std::filesystem::path& path);
  ~file_source();
  file_source(const file_source&) = delete;
  file_source& operator=(const file_source&) = delete;
  bool ok() const noexcept { return file_ != nullptr; }
  result<std::string_view> read();
  chunk_reader reader() {
    return [this] { return read(); };
  }
  std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  std::FILE* file_ = nullptr;
  std::string buf_;
  std::uint64_t bytes_ = 0;
};

}  // namespace annot::host::imports
