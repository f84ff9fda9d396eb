// voc_exporter: one minidom-style XML file per image with its boxes, sizes from the first region and depth from the
// resolved image file, as Label Studio writes them (spec §1.6, §2.6).
#include "voc_exporter.hpp"

#include <cmath>
#include <optional>
#include <set>

#include "export_support/image_header.hpp"
#include "export_support/items.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::voc {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

void element(std::string& out, const char* tag, std::string_view text) {
  out += '<';
  out += tag;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += tag;
  out += ">\n";
}

// get_annotator(item, ""): the email of a dict (or ""), else str() of the value.
std::string annotator_text(const es::item& it) {
  if (!it.annotation || !it.annotation->contains("completed_by")) return "";
  const json& c = it.completed_by;
  if (c.is_object()) {
    const json* e = member(c, "email");
    return e ? (e->is_string() ? e->get<std::string>() : es::python_str(*e)) : "";
  }
  if (c.is_string()) return c.get<std::string>();
  if (c.is_null()) return "None";
  if (c.is_array()) return c.dump();
  return es::python_str(c);
}

// int(v): truncation toward zero, as Python's int() of a float.
long long truncate(double v) { return static_cast<long long>(std::trunc(v)); }

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
    bool annotations_dir = false;
    std::size_t unreadable = 0;
    std::set<std::string> copied;
    std::vector<es::item> items;
    std::string xml;  // one file's text, reused
    annot::status st = es::for_each_task(tasks, log, [&](json& task) -> annot::status {
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(es::task_id_of(task)) + " has no \"annotations\" key; left out");
      for (const auto& it : items) {
        if (!annotations_dir) {
          if (annot::status d = sink.add_directory("Annotations"); !d.ok()) return d;
          annotations_dir = true;
        }
        const json* value = member(*it.input, data_key.c_str());
        if (!value || !value->is_string()) {
          log.skipped(it.task_id, "data \"" + data_key + "\" is missing or not a string");
          continue;
        }
        const std::string& u = value->get_ref<const std::string&>();
        es::resolved_image img = es::resolve_image(u, roots);
        std::string image_name;  // basename of the resolved path
        int channels = 3;
        switch (img.source) {
          case es::image_source::local_path: {  // exists as given: never opened (§4 row 14)
            std::size_t slash = u.rfind('/');
            image_name = slash == std::string::npos ? u : u.substr(slash + 1);
            break;
          }
          case es::image_source::upload:
          case es::image_source::local_files:
            image_name = img.base_name;
            if (download && copied.insert(image_name).second)
              if (annot::status c = sink.add_file("images/" + image_name, img.local_file);
                  !c.ok() && c.code() != annot::errc::not_found)
                return c;
            if (auto info = es::read_image_info(img.local_file)) channels = info->bands;
            else ++unreadable;
            break;
          case es::image_source::derived:
            if (!download) {
              image_name = img.base_name;  // the computed cache name; nothing there to read
              ++unreadable;
              break;
            }
            [[fallthrough]];  // a download would be needed: upstream's fetch fails, the raw value stays
          case es::image_source::unresolved: {
            std::size_t slash = u.rfind('/');
            image_name = slash == std::string::npos ? u : u.substr(slash + 1);
            break;
          }
        }
        if (it.output.empty()) continue;
        std::vector<const json*> boxes;
        for (const auto& [name, group] : it.output.items())
          for (const json& v : group) boxes.push_back(&v);
        if (boxes.empty()) continue;
        const json* ow = member(*boxes[0], "original_width");
        const json* oh = member(*boxes[0], "original_height");
        json header_w, header_h;
        if (!ow || !oh) {
          // Upstream skips the item. When the image is a local file, its header gives the size instead.
          std::optional<es::image_info> info;
          if (!img.local_file.empty()) info = es::read_image_info(img.local_file);
          if (!info) continue;
          header_w = info->width;
          header_h = info->height;
          ow = &header_w;
          oh = &header_h;
          log.warn("task " + std::to_string(it.task_id) + ": the first region has no original size; " +
                   "the size of the image file is used");
        }
        xml.assign("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotation>\n");
        element(xml, "folder", "images");
        element(xml, "filename", image_name);
        xml += "<source>\n";
        element(xml, "database", "MyDatabase");
        element(xml, "annotation", "COCO2017");
        element(xml, "image", "flickr");
        element(xml, "flickrid", "NULL");
        element(xml, "annotator", annotator_text(it));
        xml += "</source>\n<owner>\n";
        element(xml, "flickrid", "NULL");
        element(xml, "name", "Label Studio");
        xml += "</owner>\n<size>\n";
        element(xml, "width", ow->is_string() ? ow->get<std::string>() : es::python_str(*ow));
        element(xml, "height", oh->is_string() ? oh->get<std::string>() : es::python_str(*oh));
        element(xml, "depth", std::to_string(channels));
        xml += "</size>\n";
        element(xml, "segmented", "0");
        for (const json* b : boxes) {
          const json* labels = member(*b, "rectanglelabels");
          if (!labels) labels = member(*b, "labels");
          if (!labels || !labels->is_array() || labels->empty()) continue;
          const json *x = member(*b, "x"), *y = member(*b, "y"), *w = member(*b, "width"), *h = member(*b, "height");
          if (!x || !y || !w || !h || !x->is_number() || !y->is_number() || !w->is_number() || !h->is_number() ||
              !ow->is_number() || !oh->is_number()) {
            // Upstream: KeyError/TypeError, the whole export aborts.
            log.skipped(it.task_id, "a box without x/y/width/height; left out");
            continue;
          }
          const double W = ow->get<double>(), H = oh->get<double>();
          long long xmin = truncate(x->get<double>() / 100 * W), ymin = truncate(y->get<double>() / 100 * H);
          long long bw = truncate(w->get<double>() / 100 * W), bh = truncate(h->get<double>() / 100 * H);
          const json& name = (*labels)[0];
          xml += "<object>\n";
          element(xml, "name", name.is_string() ? name.get<std::string>() : name.dump());
          element(xml, "pose", "Unspecified");
          element(xml, "truncated", "0");
          element(xml, "difficult", "0");
          xml += "<bndbox>\n";
          element(xml, "xmin", std::to_string(xmin));
          element(xml, "ymin", std::to_string(ymin));
          element(xml, "xmax", std::to_string(xmin + bw));
          element(xml, "ymax", std::to_string(ymin + bh));
          xml += "</bndbox>\n</object>\n";
        }
        xml += "</annotation>\n";
        annot::result<annot::output_stream*> f = sink.open("Annotations/" + es::strip_extension(image_name) + ".xml");
        if (!f.ok()) return f.error();
        if (annot::status w = (*f)->write(xml); !w.ok()) return w;
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
  spec.formats.push_back(std::move(f));
  spec.factory = std::make_unique<es::label_studio_factory<voc_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::voc
