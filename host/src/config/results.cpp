// validate_results: the envelope, relations, declarative payload and geometry checks, then the
// control's and the region's validators.
#include "config/results.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "config/fields.hpp"
#include "config/json_view.hpp"
#include "config/task_data.hpp"

namespace annot::host::config {

std::string_view to_string(annot::severity s) noexcept {
  return s == annot::severity::error ? "error" : "rule break";
}

namespace {

using json = nlohmann::json;

class id_index final : public annot::region_index {
 public:
  bool contains(std::string_view id) const noexcept override { return ids_.count(id) != 0; }
  void add(std::string_view id) { ids_.insert(id); }

 private:
  std::unordered_set<std::string_view> ids_;
};

// Collects issues for one item; builds the full path only when something is reported.
class item_sink final : public annot::issue_sink {
 public:
  item_sink(result_report& report, const result_check_options& options) : report_(report), options_(options) {}
  void set_item(std::size_t index) noexcept { index_ = index; }
  bool full() const noexcept { return report_.issues.size() >= options_.max_issues; }

  void add(annot::severity level, std::string_view path, std::string_view message) noexcept override {
    try {
      (level == annot::severity::error ? report_.errors : report_.rule_breaks)++;
      if (full()) {
        ++dropped_;
        return;
      }
      std::string p = options_.base_path;
      p += '[';
      p += std::to_string(index_);
      p += ']';
      if (!path.empty()) {
        if (path.front() != '[') p += '.';
        p += path;
      }
      report_.issues.push_back({level, std::move(p), std::string(message)});
    } catch (...) {
      // Out of memory while reporting: the counts above still refuse the request.
    }
  }
  std::size_t dropped() const noexcept { return dropped_; }

 private:
  result_report& report_;
  const result_check_options& options_;
  std::size_t index_ = 0;
  std::size_t dropped_ = 0;
};

std::string quote(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 200));
  if (s.size() > 200) out += "...";
  out += '"';
  return out;
}

std::string describe_control(const control_ref& c) {
  return "<" + c.entry->name() + (c.inst.tag.name.empty() ? "" : " name=\"" + c.inst.tag.name + "\"") + ">";
}

std::string substitute(std::string s, const std::string& flag, const std::string& index) {
  if (flag.empty() || index.empty()) return s;
  for (std::size_t p = s.find(flag); p != std::string::npos; p = s.find(flag, p + index.size()))
    s.replace(p, flag.size(), index);
  return s;
}

class checker {
 public:
  checker(const config_model& model, const result_check_options& options, result_report& report)
      : model_(model), options_(options), report_(report), sink_(report, options) {}

  void run(const json& results) {
    if (!results.is_array()) {
      sink_.set_item(0);
      report_error_root("a result must be a list of result items, got " +
                        std::string(annot::to_string(make_ref(results).kind())));
      return;
    }
    for (const json& item : results)
      if (item.is_object())
        if (auto it = item.find("id"); it != item.end() && it->is_string()) ids_.add(it->get_ref<const std::string&>());
    for (std::size_t i = 0; i < results.size() && !sink_.full(); ++i) {
      sink_.set_item(i);
      check_item(results[i]);
    }
    if (sink_.dropped())
      report_.issues.push_back({annot::severity::error, options_.base_path,
                                std::to_string(sink_.dropped()) + " more issues were left out"});
  }


 private:
  void report_error_root(std::string message) {
    sink_.add(annot::severity::error, "", message);
    // The path of a non-list is the list itself, not item [0].
    if (!report_.issues.empty()) report_.issues.back().path = options_.base_path;
  }

  void error(std::string_view path, std::string message) { sink_.add(annot::severity::error, path, message); }
  void rule_break(std::string_view path, std::string message) { sink_.add(annot::severity::rule_break, path, message); }

