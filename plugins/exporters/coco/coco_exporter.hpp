// coco_exporter: Label Studio's COCO and COCO_WITH_IMAGES exports (spec §2.5), streamed through spill files.
#pragma once

#include <annot/exporter.hpp>
#include <annot/registrar.hpp>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "export_support/json_text.hpp"
#include "export_support/schema.hpp"

namespace annot::plugins::coco {

// The envelope of a rectangle (x, y, width, height in percent) rotated by `rotation` degrees about its top-left
// corner, computed in percent space as upstream does (spec §2.5, §4 row 7): returns x, y, w, h in percent;
// nullopt when the width is 0 while rotated (upstream divides by it).
std::optional<std::array<double, 4>> rotated_rectangle(double x, double y, double width, double height,
                                                        double rotation);

// Python's round() to an int: half to even; nullopt where es::pixel_int gives none (not finite, or
// beyond 2^53).
std::optional<long long> round_half_even(double v);

// The keypoint order of the config: KeyPointLabels labels by integer model_index (duplicates and labels without
// one dropped), as upstream's build_kp_order.
std::vector<std::string> keypoint_order(const export_support::schema& s);

// One COCO export. Memory stays bounded: images and annotations are spilled to temporary files and assembled into
// result.json at the end (categories, which can grow during the export, are written between them).
class coco_exporter final : public annot::exporter {
 public:
  explicit coco_exporter(std::string format) : format_(std::move(format)) {}
  annot::status run(const annot::export_request& request, annot::task_cursor& tasks, annot::export_sink& sink,
                    annot::export_log& log) noexcept override;

 private:
  std::string format_;
};

annot::status register_coco(annot::registrar& reg);

}  // namespace annot::plugins::coco
