// yolo_exporter: YOLO label files from items — boxes, polygons, oriented boxes and pose lines — with Python's number
// printing and Label Studio's file naming (spec §1.6, §2.7, §2.8).
#include "yolo_exporter.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <set>
#include <unordered_set>

#include "export_support/categories.hpp"
#include "export_support/image_header.hpp"
#include "export_support/items.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"

namespace annot::plugins::yolo {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

bool number_at(const json& o, const char* key, double& out) {
  const json* v = member(o, key);
  if (!v || !v->is_number()) return false;
  out = v->get<double>();
  return true;
}

std::string label_text(const json& l) { return l.is_string() ? l.get<std::string>() : l.dump(); }

// Appends Python's str() of a number: ints as digits, floats as repr.
void put_int(std::string& out, long long v) { out += std::to_string(v); }
void put_float(std::string& out, double v) { es::append_python_float(out, v); }

// The raw results of an item, aligned with its output groups: raw[name][i] is the result behind output[name][i].
std::vector<std::vector<const json*>> raw_results(const es::item& it, const es::schema& s) {
  std::vector<std::vector<const json*>> out;
  const json* results = it.annotation ? member(*it.annotation, "result") : nullptr;
  for (const auto& [name, group] : it.output.items()) {
    std::vector<const json*> raw;
    if (results && results->is_array())
      for (const auto& r : *results) {
        const json* from = member(r, "from_name");
        if (!from || !from->is_string() || from->get<std::string>() != name) continue;
        const json* type = member(r, "type");
        if (!s.find(name) && !(type && type->is_string() && type->get<std::string>() == "chatmessage")) continue;
        raw.push_back(&r);
      }
    out.push_back(std::move(raw));
  }
  return out;
}

int current_year() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

bool is_cloud(std::string_view v) {
  for (std::string_view p : {"s3://", "gs://", "azure-blob://", "azure-blob:"})
    if (v.substr(0, p.size()) == p) return true;
  return false;
}

}  // namespace

std::optional<std::array<double, 4>> yolo_box(const json& label) {
  double x, y, w, h;
  if (!number_at(label, "x", x) || !number_at(label, "y", y) || !number_at(label, "width", w) ||
      !number_at(label, "height", h))
    return std::nullopt;
  return std::array<double, 4>{(x + w / 2) / 100, (y + h / 2) / 100, w / 100, h / 100};
}

std::optional<std::array<double, 8>> yolo_obb_corners(const json& label) {
  double ow, oh, x, y, w, h, r;
  if (!number_at(label, "original_width", ow) || !number_at(label, "original_height", oh) ||
      !number_at(label, "x", x) || !number_at(label, "y", y) || !number_at(label, "width", w) ||
      !number_at(label, "height", h) || !number_at(label, "rotation", r))
    return std::nullopt;
  if (ow == 0 || oh == 0) return std::nullopt;
  x = x / 100 * ow;
  y = y / 100 * oh;
  w = w / 100 * ow;
  h = h / 100 * oh;
  const double rad = r * (3.141592653589793 / 180.0);  // math.radians
  const double c = std::cos(rad), s = std::sin(rad);
  const double px[4] = {x, x + w * c, x + w * c - h * s, x - h * s};
  const double py[4] = {y, y + w * s, y + w * s + h * c, y + h * c};
  std::array<double, 8> out{};
  for (int i = 0; i < 4; ++i) {
    out[2 * i] = px[i] / ow;
    out[2 * i + 1] = py[i] / oh;
  }
  return out;
}

std::string label_stem(const std::string& base_name) {
  std::string stem = es::strip_extension(base_name);
  // filename[0:251] counts code points.
  std::size_t cps = 0, i = 0;
  for (; i < stem.size(); ++i) {
    if ((static_cast<unsigned char>(stem[i]) & 0xC0) != 0x80) {
      if (cps == 251) break;
      ++cps;
    }
  }
  stem.resize(i);
  return stem;
}

