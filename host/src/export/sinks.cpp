// Folder, zip and single-file sinks for exports.
#include "export/sinks.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace annot::host::exporting {
namespace fs = std::filesystem;

annot::result<std::unique_ptr<file_writer>> file_writer::create(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return annot::status(annot::errc::io_error, "cannot create " + path.string());
  return std::unique_ptr<file_writer>(new file_writer(f, path.string()));
}

file_writer::~file_writer() {
  if (f_) std::fclose(f_);
}

annot::status file_writer::write(std::string_view bytes) {
  if (!f_) return annot::status(annot::errc::io_error, path_ + " is closed");
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
    return annot::status(annot::errc::io_error, "cannot write " + path_ + " (disk full?)");
  return {};
}

annot::status file_writer::close() {
  if (!f_) return {};
  int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) return annot::status(annot::errc::io_error, "cannot write " + path_ + " (disk full?)");
  return {};
}

annot::status check_entry_path(std::string_view path) {
  auto bad = [&](const char* why) {
    return annot::status(annot::errc::invalid_argument,
                         "the exporter wrote an invalid path '" + std::string(path) + "': " + why);
  };
  if (path.empty()) return bad("empty");
  if (path.front() == '/') return bad("absolute");
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos)
    return bad("backslash or NUL");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    bool last = end == path.size();
    if ((seg.empty() && !last) || seg == "." || seg == "..") return bad("'.', '..' or empty segment");
    start = end + 1;
  }
  return {};
}

// ---- directory_sink ----------------------------------------------------------------------------

// One open file: POSIX open/write with a buffer reused from file to file (YOLO and VOC write one
// small file per image: no stdio FILE, no allocation per file).
struct directory_sink::stream final : annot::output_stream {
  int fd = -1;
  std::string path;
  std::string buffer;
  annot::status error;
  static constexpr std::size_t kBuffer = 64 * 1024;

  annot::status write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return error = annot::status(annot::errc::io_error, "cannot write " + path + " (disk full?)");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }
  annot::status write(std::string_view bytes) override {
    if (fd < 0) return annot::status(annot::errc::io_error, path + " is closed");
    if (!error.ok()) return error;
    if (buffer.size() + bytes.size() <= kBuffer) {
      buffer.append(bytes);
      return {};
    }
    if (annot::status st = write_all(buffer); !st.ok()) return st;
    buffer.clear();
    if (bytes.size() < kBuffer) {
      buffer.append(bytes);
      return {};
    }
    return write_all(bytes);
  }
  annot::status close() {
    if (fd < 0) return {};
    annot::status st = error;
    if (st.ok() && !buffer.empty()) st = write_all(buffer);
    buffer.clear();
    if (::close(fd) != 0 && st.ok()) st = annot::status(annot::errc::io_error, "cannot write " + path + " (disk full?)");
    fd = -1;
    error = {};
    return st;
  }
};

directory_sink::directory_sink(fs::path root) : root_(std::move(root)), open_(std::make_unique<stream>()) {
  open_->buffer.reserve(stream::kBuffer);
}
directory_sink::~directory_sink() { (void)finish(); }

annot::status directory_sink::finish() { return open_->close(); }

annot::result<annot::output_stream*> directory_sink::open(std::string_view path) {
  if (annot::status st = finish(); !st.ok()) return st;
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  std::string& p = open_->path;
  p = root_.native();
  if (!p.empty() && p.back() != '/') p.push_back('/');
  p.append(path);
  // Entries come folder by folder (20,000 labels/*.txt): the folder made last needs no new check.
  const std::string_view parent = std::string_view(p).substr(0, p.rfind('/'));
  if (parent != made_dir_.native()) {
    std::error_code ec;
    fs::create_directories(fs::path(parent), ec);
    if (ec) return annot::status(annot::errc::io_error, "cannot create " + std::string(parent) + ": " + ec.message());
    made_dir_ = fs::path(parent);
  }
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return annot::status(annot::errc::io_error, "cannot create " + p + ": " + std::strerror(errno));
  open_->fd = fd;
  ++files_;
  return static_cast<annot::output_stream*>(open_.get());
}

