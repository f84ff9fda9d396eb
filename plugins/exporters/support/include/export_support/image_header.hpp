// Image size and band count from a file's header (PNG, JPEG, GIF, BMP, WebP), without a decoding library:
// COCO takes width/height from the image file and VOC its depth, as Label Studio does with Pillow (spec §1.6, §2.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace annot::plugins::export_support {

struct image_info {
  long long width = 0;
  long long height = 0;
  // Pillow's len(img.getbands()): L/P = 1, LA = 2, RGB/YCbCr = 3, RGBA/CMYK = 4.
  int bands = 0;
};

// Reads as much of `path` as its header needs (4 KiB; 64 KiB, then all of it, for a JPEG whose frame header
// lies further); nullopt when the file is missing, unreadable, or not one of the formats above
// (Pillow would fail to open it too, or we cannot tell the size without decoding).
std::optional<image_info> read_image_info(const std::string& path);

// The same from bytes already in memory (at least the header; 64 KiB is plenty for JPEG's usual SOF position).
std::optional<image_info> parse_image_info(std::string_view bytes);

}  // namespace annot::plugins::export_support