  void check_item(const json& item) {
    if (!item.is_object()) {
      error("", "a result item must be an object, got " + std::string(annot::to_string(make_ref(item).kind())));
      return;
    }
    annot::json_ref ref = make_ref(item);
    annot::json_ref type = ref.get("type");
    if (!type.is_string() || type.as_string().empty()) {
      error("type", "a result item needs \"type\", the result type as a string (e.g. \"choices\")");
      return;
    }
    if (type.as_string() == "relation") {
      check_relation(ref);
      return;
    }
    annot::json_ref value = ref.get("value");
    if (!value.is_object()) {
      error("value", value.exists() ? "must be an object, got " + std::string(annot::to_string(value.kind()))
                                    : std::string("is missing; every result item carries its data in \"value\""));
      return;
    }
    annot::json_ref from = ref.get("from_name");
    if (!from.is_string()) {
      error("from_name", "must be a string naming the control tag that produced the result");
      return;
    }
    std::string index;
    const control_ref* control = model_.find_control(from.as_string(), &index);
    if (!control) {
      std::string what = model_.find_object(from.as_string()) ? " names an object tag, not a control tag"
                                                               : " names no control tag in the config";
      rule_break("from_name", quote(from.as_string()) + what);
      return;
    }
    const annot::control_tag_spec& spec = control->spec();
    auto rt = std::find(spec.result_types.begin(), spec.result_types.end(), type.as_string());
    if (rt == spec.result_types.end()) {
      rule_break("type", "is " + quote(type.as_string()) + ", but " + describe_control(*control) +
                             " produces results of type " + quote(spec.result_types.front()));
      return;
    }
    auto type_index = static_cast<std::size_t>(rt - spec.result_types.begin());
    annot::json_ref to = ref.get("to_name");
    if (!to.is_string()) {
      error("to_name", "must be a string naming the object tag the result is on");
      return;
    }
    const object_ref* object = nullptr;
    const region_entry* region = nullptr;
    if (!resolve_target(*control, index, to.as_string(), type_index, object, region)) return;

    annot::result_view view;
    view.item = ref;
    view.value = value;
    view.type = type.as_string();
    view.control = &control->inst;
    view.object = object ? &object->inst : nullptr;
    view.regions = &ids_;
    if (object) load_data(*object, index, view);
    check_item_index(ref, object, view);
    check_payload(*control, value);
    if (region) check_value_fields(region->spec, value, spec.payload_key);
    if (spec.validator) spec.validator->check(view, sink_);
    if (region && region->spec.validator) region->spec.validator->check(view, sink_);
  }

  // to_name: one object (or a comma-joined list, Pairwise's older form), each a target of the control.
  bool resolve_target(const control_ref& control, const std::string& index, std::string_view to_name,
                      std::size_t type_index, const object_ref*& object, const region_entry*& region) {
    const annot::control_tag_spec& spec = control.spec();
    // Names only need rewriting for Repeater copies; the common case compares in place.
    auto resolved = [&](const std::string& name) -> std::string_view {
      if (index.empty()) return name;
      scratch_ = substitute(name, control.index_flag, index);
      return scratch_;
    };
    std::string control_name(resolved(control.inst.tag.name));
    bool first = true;
    std::size_t start = 0;
    while (true) {
      std::size_t comma = to_name.find(',', start);
      std::string_view part = to_name.substr(start, comma == std::string_view::npos ? comma : comma - start);
      bool ok = false;
      if (spec.self_target && part == control_name) {
        ok = true;
      } else {
        for (const auto& t : control.targets) {
          if (resolved(t.name) != part) continue;
          ok = true;
          if (first && t.object >= 0) {
            object = &model_.objects()[static_cast<std::size_t>(t.object)];
            region = type_index < t.regions.size() ? t.regions[type_index] : nullptr;
          }
          break;
        }
      }
      if (!ok) {
        std::string targets;
        for (const auto& t : control.targets) targets += (targets.empty() ? "" : ",") + substitute(t.name, control.index_flag, index);
        bool exists = model_.find_object(part) || model_.find_control(part);
        rule_break("to_name", quote(part) + (exists ? " is not a target of " : " names no tag in the config; ") +
                                  (exists ? describe_control(control) + " (toName=" + quote(targets) + ")"
                                          : describe_control(control) + " targets " + quote(targets)));
        return false;
      }
      first = false;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return true;
  }

  void load_data(const object_ref& object, const std::string& index, annot::result_view& view) {
    if (!options_.task_data || object.inst.data_key.empty()) return;
    auto key = std::make_pair(&object, index);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      cached c;
      std::string path = substitute(object.inst.data_key, object.index_flag, index);
      c.data = resolve_data_path(*options_.task_data, path);
      if (c.data && object.entry->object->measure)
        c.extent = object.entry->object->measure->measure(object.inst, make_ref(*c.data));
      it = cache_.emplace(key, c).first;
    }
    if (it->second.data) view.data = make_ref(*it->second.data);
    view.extent = it->second.extent;
  }

  void check_item_index(annot::json_ref item, const object_ref* object, const annot::result_view& view) {
    annot::json_ref ii = item.get("item_index");
    if (!ii.exists() || ii.is_null()) return;
    if (!ii.is_integer() || ii.as_integer() < 0) {
      error("item_index", "must be a non-negative integer (the item of a multi-item object)");
      return;
    }
    if (object && view.extent.items && static_cast<std::size_t>(ii.as_integer()) >= *view.extent.items)
      rule_break("item_index", "is " + std::to_string(ii.as_integer()) + ", but <" + object->entry->name() + " name=\"" +
                                   object->inst.tag.name + "\"> shows " + std::to_string(*view.extent.items) +
                                   " items in this task");
  }

