// mask_files: .npy and PNG encoders for brush masks, byte-compatible with NumPy and Pillow.
#include "mask_files.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

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
  const std::size_t body_at = out.size();
  out.append(type, 4);
  out.append(data);
  put_be32(out, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(out.data() + body_at),
                                                 static_cast<uInt>(out.size() - body_at))));
}

int paeth(int a, int b, int c) {
  int p = a + b - c;
  int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

}  // namespace

std::string npy_header(std::size_t height, std::size_t width) {
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
  return out;
}

png_writer::png_writer(std::size_t height, std::size_t width)
    : height_(height), width_(width), max_idat_(std::max<std::size_t>(65536, width * 4)), prev_(width, 0) {
  for (auto& c : cand_) c.resize(width);
  if (deflateInit2(&zs_, 6, Z_DEFLATED, 15, 9, Z_FILTERED) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
}

png_writer::~png_writer() {
  deflateEnd(&zs_);
}

void png_writer::deflate_some(const std::uint8_t* data, std::size_t size, int flush) {
  // zlib's output does not depend on how its input is split (no flush before Z_FINISH), so feeding rows gives
  // the bytes of one call over the whole image, as Pillow feeds it rows too.
  unsigned char buf[65536];
  zs_.next_in = const_cast<Bytef*>(data);
  zs_.avail_in = static_cast<uInt>(size);
  for (;;) {
    zs_.next_out = buf;
    zs_.avail_out = sizeof buf;
    const int rc = deflate(&zs_, flush);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib: deflate failed");
    pending_.append(reinterpret_cast<const char*>(buf), sizeof buf - zs_.avail_out);
    if (flush == Z_FINISH ? rc == Z_STREAM_END : zs_.avail_out != 0) break;
  }
}

void png_writer::put_idats(std::string& out, bool all) {
  // One IDAT per encoder call, as Pillow's ImageFile._save: max(MAXBLOCK, width * 4) bytes.
  std::size_t at = 0;
  while (pending_.size() - at >= max_idat_ || (all && at < pending_.size())) {
    const std::size_t n = std::min(max_idat_, pending_.size() - at);
    put_chunk(out, "IDAT", std::string_view(pending_).substr(at, n));
    at += n;
    ++idats_;
  }
  pending_.erase(0, at);
}

void png_writer::start(std::string& out) {
  if (started_) return;
  started_ = true;
  out.append("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_be32(ihdr, static_cast<std::uint32_t>(width_));
  put_be32(ihdr, static_cast<std::uint32_t>(height_));
  ihdr.append(std::string("\x08\x00\x00\x00\x00", 5));  // 8-bit, grayscale, deflate, adaptive, no interlace
  put_chunk(out, "IHDR", ihdr);
}

void png_writer::add_row(std::span<const std::uint8_t> row, std::string& out) {
  start(out);
  const std::uint8_t* cur = row.data();
  // Pillow's order and choice (ZipEncode.c): None, Up, Sub, Paeth, the first with the least sum of |signed
  // byte|; Average only with optimize=True, which brush.py does not pass. A blank row (most of a sparse mask)
  // is None's: its sum is 0, the least, and None comes first.
  std::size_t best = 0;
  const std::uint8_t* filtered = cur;
  if (width_ && (cur[0] != 0 || std::memcmp(cur, cur + 1, width_ - 1) != 0)) {
    const std::uint8_t* up = prev_.data();
    for (std::size_t x = 0; x < width_; ++x) {
      int a = x ? cur[x - 1] : 0, b = up[x], c = x ? up[x - 1] : 0;
      cand_[0][x] = cur[x];
      cand_[1][x] = static_cast<std::uint8_t>(cur[x] - a);
      cand_[2][x] = static_cast<std::uint8_t>(cur[x] - b);
      cand_[3][x] = static_cast<std::uint8_t>(cur[x] - ((a + b) >> 1));
      cand_[4][x] = static_cast<std::uint8_t>(cur[x] - paeth(a, b, c));
    }
    long best_sum = -1;
    for (std::size_t f : {0, 2, 1, 4}) {
      long sum = 0;
      for (std::uint8_t v : cand_[f]) sum += v < 128 ? v : 256 - v;
      if (best_sum < 0 || sum < best_sum) {
        best_sum = sum;
        best = f;
      }
    }
    filtered = cand_[best].data();
  }
  const auto filter = static_cast<std::uint8_t>(best);
  deflate_some(&filter, 1, Z_NO_FLUSH);
  deflate_some(filtered, width_, Z_NO_FLUSH);
  std::copy_n(cur, width_, prev_.begin());
  put_idats(out, false);
}

void png_writer::finish(std::string& out) {
  start(out);
  deflate_some(nullptr, 0, Z_FINISH);
  put_idats(out, true);
  if (!idats_) put_chunk(out, "IDAT", {});
  put_chunk(out, "IEND", {});
}

std::string to_png(std::span<const std::uint8_t> mask, std::size_t height, std::size_t width) {
  png_writer png(height, width);
  std::string out;
  for (std::size_t y = 0; y < height; ++y) png.add_row(mask.subspan(y * width, width), out);
  png.finish(out);
  return out;
}

}  // namespace annot::plugins::brush
