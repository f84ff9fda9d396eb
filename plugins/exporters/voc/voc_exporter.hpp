// voc_exporter: Label Studio's Pascal VOC XML export (spec §2.6).
#pragma once

#include <annot/exporter.hpp>
#include <annot/registrar.hpp>
#include <string>
#include <string_view>

namespace annot::plugins::voc {

// Text escaped the way Python 3.11's minidom writes text nodes (&, <, ", >).
void append_escaped(std::string& out, std::string_view text);

// One VOC export: Annotations/<stem>.xml per item with boxes (a later annotation of the same task replaces the
// earlier file, so the oldest wins), and images/ (filled with local uploads when download_resources is on).
class voc_exporter final : public annot::exporter {
 public:
  explicit voc_exporter(std::string format) : format_(std::move(format)) {}
  annot::status run(const annot::export_request& request, annot::task_cursor& tasks, annot::export_sink& sink,
                    annot::export_log& log) noexcept override;

 private:
  std::string format_;
};

annot::status register_voc(annot::registrar& reg);

}  // namespace annot::plugins::voc
