// brush_exporter: decodes Label Studio's RLE brush masks (the image plugin's rle-pack codec) and writes them as .npy,
// PNG or COCO contours, with Label Studio's file names and arithmetic (spec §2.9, §2.10).
#include "brush_exporter.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <random>

#include "contours.hpp"
#include "export_support/items.hpp"
#include "export_support/run.hpp"
#include "mask_files.hpp"
#include "rle_pack.hpp"

namespace annot::plugins::brush {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string text_of(const json& j) { return j.is_string() ? j.get<std::string>() : es::python_str(j); }

// str() of a JSON value as Python prints it (None for null).
std::string py_str(const json& j) {
  if (j.is_null()) return "None";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_structured()) return j.dump();
  return es::python_str(j);
}

// The alpha channel of a region's RLE as an H×W mask; an error message when it cannot be decoded or sized.
std::string decode_mask(const json& region, std::vector<std::uint8_t>& mask, std::size_t& h, std::size_t& w) {
  const json* rle = member(region, "rle");
  const json *ow = member(region, "original_width"), *oh = member(region, "original_height");
  if (!ow || !oh || !ow->is_number_integer() || !oh->is_number_integer() || ow->get<long long>() <= 0 ||
      oh->get<long long>() <= 0)
    return "a brush region without integer original_width/original_height";
  w = static_cast<std::size_t>(ow->get<long long>());
  h = static_cast<std::size_t>(oh->get<long long>());
  std::vector<std::uint8_t> packed;
  if (!rle || !rle->is_array()) return "a brush region whose rle is not a list of bytes";
  packed.reserve(rle->size());
  for (const auto& b : *rle) {
    if (!b.is_number_integer() || b.get<long long>() < 0 || b.get<long long>() > 255)
      return "a brush region whose rle is not a list of bytes";
    packed.push_back(static_cast<std::uint8_t>(b.get<long long>()));
  }
  std::vector<std::uint8_t> rgba;
  auto d = annot::plugins::image::rle_decode(packed, &rgba);
  if (!d.ok) return "a brush mask that does not decode: the stream " + d.error;
  if (rgba.size() != h * w * 4)
    return "a brush mask of " + std::to_string(rgba.size()) + " bytes for a " + std::to_string(w) + "x" +
           std::to_string(h) + " image (needs " + std::to_string(h * w * 4) + ")";
  mask.resize(h * w);
  for (std::size_t i = 0; i < h * w; ++i) mask[i] = rgba[i * 4 + 3];
  return {};
}

// A spill file for one JSON array of the COCO document (indent 2, elements at level 2).
class spill {
 public:
  spill() : file_(std::tmpfile(), &std::fclose) {
    if (!file_) throw std::runtime_error("cannot create a temporary file");
  }
  void add(const json& element) {
    std::string text = count_ ? ",\n    " : "\n    ";
    es::append_python_json(text, element, {2, false}, 2);
    if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size())
      throw std::runtime_error("cannot write a temporary file");
    ++count_;
  }
  annot::status copy_to(annot::output_stream& out) {
    if (!count_) return out.write("[]");
    if (annot::status st = out.write("["); !st.ok()) return st;
    std::rewind(file_.get());
    char buf[1 << 16];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, file_.get())) > 0;)
      if (annot::status st = out.write(std::string_view(buf, n)); !st.ok()) return st;
    return out.write("\n  ]");
  }

 private:
  std::unique_ptr<FILE, int (*)(FILE*)> file_;
  std::size_t count_ = 0;
};

std::string now_text(int* year) {
  std::timespec ts{};
  std::timespec_get(&ts, TIME_UTC);
  std::tm tm{};
  localtime_r(&ts.tv_sec, &tm);
  *year = tm.tm_year + 1900;
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string s = buf;
  if (long micros = ts.tv_nsec / 1000) {
    char frac[32];
    std::snprintf(frac, sizeof frac, ".%06ld", micros);
    s += frac;
  }
  return s;
}

