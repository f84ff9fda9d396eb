// Test helpers shared by the image exporters' tests (voc, yolo, yolo_obb): every golden run of a
// format (or, where Label Studio crashed, the format refused), and tasks with rectangle results
// written by the test and exported into a folder.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"

namespace annot::plugins::export_support::testing {

// Every golden run of `format`: the output matches (bytes); where upstream crashed (rc != 0), the
// exporter must refuse the config instead. Skips when the fixtures are absent.
template <class Exporter>
void expect_golden_runs_or_refusal(const std::string& format) {
  if (!converter_fixtures()) GTEST_SKIP() << fixtures_missing_reason();
  scratch_dir scratch("annot_golden_" + format);
  auto runs = golden_runs(format);
  ASSERT_FALSE(runs.empty());
  label_studio_factory<Exporter> factory;
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name + "/" + run.format);
    fs::path out = scratch.path / run.case_name / run.format;
    fs::remove_all(out);
    if (run.rc != 0) {
      run_input in = load_input(run);
      annot::export_config cfg{in.label_config, in.parsed_config};
      EXPECT_FALSE(factory.applies_to(run.format, cfg).ok()) << "upstream crashes here; Annot must refuse";
      continue;
    }
    run_outcome r = run_exporter(factory, run, out);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(compare_run(run, out, true), "");
  }
}

// The parsed config of the generated tasks: boxes (with a category attribute on "Tree") and polygons.
inline const char* const image_schema = R"({
  "label": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
            "labels": ["Car", "Person", "Tree"], "labels_attrs": {"Car": {"value": "Car"}, "Person": {"value": "Person"},
            "Tree": {"value": "Tree", "category": "7"}}},
  "poly": {"type": "PolygonLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}],
           "labels": ["Road"], "labels_attrs": {"Road": {"value": "Road"}}}})";

// A rectanglelabels result (coordinates printed as Python prints floats); `extra` adds value keys.
inline std::string box(const char* label, double x, double y, double w, double h, int ow = 200, int oh = 100,
                       const char* extra = "") {
  return std::string(
             R"({"from_name": "label", "to_name": "image", "type": "rectanglelabels", "original_width": )") +
         std::to_string(ow) + R"(, "original_height": )" + std::to_string(oh) + R"(, "value": {"x": )" +
         python_float(x) + R"(, "y": )" + python_float(y) + R"(, "width": )" + python_float(w) +
         R"(, "height": )" + python_float(h) + extra + R"(, "rectanglelabels": [")" + label + R"("]}})";
}

inline std::string annotation(int id, const char* created, const std::string& results) {
  return R"({"id": )" + std::to_string(id) + R"(, "completed_by": 1, "created_at": ")" + created +
         R"(", "result": [)" + results + "]}";
}

inline std::string task(int id, const std::string& image, const std::string& annotations) {
  return R"({"id": )" + std::to_string(id) + R"(, "data": {"image": ")" + image + R"("}, "annotations": [)" +
         annotations + "]}";
}

// Runs `ex` on these tasks into folder `out` (emptied first) with image_schema; returns its log.
inline collected_log run_format(annot::exporter& ex, const std::string& format,
                                const std::vector<std::string>& tasks, const fs::path& out,
                                const std::string& upload_dir = {}, bool download = false) {
  fs::remove_all(out);
  fs::create_directories(out);
  memory_cursor cursor(tasks);
  directory_sink sink(out);
  annot::export_request req;
  req.format = format;
  req.config.parsed_config = image_schema;
  req.options = "{}";
  req.upload_dir = upload_dir;
  req.download_resources = download;
  std::string out_dir = out.string();
  req.output_dir = out_dir;
  collected_log log;
  annot::status st = ex.run(req, cursor, sink, log);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(sink.close().ok());
  return log;
}

}  // namespace annot::plugins::export_support::testing
