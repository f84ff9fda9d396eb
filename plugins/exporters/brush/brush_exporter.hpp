// brush_exporter: Label Studio's BRUSH_TO_NUMPY, BRUSH_TO_PNG and BRUSH_TO_COCO exports (spec §2.9, §2.10).
#pragma once

#include <annot/exporter.hpp>
#include <annot/registrar.hpp>
#include <string>

namespace annot::plugins::brush {

// Label Studio's mask file stem: "task-{task}-annotation-{annotation}-by-{annotator}-{from_name}-{labels}-{n}" with
// the annotator reduced to alphanumerics, '@' and '.', and '/' or '\' in the name replaced by '-'.
std::string mask_stem(const std::string& task_id, const std::string& annotation_id, const std::string& annotator,
                      const std::string& name);

// One brush export. NUMPY/PNG write one file per brush region into the output root; COCO writes result_coco.json
// with one annotation per external contour of each mask (plus polygons and rectangles) and an images/ folder.
class brush_exporter final : public annot::exporter {
 public:
  explicit brush_exporter(std::string format) : format_(std::move(format)) {}
  annot::status run(const annot::export_request& request, annot::task_cursor& tasks, annot::export_sink& sink,
                    annot::export_log& log) noexcept override;

 private:
  std::string format_;
};

annot::status register_brush(annot::registrar& reg);

}  // namespace annot::plugins::brush