annot::status directory_sink::add_directory(std::string_view path) {
  if (annot::status st = finish(); !st.ok()) return st;
  std::string p(path);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (annot::status st = check_entry_path(p); !st.ok()) return st;
  std::error_code ec;
  fs::create_directories(root_ / p, ec);
  if (ec) return annot::status(annot::errc::io_error, "cannot create " + (root_ / p).string() + ": " + ec.message());
  return {};
}

annot::status directory_sink::add_file(std::string_view path, std::string_view source) {
  if (annot::status st = finish(); !st.ok()) return st;
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  std::error_code ec;
  if (!fs::is_regular_file(std::string(source), ec))
    return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  fs::path p = root_ / std::string(path);
  fs::create_directories(p.parent_path(), ec);
  fs::copy_file(std::string(source), p, fs::copy_options::overwrite_existing, ec);
  if (ec) return annot::status(annot::errc::io_error, "cannot copy " + std::string(source) + ": " + ec.message());
  ++files_;
  return {};
}

// ---- zip_sink ----------------------------------------------------------------------------------

namespace {
void le16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void le32(std::string& s, std::uint32_t v) {
  le16(s, v & 0xFFFF);
  le16(s, v >> 16);
}
void le64(std::string& s, std::uint64_t v) {
  le32(s, static_cast<std::uint32_t>(v & 0xFFFFFFFFu));
  le32(s, static_cast<std::uint32_t>(v >> 32));
}
constexpr std::uint16_t kFlags = 0x0808;  // data descriptor follows; names are UTF-8
}  // namespace

// One deflate state for the whole archive, reset per entry: deflateInit2 allocates and clears
// about 300 KB, which per entry of a 20,000-label YOLO archive was most of the zip's cost.
struct zip_sink::deflater {
  z_stream z{};
  bool ready = false;
  ~deflater() {
    if (ready) deflateEnd(&z);
  }
};

struct zip_sink::entry_stream final : annot::output_stream {
  zip_sink* zip = nullptr;
  z_stream& z;
  explicit entry_stream(z_stream& stream) : z(stream) {}
  std::uint32_t crc = 0;
  std::uint64_t size = 0, compressed = 0;
  std::string out;

  annot::status pump(std::string_view in, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::array<char, 65536> buf;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      int rc = deflate(&z, flush);
      if (rc == Z_STREAM_ERROR) return annot::status(annot::errc::internal, "zlib deflate failed");
      std::size_t have = buf.size() - z.avail_out;
      if (have) {
        compressed += have;
        if (annot::status st = zip->emit(std::string_view(buf.data(), have)); !st.ok()) return st;
      }
    } while (z.avail_out == 0 || (flush == Z_FINISH && z.avail_in > 0));
    return {};
  }

  annot::status write(std::string_view bytes) override {
    if (!zip->error_.ok()) return zip->error_;
    // Large writes go through in 1 MiB pieces so avail_in (uInt) never overflows.
    while (!bytes.empty()) {
      std::string_view piece = bytes.substr(0, 1 << 20);
      bytes.remove_prefix(piece.size());
      crc = static_cast<std::uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(piece.data()),
                                             static_cast<uInt>(piece.size())));
      size += piece.size();
      if (annot::status st = pump(piece, Z_NO_FLUSH); !st.ok()) return zip->error_ = st;
    }
    return {};
  }

};

zip_sink::zip_sink(byte_writer& out) : out_(out) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  dos_time_ = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  dos_date_ = static_cast<std::uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

zip_sink::~zip_sink() = default;

annot::status zip_sink::emit(std::string_view bytes) {
  if (!error_.ok()) return error_;
  offset_ += bytes.size();
  // Headers and small entries are gathered: one write per ~256 KiB, not one per header.
  if (pending_.size() + bytes.size() < kPendingLimit) {
    pending_.append(bytes);
    return error_;
  }
  if (!pending_.empty()) {
    error_ = out_.write(pending_);
    pending_.clear();
    if (!error_.ok()) return error_;
  }
  if (bytes.size() < kPendingLimit)
    pending_.append(bytes);
  else
    error_ = out_.write(bytes);
  return error_;
}