annot::status yolo_exporter::run(const annot::export_request& request, annot::task_cursor& tasks,
                                 annot::export_sink& sink, annot::export_log& log) noexcept {
  return es::guarded([&]() -> annot::status {
    annot::result<es::schema> parsed = es::schema::parse(request.config.parsed_config);
    if (!parsed.ok()) return parsed.error();
    const es::schema& s = *parsed;
    if (s.data_keys().empty())
      return annot::status(annot::errc::invalid_argument, "YOLO needs a labeling config with an Image object tag");
    const std::string data_key = s.data_keys().front();
    const bool obb = format_.rfind("YOLO_OBB", 0) == 0;
    const bool with_images = format_.find("_WITH_IMAGES") != std::string::npos;
    es::path_roots roots{std::string(request.upload_dir), std::string(request.local_files_root),
                         std::string(request.output_dir), with_images};
    for (const char* dir : {"images", "labels"})
      if (annot::status st = sink.add_directory(dir); !st.ok()) return st;

    const bool keypoints = s.has_control("KeyPointLabels");
    std::vector<json> categories;  // {"id", "name"[, "keypoints"]}, output order
    std::vector<std::string> kp_order;
    es::category_table table;
    if (keypoints) {
      // Pose mode: classes are the RectangleLabels labels in config order (§2.7).
      std::vector<std::pair<long long, std::string>> pairs;
      std::set<long long> used;
      for (const auto& c : s.controls()) {
        if (c.type != "KeyPointLabels") continue;
        for (auto it = c.labels_attrs.begin(); it != c.labels_attrs.end(); ++it) {
          const json* mi = member(it.value(), "model_index");
          std::optional<std::int64_t> idx;
          if (mi && mi->is_string()) idx = es::python_int(mi->get<std::string>());
          else if (mi && mi->is_number_integer()) idx = mi->get<std::int64_t>();
          if (!idx || used.count(*idx)) continue;
          used.insert(*idx);
          pairs.emplace_back(*idx, it.key());
        }
      }
      std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& p : pairs) kp_order.push_back(p.second);
      std::set<std::string> seen;
      for (const auto& c : s.controls()) {
        if (c.type != "RectangleLabels") continue;
        for (const auto& l : c.labels) {
          if (!seen.insert(l).second) continue;
          json e = json::object();
          e["id"] = static_cast<std::int64_t>(categories.size());
          e["name"] = l;
          e["keypoints"] = kp_order;
          categories.push_back(std::move(e));
        }
      }
    } else {
      table = es::category_table::from_schema(s, &log);
    }
    auto class_of = [&](const std::string& name, std::int64_t task_id) -> std::optional<std::int64_t> {
      if (keypoints) {
        for (const auto& c : categories)
          if (c["name"] == name) return c["id"].get<std::int64_t>();
        return std::nullopt;
      }
      bool appended = false;
      std::int64_t id = table.id_of(name, &appended);
      if (appended)
        log.warn("task " + std::to_string(task_id) + ": label '" + name + "' is not in the config; appended as class " +
                 std::to_string(id));
      return id;
    };

    std::unordered_set<std::size_t> written;  // hashes of the label files written so far
    std::set<std::string> copied;
    std::vector<es::item> items;
    std::string text;                 // one label file's text, reused
    std::vector<std::string> names;  // one region's labels, reused
    annot::status st = es::for_each_task(tasks, log, [&](json& task) -> annot::status {
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(es::task_id_of(task)) + " has no \"annotations\" key; left out");
      for (const auto& it : items) {
        const json* value = member(*it.input, data_key.c_str());
        if (!value || !value->is_string()) {
          log.skipped(it.task_id, "data \"" + data_key + "\" is missing or not a string");
          continue;
        }
        const std::string& u = value->get_ref<const std::string&>();
        es::resolved_image img = es::resolve_image(u, roots);
        std::string base = img.base_name;
        const bool failed = img.source == es::image_source::unresolved ||
                            (with_images && img.source == es::image_source::derived);  // nothing is downloaded
        if (failed) {
          if (with_images && is_cloud(u)) {
            log.skipped(it.task_id, "the image " + u + " cannot be fetched; no label file written");
            continue;
          }
          std::size_t slash = u.rfind('/');
          base = slash == std::string::npos ? u : u.substr(slash + 1);
        }
        if (with_images && !img.local_file.empty() && img.source != es::image_source::local_path) {
          std::string name = img.source == es::image_source::upload ? img.base_name : base;
          if (copied.insert(name).second)
            if (annot::status c = sink.add_file("images/" + name, img.local_file); !c.ok() && c.code() != annot::errc::not_found)
              return c;
        }
        const std::string path = "labels/" + label_stem(base) + ".txt";
        const std::size_t key = std::hash<std::string>{}(path);

        if (it.output.empty()) {
          // An empty file, unless an earlier annotation of the task already wrote one.
          if (written.insert(key).second) {
            annot::result<annot::output_stream*> f = sink.open(path);
            if (!f.ok()) return f.error();
          }
          continue;
        }

        text.clear();
        std::optional<es::image_info> image_size;  // read on first need
        if (keypoints) {
          struct rect {
            json id;
            std::int64_t cls;
            std::array<double, 4> box;
            std::vector<std::optional<std::pair<double, double>>> kps;
          };
          std::vector<rect> rects;
          auto raw = raw_results(it, s);
          std::size_t g = 0;
          for (const auto& [name, group] : it.output.items()) {
            for (std::size_t j = 0; j < group.size(); ++j) {
              const json& v = group[j];
              const json* type = member(v, "type");
              if (!type || !type->is_string() || type->get<std::string>() != "RectangleLabels") continue;
              const json* labels = member(v, "rectanglelabels");
              if (!labels || !labels->is_array() || labels->empty()) continue;
              auto cls = class_of(label_text((*labels)[0]), it.task_id);
              double x, y, w, h;
              if (!cls || !number_at(v, "x", x) || !number_at(v, "y", y) || !number_at(v, "width", w) ||
                  !number_at(v, "height", h))
                continue;
              // Pose mode normalises first, then centres: x/100 + (w/100)/2 (differs from yolo_box in the last bit).
              std::array<double, 4> box{x / 100 + w / 100 / 2, y / 100 + h / 100 / 2, w / 100, h / 100};
              json id = j < raw[g].size() && member(*raw[g][j], "id") ? *member(*raw[g][j], "id") : json();
              auto same = std::find_if(rects.begin(), rects.end(), [&](const rect& r) { return r.id == id; });
              rect r{id, *cls, box, std::vector<std::optional<std::pair<double, double>>>(kp_order.size())};
              if (same != rects.end()) *same = std::move(r);
              else rects.push_back(std::move(r));
            }
            ++g;
          }
          g = 0;
          for (const auto& [name, group] : it.output.items()) {
            for (std::size_t j = 0; j < group.size(); ++j) {
              const json& v = group[j];
              const json* type = member(v, "type");
              if (!type || !type->is_string() || type->get<std::string>() != "KeyPointLabels") continue;
              if (j >= raw[g].size()) continue;
              const json* parent = member(*raw[g][j], "parentID");
              if (!parent) continue;
              auto r = std::find_if(rects.begin(), rects.end(), [&](const rect& x) { return x.id == *parent; });
              const json* labels = member(v, "keypointlabels");
              double x, y;
              if (r == rects.end() || !labels || !labels->is_array() || labels->empty() || !number_at(v, "x", x) ||
                  !number_at(v, "y", y))
                continue;
              auto pos = std::find(kp_order.begin(), kp_order.end(), label_text((*labels)[0]));
              if (pos == kp_order.end()) continue;
              r->kps[static_cast<std::size_t>(pos - kp_order.begin())] = std::pair{x / 100, y / 100};
            }
            ++g;
          }
          for (std::size_t i = 0; i < rects.size(); ++i) {
            if (i) text += '\n';
            put_int(text, rects[i].cls);
            for (double d : rects[i].box) {
              text += ' ';
              put_float(text, d);
            }
            for (const auto& kp : rects[i].kps) {
              if (!kp) {
                text += " 0.0 0.0 0";
                continue;
              }
              text += ' ';
              put_float(text, kp->first);
              text += ' ';
              put_float(text, kp->second);
              text += " 2";
            }
          }
        } else {
          for (const auto& [name, group] : it.output.items()) {
            for (const json& label : group) {
              names.clear();
              for (const char* key : {"rectanglelabels", "polygonlabels", "labels"}) {
                const json* l = member(label, key);
                if (l && l->is_array())
                  for (const auto& n : *l) names.push_back(label_text(n));
              }
              for (const auto& n : names) {
                std::int64_t cls = *class_of(n, it.task_id);
                if (member(label, "rectanglelabels") || member(label, "rectangle") || member(label, "labels")) {
                  if (obb) {
                    auto c = yolo_obb_corners(label);
                    if (!c && !img.local_file.empty() && !member(label, "original_width") &&
                        !member(label, "original_height")) {
                      // Upstream skips the line; a local image's header gives the size instead.
                      if (!image_size) image_size = es::read_image_info(img.local_file);
                      if (image_size) {
                        json sized = label;
                        sized["original_width"] = image_size->width;
                        sized["original_height"] = image_size->height;
                        c = yolo_obb_corners(sized);
                      }
                    }
                    if (!c) continue;
                    put_int(text, cls);
                    for (double d : *c) {
                      text += ' ';
                      put_float(text, d);
                    }
                  } else {
                    auto b = yolo_box(label);
                    if (!b) continue;
                    put_int(text, cls);
                    for (double d : *b) {
                      text += ' ';
                      put_float(text, d);
                    }
                  }
                  text += '\n';
                } else if (member(label, "polygonlabels") || member(label, "polygon")) {
                  const json* points = member(label, "points");
                  if (!points || !points->is_array()) continue;
                  std::string line;
                  put_int(line, cls);
                  bool ok = true;
                  for (const auto& p : *points) {
                    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) {
                      ok = false;
                      break;
                    }
                    line += ' ';
                    put_float(line, p[0].get<double>() / 100);
                    line += ' ';
                    put_float(line, p[1].get<double>() / 100);
                  }
                  if (!ok) {
                    log.skipped(it.task_id, "a polygon with a malformed point; left out");
                    continue;
                  }
                  text += line;
                  text += '\n';
                }
              }
            }
          }
        }
        written.insert(key);
        annot::result<annot::output_stream*> f = sink.open(path);
        if (!f.ok()) return f.error();
        if (!text.empty())
          if (annot::status w = (*f)->write(text); !w.ok()) return w;
      }
      return {};
    });
    if (!st.ok()) return st;

    if (!keypoints)
      for (const auto& c : table.list()) {
        json e = json::object();
        e["id"] = c.id;
        e["name"] = c.name;
        categories.push_back(std::move(e));
      }
    std::string classes;
    for (const auto& c : categories) {
      classes += c["name"].get<std::string>();
      classes += '\n';
    }
    annot::result<annot::output_stream*> cf = sink.open("classes.txt");
    if (!cf.ok()) return cf.error();
    if (annot::status w = (*cf)->write(classes); !w.ok()) return w;

    json notes = json::object();
    notes["categories"] = categories;
    json info = json::object();
    info["year"] = current_year();
    info["version"] = "1.0";
    info["contributor"] = "Label Studio";
    notes["info"] = info;
    annot::result<annot::output_stream*> nf = sink.open("notes.json");
    if (!nf.ok()) return nf.error();
    return (*nf)->write(es::ujson(notes, {2, true}));
  });
}

}  // namespace annot::plugins::yolo
