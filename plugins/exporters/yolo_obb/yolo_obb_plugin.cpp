// The yolo_obb exporter plugin: registers YOLO_OBB and YOLO_OBB_WITH_IMAGES (spec §2.8), sharing the yolo exporter.
#include <annot/plugin.h>
#include <annot/registrar.hpp>

#include "export_support/run.hpp"
#include "yolo_exporter.hpp"

namespace annot::plugins::yolo {

annot::status register_yolo_obb(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "yolo_obb";
  annot::export_format f;
  f.name = "YOLO_OBB";
  f.title = "YOLOv8 OBB";
  f.description =
      "Popular TXT format is created for each image file. Each txt file contains annotations for the corresponding "
      "image file. The YOLO OBB format designates bounding boxes by their four corner points with coordinates "
      "normalized between 0 and 1, so it is possible to export rotated objects.";
  f.link = "https://labelstud.io/guide/export.html#YOLO";
  f.tags = {"image segmentation", "object detection"};
  f.layout = annot::export_layout::archive;
  f.task_content = annot::export_task_content::items;
  annot::export_format with_images = f;
  with_images.name = "YOLO_OBB_WITH_IMAGES";
  with_images.title = "YOLOv8 OBB with Images";
  with_images.description = "YOLOv8 OBB format with images downloaded.";
  spec.formats.push_back(std::move(f));
  spec.formats.push_back(std::move(with_images));
  spec.factory = std::make_unique<export_support::label_studio_factory<yolo_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::yolo

ANNOT_PLUGIN(yolo_obb, exporter, "1.0.0", "Label Studio's YOLO_OBB and YOLO_OBB_WITH_IMAGES exports",
             annot::plugins::yolo::register_yolo_obb)
