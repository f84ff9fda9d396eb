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

namespace {

// The length of the UTF-8 sequence at s[i] (1 to 4), or 0 where it is not one: a name from a
// browser or curl may be in another encoding, and the stored name must be text JSON can hold.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  if (n == 2 && b < 0xC2) return 0;  // overlong
  return n;
}

}  // namespace

std::string safe_file_name(std::string_view name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    const char c = name[i];
    const std::size_t n = utf8_sequence(name, i);
    if (n == 0) {  // a byte of another encoding
      out.push_back('_');
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(name.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || c == '/' || c == '\\' || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' || c == '?' ||
        c == '*' || c == '%' || c == '#')
      out.push_back('_');
    else if (c == '.' && !out.empty() && out.back() == '.')
      continue;  // ".." would make the file's URL one that serving refuses
    else
      out.push_back(c);
  }
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  if (out.empty()) out = "file";
  if (out.size() > 150) {
    // The last 150 bytes or fewer, starting on a whole character.
    std::size_t from = out.size() - 150;
    while (from < out.size() && (static_cast<unsigned char>(out[from]) & 0xC0) == 0x80) ++from;
    out.erase(0, from);
  }
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
