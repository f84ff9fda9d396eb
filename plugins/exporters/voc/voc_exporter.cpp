// voc_exporter: one minidom-style XML file per image with its boxes, sizes from the first region and depth from the
// resolved image file, as Label Studio writes them (spec §1.6, §2.6).
#include "voc_exporter.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include "export_support/image_header.hpp"
#include "export_support/item_view.hpp"
#include "export_support/op_stream.hpp"
#include "export_support/paths.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::voc {
namespace es = annot::plugins::export_support;

namespace {

namespace dom = simdjson::dom;
using es::element;

void element_line(std::string& out, std::string_view tag, std::string_view text) {
  out += '<';
  out += tag;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += tag;
  out += ">\n";
}

// An integer element line without a temporary string.
void int_line(std::string& out, std::string_view tag, long long v) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  (void)ec;
  out += '<';
  out += tag;
  out += '>';
  out.append(digits, end);
  out += "</";
  out += tag;
  out += ">\n";
}

// nlohmann's dump() of a value that is not a string (what str() of a list printed upstream becomes here).
std::string dumped(element e) { return es::to_json(e).dump(); }

// get_annotator(item, ""): the email of a dict (or ""), else str() of the value.
std::string annotator_text(const es::item_view& it) {
  if (std::optional<std::string> text = it.annotator_str()) return *text;
  std::optional<element> a = it.annotator();
  return a ? es::python_str(*a) : "";
}

// int(v): truncation toward zero, as Python's int() of a float (see pixel_int for what is not written).
std::optional<long long> truncate(double v) {
  return es::pixel_int(std::trunc(v));
}

// A size as written: a string as it is, else str() of the value.
std::string size_text(element e) { return es::python_str(e); }

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '"': out += "&quot;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
}

// What a task's preparation leaves to run() (op_stream.hpp), in order.
namespace op {
constexpr char item = 'B';        // an item begins: the Annotations folder exists from the first
constexpr char copy = 'F';        // (name, local file): copy an image to images/<name>, once per name
constexpr char unreadable = 'U';  // an image whose band count could not be read
constexpr char file = 'X';        // (path, text): an XML file (replacing one at that path)
}  // namespace op

