// mask_files: .npy and PNG encoders for brush masks, byte-compatible with NumPy and Pillow.
#include "mask_files.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace annot::plugins::brush {
namespace {

void put_be32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_chunk(std::string& out, const char* type, std::string_view data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string body(type, 4);
  body.append(data);
  out.append(body);
  put_be32(out, static_cast<std::uint32_t>(
                    crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

int paeth(int a, int b, int c) {
  int p = a + b - c;
  int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

}  // namespace

std::string to_npy(std::span<const std::uint8_t> mask, std::size_t height, std::size_t width) {
  std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + std::to_string(height) + ", " +
                     std::to_string(width) + "), }";
  // magic(6) + version(2) + length(2) + dict + padding + '\n' is a multiple of 64.
  std::size_t total = 10 + dict.size() + 1;
  std::size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(dict.size() & 0xFF));
  out.push_back(static_cast<char>(dict.size() >> 8));
  out.append(dict);
  out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
  return out;
}

std::string to_png(std::span<const std::uint8_t> mask, std::size_t height, std::size_t width) {
  // Filtered scanlines: one filter byte + width bytes per row; the row above the first is zeros.
  std::vector<std::uint8_t> raw;
  raw.reserve(height * (width + 1));
  std::vector<std::uint8_t> zero(width, 0);
  std::array<std::vector<std::uint8_t>, 5> cand;
  for (auto& c : cand) c.resize(width);
  for (std::size_t y = 0; y < height; ++y) {
    const std::uint8_t* cur = mask.data() + y * width;
    const std::uint8_t* up = y ? mask.data() + (y - 1) * width : zero.data();
    for (std::size_t x = 0; x < width; ++x) {
      int a = x ? cur[x - 1] : 0, b = up[x], c = x ? up[x - 1] : 0;
      cand[0][x] = cur[x];
      cand[1][x] = static_cast<std::uint8_t>(cur[x] - a);
      cand[2][x] = static_cast<std::uint8_t>(cur[x] - b);
      cand[3][x] = static_cast<std::uint8_t>(cur[x] - ((a + b) >> 1));
      cand[4][x] = static_cast<std::uint8_t>(cur[x] - paeth(a, b, c));
    }
    // Pillow's order and choice (ZipEncode.c): None, Up, Sub, Paeth, the first with the least sum of
    // |signed byte|; Average only with optimize=True, which brush.py does not pass.
    std::size_t best = 0;
    long best_sum = -1;
    for (std::size_t f : {0, 2, 1, 4}) {
      long sum = 0;
      for (std::uint8_t v : cand[f]) sum += v < 128 ? v : 256 - v;
      if (best_sum < 0 || sum < best_sum) {
        best_sum = sum;
        best = f;
      }
    }
    raw.push_back(static_cast<std::uint8_t>(best));
    raw.insert(raw.end(), cand[best].begin(), cand[best].end());
  }

  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15, 9, Z_FILTERED) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string compressed;
  compressed.resize(deflateBound(&zs, static_cast<uLong>(raw.size())) + 64);
  zs.next_in = raw.data();
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(compressed.data());
  zs.avail_out = static_cast<uInt>(compressed.size());
  int rc = deflate(&zs, Z_FINISH);
  compressed.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate failed");

  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_be32(ihdr, static_cast<std::uint32_t>(width));
  put_be32(ihdr, static_cast<std::uint32_t>(height));
  ihdr.append(std::string("\x08\x00\x00\x00\x00", 5));  // 8-bit, grayscale, deflate, adaptive, no interlace
  put_chunk(out, "IHDR", ihdr);
  // One IDAT per encoder call, as Pillow's ImageFile._save: max(MAXBLOCK, width * 4) bytes.
  const std::size_t max_idat = std::max<std::size_t>(65536, width * 4);
  for (std::size_t at = 0; at < compressed.size(); at += max_idat)
    put_chunk(out, "IDAT", std::string_view(compressed).substr(at, max_idat));
  if (compressed.empty()) put_chunk(out, "IDAT", {});
  put_chunk(out, "IEND", {});
  return out;
}

}  // namespace annot::plugins::brush
