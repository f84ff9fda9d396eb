// coco_exporter: COCO result.json from items — images per item, categories from the config, boxes, polygons and
// merged keypoints — with Label Studio's arithmetic reproduced operation by operation (spec §2.5).
#include "coco_exporter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>

#include "export_support/categories.hpp"
#include "export_support/image_header.hpp"
#include "export_support/item_view.hpp"
#include "export_support/op_stream.hpp"
#include "export_support/paths.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/spill_file.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::coco {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

bool is_null(es::element e) { return e.type() == simdjson::dom::element_type::NULL_VALUE; }
bool is_array(es::element e) { return e.type() == simdjson::dom::element_type::ARRAY; }

// The width or height of the current image: nothing yet (null), the image file's, or a region's
// original_width/original_height as written (any JSON value: upstream copies it).
struct dimension {
  std::optional<long long> file;
  std::optional<es::element> region;

  // Python truthiness of the value used as a number ("not width").
  bool truthy_number() const {
    if (file) return *file != 0;
    if (!region) return false;
    return es::is_number(*region) ? es::to_double(*region) != 0 : !is_null(*region);
  }
  bool is_number() const { return file || (region && es::is_number(*region)); }
  double number() const { return file ? static_cast<double>(*file) : es::to_double(*region); }
  void append(std::string& t) const {
    if (file)
      t += std::to_string(*file);
    else if (region)
      es::append_ujson(t, *region, {2, true}, 3);
    else
      t += "null";
  }
};

// One JSON array's elements, comma-separated and indented, kept in a spill_file until the categories (written
// before them) are known; memory does not grow with the export.
class spill {
 public:
  // Elements are written in place: begin() gives the buffer to append one element to, end() ends it.
  std::string& begin() {
    std::string& b = file_.buffer();
    b += count_ ? ",\n    " : "\n    ";
    return b;
  }
  void end() {
    ++count_;
    file_.maybe_spill();
  }
  std::size_t size() const noexcept { return count_; }
  // Writes "[", the elements and "\n  ]" (or "[]").
  void copy_to(es::buffered_writer& w) {
    if (!count_) {
      w.append("[]");
      return;
    }
    w.append("[");
    file_.for_each_chunk([&](std::string_view bytes) { w.append(bytes); });
    w.append("\n  ]");
  }

 private:
  es::spill_file file_;
  std::size_t count_ = 0;
};

// The hot elements appended straight as text, byte for byte what append_ujson(element, {2, true},
// 2) gives for the json object the code used to build (keys at 6 spaces, closing brace at 4).
void append_int(std::string& t, std::int64_t v) {
  char buf[24];
  t.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}


// What follows a box's ids ("segmentation" on), laid out in a stack buffer and appended once.
void append_box_tail(std::string& t, double x, double y, double w, double h) {
  char text[384];  // keys and brackets ~150 bytes, five floats given 48 bytes of room each
  char* p = text;
  const auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(",\n      \"segmentation\": [],\n      \"bbox\": [\n        ");
  p = es::write_ujson_float(p, x);
  put(",\n        ");
  p = es::write_ujson_float(p, y);
  put(",\n        ");
  p = es::write_ujson_float(p, w);
  put(",\n        ");
  p = es::write_ujson_float(p, h);
  put("\n      ],\n      \"ignore\": 0,\n      \"iscrowd\": 0,\n      \"area\": ");
  p = es::write_ujson_float(p, w * h);
  put("\n    }");
  t.append(text, static_cast<std::size_t>(p - text));
}

// What follows an annotation's ids: `rest` (its other members) as append_ujson(annotation, {2, true}, 2) prints
// them after "category_id".
void append_rest(std::string& t, const json& rest) {
  const std::size_t at = t.size();
  es::append_ujson(t, rest, {2, true}, 2);
  t[at] = ',';  // "{\n      first..." continues the ids' object
}

// The ids every annotation starts with, as append_ujson prints them.
void append_annotation_head(std::string& t, std::int64_t id, std::int64_t image_id, const json& category_id) {
  t += "{\n      \"id\": ";
  append_int(t, id);
  t += ",\n      \"image_id\": ";
  append_int(t, image_id);
  t += ",\n      \"category_id\": ";
  es::append_ujson(t, category_id, {2, true}, 3);
}