annot::status voc_exporter::run(const annot::export_request& request, annot::task_cursor& tasks,
                                annot::export_sink& sink, annot::export_log& log) noexcept {
  return es::guarded([&]() -> annot::status {
    annot::result<es::schema> parsed = es::schema::parse(request.config.parsed_config);
    if (!parsed.ok()) return parsed.error();
    const es::schema& s = *parsed;
    if (s.data_keys().empty())
      return annot::status(annot::errc::invalid_argument, "VOC needs a labeling config with an Image object tag");
    const std::string data_key = s.data_keys().front();
    const bool download = request.download_resources;
    es::path_roots roots{std::string(request.upload_dir), std::string(request.local_files_root),
                         std::string(request.output_dir), download};
    if (annot::status st = sink.add_directory("images"); !st.ok()) return st;
    // Each task is read and its XML files printed on the host's threads (the preparer); what touches the
    // output or counts over the export comes to run() as ops.
    es::task_view_preparer preparer([&](const es::task_view& task, std::string& out,
                                        annot::export_log&) -> annot::status {
      thread_local es::item_views items;
      thread_local std::string xml;  // one file's text, reused
      thread_local std::string path;  // its name, reused
      thread_local std::vector<const es::value_view*> boxes;
      es::op_writer ops(out);
      annot::export_log& log = ops;
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
      for (const es::item_view& it : items) {
        ops.op(op::item);
        std::optional<element> value = it.data(data_key);
        if (!value || value->type() != dom::element_type::STRING) {
          log.skipped(it.task_id, "data \"" + data_key + "\" is missing or not a string");
          continue;
        }
        const std::string_view u(*value);
        es::resolved_image img = es::resolve_image(u, roots);
        std::string_view image_name;  // basename of the resolved path
        auto raw_basename = [&] {
          std::size_t slash = u.rfind('/');
          return slash == std::string_view::npos ? u : u.substr(slash + 1);
        };
        int channels = 3;
        switch (img.source) {
          case es::image_source::local_path:  // exists as given: never opened (§4 row 14)
            image_name = raw_basename();
            break;
          case es::image_source::upload:
          case es::image_source::local_files:
            image_name = img.base_name;
            if (download) {
              std::string copy = img.base_name;
              es::fit_entry_segment(copy);
              ops.op(op::copy);
              ops.text(copy);
              ops.text(img.local_file);
            }
            if (auto info = es::read_image_info(img.local_file))
              channels = info->bands;
            else
              ops.op(op::unreadable);
            break;
          case es::image_source::derived:
            if (!download) {
              image_name = img.base_name;  // the computed cache name; nothing there to read
              ops.op(op::unreadable);
              break;
            }
            [[fallthrough]];  // a download would be needed: upstream's fetch fails, the raw value stays
          case es::image_source::unresolved:
            if (download && es::names_local_file(u)) log.warn(es::not_copied_warning(it.task_id, u));
            image_name = raw_basename();
            break;
        }
        boxes.clear();
        for (const es::result_group& g : it.output())
          for (const es::value_view& v : g.values) boxes.push_back(&v);
        if (boxes.empty()) continue;
        std::optional<element> ow = boxes[0]->find("original_width");
        std::optional<element> oh = boxes[0]->find("original_height");
        std::string width_text, height_text;
        double W = 0, H = 0;
        bool sized = true;  // both sizes are numbers
        if (ow && oh) {
          width_text = size_text(*ow);
          height_text = size_text(*oh);
          sized = es::is_number(*ow) && es::is_number(*oh);
          W = es::to_double(*ow);
          H = es::to_double(*oh);
        } else {
          // Upstream skips the item. When the image is a local file, its header gives the size instead.
          std::optional<es::image_info> info;
          if (!img.local_file.empty()) info = es::read_image_info(img.local_file);
          if (!info) {
            log.skipped(it.task_id, "the first region has no original_width/original_height and the image is "
                                    "not a readable upload; no file written");
            continue;
          }
          width_text = std::to_string(info->width);
          height_text = std::to_string(info->height);
          W = static_cast<double>(info->width);
          H = static_cast<double>(info->height);
          log.warn("task " + std::to_string(it.task_id) + ": the first region has no original size; " +
                   "the size of the image file is used");
        }
        xml.assign("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotation>\n<folder>images</folder>\n");
        element_line(xml, "filename", image_name);
        xml += "<source>\n<database>MyDatabase</database>\n<annotation>COCO2017</annotation>\n"
               "<image>flickr</image>\n<flickrid>NULL</flickrid>\n";
        element_line(xml, "annotator", annotator_text(it));
        xml += "</source>\n<owner>\n<flickrid>NULL</flickrid>\n<name>Label Studio</name>\n</owner>\n<size>\n";
        element_line(xml, "width", width_text);
        element_line(xml, "height", height_text);
        int_line(xml, "depth", channels);
        xml += "</size>\n<segmented>0</segmented>\n";
        for (const es::value_view* b : boxes) {
          std::optional<element> labels = b->find("rectanglelabels");
          if (!labels) labels = b->find("labels");
          if (!labels || labels->type() != dom::element_type::ARRAY || dom::array(*labels).size() == 0)
            continue;
          std::optional<element> x = b->find("x"), y = b->find("y"), w = b->find("width"), h = b->find("height");
          if (!x || !y || !w || !h || !es::is_number(*x) || !es::is_number(*y) || !es::is_number(*w) ||
              !es::is_number(*h) || !sized) {
            // Upstream: KeyError/TypeError, the whole export aborts.
            log.skipped(it.task_id, "a box without x/y/width/height; left out");
            continue;
          }
          const std::optional<long long> xmin = truncate(es::to_double(*x) / 100 * W),
                                         ymin = truncate(es::to_double(*y) / 100 * H),
                                         bw = truncate(es::to_double(*w) / 100 * W),
                                         bh = truncate(es::to_double(*h) / 100 * H);
          if (!xmin || !ymin || !bw || !bh) {
            log.skipped(it.task_id, "a box whose pixel coordinates are not finite or beyond 2^53; left out");
            continue;
          }
          const element name = dom::array(*labels).at(0).value();
          xml += "<object>\n";
          if (name.type() == dom::element_type::STRING)
            element_line(xml, "name", std::string_view(name));
          else
            element_line(xml, "name", dumped(name));
          xml += "<pose>Unspecified</pose>\n<truncated>0</truncated>\n<difficult>0</difficult>\n<bndbox>\n";
          int_line(xml, "xmin", *xmin);
          int_line(xml, "ymin", *ymin);
          int_line(xml, "xmax", *xmin + *bw);
          int_line(xml, "ymax", *ymin + *bh);
          xml += "</bndbox>\n</object>\n";
        }
        xml += "</annotation>\n";
        std::string file = es::strip_extension(image_name) + ".xml";
        if (es::fit_entry_segment(file))
          log.warn("task " + std::to_string(it.task_id) + ": the image name of " + std::string(u) +
                   " cannot name a file in an archive; its annotation file is Annotations/" + file);
        path.assign("Annotations/");
        path += file;
        ops.op(op::file);
        ops.text(path);
        ops.text(xml);
      }
      return {};
    });

    bool annotations_dir = false;
    std::size_t unreadable = 0;
    es::resource_copies copies;
    annot::status st = es::for_each_prepared(tasks, preparer, log, [&](std::string_view prepared) -> annot::status {
      for (es::op_reader ops(prepared); !ops.done();) {
        switch (const char code = ops.op()) {
          case op::item:
            if (!annotations_dir) {
              if (annot::status d = sink.add_directory("Annotations"); !d.ok()) return d;
              annotations_dir = true;
            }
            break;
          case op::copy: {
            const std::string_view name = ops.text(), file = ops.text();
            if (annot::status c = copies.copy(sink, log, "images/" + std::string(name), file); !c.ok())
              return c;
            break;
          }
          case op::unreadable: ++unreadable; break;
          case op::file: {
            const std::string_view path = ops.text(), xml = ops.text();
            if (!es::fits_file_system(path)) {
              log.warn(es::name_too_long_warning(path));
              break;
            }
            annot::result<annot::output_stream*> f = sink.open(path);
            if (!f.ok()) return f.error();
            if (annot::status w = (*f)->write(xml); !w.ok()) return w;
            break;
          }
          default:
            if (!ops.replay_log(code, log)) throw std::runtime_error("a prepared VOC task holds an unknown op");
        }
      }
      return {};
    });
    if (!st.ok()) return st;
    // Upstream logs one warning per image it cannot read (§4 row 19); one line is enough.
    if (unreadable)
      log.warn(std::to_string(unreadable) + " image(s) could not be read for their band count; depth written as 3");
    return {};
  });
}

annot::status register_voc(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "voc";
  annot::export_format f;
  f.name = "VOC";
  f.title = "Pascal VOC XML";
  f.description = "Popular XML format used for object detection and polygon image segmentation tasks.";
  f.link = "https://labelstud.io/guide/export.html#Pascal-VOC-XML";
  f.tags = {"image segmentation", "object detection"};
  f.layout = annot::export_layout::archive;
  f.task_content = annot::export_task_content::items;
  spec.formats.push_back(std::move(f));
  spec.factory = std::make_unique<es::label_studio_factory<voc_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::voc
