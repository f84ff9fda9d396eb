// brush_exporter: decodes Label Studio's RLE brush masks (the image plugin's rle-pack codec) and writes them as .npy,
// PNG or COCO contours, with Label Studio's file names and arithmetic (spec §2.9, §2.10).
#include "brush_exporter.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "contours.hpp"
#include "export_support/spill_file.hpp"
#include "export_support/item_view.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"
#include "mask_files.hpp"
#include "rle_pack.hpp"

namespace annot::plugins::brush {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// str() of a JSON value as Python prints it (None for null); a list or dict as nlohmann's compact text, as before.
std::string py_str(es::element e) { return e.is_array() || e.is_object() ? es::to_json(e).dump() : es::python_str(e); }

// The annotator of a mask file name: a dict's email ("" without one), else str(completed_by) ("{}" when the
// annotation has no completed_by, "" when the item has no annotation).
std::string file_annotator(const es::item_view& it) {
  if (!it.completed_by) return it.annotation ? "{}" : "";
  if (it.completed_by->is_object()) {
    std::optional<es::element> e = es::find_member(*it.completed_by, "email");
    return e ? es::python_str(*e) : "";
  }
  return py_str(*it.completed_by);
}

// The annotator of a COCO annotation: a dict's email, str() of anything else, "unknown" without either.
std::string coco_annotator(const es::item_view& it) {
  if (!it.annotation || !it.completed_by) return "unknown";
  if (it.completed_by->is_object()) {
    std::optional<es::element> e = es::find_member(*it.completed_by, "email");
    return e ? es::python_str(*e) : "unknown";
  }
  return py_str(*it.completed_by);
}

// What Python's iteration of a region's label list gives: the items of a list, the characters (code
// points) of a string, the keys of an object. Nothing for other values, which upstream fails on.
std::optional<std::vector<std::string>> label_items(es::element labels) {
  std::vector<std::string> out;
  if (labels.is_array()) {
    for (es::element l : simdjson::dom::array(labels)) out.push_back(es::python_str(l));
  } else if (labels.is_string()) {
    const std::string_view text = labels.get_string().value_unsafe();
    for (std::size_t i = 0; i < text.size();) {
      std::size_t n = 1;
      while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
      out.emplace_back(text.substr(i, n));
      i += n;
    }
  } else if (labels.is_object()) {
    for (auto field : simdjson::dom::object(labels)) out.emplace_back(field.key);
  } else {
    return std::nullopt;
  }
  return out;
}

// Checks a region's mask and leaves its RLE bytes in `packed` and its size in h, w: integer original
// dimensions and a stream that decodes to exactly h × w × 4 words (RGBA). An error message when it cannot be
// used. Walking the stream takes no memory: a few bytes may declare 2^32 words.
std::string check_mask(const es::value_view& region, std::vector<std::uint8_t>& packed, std::size_t& h,
                       std::size_t& w) {
  std::optional<es::element> rle = region.find("rle");
  std::optional<es::element> ow = region.find("original_width"), oh = region.find("original_height");
  if (!ow || !oh || !es::is_integer(*ow) || !es::is_integer(*oh) || es::to_int64(*ow) <= 0 || es::to_int64(*oh) <= 0)
    return "a brush region without integer original_width/original_height";
  w = static_cast<std::size_t>(es::to_int64(*ow));
  h = static_cast<std::size_t>(es::to_int64(*oh));
  if (w > std::numeric_limits<std::size_t>::max() / 4 / h)  // h * w * 4 below must not wrap
    return "a brush region of " + std::to_string(w) + "x" + std::to_string(h) +
           " pixels, more than memory holds";
  packed.clear();
  if (!rle || !rle->is_array()) return "a brush region whose rle is not a list of bytes";
  for (es::element b : simdjson::dom::array(*rle)) {
    if (!es::is_integer(b) || es::to_int64(b) < 0 || es::to_int64(b) > 255)
      return "a brush region whose rle is not a list of bytes";
    packed.push_back(static_cast<std::uint8_t>(es::to_int64(b)));
  }
  auto d = annot::plugins::image::rle_decode(packed);
  if (!d.ok) return "a brush mask that does not decode: the stream " + d.error;
  if (d.words != h * w * 4)
    return "a brush mask of " + std::to_string(d.words) + " bytes for a " + std::to_string(w) + "x" +
           std::to_string(h) + " image (needs " + std::to_string(h * w * 4) + ")";
  if (d.header.word_size > 8)
    return "a brush mask that does not decode: the stream uses " + std::to_string(d.header.word_size) +
           "-bit words, which do not fit in bytes";
  return {};
}

// The mask of a stream check_mask accepted, a row at a time: the alpha channel of each RGBA row. Memory is
// one RGBA row, whatever the image's size.
class mask_rows {
 public:
  mask_rows(std::span<const std::uint8_t> packed, std::size_t width) : reader_(packed), rgba_(width * 4) {}
  // Writes the next row's alpha values (width bytes) to `row`.
  void next(std::uint8_t* row) {
    reader_.read(rgba_);
    for (std::size_t x = 0, n = rgba_.size() / 4; x < n; ++x) row[x] = rgba_[x * 4 + 3];
  }