  void check_payload(const control_ref& control, annot::json_ref value) {
    const annot::control_tag_spec& spec = control.spec();
    if (spec.payload == annot::payload_kind::none || spec.payload_key.empty()) return;
    annot::json_ref payload = value.get(spec.payload_key);
    std::string path = "value." + spec.payload_key;
    if (!payload.exists()) {
      error(path, "is missing; " + describe_control(control) + " results carry their " + spec.payload_key + " here");
      return;
    }
    if (spec.payload != annot::payload_kind::label_list) return;
    if (!payload.is_array()) {
      error(path, "must be a list of label strings, got " + std::string(annot::to_string(payload.kind())));
      return;
    }
    for (std::size_t i = 0; i < payload.size(); ++i) {
      annot::json_ref l = payload.at(i);
      if (!l.is_string()) {
        error(annot::path_index(path, i), "must be a string (a label value), got " + std::string(annot::to_string(l.kind())));
        continue;
      }
      if (!control.inst.dynamic_labels && !control.inst.labels.contains(l.as_string()))
        rule_break(annot::path_index(path, i), quote(l.as_string()) + " is not a label of " + describe_control(control));
    }
  }

  void check_value_fields(const annot::region_spec& region, annot::json_ref value, const std::string& payload_key) {
    for (const auto& f : region.value_fields) {
      // The control's payload wins a shared key: per-region TextArea on a span writes "text" as a list
      // where the span itself would keep the selected text as a string.
      if (f.name == payload_key) continue;
      annot::json_ref v = value.get(f.name);
      std::string path;
      if (!v.exists()) {
        if (f.required)
          error(annot::path_join("value", f.name),
                "is missing; a " + region.geometry + " region on <" + region.object_tag + "> needs it");
        continue;
      }
      std::string problem = check_json_type(f, v);
      if (!problem.empty()) {
        error(annot::path_join("value", f.name), problem);
        continue;
      }
      problem = check_json_range(f, v);
      if (!problem.empty()) rule_break(annot::path_join("value", f.name), problem);
    }
  }

  void check_relation(annot::json_ref item) {
    annot::json_ref from = item.get("from_id"), to = item.get("to_id");
    bool ends = true;
    for (auto [key, ref] : {std::pair{"from_id", from}, std::pair{"to_id", to}}) {
      if (!ref.is_string() || ref.as_string().empty()) {
        error(key, "a relation needs from_id and to_id, the ids of two results in this list");
        ends = false;
      }
    }
    if (ends) {
      for (auto [key, ref] : {std::pair{"from_id", from}, std::pair{"to_id", to}})
        if (!ids_.contains(ref.as_string()))
          rule_break(key, quote(ref.as_string()) + " is not the id of a result in this list");
    }
    annot::json_ref dir = item.get("direction");
    if (dir.exists() && !(dir.is_string() && (dir.as_string() == "left" || dir.as_string() == "right" ||
                                              dir.as_string() == "bi")))
      rule_break("direction", "must be \"left\", \"right\" or \"bi\"");
    annot::json_ref labels = item.get("labels");
    if (!labels.exists() || labels.is_null()) return;
    if (!labels.is_array()) {
      error("labels", "must be a list of relation labels");
      return;
    }
    const control_ref* rel = model_.relations();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      annot::json_ref l = labels.at(i);
      if (!l.is_string()) {
        error(annot::path_index("labels", i), "must be a string (a relation label)");
        continue;
      }
      if (!rel)
        rule_break(annot::path_index("labels", i),
                   quote(l.as_string()) + " is a relation label, but the config has no <Relations> tag defining labels");
      else if (!rel->inst.labels.contains(l.as_string()))
        rule_break(annot::path_index("labels", i), quote(l.as_string()) + " is not a label of " + describe_control(*rel));
    }
  }

  struct cached {
    const json* data = nullptr;
    annot::data_extent extent;
  };

  const config_model& model_;
  const result_check_options& options_;
  result_report& report_;
  item_sink sink_;
  id_index ids_;
  std::map<std::pair<const object_ref*, std::string>, cached> cache_;
  std::string scratch_;
};

}  // namespace

result_report validate_results(const config_model& model, const nlohmann::json& results,
                               const result_check_options& options) {
  result_report report;
  checker c(model, options, report);
  c.run(results);
  return report;
}

}  // namespace annot::host::config
