// Upload folder layout, writers and readers of uploaded files.
#include "import/upload_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "store/secrets.hpp"

namespace annot::host::imports {

namespace fs = std::filesystem;

fs::path upload_root(const fs::path& data_dir) { return data_dir / "upload"; }

std::string upload_url(std::string_view relative) { return "/data/upload/" + std::string(relative); }

std::string safe_file_name(std::string_view name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || c == '/' || c == '\\' || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' || c == '?' ||
        c == '*' || c == '%' || c == '#')
      out.push_back('_');
    else
      out.push_back(c);
  }
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  if (out.empty()) out = "file";
  if (out.size() > 150) out.erase(0, out.size() - 150);
  return out;
}

std::string content_type_of(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> types = {
      {".bmp", "image/bmp"},         {".csv", "text/csv"},          {".flac", "audio/flac"},
      {".gif", "image/gif"},         {".htm", "text/html"},         {".html", "text/html"},
      {".jpg", "image/jpeg"},        {".jpeg", "image/jpeg"},       {".json", "application/json"},
      {".m4a", "audio/mp4"},         {".mp3", "audio/mpeg"},        {".ogg", "audio/ogg"},
      {".png", "image/png"},         {".svg", "image/svg+xml"},     {".tsv", "text/tab-separated-values"},
      {".txt", "text/plain"},        {".wav", "audio/wav"},         {".xml", "application/xml"},
      {".mp4", "video/mp4"},         {".webm", "video/webm"},       {".webp", "image/webp"}};
  auto it = types.find(file_extension(name));
  return it == types.end() ? "application/octet-stream" : it->second;
}

result<upload_writer> upload_writer::create(const fs::path& data_dir, std::int64_t project_id,
                                            std::string_view original_name) {
  upload_writer w;
  w.original_ = std::string(original_name);
  const std::string hex = store::random_hex(4);
  w.relative_ = std::to_string(project_id) + "/" + hex + "-" + safe_file_name(original_name);
  fs::path dir = upload_root(data_dir) / std::to_string(project_id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return status(errc::io_error, "cannot create " + dir.string() + ": " + ec.message());
  w.path_ = upload_root(data_dir) / w.relative_;
  w.file_ = std::fopen(w.path_.c_str(), "wbx");
  if (!w.file_) return status(errc::io_error, "cannot create " + w.path_.string() + ": " + std::strerror(errno));
  return w;
}

upload_writer::upload_writer(upload_writer&& o) noexcept
    : file_(o.file_), path_(std::move(o.path_)), relative_(std::move(o.relative_)),
      original_(std::move(o.original_)), size_(o.size_), kept_(o.kept_) {
  o.file_ = nullptr;
  o.kept_ = true;  // the moved-from writer owns nothing to remove
}

upload_writer::~upload_writer() {
  if (file_) std::fclose(file_);
  if (!kept_ && !path_.empty()) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

status upload_writer::write(std::string_view bytes) {
  if (!file_) return status(errc::failed_precondition, "the upload file is closed");
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    return status(errc::io_error, "cannot write " + path_.string() + ": " + std::strerror(errno));
  size_ += std::int64_t(bytes.size());
  return status::success();
}

status upload_writer::close() {
  if (!file_) return status::success();
  int rc = std::fflush(file_);
  if (rc == 0) rc = ::fsync(fileno(file_));
  std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return status(errc::io_error, "cannot write " + path_.string() + ": " + std::strerror(errno));
  kept_ = true;
  return status::success();
}

status upload_writer::write_all(const chunk_reader& read) {
  for (;;) {
    auto chunk = read();
    if (!chunk) return chunk.error();
    if (chunk->empty()) break;
    if (auto s = write(*chunk); !s) return s;
  }
  return close();
}

store::new_file_upload upload_writer::record(std::optional<std::int64_t> user_id, std::int64_t project_id) const {
  store::new_file_upload f;
  f.project_id = project_id;
  f.user_id = user_id;
  f.file = relative_;
  f.original_name = original_;
  f.size = size_;
  f.content_type = content_type_of(original_);
  return f;
}

file_source::file_source(const fs::path& path) : file_(std::fopen(path.c_str(), "rb")), buf_(64 * 1024, '\0') {}

file_source::~file_source() {
  if (file_) std::fclose(file_);
}

result<std::string_view> file_source::read() {
  if (!file_) return status(errc::io_error, "the file cannot be read");
  std::size_t n = std::fread(buf_.data(), 1, buf_.size(), file_);
  if (n == 0 && std::ferror(file_)) return status(errc::io_error, std::string("read error: ") + std::strerror(errno));
  bytes_ += n;
  return std::string_view(buf_.data(), n);
}

}  // namespace annot::host::imports
