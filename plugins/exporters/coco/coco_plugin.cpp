// The coco exporter plugin: registers COCO and COCO_WITH_IMAGES (spec §2.5).
#include <annot/plugin.h>
#include <annot/registrar.hpp>

#include "coco_exporter.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::coco {

annot::status register_coco(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "coco";
  const std::vector<std::string> tags = {"image segmentation", "object detection", "keypoints"};
  annot::export_format coco;
  coco.name = "COCO";
  coco.title = "COCO";
  coco.description =
      "Popular machine learning format used by the COCO dataset for object detection and image segmentation tasks "
      "with polygons and rectangles.";
  coco.link = "https://labelstud.io/guide/export.html#COCO";
  coco.tags = tags;
  coco.layout = annot::export_layout::archive;
  coco.task_content = annot::export_task_content::items;
  annot::export_format with_images = coco;
  with_images.name = "COCO_WITH_IMAGES";
  with_images.title = "COCO with Images";
  with_images.description = "COCO format with images downloaded.";
  annot::field_spec archive_names;
  archive_names.name = "archive_file_names";
  archive_names.type = annot::field_type::boolean;
  archive_names.default_value = "false";
  archive_names.description =
      "COCO with Images: name each copied upload by its place in the archive (images/<name>) instead of "
      "Label "
      "Studio's path relative to its output folder, which points outside the zip.";
  spec.options.push_back(std::move(archive_names));
  spec.formats.push_back(std::move(coco));
  spec.formats.push_back(std::move(with_images));
  spec.factory = std::make_unique<export_support::label_studio_factory<coco_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::coco

ANNOT_PLUGIN(coco, exporter, "1.0.0", "Label Studio's COCO and COCO_WITH_IMAGES exports",
             annot::plugins::coco::register_coco)