annot::status zip_sink::flush_pending() {
  if (!error_.ok() || pending_.empty()) return error_;
  error_ = out_.write(pending_);
  pending_.clear();
  return error_;
}

annot::status zip_sink::begin_entry(const std::string& name, bool directory) {
  std::string h;
  le32(h, 0x04034b50);
  le16(h, 20);
  le16(h, kFlags);
  le16(h, directory ? 0 : 8);
  le16(h, dos_time_);
  le16(h, dos_date_);
  le32(h, 0);
  le32(h, 0);
  le32(h, 0);
  le16(h, static_cast<std::uint32_t>(name.size()));
  le16(h, 0);
  h += name;
  record r;
  r.name = name;
  r.offset = offset_;
  r.directory = directory;
  if (annot::status st = emit(h); !st.ok()) return st;
  // A path written again replaces the earlier copy in the central directory.
  if (auto it = index_.find(name); it != index_.end()) {
    central_[it->second] = std::move(r);
  } else {
    index_.emplace(name, central_.size());
    central_.push_back(std::move(r));
  }
  return {};
}

annot::status zip_sink::add_directory_entry(const std::string& name) {
  if (index_.count(name)) return {};
  if (annot::status st = begin_entry(name, true); !st.ok()) return st;
  std::string d;
  le32(d, 0x08074b50);
  le32(d, 0);
  le32(d, 0);
  le32(d, 0);
  return emit(d);
}

annot::status zip_sink::ensure_parents(std::string_view path) {
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1))
    if (annot::status st = add_directory_entry(std::string(path.substr(0, slash + 1))); !st.ok()) return st;
  return {};
}

annot::status zip_sink::close_entry() {
  if (!open_) return error_;
  annot::status st = open_->pump({}, Z_FINISH);
  if (st.ok()) {
    record& r = central_[index_.at(central_name_of_open_)];
    r.crc = open_->crc;
    r.size = open_->size;
    r.compressed = open_->compressed;
    std::string d;
    le32(d, 0x08074b50);
    le32(d, r.crc);
    // Sizes over 4 GiB per entry are not supported (the descriptor keeps 32-bit sizes).
    le32(d, static_cast<std::uint32_t>(r.compressed));
    le32(d, static_cast<std::uint32_t>(r.size));
    st = emit(d);
  }
  open_.reset();
  if (!st.ok() && error_.ok()) error_ = st;
  return st;
}

