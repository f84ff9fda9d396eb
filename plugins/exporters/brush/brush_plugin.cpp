// The brush exporter plugin: registers BRUSH_TO_NUMPY, BRUSH_TO_PNG and BRUSH_TO_COCO (spec §2.9, §2.10).
#include <annot/plugin.h>

#include "brush_exporter.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::brush {

annot::status register_brush(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "brush";
  auto format = [](const char* name, const char* title, const char* description, const char* link,
                   std::vector<std::string> tags) {
    annot::export_format f;
    f.name = name;
    f.title = title;
    f.description = description;
    f.link = link;
    f.tags = std::move(tags);
    f.layout = annot::export_layout::archive;
    f.task_content = annot::export_task_content::items;
    return f;
  };
  spec.formats.push_back(format("BRUSH_TO_NUMPY", "Brush labels to NumPy",
                                "Export your brush labels as NumPy 2d arrays. Each label outputs as one image.",
                                "https://labelstud.io/guide/export.html#Brush-labels-to-NumPy-amp-PNG",
                                {"image segmentation"}));
  spec.formats.push_back(format("BRUSH_TO_PNG", "Brush labels to PNG",
                                "Export your brush labels as PNG images. Each label outputs as one image.",
                                "https://labelstud.io/guide/export.html#Brush-labels-to-NumPy-amp-PNG",
                                {"image segmentation"}));
  spec.formats.push_back(format("BRUSH_TO_COCO", "Brush labels to COCO",
                                "Export your brush labels as COCO format for segmentation tasks. Converts RLE encoded "
                                "masks to COCO polygons.",
                                "https://labelstud.io/guide/export.html#COCO",
                                {"image segmentation", "brush annotations"}));
  spec.factory = std::make_unique<export_support::label_studio_factory<brush_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::brush

ANNOT_PLUGIN(brush, exporter, "1.0.0", "Label Studio's brush mask exports: NumPy, PNG and COCO contours",
             annot::plugins::brush::register_brush)
