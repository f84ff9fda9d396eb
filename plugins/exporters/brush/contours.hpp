// contours: OpenCV's findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) on a mask, reproduced for BRUSH_TO_COCO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace annot::plugins::brush {

struct point {
  long long x = 0;
  long long y = 0;
};

// The outer borders of the mask's 8-connected components (non-zero pixels), traced with Suzuki-Abe border
// following exactly as OpenCV's icvFetchContour does (start at the first pixel in raster order, corners
// only), in the order OpenCV returns them (the reverse of discovery). Components inside another component's
// hole are not returned. The mask is read a row at a time from `next_row` (top to bottom; each call writes
// the next row's `width` bytes to its argument) into the one working image the tracing needs: height × width
// bytes and a frame, nothing more.
std::vector<std::vector<point>> external_contours(std::size_t height, std::size_t width,
                                                  const std::function<void(std::uint8_t* row)>& next_row);
// The same over a mask held in memory (height × width bytes, row-major).
std::vector<std::vector<point>> external_contours(std::span<const std::uint8_t> mask, std::size_t height,
                                                  std::size_t width);

// cv2.boundingRect of integer points: x, y, w, h with w = max - min + 1.
std::vector<long long> bounding_rect(const std::vector<point>& pts);

// cv2.contourArea (unsigned shoelace).
double contour_area(const std::vector<std::pair<double, double>>& pts);

}  // namespace annot::plugins::brush
