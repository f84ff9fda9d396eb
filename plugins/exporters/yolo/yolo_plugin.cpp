// The yolo exporter plugin: registers YOLO and YOLO_WITH_IMAGES (spec §2.7).
#include <annot/plugin.h>
#include <annot/registrar.hpp>

#include "export_support/run.hpp"
#include "yolo_exporter.hpp"

namespace annot::plugins::yolo {

annot::status register_yolo(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "yolo";
  annot::export_format f;
  f.name = "YOLO";
  f.title = "YOLO";
  f.description =
      "Popular TXT format is created for each image file. Each txt file contains annotations for the corresponding "
      "image file, that is object class, object coordinates, height & width.";
  f.link = "https://labelstud.io/guide/export.html#YOLO";
  f.tags = {"image segmentation", "object detection", "keypoints"};
  f.layout = annot::export_layout::archive;
  f.task_content = annot::export_task_content::items;
  annot::export_format with_images = f;
  with_images.name = "YOLO_WITH_IMAGES";
  with_images.title = "YOLO with Images";
  with_images.description = "YOLO format with images downloaded.";
  spec.formats.push_back(std::move(f));
  spec.formats.push_back(std::move(with_images));
  spec.factory = std::make_unique<export_support::label_studio_factory<yolo_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::yolo

ANNOT_PLUGIN(yolo, exporter, "1.0.0", "Label Studio's YOLO and YOLO_WITH_IMAGES exports",
             annot::plugins::yolo::register_yolo)
