// contours: Suzuki-Abe border following with OpenCV's scan order, marking rules and CHAIN_APPROX_SIMPLE output.
#include "contours.hpp"

#include <algorithm>
#include <cmath>

namespace annot::plugins::brush {
namespace {

constexpr int code_dx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int code_dy[8] = {0, -1, -1, -1, 0, 1, 1, 1};

// icvFetchContour for an outer border starting at `start` (index into the padded image) at point `pt`.
std::vector<point> fetch(std::vector<signed char>& img, std::ptrdiff_t step, std::ptrdiff_t start, point pt) {
  const signed char nbd = 2;
  std::ptrdiff_t deltas[16];
  for (int k = 0; k < 8; ++k) deltas[k] = deltas[k + 8] = code_dy[k] * step + code_dx[k];
  std::vector<point> out;
  std::ptrdiff_t i0 = start, i1 = 0, i3, i4 = 0;
  int s = 4, s_end = 4;  // outer border
  do {
    s = (s - 1) & 7;
    i1 = i0 + deltas[s];
  } while (img[static_cast<std::size_t>(i1)] == 0 && s != s_end);
  if (s == s_end) {  // a single pixel
    img[static_cast<std::size_t>(i0)] = static_cast<signed char>(nbd | -128);
    out.push_back(pt);
    return out;
  }
  i3 = i0;
  int prev_s = s ^ 4;
  for (;;) {
    s_end = s;
    s = std::min(s, 15);
    while (s < 15) {
      i4 = i3 + deltas[++s];
      if (img[static_cast<std::size_t>(i4)] != 0) break;
    }
    s &= 7;
    if (static_cast<unsigned>(s - 1) < static_cast<unsigned>(s_end))
      img[static_cast<std::size_t>(i3)] = static_cast<signed char>(nbd | -128);
    else if (img[static_cast<std::size_t>(i3)] == 1)
      img[static_cast<std::size_t>(i3)] = nbd;
    if (s != prev_s) {
      out.push_back(pt);
      prev_s = s;
    }
    pt.x += code_dx[s];
    pt.y += code_dy[s];
    if (i4 == i0 && i3 == i1) break;
    i3 = i4;
    s = (s + 4) & 7;
  }
  return out;
}

}  // namespace

std::vector<std::vector<point>> external_contours(std::span<const std::uint8_t> mask, std::size_t height,
                                                  std::size_t width) {
  std::size_t y = 0;
  return external_contours(height, width,
                           [&](std::uint8_t* row) { std::copy_n(mask.data() + y++ * width, width, row); });
}

std::vector<std::vector<point>> external_contours(std::size_t height, std::size_t width,
                                                  const std::function<void(std::uint8_t* row)>& next_row) {
  // A zero frame around the binarised mask, as findContours pads it. Each row is read in place, then
  // binarised.
  const std::ptrdiff_t step = static_cast<std::ptrdiff_t>(width) + 2;
  std::vector<signed char> img(static_cast<std::size_t>(step) * (height + 2), 0);
  for (std::size_t y = 0; y < height; ++y) {
    signed char* row = img.data() + (y + 1) * static_cast<std::size_t>(step) + 1;
    next_row(reinterpret_cast<std::uint8_t*>(row));
    for (std::size_t x = 0; x < width; ++x) row[x] = row[x] != 0;
  }

  std::vector<std::vector<point>> found;
  const std::ptrdiff_t w = static_cast<std::ptrdiff_t>(width) + 1, h = static_cast<std::ptrdiff_t>(height) + 1;
  for (std::ptrdiff_t y = 1; y < h; ++y) {
    std::ptrdiff_t lnbd_x = 0, lnbd_y = y;
    int prev = 0;
    for (std::ptrdiff_t x = 1; x < w; ++x) {
      const std::size_t at = static_cast<std::size_t>(y * step + x);
      int p = img[at];
      if (p == prev) continue;
      // RETR_EXTERNAL: only outer borders (0 → 1) whose last border on the row is not a left border (value 2).
      if (prev == 0 && p == 1 && img[static_cast<std::size_t>(lnbd_y * step + lnbd_x)] <= 0) {
        found.push_back(fetch(img, step, static_cast<std::ptrdiff_t>(at), point{x - 1, y - 1}));
        prev = img[at];  // the scan resumes after the start pixel, which is now marked
        continue;
      }
      prev = p;
      if (prev & -2) lnbd_x = x;
    }
  }
  std::reverse(found.begin(), found.end());
  return found;
}

std::vector<long long> bounding_rect(const std::vector<point>& pts) {
  if (pts.empty()) return {0, 0, 0, 0};
  long long x0 = pts[0].x, x1 = pts[0].x, y0 = pts[0].y, y1 = pts[0].y;
  for (const auto& p : pts) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

double contour_area(const std::vector<std::pair<double, double>>& pts) {
  if (pts.size() < 3) return 0;
  double a = 0;
  auto prev = pts.back();
  for (const auto& p : pts) {
    a += prev.first * p.second - prev.second * p.first;
    prev = p;
  }
  return std::fabs(a * 0.5);
}

}  // namespace annot::plugins::brush
