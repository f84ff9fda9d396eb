// mask_files: a brush mask (H×W bytes) as NumPy .npy bytes and as an 8-bit grayscale PNG, the way Label
// Studio writes them, a row at a time: a mask is never held whole (its RLE may declare 30000×30000 pixels).
#pragma once

#include <zlib.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace annot::plugins::brush {

// np.save()'s header for a 2-D uint8 array of height × width: format 1.0, padded to a multiple of 64 bytes.
// The rows follow it, row-major, unchanged.
std::string npy_header(std::size_t height, std::size_t width);

// Pillow's Image.fromarray(mask).save(..., "png") for mode L, built a row at a time: per-row adaptive filter
// (least sum of |signed byte|, ties to the lower filter number), zlib level 6 / Z_FILTERED / window 15 /
// memLevel 9, IDAT chunks of max(64 KiB, width × 4) bytes. Memory is a few rows plus zlib's state. One writer
// per image, used by one thread. The constructor and add_row throw std::runtime_error only if zlib fails (out
// of memory).
class png_writer {
 public:
  png_writer(std::size_t height, std::size_t width);
  ~png_writer();
  png_writer(const png_writer&) = delete;
  png_writer& operator=(const png_writer&) = delete;

  // Adds the next row (width bytes) and appends the bytes of the file that are ready to `out` (the signature
  // and IHDR come with the first row).
  void add_row(std::span<const std::uint8_t> row, std::string& out);
  // After the last row: appends the rest of the file to `out`.
  void finish(std::string& out);

 private:
  void start(std::string& out);  // the signature and IHDR, once
  void deflate_some(const std::uint8_t* data, std::size_t size, int flush);
  void put_idats(std::string& out, bool all);

  std::size_t height_, width_, max_idat_;
  z_stream zs_{};
  bool started_ = false;
  std::vector<std::uint8_t> prev_;                 // the row above (zeros above the first)
  std::array<std::vector<std::uint8_t>, 5> cand_;  // the row under each filter
  std::string pending_;                            // compressed bytes not yet in an IDAT
  std::size_t idats_ = 0;
};

// The whole PNG of an H×W mask held in memory (tests and small masks).
std::string to_png(std::span<const std::uint8_t> mask, std::size_t height, std::size_t width);

}  // namespace annot::plugins::brush