// What a task's preparation leaves to run() (op_stream.hpp), in order: the parts of the export that depend on
// the tasks before it (image and annotation ids, categories appended for unknown labels, images copied once).
namespace op {
constexpr char item = 'B';        // an item begins: its image id is the number of images so far
constexpr char image = 'I';       // (text before the id, text after it): an image element
constexpr char copy = 'F';        // (entry, local file): copy an image into the archive, once per entry
constexpr char category = 'C';    // (task id, label): the category of the annotations that follow (appended when unknown)
constexpr char annotation = 'A';  // (text after the ids): an annotation of the current category
constexpr char keypoints = 'K';   // (label, text after the ids): keypoints, of the label's category as it stands (0 if none)
}  // namespace op

// An image element as an image op: the text before its id, and after it.
void put_image(es::op_writer& ops, const dimension& width, const dimension& height, const std::string& file) {
  ops.op(op::image);
  std::string& t = ops.begin_text();
  t += "{\n      \"width\": ";
  width.append(t);
  t += ",\n      \"height\": ";
  height.append(t);
  t += ",\n      \"id\": ";
  ops.end_text();
  ops.begin_text() += ",\n      \"file_name\": ";
  es::append_ujson_string(t, file, true);
  t += "\n    }";
  ops.end_text();
}


// The category list and name → id map; COCO keeps them apart because keypoint labels map to "default".
struct categories {
  std::vector<json> list;
  std::map<std::string, json, std::less<>> ids;

  json id_of(std::string_view name, annot::export_log& log, std::int64_t task_id) {
    auto it = ids.find(name);
    if (it != ids.end()) return it->second;
    // Upstream quirk (§1.7 step 3): id = the list's length, which can collide with an explicit id.
    json id = static_cast<std::int64_t>(list.size());
    ids.emplace(std::string(name), id);
    json c = json::object();
    c["id"] = id;
    c["name"] = name;
    list.push_back(std::move(c));
    log.warn("task " + std::to_string(task_id) + ": label '" + std::string(name) +
             "' is not in the config; appended as category " + id.dump());
    return id;
  }
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
  long micros = ts.tv_nsec / 1000;
  if (micros) {  // str(datetime) leaves the fraction out when it is zero
    char frac[32];
    std::snprintf(frac, sizeof frac, ".%06ld", micros);
    s += frac;
  }
  return s;
}

}  // namespace

std::optional<std::array<double, 4>> rotated_rectangle(double x, double y, double w, double h, double r) {
  if (std::fabs(r) > 0) {
    if (w == 0) return std::nullopt;
    const double pi = 3.141592653589793;
    double alpha = std::atan(h / w);
    double beta = pi * (r / 180);
    double radius = std::sqrt(std::pow(w / 2, 2) + std::pow(h / 2, 2));
    double x0 = x - radius * (std::cos(pi - alpha - beta) - std::cos(pi - alpha)) + w / 2;
    double y0 = y + radius * (std::sin(pi - alpha - beta) - std::sin(pi - alpha)) + h / 2;
    double t1 = alpha + beta, t2 = pi - alpha + beta, t3 = pi + alpha + beta, t4 = 2 * pi - alpha + beta;
    double xs[4] = {x0 + radius * std::cos(t1), x0 + radius * std::cos(t2), x0 + radius * std::cos(t3),
                    x0 + radius * std::cos(t4)};
    double ys[4] = {y0 + radius * std::sin(t1), y0 + radius * std::sin(t2), y0 + radius * std::sin(t3),
                    y0 + radius * std::sin(t4)};
    x = *std::min_element(xs, xs + 4);
    y = *std::min_element(ys, ys + 4);
    w = *std::max_element(xs, xs + 4) - x;
    h = *std::max_element(ys, ys + 4) - y;
  }
  return std::array<double, 4>{x, y, w, h};
}

std::optional<long long> round_half_even(double v) {
  return es::pixel_int(std::nearbyint(v));
}

std::vector<std::string> keypoint_order(const es::schema& s) {
  // dict.update over the KeyPointLabels tags: a later tag's attributes replace an earlier one's, in first place.
  std::vector<std::pair<std::string, json>> block;
  for (const auto& c : s.controls()) {
    if (c.type != "KeyPointLabels" || !c.labels_attrs.is_object()) continue;
    for (auto it = c.labels_attrs.begin(); it != c.labels_attrs.end(); ++it) {
      auto found = std::find_if(block.begin(), block.end(), [&](const auto& p) { return p.first == it.key(); });
      if (found == block.end()) block.emplace_back(it.key(), it.value());
      else found->second = it.value();
    }
  }
  std::vector<std::pair<long long, std::string>> pairs;
  std::set<long long> used;
  for (const auto& [name, attrs] : block) {
    const json* mi = member(attrs, "model_index");
    if (!mi) continue;
    std::optional<std::int64_t> idx;
    if (mi->is_string()) idx = es::python_int(mi->get<std::string>());
    else if (mi->is_number_integer()) idx = mi->get<std::int64_t>();
    if (!idx || used.count(*idx)) continue;
    used.insert(*idx);
    pairs.emplace_back(*idx, name);
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& p : pairs) out.push_back(std::move(p.second));
  return out;
}