 private:
  annot::plugins::image::rle_reader reader_;
  std::vector<std::uint8_t> rgba_;
};

// Writes a mask file (.npy or PNG) a row at a time, in writes of about 1 MiB.
annot::status write_mask_file(annot::output_stream& f, std::span<const std::uint8_t> packed, std::size_t h,
                              std::size_t w, bool as_png) {
  constexpr std::size_t flush_at = std::size_t{1} << 20;
  mask_rows rows(packed, w);
  std::vector<std::uint8_t> row(w);
  std::string buf;
  std::optional<png_writer> png;
  if (as_png) {
    png.emplace(h, w);
  } else {
    buf = npy_header(h, w);
  }
  for (std::size_t y = 0; y < h; ++y) {
    rows.next(row.data());
    if (png) {
      png->add_row(row, buf);
    } else {
      buf.append(reinterpret_cast<const char*>(row.data()), w);
    }
    if (buf.size() >= flush_at) {
      if (annot::status st = f.write(buf); !st.ok()) return st;
      buf.clear();
    }
  }
  if (png) png->finish(buf);
  return buf.empty() ? annot::status{} : f.write(buf);
}

// One JSON array of the COCO document (indent 2, elements at level 2), kept until the document is written.
class spill {
 public:
  void add(const json& element) {
    std::string& text = file_.buffer();
    text += count_ ? ",\n    " : "\n    ";
    es::append_python_json(text, element, {2, false}, 2);
    file_.maybe_spill();
    ++count_;
  }
  annot::status copy_to(annot::output_stream& out) {
    if (!count_) return out.write("[]");
    annot::status st = out.write("[");
    file_.for_each_chunk([&](std::string_view chunk) {
      if (st.ok()) st = out.write(chunk);
    });
    return st.ok() ? out.write("\n  ]") : st;
  }

