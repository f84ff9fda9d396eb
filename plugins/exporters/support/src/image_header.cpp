// Image header parsing for the image exporters: size and bands of PNG, JPEG, GIF, BMP and WebP files.
#include "export_support/image_header.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>

namespace annot::plugins::export_support {
namespace {

std::uint32_t be16(std::string_view b, std::size_t i) {
  return (static_cast<std::uint8_t>(b[i]) << 8) | static_cast<std::uint8_t>(b[i + 1]);
}
std::uint32_t be32(std::string_view b, std::size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
std::uint32_t le16(std::string_view b, std::size_t i) {
  return static_cast<std::uint8_t>(b[i]) | (static_cast<std::uint8_t>(b[i + 1]) << 8);
}
std::uint32_t le32(std::string_view b, std::size_t i) { return le16(b, i) | (le16(b, i + 2) << 16); }
std::uint32_t le24(std::string_view b, std::size_t i) { return le16(b, i) | (static_cast<std::uint8_t>(b[i + 2]) << 16); }

std::optional<image_info> png(std::string_view b) {
  if (b.size() < 26 || b.substr(12, 4) != "IHDR") return std::nullopt;
  image_info r{be32(b, 16), be32(b, 20), 0};
  switch (static_cast<std::uint8_t>(b[25])) {  // colour type
    case 0: r.bands = 1; break;                 // L (or I for 16 bits)
    case 2: r.bands = 3; break;                 // RGB
    case 3: r.bands = 1; break;                 // P
    case 4: r.bands = 2; break;                 // LA
    case 6: r.bands = 4; break;                 // RGBA
    default: return std::nullopt;
  }
  return r;
}

std::optional<image_info> jpeg(std::string_view b) {
  std::size_t i = 2;
  while (i + 4 <= b.size()) {
    if (static_cast<std::uint8_t>(b[i]) != 0xFF) return std::nullopt;
    std::uint8_t marker = static_cast<std::uint8_t>(b[i + 1]);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      i += 2;
      continue;
    }
    std::uint32_t len = be16(b, i + 2);
    bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (i + 10 > b.size()) return std::nullopt;
      image_info r{be16(b, i + 7), be16(b, i + 5), static_cast<std::uint8_t>(b[i + 9])};
      if (r.bands != 1 && r.bands != 3 && r.bands != 4) return std::nullopt;
      return r;
    }
    if (marker == 0xD9 || len < 2) return std::nullopt;
    i += 2 + len;
  }
  return std::nullopt;
}

std::optional<image_info> gif(std::string_view b) {
  if (b.size() < 10) return std::nullopt;
  return image_info{le16(b, 6), le16(b, 8), 1};  // P
}

std::optional<image_info> bmp(std::string_view b) {
  if (b.size() < 30) return std::nullopt;
  std::uint32_t header = le32(b, 14);
  long long w, h;
  unsigned bits;
  if (header == 12) {
    w = le16(b, 18);
    h = le16(b, 20);
    bits = le16(b, 24);
  } else {
    if (b.size() < 34) return std::nullopt;
    w = static_cast<std::int32_t>(le32(b, 18));
    h = static_cast<std::int32_t>(le32(b, 22));
    bits = le16(b, 28);
  }
  if (h < 0) h = -h;
  int bands;
  if (bits <= 8) bands = 1;                       // P or L
  else if (bits == 16 || bits == 24) bands = 3;   // RGB
  else if (bits == 32) {
    // Pillow opens 32-bit BMPs as RGB unless a bitfields alpha mask is present (BITMAPV3+ headers).
    bands = 3;
    if (header >= 56 && b.size() >= 14 + 56 && le32(b, 30) == 3 && le32(b, 66) != 0) bands = 4;
  } else return std::nullopt;
  return image_info{w, h, bands};
}

std::optional<image_info> webp(std::string_view b) {
  if (b.size() < 30) return std::nullopt;
  std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    return image_info{le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF, 3};
  }
  if (chunk == "VP8L") {
    if (static_cast<std::uint8_t>(b[20]) != 0x2F) return std::nullopt;
    std::uint32_t bits = le32(b, 21);
    long long w = (bits & 0x3FFF) + 1, h = ((bits >> 14) & 0x3FFF) + 1;
    bool alpha = (bits >> 28) & 1;
    return image_info{w, h, alpha ? 4 : 3};
  }
  if (chunk == "VP8X") {
    bool alpha = static_cast<std::uint8_t>(b[20]) & 0x10;
    return image_info{static_cast<long long>(le24(b, 24)) + 1, static_cast<long long>(le24(b, 27)) + 1,
                      alpha ? 4 : 3};
  }
  return std::nullopt;
}

}  // namespace

std::optional<image_info> parse_image_info(std::string_view b) {
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return png(b);
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return jpeg(b);
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return gif(b);
  if (b.size() >= 2 && b.substr(0, 2) == "BM") return bmp(b);
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return webp(b);
  return std::nullopt;
}

std::optional<image_info> read_image_info(const std::string& path) {
  // A copy-exporting export reads every image's header: 4 KiB first (PNG, GIF, BMP and WebP give
  // their size in the first 30 bytes, most JPEGs within it), then 64 KiB, then the whole file, for a
  // JPEG whose frame header follows large EXIF or ICC blocks. A fixed 64 KiB read cost 16 times the
  // I/O for nothing on photos, and an ifstream a zeroed 64 KiB buffer per image.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string head;
  std::optional<image_info> r;
  for (std::size_t want = 4096;; want = want < 65536 ? 65536 : std::numeric_limits<std::size_t>::max()) {
    bool end = false;
    while (head.size() < want) {
      char block[65536];
      const std::size_t room = std::min(sizeof block, want - head.size());
      const ssize_t n = ::read(fd, block, room);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        end = true;  // the file's end, or an error: judge what was read, as Pillow would fail
        break;
      }
      head.append(block, static_cast<std::size_t>(n));
      // A short read is the file's end but for rare cases: no second call to find out unless a JPEG's
      // header needs more (the next round reads on).
      if (static_cast<std::size_t>(n) < room) break;
    }
    r = parse_image_info(head);
    if (r || end || head.compare(0, 3, "\xFF\xD8\xFF") != 0) break;
  }
  ::close(fd);
  return r;
}

}  // namespace annot::plugins::export_support
