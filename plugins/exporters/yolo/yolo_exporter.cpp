// yolo_exporter: YOLO label files from items — boxes, polygons, oriented boxes and pose lines — with Python's number
// printing and Label Studio's file naming (spec §1.6, §2.7, §2.8).
#include "yolo_exporter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "export_support/categories.hpp"
#include "export_support/image_header.hpp"
#include "export_support/item_view.hpp"
#include "export_support/op_stream.hpp"
#include "export_support/path_hashes.hpp"
#include "export_support/paths.hpp"
#include "export_support/prepared.hpp"
#include "export_support/run.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::yolo {
namespace es = annot::plugins::export_support;
using es::json;

namespace {

namespace dom = simdjson::dom;
using es::element;

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::string label_text(element l) {
  return l.type() == dom::element_type::STRING ? std::string(std::string_view(l)) : es::to_json(l).dump();
}

// A member as a double: nullopt when it is missing or not a number.
std::optional<double> number_in(const std::optional<element>& e) {
  if (!e || !es::is_number(*e)) return std::nullopt;
  return es::to_double(*e);
}
std::optional<double> number_of(const es::value_view& v, const char* key) { return number_in(v.find(key)); }

// Appends Python's str() of a number: ints as digits, floats as repr.
void put_int(std::string& out, long long v) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  (void)ec;
  out.append(digits, end);
}
void put_float(std::string& out, double v) { es::append_python_float(out, v); }

