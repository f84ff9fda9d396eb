// Static file trees served from memory: MIME types, strong ETags, precomputed gzip, byte ranges.
// Beast-free. Several trees can live in one static_files (one add_directory() per URL prefix: the web
// shell under "/static", each plugin's ui/ under "/plugins/<name>"), or in several objects.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.hpp"
#include "http/router.hpp"

namespace annot::host::http {

class static_files {
 public:
  struct options {
    std::string cache_control = "no-cache";          // revalidate with the ETag: cheap 304s, never stale
    std::size_t max_file_size = 256u * 1024 * 1024;  // larger files are skipped with a warning
  };

  // One file as loaded at start-up. Immutable afterwards.
  struct file {
    std::string content_type;
    std::string etag;       // strong, quoted: "\"<hash>\""
    std::string gzip_etag;  // the gzip variant's own strong ETag; empty without one
    std::string body;
    std::string gzip_body;  // empty when gzip does not make the file smaller or the type is incompressible
    std::string cache_control;
  };

  static_files() = default;
  explicit static_files(options opts) : options_(std::move(opts)) {}

  // Reads every regular file under dir (recursively, skipping dot-files) and serves it at
  // url_prefix + "/" + its relative path ("/static" + "/app.js"). A directory's index.html also
  // answers for "prefix/dir/". Throws std::runtime_error when dir cannot be read; a file added twice
  // under the same URL keeps the last one. Not thread-safe: call before serving.
  void add_directory(std::string url_prefix, const std::filesystem::path& dir);
  // Adds one in-memory file (tests, generated files such as an import map).
  void add_file(std::string url_path, std::string content, std::string_view content_type = {});

  // The file at a decoded URL path ("/static/app.js"); nullptr when absent. Lock-free.
  const file* find(std::string_view url_path) const;
  std::size_t size() const noexcept { return files_.size(); }

  // Answers a GET or HEAD for url_path: 200/206/304/404/416, and 400 for traversal attempts (checked
  // on the raw target as well, so "%2e%2e", "%2f", "%5c" and "%00" are refused before any lookup).
  response serve(const request& req, std::string_view url_path) const;

  // A handler for a route such as "GET /static/{*path}": serves req.path. The handler shares
  // ownership of files, so the tree lives as long as the route.
  static handler make_handler(std::shared_ptr<const static_files> files);

  static std::string_view mime_type(std::string_view path) noexcept;

 private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  options options_;
  std::unordered_map<std::string, std::shared_ptr<const file>, string_hash, std::equal_to<>> files_;
};

}  // namespace annot::host::http