annot::status coco_exporter::run(const annot::export_request& request, annot::task_cursor& tasks,
                                 annot::export_sink& sink, annot::export_log& log) noexcept {
  return es::guarded([&]() -> annot::status {
    annot::result<es::schema> parsed = es::schema::parse(request.config.parsed_config);
    if (!parsed.ok()) return parsed.error();
    const es::schema& s = *parsed;
    if (s.data_keys().empty())
      return annot::status(annot::errc::invalid_argument, "COCO needs a labeling config with an Image object tag");
    const std::string data_key = s.data_keys().front();
    const bool with_images = format_ == "COCO_WITH_IMAGES";
    // Off by default: Label Studio's file_name for a copied upload is its path from the output folder (§4 row
    // 13).
    const bool archive_file_names =
        with_images && es::option_bool(es::parse_options(request.options), "archive_file_names", false);
    es::path_roots roots{std::string(request.upload_dir), std::string(request.local_files_root),
                         std::string(request.output_dir), with_images};
    if (annot::status st = sink.add_directory("images"); !st.ok()) return st;

    // Categories (§1.7), then the keypoint merge (§2.5).
    categories cats;
    es::category_table table = es::category_table::from_schema(s, &log);
    std::vector<std::string> kp_labels;
    std::set<std::string> kp_set;
    for (const auto& c : s.controls())
      if (c.type == "KeyPointLabels")
        for (const auto& l : c.labels)
          if (kp_set.insert(l).second) kp_labels.push_back(l);
    std::optional<std::int64_t> max_id;
    for (const auto& c : table.list()) {
      if (kp_set.count(c.name)) continue;
      json e = json::object();
      e["id"] = c.id;
      e["name"] = c.name;
      cats.list.push_back(e);
      cats.ids[c.name] = c.id;
      max_id = max_id ? std::max(*max_id, c.id) : c.id;
    }
    json default_id;
    if (!kp_labels.empty()) {
      default_id = max_id ? *max_id + 1 : 0;
      json e = json::object();
      e["id"] = default_id;
      e["name"] = "default";
      e["supercategory"] = "default";
      e["keypoints"] = kp_labels;
      e["skeleton"] = json::array();
      cats.list.push_back(e);
      for (const auto& l : kp_labels) cats.ids[l] = default_id;
    }
    const std::vector<std::string> kp_order = keypoint_order(s);

    // Each task is read, and its images and annotations printed, on the host's threads (the preparer); what
    // depends on the tasks before it comes here as ops.
    es::task_view_preparer preparer([&](const es::task_view& task, std::string& out,
                                        annot::export_log&) -> annot::status {
      thread_local std::string category_name;
      thread_local es::item_views items;
      thread_local std::vector<es::value_view> keypoints;
      thread_local std::vector<double> xs, ys;
      es::op_writer ops(out);
      annot::export_log& log = ops;
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
      for (const es::item_view& it : items) {
        const std::optional<es::element> value = it.data(data_key);
        if (!value || value->type() != simdjson::dom::element_type::STRING) {
          log.skipped(it.task_id, "data \"" + data_key + "\" is missing or not a string");
          continue;
        }
        ops.op(op::item);
        es::resolved_image img = es::resolve_image(std::string_view(*value), roots);
        // Nothing is downloaded: in COCO_WITH_IMAGES a URL image is named as upstream names it when its
        // download fails (the value verbatim), as YOLO_WITH_IMAGES and VOC do, never images/<md5>__<name>
        // with no file behind it.
        if (with_images && img.source == es::image_source::derived)
          img.coco_file_name = std::string_view(*value);
        if (with_images && img.source == es::image_source::unresolved && es::names_local_file(*value))
          log.warn(es::not_copied_warning(it.task_id, std::string_view(*value)));
        dimension width, height;
        auto add_image = [&]() { put_image(ops, width, height, img.coco_file_name); };
        if (!img.local_file.empty()) {
          // COCO_WITH_IMAGES copies local images: uploads as images/<name> (file_name keeps the upload's path,
          // §4 row 13), local-files as the images/<md5>__<name> their file_name says.
          std::string entry;
          if (with_images && img.source == es::image_source::upload) {
            std::string name = img.base_name;
            es::fit_entry_segment(name);  // an upload's name may hold a backslash
            entry = "images/" + name;
            if (archive_file_names) img.coco_file_name = entry;
          }
          if (with_images && img.source == es::image_source::local_files) {
            // file_name names the copy, so a name an archive cannot hold changes in both places.
            std::string name = img.coco_file_name.substr(std::string_view("images/").size());
            if (es::fit_entry_segment(name)) {
              img.coco_file_name = "images/" + name;
              log.warn("task " + std::to_string(it.task_id) + ": the image name of " +
                       std::string(std::string_view(*value)) +
                       " cannot name a file in an archive; its copy and file_name are " + img.coco_file_name);
            }
            entry = img.coco_file_name;
          }
          if (!entry.empty()) {
            ops.op(op::copy);
            ops.text(entry);
            ops.text(img.local_file);
          }
          if (auto info = es::read_image_info(img.local_file)) {
            width.file = info->width;
            height.file = info->height;
            add_image();
          }
        }
        if (it.output().empty()) {
          if (!width.truthy_number()) add_image();
          continue;
        }
        keypoints.clear();
        for (const es::result_group& group : it.output()) {
          for (const es::value_view& label : group.values) {
            const es::region_fields f(label);
            bool named = false;
            for (const std::optional<es::element>* field :
                 {&f.rectanglelabels, &f.polygonlabels, &f.keypointlabels, &f.labels}) {
              const std::optional<es::element>& l = *field;
              if (!l || !is_array(*l) || simdjson::dom::array(*l).size() == 0) continue;
              es::element first = simdjson::dom::array(*l).at(0).value();
              if (first.type() == simdjson::dom::element_type::STRING)
                category_name = std::string_view(first);
              else
                category_name = es::to_json(first).dump();
              named = true;
              break;
            }
            if (!named) continue;  // brush, choices, empty label lists: upstream skips them too
            if (!height.truthy_number() || !width.truthy_number()) {
              if (!f.original_width || !f.original_height) {
                // Upstream leaves it out without a word; the report says so.
                log.skipped(it.task_id, "a region without original_width/original_height before the image's size "
                                        "is known; left out");
                continue;
              }
              width = dimension{std::nullopt, f.original_width};
              height = dimension{std::nullopt, f.original_height};
              add_image();
            }
            // Looked up (and appended when unknown) before the region is checked, as upstream does.
            ops.op(op::category);
            ops.id(it.task_id);
            ops.text(category_name);
            if (f.rectanglelabels || f.labels) {
              const std::optional<es::element>&px = f.x, &py = f.y, &pw = f.width, &ph = f.height;
              if (!px || !py || !pw || !ph) continue;
              std::optional<std::array<double, 4>> xywh;
              if (es::is_number(*px) && es::is_number(*py) && es::is_number(*pw) && es::is_number(*ph)) {
                const std::optional<es::element>& pr = f.rotation;
                xywh = rotated_rectangle(es::to_double(*px), es::to_double(*py), es::to_double(*pw),
                                         es::to_double(*ph), pr && es::is_number(*pr) ? es::to_double(*pr) : 0.0);
              }
              if (!xywh) {
                log.skipped(it.task_id, "a rotated rectangle has no usable size; left out");
                continue;
              }
              const std::optional<es::element>&ow = f.original_width, &oh = f.original_height;
              double image_w = 0, image_h = 0;
              if (ow && oh && es::is_number(*ow) && es::is_number(*oh)) {
                image_w = es::to_double(*ow);
                image_h = es::to_double(*oh);
              } else if (width.file && height.file) {
                // Upstream: KeyError, the whole export aborts (§4 row 1). A local image's header knows the
                // size (issue 6: sizes from the image header where results lack them).
                image_w = static_cast<double>(*width.file);
                image_h = static_cast<double>(*height.file);
                log.warn("task " + std::to_string(it.task_id) +
                         ": a rectangle without original_width/original_height is scaled by the image file's "
                         "size");
              } else {
                log.skipped(it.task_id, "a rectangle without original_width/original_height; left out");
                continue;
              }
              auto [x, y, w, h] = *xywh;
              x = x * image_w / 100;
              y = y * image_h / 100;
              w = w * image_w / 100;
              h = h * image_h / 100;
              if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(w) || !std::isfinite(h) ||
                  !std::isfinite(w * h)) {
                // JSON has no Infinity: the file would not parse (upstream's ujson raises, the export
                // aborts).
                log.skipped(it.task_id, "a rectangle whose size in pixels is not a finite number; left out");
                continue;
              }
              ops.op(op::annotation);
              append_box_tail(ops.begin_text(), x, y, w, h);
              ops.end_text();
            } else if (f.polygonlabels) {
              const std::optional<es::element>& points = f.points;
              if (!points || !is_array(*points) || simdjson::dom::array(*points).size() == 0 || !width.is_number() ||
                  !height.is_number()) {
                log.skipped(it.task_id, "a polygon without points; left out");
                continue;
              }
              xs.clear();
              ys.clear();
              bool ok = true;
              for (es::element p : simdjson::dom::array(*points)) {
                if (!is_array(p) || simdjson::dom::array(p).size() < 2 ||
                    !es::is_number(simdjson::dom::array(p).at(0).value()) ||
                    !es::is_number(simdjson::dom::array(p).at(1).value())) {
                  ok = false;
                  break;
                }
                xs.push_back(es::to_double(simdjson::dom::array(p).at(0).value()) / 100 * width.number());
                ys.push_back(es::to_double(simdjson::dom::array(p).at(1).value()) / 100 * height.number());
              }
              if (!ok) {
                log.skipped(it.task_id, "a polygon with a malformed point; left out");
                continue;
              }
              json seg = json::array();
              for (std::size_t i = 0; i < xs.size(); ++i) {
                seg.push_back(xs[i]);
                seg.push_back(ys[i]);
              }
              double x1 = *std::min_element(xs.begin(), xs.end()), y1 = *std::min_element(ys.begin(), ys.end());
              double x2 = *std::max_element(xs.begin(), xs.end()), y2 = *std::max_element(ys.begin(), ys.end());
              // Shoelace as numpy computes it: dot(x, roll(y, 1)) - dot(y, roll(x, 1)).
              const std::size_t n = xs.size();
              double d1 = 0, d2 = 0;
              for (std::size_t i = 0; i < n; ++i) {
                d1 += xs[i] * ys[(i + n - 1) % n];
                d2 += ys[i] * xs[(i + n - 1) % n];
              }
              const double area = 0.5 * std::fabs(d1 - d2);
              if (!std::isfinite(area) || !std::isfinite(x2 - x1) || !std::isfinite(y2 - y1)) {
                log.skipped(it.task_id, "a polygon whose size in pixels is not a finite number; left out");
                continue;
              }
              json a = json::object();
              a["segmentation"] = json::array({seg});
              a["bbox"] = json::array({x1, y1, x2 - x1, y2 - y1});
              a["ignore"] = 0;
              a["iscrowd"] = 0;
              a["area"] = area;
              ops.op(op::annotation);
              append_rest(ops.begin_text(), a);
              ops.end_text();
            } else if (f.keypointlabels) {
              keypoints.push_back(label);
            }
          }
        }
        if (!keypoints.empty()) {
          if (kp_order.empty()) {
            log.warn("task " + std::to_string(it.task_id) +
                     ": KeyPointLabels have no model_index; keypoints left out of COCO");
          } else {
            std::vector<long long> kp(kp_order.size() * 3, 0);
            for (const es::value_view& k : keypoints) {
              std::optional<es::element> ow = k.find("original_width"), oh = k.find("original_height"),
                                         px = k.find("x"), py = k.find("y");
              if (!ow || !oh || !px || !py || !es::is_number(*ow) || !es::is_number(*oh) || !es::is_number(*px) ||
                  !es::is_number(*py)) {
                log.skipped(it.task_id, "a keypoint without x/y or original dimensions; left out");
                continue;
              }
              const std::optional<long long> x = round_half_even(es::to_double(*px) / 100 *
                                                                 es::to_double(*ow)),
                                             y = round_half_even(es::to_double(*py) / 100 *
                                                                 es::to_double(*oh));
              if (!x || !y) {
                log.skipped(it.task_id,
                            "a keypoint whose pixel coordinates are not finite or beyond 2^53; left out");
                continue;
              }
              std::optional<es::element> labels = k.find("keypointlabels");
              if (!labels || !is_array(*labels)) continue;
              int v = simdjson::dom::array(*labels).size() != 0 ? 2 : 0;
              for (es::element l : simdjson::dom::array(*labels)) {
                if (l.type() != simdjson::dom::element_type::STRING) continue;
                auto pos = std::find(kp_order.begin(), kp_order.end(), std::string_view(l));
                if (pos == kp_order.end()) continue;
                std::size_t idx = static_cast<std::size_t>(pos - kp_order.begin());
                kp[3 * idx] = *x;
                kp[3 * idx + 1] = *y;
                kp[3 * idx + 2] = v;
              }
            }
            long long count = 0, x_min = 0, y_min = 0, x_max = 0, y_max = 0;
            for (std::size_t i = 0; i < kp_order.size(); ++i) {
              if (kp[3 * i + 2] <= 0) continue;
              long long x = kp[3 * i], y = kp[3 * i + 1];
              if (!count) x_min = x_max = x, y_min = y_max = y;
              x_min = std::min(x_min, x);
              x_max = std::max(x_max, x);
              y_min = std::min(y_min, y);
              y_max = std::max(y_max, y);
              ++count;
            }
            json a = json::object();
            a["keypoints"] = kp;
            a["num_keypoints"] = count;
            a["bbox"] = count ? json::array({x_min, y_min, x_max - x_min, y_max - y_min}) : json::array({0, 0, 0, 0});
            a["iscrowd"] = 0;
            ops.op(op::keypoints);
            ops.text(kp_order[0]);
            append_rest(ops.begin_text(), a);
            ops.end_text();
          }
        }
      }
      return {};
    });

    spill images, annotations;
    std::int64_t image_id = 0;
    json category;
    es::resource_copies copies;
    annot::status st = es::for_each_prepared(tasks, preparer, log, [&](std::string_view prepared) -> annot::status {
      for (es::op_reader ops(prepared); !ops.done();) {
        switch (const char code = ops.op()) {
          case op::item: image_id = static_cast<std::int64_t>(images.size()); break;
          case op::image: {
            std::string& t = images.begin();
            t += ops.text();
            append_int(t, image_id);
            t += ops.text();
            images.end();
            break;
          }
          case op::copy: {
            const std::string_view entry = ops.text(), file = ops.text();
            if (annot::status c = copies.copy(sink, log, entry, file); !c.ok()) return c;
            break;
          }
          case op::category: {
            const std::int64_t task_id = ops.id();
            category = cats.id_of(ops.text(), log, task_id);
            break;
          }
          case op::annotation: {
            std::string& t = annotations.begin();
            append_annotation_head(t, static_cast<std::int64_t>(annotations.size()), image_id, category);
            t += ops.text();
            annotations.end();
            break;
          }
          case op::keypoints: {
            auto cid = cats.ids.find(ops.text());
            std::string& t = annotations.begin();
            append_annotation_head(t, static_cast<std::int64_t>(annotations.size()), image_id,
                                   cid == cats.ids.end() ? json(0) : cid->second);
            t += ops.text();
            annotations.end();
            break;
          }
          default:
            if (!ops.replay_log(code, log)) throw std::runtime_error("a prepared COCO task holds an unknown op");
        }
      }
      return {};
    });
    if (!st.ok()) return st;

    annot::result<annot::output_stream*> file = sink.open("result.json");
    if (!file.ok()) return file.error();
    es::buffered_writer w(*file);
    w.append("{\n  \"images\": ");
    images.copy_to(w);
    w.append(",\n  \"categories\": ");
    {
      std::string text;
      if (cats.list.empty()) {
        text = "[]";
      } else {
        text = "[";
        for (std::size_t i = 0; i < cats.list.size(); ++i) {
          text += i ? ",\n    " : "\n    ";
          es::append_ujson(text, cats.list[i], {2, true}, 2);
        }
        text += "\n  ]";
      }
      w.append(text);
    }
    w.append(",\n  \"annotations\": ");
    annotations.copy_to(w);
    int year = 0;
    std::string date = now_text(&year);
    json info = json::object();
    info["year"] = year;
    info["version"] = "1.0";
    info["description"] = "";
    info["contributor"] = "Label Studio";
    info["url"] = "";
    info["date_created"] = date;
    std::string tail = ",\n  \"info\": ";
    es::append_ujson(tail, info, {2, true}, 1);
    tail += "\n}";
    w.append(tail);
    return w.flush();
  });
}

}  // namespace annot::plugins::coco