bool ends_with_image_ext(std::string v) {
  v = lower(std::move(v));
  for (const char* e : {".jpg", ".jpeg", ".png", ".gif", ".bmp"}) {
    std::string_view ext(e);
    if (v.size() >= ext.size() && v.compare(v.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  return false;
}

}  // namespace

std::string mask_stem(const std::string& task_id, const std::string& annotation_id, const std::string& annotator,
                      const std::string& name) {
  std::string who;
  for (unsigned char c : annotator)
    // str.isalnum() keeps letters of every script; bytes of non-ASCII characters are kept whole.
    if (std::isalnum(c) || c == '@' || c == '.' || c >= 0x80) who.push_back(static_cast<char>(c));
  std::string clean = name;
  for (auto& c : clean)
    if (c == '/' || c == '\\') c = '-';
  return "task-" + task_id + "-annotation-" + annotation_id + "-by-" + who + "-" + clean;
}

annot::status brush_exporter::run(const annot::export_request& request, annot::task_cursor& tasks,
                                  annot::export_sink& sink, annot::export_log& log) noexcept {
  return es::guarded([&]() -> annot::status {
    annot::result<es::schema> parsed = es::schema::parse(request.config.parsed_config);
    if (!parsed.ok()) return parsed.error();
    const es::schema& s = *parsed;
    const bool to_coco = format_ == "BRUSH_TO_COCO";
    const bool as_png = format_ == "BRUSH_TO_PNG";
    std::vector<es::item> items;

    if (!to_coco) {
      annot::status st = es::for_each_task(tasks, log, [&](const json& task) -> annot::status {
        if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
          log.warn("task " + std::to_string(es::task_id_of(task)) + " has no \"annotations\" key; left out");
        for (const auto& it : items) {
          std::string annotator;
          if (it.completed_by.is_object()) {
            const json* e = member(it.completed_by, "email");
            annotator = e ? text_of(*e) : "";
          } else {
            annotator = py_str(it.annotation && !it.annotation->contains("completed_by") ? json::object()
                                                                                          : it.completed_by);
          }
          const json* tid = member(*it.task, "id");
          const std::string task_id = tid ? py_str(*tid) : "None";
          const std::string annotation_id = py_str(it.annotation_id);
          for (const auto& [from_name, group] : it.output.items()) {
            std::map<std::string, int> counters;
            for (const json& r : group) {
              const json* type = member(r, "type");
              std::string t = type && type->is_string() ? lower(type->get<std::string>()) : "";
              const char* key = t == "brushlabels" ? "brushlabels" : t == "labels" ? "labels" : nullptr;
              if (!key || !member(r, "rle")) continue;
              std::string name = from_name;
              if (const json* labels = member(r, key); labels && labels->is_array()) {
                name += "-";
                for (std::size_t i = 0; i < labels->size(); ++i) name += (i ? "-" : "") + text_of((*labels)[i]);
              } else {
                name += "-no_label";
              }
              name += "-" + std::to_string(counters[name]++);
              std::vector<std::uint8_t> mask;
              std::size_t h = 0, w = 0;
              if (std::string err = decode_mask(r, mask, h, w); !err.empty()) {
                log.skipped(it.task_id, err + "; left out");
                continue;
              }
              std::string stem = mask_stem(task_id, annotation_id, annotator, name);
              annot::result<annot::output_stream*> f = sink.open(stem + (as_png ? ".png" : ".npy"));
              if (!f.ok()) return f.error();
              if (annot::status wr = (*f)->write(as_png ? to_png(mask, h, w) : to_npy(mask, h, w)); !wr.ok())
                return wr;
            }
          }
        }
        return {};
      });
      return st;
    }

    // BRUSH_TO_COCO.
    if (annot::status st = sink.add_directory("images"); !st.ok()) return st;
    spill images, annotations;
    std::vector<json> categories;
    std::map<std::string, std::int64_t> category_ids;
    std::mt19937 rng(std::random_device{}());
    std::int64_t item_index = -1, annotation_id = 0;
    annot::status st = es::for_each_task(tasks, log, [&](const json& task) -> annot::status {
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(es::task_id_of(task)) + " has no \"annotations\" key; left out");
      for (const auto& it : items) {
        const std::int64_t image_id = ++item_index;  // enumerate(items): skipped items leave gaps
        std::string image_path;
        bool found = false;
        if (it.input->is_object())
          for (auto v = it.input->begin(); v != it.input->end(); ++v)
            if (v->is_string() && ends_with_image_ext(v->get<std::string>())) {
              image_path = v->get<std::string>();
              found = true;
              break;
            }
        if (!found) {
          log.skipped(it.task_id, "no image path in the task data");
          continue;
        }
        if (it.output.empty()) continue;
        std::string annotator = "unknown";
        if (it.annotation && it.annotation->contains("completed_by")) {
          if (it.completed_by.is_object()) {
            const json* e = member(it.completed_by, "email");
            annotator = e ? text_of(*e) : "unknown";
          } else {
            annotator = py_str(it.completed_by);
          }
        } else if (it.annotation) {
          annotator = "unknown";
        }
        json width, height;
        bool have_dims = false, valid = false;
        auto add = [&](json a) {
          annotations.add(a);
          ++annotation_id;
          valid = true;
        };
        for (const auto& [from_name, group] : it.output.items()) {
          for (const json& r : group) {
            if (!have_dims && member(r, "original_width")) {
              width = *member(r, "original_width");
              const json* oh = member(r, "original_height");
              height = oh ? *oh : json();
              have_dims = true;
            }
            const json* type = member(r, "type");
            const std::string rtype = type && type->is_string() ? lower(type->get<std::string>()) : "";
            const char* key = nullptr;
            for (const char* k : {"brushlabels", "polygonlabels", "rectanglelabels", "labels"})
              if (member(r, k)) {
                key = k;
                break;
              }
            if (!key) continue;
            const json* labels = member(r, key);
            if (!labels->is_array()) continue;
            for (const auto& l : *labels) {
              const std::string label = text_of(l);
              auto cat = category_ids.find(label);
              if (cat == category_ids.end()) {
                const std::int64_t id = static_cast<std::int64_t>(category_ids.size()) + 1;
                cat = category_ids.emplace(label, id).first;
                char color[8];
                std::snprintf(color, sizeof color, "#%02x%02x%02x", static_cast<unsigned>(rng() % 256),
                              static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 256));
                json c = json::object();
                c["id"] = id;
                c["name"] = label;
                c["supercategory"] = "";
                c["color"] = color;
                c["metadata"] = json::object();
                categories.push_back(std::move(c));
              }
              const std::int64_t category_id = cat->second;
              const std::string k = key;
              if (member(r, "rle") && k == "brushlabels") {
                std::vector<std::uint8_t> mask;
                std::size_t h = 0, w = 0;
                if (std::string err = decode_mask(r, mask, h, w); !err.empty()) {
                  log.skipped(it.task_id, err + "; left out");
                  continue;
                }
                for (const auto& contour : external_contours(mask, h, w)) {
                  if (contour.size() * 2 <= 4) continue;
                  json seg = json::array();
                  std::vector<std::pair<double, double>> fp;
                  for (const auto& p : contour) {
                    seg.push_back(p.x);
                    seg.push_back(p.y);
                    fp.emplace_back(static_cast<double>(p.x), static_cast<double>(p.y));
                  }
                  json a = json::object();
                  a["id"] = annotation_id;
                  a["image_id"] = image_id;
                  a["category_id"] = category_id;
                  a["segmentation"] = json::array({seg});
                  a["area"] = static_cast<long long>(contour_area(fp));
                  a["bbox"] = bounding_rect(contour);
                  a["iscrowd"] = 0;
                  a["annotator"] = annotator;
                  add(std::move(a));
                }
              } else if (member(r, "points") && k == "polygonlabels") {
                const json *ow = member(r, "original_width"), *oh = member(r, "original_height");
                const json* points = member(r, "points");
                if (!ow || !oh || !ow->is_number() || !oh->is_number() || !points->is_array()) {
                  log.skipped(it.task_id, "a polygon without original_width/original_height; left out");
                  continue;
                }
                std::vector<point> pts;
                std::vector<std::pair<double, double>> fp;
                json seg = json::array();
                bool ok = true;
                for (const auto& p : *points) {
                  if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) {
                    ok = false;
                    break;
                  }
                  long long x = static_cast<long long>(std::nearbyint(p[0].get<double>() * ow->get<double>() / 100));
                  long long y = static_cast<long long>(std::nearbyint(p[1].get<double>() * oh->get<double>() / 100));
                  pts.push_back({x, y});
                  fp.emplace_back(static_cast<double>(static_cast<float>(x)), static_cast<double>(static_cast<float>(y)));
                  seg.push_back(x);
                  seg.push_back(y);
                }
                if (!ok || pts.empty()) {
                  log.skipped(it.task_id, "a polygon with a malformed point; left out");
                  continue;
                }
                json a = json::object();
                a["id"] = annotation_id;
                a["image_id"] = image_id;
                a["category_id"] = category_id;
                a["segmentation"] = json::array({seg});
                a["area"] = static_cast<long long>(contour_area(fp));
                a["bbox"] = bounding_rect(pts);
                a["iscrowd"] = 0;
                a["annotator"] = annotator;
                add(std::move(a));
              } else if (rtype == "rectanglelabels" || k == "labels") {
                const json *x = member(r, "x"), *y = member(r, "y"), *w = member(r, "width"), *h = member(r, "height"),
                           *ow = member(r, "original_width"), *oh = member(r, "original_height");
                if (!x || !y || !w || !h || !ow || !oh || !x->is_number() || !y->is_number() || !w->is_number() ||
                    !h->is_number() || !ow->is_number() || !oh->is_number()) {
                  log.skipped(it.task_id, "a rectangle without x/y/width/height or original dimensions; left out");
                  continue;
                }
                double bx = x->get<double>() * ow->get<double>() / 100, by = y->get<double>() * oh->get<double>() / 100;
                double bw = w->get<double>() * ow->get<double>() / 100, bh = h->get<double>() * oh->get<double>() / 100;
                json a = json::object();
                a["id"] = annotation_id;
                a["image_id"] = image_id;
                a["category_id"] = category_id;
                a["segmentation"] = json::array();
                a["area"] = bw * bh;
                a["bbox"] = json::array({bx, by, bw, bh});
                a["iscrowd"] = 0;
                a["annotator"] = annotator;
                add(std::move(a));
              }
            }
          }
        }
        if (have_dims && !width.is_null() && !height.is_null() && valid) {
          std::size_t slash = image_path.rfind('/');
          json e = json::object();
          e["id"] = image_id;
          e["file_name"] = slash == std::string::npos ? image_path : image_path.substr(slash + 1);
          e["path"] = image_path;
          e["width"] = width;
          e["height"] = height;
          images.add(e);
        }
      }
      return {};
    });
    if (!st.ok()) return st;
    annot::result<annot::output_stream*> f = sink.open("result_coco.json");
    if (!f.ok()) return f.error();
    annot::output_stream& out = **f;
    if (annot::status w = out.write("{\n  \"images\": "); !w.ok()) return w;
    if (annot::status w = images.copy_to(out); !w.ok()) return w;
    if (annot::status w = out.write(",\n  \"annotations\": "); !w.ok()) return w;
    if (annot::status w = annotations.copy_to(out); !w.ok()) return w;
    std::string tail = ",\n  \"categories\": ";
    es::append_python_json(tail, json(categories), {2, false}, 1);
    int year = 0;
    std::string date = now_text(&year);
    json info = json::object();
    info["year"] = year;
    info["version"] = "1.0";
    info["description"] = "Converted from Label Studio";
    info["contributor"] = "Label Studio Converter";
    info["date_created"] = date;
    tail += ",\n  \"info\": ";
    es::append_python_json(tail, info, {2, false}, 1);
    tail += "\n}";
    return out.write(tail);
  });
}

}  // namespace annot::plugins::brush