 private:
  es::spill_file file_;
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

bool ends_with_image_ext(std::string_view v) {
  for (std::string_view ext : {".jpg", ".jpeg", ".png", ".gif", ".bmp"}) {
    if (v.size() < ext.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < ext.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(v[v.size() - ext.size() + i])) == ext[i];
    if (same) return true;
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
    if (c == '/' || c == '\\' || c == '\0') c = '-';  // NUL: no file name may hold one
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
    es::item_views items;
    std::vector<std::uint8_t> packed;  // a region's rle bytes, reused

    if (!to_coco) {
      annot::status st = es::for_each_task_view(tasks, log, [&](const es::task_view& task) -> annot::status {
        if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
          log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
        std::optional<es::element> tid = task.find("id");
        const std::string task_id = tid ? py_str(*tid) : "None";
        for (const es::item_view& it : items) {
          const std::string annotator = file_annotator(it);
          const std::string annotation_id = it.annotation_id ? py_str(*it.annotation_id) : "None";
          for (const es::result_group& group : it.output()) {
            std::map<std::string, int> counters;
            for (const es::value_view& r : group.values) {
              const std::string t = lower(std::string(r.type()));
              const char* key = t == "brushlabels" ? "brushlabels" : t == "labels" ? "labels" : nullptr;
              if (!key || !r.find("rle")) continue;
              std::string name(group.from_name);
              name += "-";
              if (std::optional<es::element> labels = r.find(key)) {
                std::optional<std::vector<std::string>> items = label_items(*labels);
                if (!items) {
                  log.skipped(it.task_id,
                              "a brush region whose " + std::string(key) + " is not a list; left out");
                  continue;
                }
                for (std::size_t i = 0; i < items->size(); ++i) name += (i ? "-" : "") + (*items)[i];
              } else {
                name += "no_label";
              }
              name += "-" + std::to_string(counters[name]++);
              std::size_t h = 0, w = 0;
              if (std::string err = check_mask(r, packed, h, w); !err.empty()) {
                log.skipped(it.task_id, err + "; left out");
                continue;
              }
              const std::string file =
                  mask_stem(task_id, annotation_id, annotator, name) + (as_png ? ".png" : ".npy");
              if (!es::fits_file_system(file)) {  // no file system takes it (upstream fails the whole export)
                log.skipped(it.task_id, "the mask file name " + file.substr(0, 80) +
                                            "... is longer than 255 bytes; left out");
                continue;
              }
              annot::result<annot::output_stream*> f = sink.open(file);
              if (!f.ok()) return f.error();
              if (annot::status wr = write_mask_file(**f, packed, h, w, as_png); !wr.ok()) return wr;
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
    annot::status st = es::for_each_task_view(tasks, log, [&](const es::task_view& task) -> annot::status {
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
      for (const es::item_view& it : items) {
        const std::int64_t image_id = ++item_index;  // enumerate(items): skipped items leave gaps
        // The first data value that is a path with an image extension.
        std::optional<std::string_view> image_path;
        if (it.input)
          es::for_each_member(*it.input, [&](std::string_view, es::element v) {
            if (!image_path && v.is_string() && ends_with_image_ext(es::string_or(v))) image_path = es::string_or(v);
          });
        if (!image_path) {
          log.skipped(it.task_id, "no image path in the task data");
          continue;
        }
        if (it.output().empty()) continue;
        const std::string annotator = coco_annotator(it);
        std::optional<es::element> width, height;
        bool have_dims = false, valid = false;
        auto add = [&](json a) {
          annotations.add(a);
          ++annotation_id;
          valid = true;
        };
        for (const es::result_group& group : it.output()) {
          for (const es::value_view& r : group.values) {
            // Upstream takes the first region whose original_width is not None.
            if (std::optional<es::element> ow = r.find("original_width");
                !have_dims && ow && !ow->is_null()) {
              width = ow;
              height = r.find("original_height");
              have_dims = true;
            }
            const std::string rtype = lower(std::string(r.type()));
            const char* key = nullptr;
            std::optional<es::element> labels;
            for (const char* k : {"brushlabels", "polygonlabels", "rectanglelabels", "labels"})
              if ((labels = r.find(k))) {
                key = k;
                break;
              }
            if (!key) continue;
            std::optional<std::vector<std::string>> items = label_items(*labels);
            if (!items) {
              log.skipped(it.task_id, "a region whose " + std::string(key) + " is not a list; left out");
              continue;
            }
            // The region's contours, traced once for all its labels (upstream decodes the mask again for
            // each).
            std::optional<std::vector<std::vector<point>>> contours;
            std::string mask_error;
            for (const std::string& label : *items) {
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
              if (k == "brushlabels" && r.find("rle")) {
                if (!contours && mask_error.empty()) {
                  std::size_t h = 0, w = 0;
                  mask_error = check_mask(r, packed, h, w);
                  if (mask_error.empty()) {
                    mask_rows rows(packed, w);
                    contours = external_contours(h, w, [&](std::uint8_t* row) { rows.next(row); });
                  }
                }
                if (!mask_error.empty()) {
                  log.skipped(it.task_id, mask_error + "; left out");
                  continue;
                }
                for (const auto& contour : *contours) {
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
              } else if (std::optional<es::element> points; k == "polygonlabels" && (points = r.find("points"))) {
                std::optional<es::element> ow = r.find("original_width"), oh = r.find("original_height");
                if (!ow || !oh || !es::is_number(*ow) || !es::is_number(*oh) || !points->is_array()) {
                  log.skipped(it.task_id, "a polygon without original_width/original_height; left out");
                  continue;
                }
                const double pw = es::to_double(*ow), ph = es::to_double(*oh);
                std::vector<point> pts;
                std::vector<std::pair<double, double>> fp;
                json seg = json::array();
                bool ok = true;
                for (es::element p : simdjson::dom::array(*points)) {
                  std::optional<es::element> px, py;
                  if (p.is_array())
                    for (es::element c : simdjson::dom::array(p)) {
                      if (!px) {
                        px = c;
                      } else {
                        py = c;
                        break;
                      }
                    }
                  if (!py || !es::is_number(*px) || !es::is_number(*py)) {
                    ok = false;
                    break;
                  }
                  const std::optional<long long> x = es::pixel_int(
                                                     std::nearbyint(es::to_double(*px) * pw / 100)),
                                                 y = es::pixel_int(
                                                     std::nearbyint(es::to_double(*py) * ph / 100));
                  if (!x || !y) {
                    ok = false;
                    break;
                  }
                  pts.push_back({*x, *y});
                  fp.emplace_back(static_cast<double>(static_cast<float>(*x)),
                                  static_cast<double>(static_cast<float>(*y)));
                  seg.push_back(*x);
                  seg.push_back(*y);
                }
                if (!ok || pts.empty()) {
                  log.skipped(
                      it.task_id,
                      "a polygon with a malformed point (not two numbers, or beyond 2^53 pixels); left out");
                  continue;
                }
                json a = json::object();
                a["id"] = annotation_id;
                a["image_id"] = image_id;
                a["category_id"] = category_id;
                const std::optional<long long> area = es::pixel_int(std::trunc(contour_area(fp)));
                if (!area) {
                  log.skipped(it.task_id, "a polygon whose area is beyond 2^53 pixels; left out");
                  continue;
                }
                a["segmentation"] = json::array({seg});
                a["area"] = *area;
                a["bbox"] = bounding_rect(pts);
                a["iscrowd"] = 0;
                a["annotator"] = annotator;
                add(std::move(a));
              } else if (rtype == "rectanglelabels" || k == "labels") {
                std::optional<es::element> x = r.find("x"), y = r.find("y"), w = r.find("width"), h = r.find("height"),
                                           ow = r.find("original_width"), oh = r.find("original_height");
                if (!x || !y || !w || !h || !ow || !oh || !es::is_number(*x) || !es::is_number(*y) ||
                    !es::is_number(*w) || !es::is_number(*h) || !es::is_number(*ow) || !es::is_number(*oh)) {
                  log.skipped(it.task_id, "a rectangle without x/y/width/height or original dimensions; left out");
                  continue;
                }
                const double iw = es::to_double(*ow), ih = es::to_double(*oh);
                double bx = es::to_double(*x) * iw / 100, by = es::to_double(*y) * ih / 100;
                double bw = es::to_double(*w) * iw / 100, bh = es::to_double(*h) * ih / 100;
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
        if (have_dims && width && height && !width->is_null() && !height->is_null() && valid) {
          const std::string path(*image_path);
          std::size_t slash = path.rfind('/');
          json e = json::object();
          e["id"] = image_id;
          e["file_name"] = slash == std::string::npos ? path : path.substr(slash + 1);
          e["path"] = path;
          e["width"] = es::to_json(*width);
          e["height"] = es::to_json(*height);
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
