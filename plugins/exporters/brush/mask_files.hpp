// mask_files: a brush mask (H×W bytes) as NumPy .npy bytes and as an 8-bit grayscale PNG, the way Label Studio writes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace annot::plugins::brush {

// np.save() of a 2-D uint8 array: format 1.0 header padded to a multiple of 64 bytes, then the bytes row-major.
std::string to_npy(std::span<const std::uint8_t> mask, std::size_t height, std::size_t width);

// Pillow's Image.fromarray(mask).save(..., "png") for mode L: per-row adaptive filter (least sum of |signed byte|,
// ties to the lower filter number), zlib level 6 / Z_FILTERED / window 15 / memLevel 9, IDAT chunks of at most 64 KiB.
// Throws std::runtime_error only if zlib fails (out of memory).
std::string to_png(std::span<const std::uint8_t> mask, std::size_t height, std::size_t width);

}  // namespace annot::plugins::brush