annot::result<annot::output_stream*> zip_sink::open(std::string_view path) {
  if (finished_) return annot::status(annot::errc::failed_precondition, "the archive is finished");
  if (annot::status st = close_entry(); !st.ok()) return st;
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  if (path.back() == '/') return annot::status(annot::errc::invalid_argument, "open() of a folder path");
  if (annot::status st = ensure_parents(path); !st.ok()) return st;
  std::string name(path);
  if (annot::status st = begin_entry(name, false); !st.ok()) return st;
  central_name_of_open_ = name;
  if (!deflater_) deflater_ = std::make_unique<deflater>();
  if (!deflater_->ready) {
    if (deflateInit2(&deflater_->z, Z_BEST_SPEED, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return error_ = annot::status(annot::errc::internal, "zlib deflateInit2 failed");
    deflater_->ready = true;
  } else if (deflateReset(&deflater_->z) != Z_OK) {
    return error_ = annot::status(annot::errc::internal, "zlib deflateReset failed");
  }
  open_ = std::make_unique<entry_stream>(deflater_->z);
  open_->zip = this;
  open_->crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
  return static_cast<annot::output_stream*>(open_.get());
}

annot::status zip_sink::add_directory(std::string_view path) {
  if (annot::status st = close_entry(); !st.ok()) return st;
  std::string p(path);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (annot::status st = check_entry_path(p); !st.ok()) return st;
  if (annot::status st = ensure_parents(p); !st.ok()) return st;
  return add_directory_entry(p + "/");
}

annot::status zip_sink::add_file(std::string_view path, std::string_view source) {
  std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
  if (!f) return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  auto out = open(path);
  if (!out.ok()) {
    std::fclose(f);
    return out.error();
  }
  std::array<char, 65536> buf;
  annot::status st;
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    st = (*out)->write(std::string_view(buf.data(), n));
    if (!st.ok()) break;
  }
  std::fclose(f);
  if (!st.ok()) return st;
  return close_entry();
}

annot::status zip_sink::finish() {
  if (finished_) return error_;
  if (annot::status st = close_entry(); !st.ok()) return st;
  finished_ = true;
  const std::uint64_t cd_start = offset_;
  std::string cd;
  for (const record& r : central_) {
    bool big_offset = r.offset >= 0xFFFFFFFFu;
    le32(cd, 0x02014b50);
    le16(cd, (3 << 8) | 45);  // made by: Unix, spec 4.5
    le16(cd, big_offset ? 45 : 20);
    le16(cd, kFlags);
    le16(cd, r.directory ? 0 : 8);
    le16(cd, dos_time_);
    le16(cd, dos_date_);
    le32(cd, r.crc);
    le32(cd, static_cast<std::uint32_t>(r.compressed));
    le32(cd, static_cast<std::uint32_t>(r.size));
    le16(cd, static_cast<std::uint32_t>(r.name.size()));
    le16(cd, big_offset ? 12 : 0);  // extra: Zip64 offset
    le16(cd, 0);
    le16(cd, 0);
    le16(cd, 0);
    le32(cd, r.directory ? ((040755u << 16) | 0x10) : (0100644u << 16));
    le32(cd, big_offset ? 0xFFFFFFFFu : static_cast<std::uint32_t>(r.offset));
    cd += r.name;
    if (big_offset) {
      le16(cd, 0x0001);
      le16(cd, 8);
      le64(cd, r.offset);
    }
    if (cd.size() >= (1 << 20)) {
      if (annot::status st = emit(cd); !st.ok()) return st;
      cd.clear();
    }
  }
  if (annot::status st = emit(cd); !st.ok()) return st;
  cd.clear();
  const std::uint64_t cd_size = offset_ - cd_start;
  const std::uint64_t count = central_.size();
  bool zip64 = count >= 0xFFFF || cd_start >= 0xFFFFFFFFu || cd_size >= 0xFFFFFFFFu;
  std::string end;
  if (zip64) {
    const std::uint64_t z64_at = offset_;
    le32(end, 0x06064b50);
    le64(end, 44);
    le16(end, 45);
    le16(end, 45);
    le32(end, 0);
    le32(end, 0);
    le64(end, count);
    le64(end, count);
    le64(end, cd_size);
    le64(end, cd_start);
    le32(end, 0x07064b50);
    le32(end, 0);
    le64(end, z64_at);
    le32(end, 1);
  }
  le32(end, 0x06054b50);
  le16(end, 0);
  le16(end, 0);
  le16(end, zip64 ? 0xFFFF : static_cast<std::uint32_t>(count));
  le16(end, zip64 ? 0xFFFF : static_cast<std::uint32_t>(count));
  le32(end, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(cd_size));
  le32(end, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(cd_start));
  le16(end, 0);
  if (annot::status st = emit(end); !st.ok()) return st;
  return flush_pending();
}

// ---- single_file_sink --------------------------------------------------------------------------

annot::result<annot::output_stream*> single_file_sink::open(std::string_view path) {
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  if (!entry_.empty() && entry_ != path)
    return annot::status(annot::errc::internal, "the exporter wrote '" + std::string(path) + "' after '" + entry_ +
                                                     "', but its format is a single file");
  if (!entry_.empty())
    return annot::status(annot::errc::internal, "the exporter reopened '" + entry_ + "' of a single-file format");
  entry_ = std::string(path);
  stream_.out = &out_;
  return static_cast<annot::output_stream*>(&stream_);
}

annot::status single_file_sink::add_file(std::string_view path, std::string_view source) {
  auto s = open(path);
  if (!s.ok()) return s.error();
  std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
  if (!f) return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  std::array<char, 65536> buf;
  annot::status st;
  for (std::size_t n; st.ok() && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;)
    st = out_.write(std::string_view(buf.data(), n));
  std::fclose(f);
  return st;
}

}  // namespace annot::host::exporting
