// Where exports go: annot::export_sink implementations over a folder, a streamed zip archive (zlib
// deflate, written as it goes, Zip64 when large), or a single file's bytes; and byte writers for a
// file or any callback (an HTTP body).
#pragma once

#include <annot/exporter.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace annot::host::exporting {

// A destination for bytes, written in order.
class byte_writer {
 public:
  virtual ~byte_writer() = default;
  virtual annot::status write(std::string_view bytes) = 0;
};

// Bytes to a callback (an HTTP body_sink, a test buffer).
class callback_writer final : public byte_writer {
 public:
  explicit callback_writer(std::function<annot::status(std::string_view)> fn) : fn_(std::move(fn)) {}
  annot::status write(std::string_view bytes) override { return fn_(bytes); }

 private:
  std::function<annot::status(std::string_view)> fn_;
};

// Bytes to a file, created or truncated.
class file_writer final : public byte_writer {
 public:
  static annot::result<std::unique_ptr<file_writer>> create(const std::filesystem::path& path);
  ~file_writer() override;
  annot::status write(std::string_view bytes) override;
  annot::status close();

 private:
  file_writer(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  std::FILE* f_;
  std::string path_;
};

// Checks an entry path as exporter.hpp defines it: relative, '/'-separated, no "."/".."/empty
// segments, no NUL or backslash.
annot::status check_entry_path(std::string_view path);

// Entries as files under a folder (created). Reopening a path truncates it; add_file copies.
class directory_sink final : public annot::export_sink {
 public:
  explicit directory_sink(std::filesystem::path root);
  ~directory_sink();
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view path) override;
  annot::status add_file(std::string_view path, std::string_view source) override;
  annot::status finish();
  std::int64_t files_written() const noexcept { return files_; }

 private:
  struct stream;
  std::filesystem::path root_;
  std::filesystem::path made_dir_;  // the folder created last
  std::unique_ptr<stream> open_;
  std::int64_t files_ = 0;
};

// A zip archive written as it goes (local headers with data descriptors, deflate level 1, one
// deflate state reset per entry, writes gathered up to 256 KiB): memory holds the central
// directory and that buffer. Directory entries are listed as Python's shutil.make_archive
// lists them ("images/"), parents included. A path written twice keeps only the last copy in the
// central directory. finish() writes the central directory; without it the archive is incomplete.
class zip_sink final : public annot::export_sink {
 public:
  explicit zip_sink(byte_writer& out);
  ~zip_sink();
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view path) override;
  annot::status add_file(std::string_view path, std::string_view source) override;
  annot::status finish();
  // Entries in the central directory (files and folders).
  std::size_t entries() const noexcept { return central_.size(); }

 private:
  struct entry_stream;
  struct deflater;
  struct record {
    std::string name;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0, size = 0, offset = 0;
    bool directory = false;
  };
  annot::status emit(std::string_view bytes);
  annot::status flush_pending();
  annot::status close_entry();
  annot::status ensure_parents(std::string_view path);
  annot::status add_directory_entry(const std::string& name);
  annot::status begin_entry(const std::string& name, bool directory);

  byte_writer& out_;
  std::uint64_t offset_ = 0;
  std::uint16_t dos_time_ = 0, dos_date_ = 0;
  std::vector<record> central_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::unique_ptr<entry_stream> open_;
  std::unique_ptr<deflater> deflater_;
  // Bytes not yet handed to out_ (written at kPendingLimit and by finish()).
  std::string pending_;
  static constexpr std::size_t kPendingLimit = 256 * 1024;
  std::string central_name_of_open_;
  annot::status error_;
  bool finished_ = false;
};

// A single_file format's output: the bytes of its one entry go straight to `out`; folders are
// ignored; a second, different entry is an error (the format declared one file).
class single_file_sink final : public annot::export_sink {
 public:
  explicit single_file_sink(byte_writer& out) : out_(out) {}
  annot::result<annot::output_stream*> open(std::string_view path) override;
  annot::status add_directory(std::string_view) override { return {}; }
  annot::status add_file(std::string_view path, std::string_view source) override;
  const std::string& entry() const noexcept { return entry_; }

 private:
  struct stream final : annot::output_stream {
    byte_writer* out = nullptr;
    annot::status write(std::string_view bytes) override { return out->write(bytes); }
  };
  byte_writer& out_;
  stream stream_;
  std::string entry_;
};

}  // namespace annot::host::exporting
