// yolo_exporter: Label Studio's YOLO, YOLO_WITH_IMAGES, YOLO_OBB and YOLO_OBB_WITH_IMAGES exports (spec §2.7, §2.8).
// Compiled into both the yolo and the yolo_obb plugins; the format name picks the variant.
#pragma once

#include <annot/exporter.hpp>
#include <array>
#include <optional>
#include <string>

#include "export_support/json_text.hpp"

namespace annot::plugins::yolo {

// convert_annotation_to_yolo: (cx, cy, w, h) normalised; nullopt when x/y/width/height are missing or not numbers.
std::optional<std::array<double, 4>> yolo_box(const export_support::json& region);

// convert_annotation_to_yolo_obb: the corners top-left, top-right, bottom-right, bottom-left of the box rotated by
// `rotation` degrees about its top-left corner in pixel space, normalised by the region's original size; nullopt
// without original_width/height, x, y, width, height and a rotation key.
std::optional<std::array<double, 8>> yolo_obb_corners(const export_support::json& region);

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