// The raw results of an item, aligned with its output groups: raw[g][i] is the result behind output()[g].values[i].
std::vector<std::vector<element>> raw_results(const es::item_view& it, const es::schema& s) {
  std::vector<std::vector<element>> out;
  std::optional<element> results = it.annotation ? es::find_member(*it.annotation, "result") : std::nullopt;
  for (const es::result_group& g : it.output()) {
    std::vector<element> raw;
    if (results && results->type() == dom::element_type::ARRAY)
      for (element r : dom::array(*results)) {
        std::optional<element> from = es::find_member(r, "from_name");
        if (!from || from->type() != dom::element_type::STRING || std::string_view(*from) != g.from_name) continue;
        std::optional<element> type = es::find_member(r, "type");
        if (!s.find(g.from_name) && !(type && es::string_or(*type) == "chatmessage")) continue;
        raw.push_back(r);
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

// What a task's preparation leaves to run() (op_stream.hpp), in order: classes of labels (an unknown one is
// appended), label files written once per path, images copied once per name.
namespace op {
constexpr char copy = 'F';        // (name, local file): copy an image to images/<name>, once per name
constexpr char empty_file = 'E';  // (path): an empty label file, unless one was written at that path
constexpr char file = 'P';        // (path): a label file begins
constexpr char label = 'C';       // (task id, label): the class of the lines that follow
constexpr char line = 'L';        // (text after the class): a line of the current class
constexpr char text = 'T';        // (text): text of the label file as it is (pose mode)
constexpr char end_file = 'X';    // the label file is complete: write it (replacing one at that path)
}  // namespace op

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
    // Pose mode: the categories are the config's (read by the preparer's threads, never changed).
    auto keypoint_class = [&categories](const std::string& name) -> std::optional<std::int64_t> {
      for (const auto& c : categories)
        if (c["name"] == name) return c["id"].get<std::int64_t>();
      return std::nullopt;
    };
    // Otherwise an unknown label is appended: run() looks classes up, in order.
    auto class_of = [&](const std::string& name, std::int64_t task_id) -> std::int64_t {
      bool appended = false;
      std::int64_t id = table.id_of(name, &appended);
      if (appended)
        log.warn("task " + std::to_string(task_id) + ": label '" + name + "' is not in the config; appended as class " +
                 std::to_string(id));
      return id;
    };

    // Each task is read and its lines printed on the host's threads (the preparer); what depends on the tasks
    // before it (classes of unknown labels, files written or copied once) comes to run() as ops.
    es::task_view_preparer preparer([&](const es::task_view& task, std::string& out,
                                        annot::export_log&) -> annot::status {
      thread_local es::item_views items;
      thread_local std::string text;                 // one label file's text (pose mode), reused
      thread_local std::string path;                 // its name, reused
      thread_local std::string line;                 // one polygon line, reused
      thread_local std::vector<std::string> names;  // one region's labels, reused
      es::op_writer ops(out);
      annot::export_log& log = ops;
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
      for (const es::item_view& it : items) {
        std::optional<element> value = it.data(data_key);
        if (!value || value->type() != dom::element_type::STRING) {
          log.skipped(it.task_id, "data \"" + data_key + "\" is missing or not a string");
          continue;
        }
        const std::string_view u(*value);
        es::resolved_image img = es::resolve_image(u, roots);
        std::string_view base = img.base_name;
        const bool failed = img.source == es::image_source::unresolved ||
                            (with_images && img.source == es::image_source::derived);  // nothing is downloaded
        if (failed) {
          if (with_images && es::names_local_file(u)) log.warn(es::not_copied_warning(it.task_id, u));
          if (with_images && is_cloud(u)) {
            log.skipped(it.task_id, "the image " + std::string(u) + " cannot be fetched; no label file written");
            continue;
          }
          std::size_t slash = u.rfind('/');
          base = slash == std::string_view::npos ? u : u.substr(slash + 1);
        }
        if (with_images && !img.local_file.empty() && img.source != es::image_source::local_path) {
          std::string copy(img.source == es::image_source::upload ? std::string_view(img.base_name) : base);
          es::fit_entry_segment(copy);
          ops.op(op::copy);
          ops.text(copy);
          ops.text(img.local_file);
        }
        std::string file = label_stem(std::string(base)) + ".txt";
        if (es::fit_entry_segment(file))
          log.warn("task " + std::to_string(it.task_id) + ": the image name of " + std::string(u) +
                   " cannot name a file in an archive; its label file is labels/" + file);
        path.assign("labels/");
        path += file;
        if (it.output().empty()) {
          ops.op(op::empty_file);
          ops.text(path);
          continue;
        }

        ops.op(op::file);
        ops.text(path);
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
          for (const es::result_group& group : it.output()) {
            for (std::size_t j = 0; j < group.values.size(); ++j) {
              const es::value_view& v = group.values[j];
              if (v.type() != "RectangleLabels") continue;
              std::optional<element> labels = v.find("rectanglelabels");
              if (!labels || labels->type() != dom::element_type::ARRAY || dom::array(*labels).size() == 0)
                continue;
              auto cls = keypoint_class(label_text(dom::array(*labels).at(0).value()));
              auto x = number_of(v, "x"), y = number_of(v, "y"), w = number_of(v, "width"), h = number_of(v, "height");
              if (!cls || !x || !y || !w || !h) continue;
              // Pose mode normalises first, then centres: x/100 + (w/100)/2 (differs from yolo_box in the last bit).
              std::array<double, 4> box{*x / 100 + *w / 100 / 2, *y / 100 + *h / 100 / 2, *w / 100, *h / 100};
              std::optional<element> rid = j < raw[g].size() ? es::find_member(raw[g][j], "id") : std::nullopt;
              json id = rid ? es::to_json(*rid) : json();
              auto same = std::find_if(rects.begin(), rects.end(), [&](const rect& r) { return r.id == id; });
              rect r{id, *cls, box, std::vector<std::optional<std::pair<double, double>>>(kp_order.size())};
              if (same != rects.end())
                *same = std::move(r);
              else
                rects.push_back(std::move(r));
            }
            ++g;
          }
          g = 0;
          for (const es::result_group& group : it.output()) {
            for (std::size_t j = 0; j < group.values.size(); ++j) {
              const es::value_view& v = group.values[j];
              if (v.type() != "KeyPointLabels") continue;
              if (j >= raw[g].size()) continue;
              std::optional<element> parent_element = es::find_member(raw[g][j], "parentID");
              if (!parent_element) continue;
              const json parent = es::to_json(*parent_element);
              auto r = std::find_if(rects.begin(), rects.end(), [&](const rect& x) { return x.id == parent; });
              std::optional<element> labels = v.find("keypointlabels");
              auto x = number_of(v, "x"), y = number_of(v, "y");
              if (r == rects.end() || !labels || labels->type() != dom::element_type::ARRAY ||
                  dom::array(*labels).size() == 0 || !x || !y)
                continue;
              auto pos = std::find(kp_order.begin(), kp_order.end(), label_text(dom::array(*labels).at(0).value()));
              if (pos == kp_order.end()) continue;
              r->kps[static_cast<std::size_t>(pos - kp_order.begin())] = std::pair{*x / 100, *y / 100};
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
          ops.op(op::text);
          ops.text(text);
        } else {
          for (const es::result_group& group : it.output()) {
            for (const es::value_view& label : group.values) {
              names.clear();
              const es::region_fields f(label);
              for (const auto* l : {&f.rectanglelabels, &f.polygonlabels, &f.labels})
                if (*l && (*l)->type() == dom::element_type::ARRAY)
                  for (element n : dom::array(**l)) names.push_back(label_text(n));
              if (names.empty()) continue;
              const bool box = f.rectanglelabels || f.rectangle || f.labels;
              const bool polygon = !box && (f.polygonlabels || f.polygon);
              const auto number = [&](const char* k) { return number_in(f.get(k)); };
              for (const auto& n : names) {
                // Looked up (and appended when unknown) before the region is checked, as upstream does.
                ops.op(op::label);
                ops.id(it.task_id);
                ops.text(n);
                if (box) {
                  if (obb) {
                    auto c = yolo_obb_corners(number);
                    if (!c && !img.local_file.empty() && !f.original_width && !f.original_height) {
                      // Upstream skips the line; a local image's header gives the size instead.
                      if (!image_size) image_size = es::read_image_info(img.local_file);
                      if (image_size)
                        c = yolo_obb_corners([&](const char* k) -> std::optional<double> {
                          if (std::string_view(k) == "original_width") return static_cast<double>(image_size->width);
                          if (std::string_view(k) == "original_height") return static_cast<double>(image_size->height);
                          return number(k);
                        });
                      if (c)  // as VOC says it: the output differs from upstream's, which skips the line
                        log.warn("task " + std::to_string(it.task_id) +
                                 ": a region has no original size; the size of the image file is used");
                    }
                    if (!c) continue;
                    ops.op(op::line);
                    std::string& rest = ops.begin_text();
                    for (double d : *c) {
                      rest += ' ';
                      put_float(rest, d);
                    }
                    rest += '\n';
                    ops.end_text();
                  } else {
                    auto b = yolo_box(number);
                    if (!b) continue;
                    ops.op(op::line);
                    std::string& rest = ops.begin_text();
                    for (double d : *b) {
                      rest += ' ';
                      put_float(rest, d);
                    }
                    rest += '\n';
                    ops.end_text();
                  }
                } else if (polygon) {
                  const std::optional<element>& points = f.points;
                  if (!points || points->type() != dom::element_type::ARRAY) continue;
                  line.clear();
                  bool ok = true;
                  for (element p : dom::array(*points)) {
                    if (p.type() != dom::element_type::ARRAY || dom::array(p).size() < 2) {
                      ok = false;
                      break;
                    }
                    element px = dom::array(p).at(0).value(), py = dom::array(p).at(1).value();
                    if (!es::is_number(px) || !es::is_number(py)) {
                      ok = false;
                      break;
                    }
                    line += ' ';
                    put_float(line, es::to_double(px) / 100);
                    line += ' ';
                    put_float(line, es::to_double(py) / 100);
                  }
                  if (!ok) {
                    log.skipped(it.task_id, "a polygon with a malformed point; left out");
                    continue;
                  }
                  line += '\n';
                  ops.op(op::line);
                  ops.text(line);
                }
              }
            }
          }
        }
        ops.op(op::end_file);
      }
      return {};
    });

    // The label files written, as hashes (path_hashes.hpp; memory bounded). Names whose hashes
    // collide would only keep an empty file from being written.
    es::path_hashes<es::no_content> written;
    es::resource_copies copies;
    std::string text;  // the label file being assembled
    std::string path;
    std::int64_t cls = 0;
    annot::status st = es::for_each_prepared(tasks, preparer, log, [&](std::string_view prepared) -> annot::status {
      for (es::op_reader ops(prepared); !ops.done();) {
        switch (const char code = ops.op()) {
          case op::copy: {
            const std::string_view name = ops.text(), file = ops.text();
            if (annot::status c = copies.copy(sink, log, "images/" + std::string(name), file); !c.ok())
              return c;
            break;
          }
          case op::empty_file: {
            // An empty file, unless an earlier annotation of the task already wrote one.
            const std::string_view empty = ops.text();
            if (!es::fits_file_system(empty)) {
              log.warn(es::name_too_long_warning(empty));
              break;
            }
            if (!written.exchange(empty)) {
              annot::result<annot::output_stream*> f = sink.open(empty);
              if (!f.ok()) return f.error();
            }
            break;
          }
          case op::file:
            path.assign(ops.text());
            text.clear();
            break;
          case op::label: {
            const std::int64_t task_id = ops.id();
            cls = class_of(std::string(ops.text()), task_id);
            break;
          }
          case op::line:
            put_int(text, cls);
            text += ops.text();
            break;
          case op::text: text += ops.text(); break;
          case op::end_file: {
            if (!es::fits_file_system(path)) {
              log.warn(es::name_too_long_warning(path));
              break;
            }
            written.add(path);
            annot::result<annot::output_stream*> f = sink.open(path);
            if (!f.ok()) return f.error();
            if (!text.empty())
              if (annot::status w = (*f)->write(text); !w.ok()) return w;
            break;
          }
          default:
            if (!ops.replay_log(code, log)) throw std::runtime_error("a prepared YOLO task holds an unknown op");
        }
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
