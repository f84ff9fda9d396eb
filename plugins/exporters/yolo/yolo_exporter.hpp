// yolo_exporter: Label Studio's YOLO, YOLO_WITH_IMAGES, YOLO_OBB and YOLO_OBB_WITH_IMAGES exports (spec §2.7, §2.8).
// Compiled into both the yolo and the yolo_obb plugins; the format name picks the variant.
#pragma once

#include <annot/exporter.hpp>
#include <array>
#include <cmath>
#include <optional>
#include <string>

#include "export_support/json_text.hpp"

namespace annot::plugins::yolo {

// The box helpers read a region through `number(const char* key) -> std::optional<double>`: the member as a
// double, nullopt when it is missing or not a number.

// convert_annotation_to_yolo: (cx, cy, w, h) normalised; nullopt when x/y/width/height are missing or not numbers.
template <class Number>
std::optional<std::array<double, 4>> yolo_box(Number&& number) {
  auto x = number("x"), y = number("y"), w = number("width"), h = number("height");
  if (!x || !y || !w || !h) return std::nullopt;
  return std::array<double, 4>{(*x + *w / 2) / 100, (*y + *h / 2) / 100, *w / 100, *h / 100};
}

// convert_annotation_to_yolo_obb: the corners top-left, top-right, bottom-right, bottom-left of the box rotated by
// `rotation` degrees about its top-left corner in pixel space, normalised by the region's original size; nullopt
// without original_width/height, x, y, width, height and a rotation key.
template <class Number>
std::optional<std::array<double, 8>> yolo_obb_corners(Number&& number) {
  auto ow = number("original_width"), oh = number("original_height"), x0 = number("x"), y0 = number("y"),
       w0 = number("width"), h0 = number("height"), r = number("rotation");
  if (!ow || !oh || !x0 || !y0 || !w0 || !h0 || !r || *ow == 0 || *oh == 0) return std::nullopt;
  const double x = *x0 / 100 * *ow, y = *y0 / 100 * *oh, w = *w0 / 100 * *ow, h = *h0 / 100 * *oh;
  const double rad = *r * (3.141592653589793 / 180.0);  // math.radians
  const double c = std::cos(rad), s = std::sin(rad);
  const double px[4] = {x, x + w * c, x + w * c - h * s, x - h * s};
  const double py[4] = {y, y + w * s, y + w * s + h * c, y + h * c};
  std::array<double, 8> out{};
  for (int i = 0; i < 4; ++i) {
    out[2 * i] = px[i] / *ow;
    out[2 * i + 1] = py[i] / *oh;
  }
  return out;
}

// Python's os.path.basename of a label-file stem source, cut to 251 code points (upstream's 255 - len(".txt")).
std::string label_stem(const std::string& base_name);

// One export: labels/<stem>.txt per item (a later annotation of the same task replaces the earlier file, so the
// oldest wins), classes.txt, notes.json, images/ (filled with local uploads for the *_WITH_IMAGES variants).
class yolo_exporter final : public annot::exporter {
 public:
  explicit yolo_exporter(std::string format) : format_(std::move(format)) {}
  annot::status run(const annot::export_request& request, annot::task_cursor& tasks, annot::export_sink& sink,
                    annot::export_log& log) noexcept override;

 private:
  std::string format_;
};

}  // namespace annot::plugins::yolo
