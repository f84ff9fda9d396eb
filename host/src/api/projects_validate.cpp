// The project-aware half of config validation: used tuples and labels against a new config.
#include "api/projects_validate.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <vector>

namespace annot::host::api {
namespace {

using ojson = nlohmann::ordered_json;

// `name` against a parsed control name whose Repeater flags ({{idx}}, given ".*" by the parser) match
// any run of characters, in full, as check_control_in_config_by_regex does; the rest of the name is
// literal (Label Studio reads it as a regex too; "a.b" matching "axb" is not worth reproducing).
// Not std::regex: it recursed once per character and overflowed the stack on a 100 KB name.
bool full_match(const std::string& pattern, const ojson& info, const std::string& name) {
  auto rx = info.find("regex");
  if (rx == info.end() || !rx->is_object() || rx->empty()) return pattern == name;
  // The literal pieces between flags, in order; a flag is wherever the earliest key occurs.
  std::vector<std::string_view> pieces;
  std::string_view rest = pattern;
  for (;;) {
    std::size_t at = std::string_view::npos, flag = 0;
    for (auto it = rx->begin(); it != rx->end(); ++it)
      if (const std::size_t k = it.key().empty() ? rest.npos : rest.find(it.key()); k < at)
        at = k, flag = it.key().size();
    pieces.push_back(rest.substr(0, at));
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + flag);
  }
  std::string_view left = name;
  if (pieces.size() == 1 || !left.starts_with(pieces.front())) return pattern == name;
  left.remove_prefix(pieces.front().size());
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {  // leftmost is exact when gaps match anything
    const std::size_t k = left.find(pieces[i]);
    if (k == std::string_view::npos) return false;
    left.remove_prefix(k + pieces[i].size());
  }
  return left.ends_with(pieces.back());
}

bool control_matches(const ojson& parsed, const std::string& name, const std::set<std::string>* only = nullptr) {
  if (only && only->empty()) return false;
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    if (only && !only->count(it.key())) continue;
    if (full_match(it.key(), it.value(), name)) return true;
  }
  return false;
}

bool to_name_matches(const ojson& parsed, const std::string& to_name) {
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    auto tn = it.value().find("to_name");
    if (tn == it.value().end() || !tn->is_array()) continue;
    for (const auto& part : *tn)
      if (part.is_string() && full_match(part.get<std::string>(), it.value(), to_name)) return true;
  }
  return false;
}

// The control that a (possibly Repeater-indexed) from_name came from; the name itself otherwise.
std::string original_from_name(const ojson& parsed, const std::string& name) {
  for (auto it = parsed.begin(); it != parsed.end(); ++it)
    if (full_match(it.key(), it.value(), name)) return it.key();
  return name;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string type_of(const ojson& info) {
  auto t = info.find("type");
  return t != info.end() && t->is_string() ? t->get<std::string>() : std::string();
}

std::vector<std::string> strings_of(const ojson& info, const char* key) {
  std::vector<std::string> out;
  auto l = info.find(key);
  if (l == info.end() || !l->is_array()) return out;
  for (const auto& v : *l)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string display_count(std::int64_t n, const char* what) {
  if (n <= 0) return {};
  return std::to_string(n) + " " + what + (n > 1 ? "s" : "");
}

}  // namespace

status check_config_against_project(const store::project& p, const store::project_summary& summary,
                                    const config::config_model& model, const ojson& parsed, bool strict) {
  if (p.task_number == 0) return status::success();
  if (model.data_keys().empty()) return status::success();
  if (summary.created_annotations.empty() && summary.created_labels.empty() && summary.created_labels_drafts.empty())
    return status::success();
  if (!parsed.is_object() || parsed.empty()) return status::success();

  // Result tuples "from|to|type" of the new config.
  std::set<std::string> config_tuples, config_types;
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    std::string to;
    for (const auto& t : strings_of(it.value(), "to_name")) to += (to.empty() ? "" : ",") + t;
    std::string type = lower(type_of(it.value()));
    config_tuples.insert(it.key() + "|" + to + "|" + type);
    config_types.insert(type);
  }

  std::string diff;
  for (const auto& [tuple, count] : summary.created_annotations) {
    if (count <= 0 || config_tuples.count(tuple)) continue;
    auto first = tuple.find('|');
    auto last = tuple.rfind('|');
    if (first == std::string::npos || first == last) continue;
    std::string from = tuple.substr(0, first), to = tuple.substr(first + 1, last - first - 1),
                type = tuple.substr(last + 1);
    if (lower(type) == "textarea") continue;  // Label Studio skips it (DEV-1598)
    if (!control_matches(parsed, from) || !to_name_matches(parsed, to) || !config_types.count(type)) {
      if (!diff.empty()) diff += '\n';
      diff += std::to_string(count) + " with from_name=" + from + ", to_name=" + to + ", type=" + type;
    }
  }
  if (!diff.empty())
    return status(errc::invalid_argument,
                  "Created annotations are incompatible with provided labeling schema, we found:\n" + diff);

  // Labels per control in the config; controls whose labels come from the data.
  std::map<std::string, std::set<std::string>> config_labels;
  std::set<std::string> dynamic;
  bool has_video_rectangle = false;
  std::set<std::string> all_labels;
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    auto labels = strings_of(it.value(), "labels");
    if (!labels.empty()) config_labels[it.key()].insert(labels.begin(), labels.end());
    all_labels.insert(labels.begin(), labels.end());
    auto d = it.value().find("dynamic_labels");
    if (d != it.value().end() && d->is_boolean() && d->get<bool>()) dynamic.insert(it.key());
    if (type_of(it.value()) == "VideoRectangle") has_video_rectangle = true;
  }

  // Annotation and draft labels together, per control.
  std::map<std::string, std::map<std::string, std::int64_t>> used = summary.created_labels;
  for (const auto& [control, labels] : summary.created_labels_drafts)
    for (const auto& [label, n] : labels) used[control][label] += n;

  for (const auto& [control, labels] : used) {
    std::int64_t total = 0;
    for (const auto& [label, n] : labels) total += n > 0 ? n : 0;
    if (total == 0) continue;
    if (!config_labels.count(control) && !dynamic.count(control) && !control_matches(parsed, control))
      return status(errc::invalid_argument, "There are " + std::to_string(total) + " annotation(s) created with tag \"" +
                                                control + "\", you can't remove it");
    std::set<std::string> allowed;
    if (auto c = config_labels.find(original_from_name(parsed, control)); c != config_labels.end()) allowed = c->second;
    // VideoRectangle has no labels of its own: labels of any control count (DEV-1990).
    if (has_video_rectangle) allowed.insert(all_labels.begin(), all_labels.end());
    std::string lines;
    for (const auto& [label, n] : labels) {
      if (n <= 0 || allowed.count(label)) continue;
      auto a = summary.created_labels.count(control) ? summary.created_labels.at(control) : std::map<std::string, std::int64_t>{};
      auto d = summary.created_labels_drafts.count(control) ? summary.created_labels_drafts.at(control)
                                                            : std::map<std::string, std::int64_t>{};
      std::string shown = display_count(a.count(label) ? a.at(label) : 0, "annotation");
      std::string drafts = display_count(d.count(label) ? d.at(label) : 0, "draft");
      if (!drafts.empty()) shown += (shown.empty() ? "" : ", ") + drafts;
      if (!shown.empty()) lines += label + " (" + shown + ")\n";
    }
    if (lines.empty()) continue;
    if (strict && !dynamic.count(control) && !control_matches(parsed, control, &dynamic))
      return status(errc::invalid_argument, "These labels still exist in annotations or drafts:\n" + lines +
                                                "Please add labels to tag with name=\"" + control + "\".");
    spdlog::info("project_id={} inconsistent labels in config and annotations: {}", p.id, lines);
  }
  return status::success();
}

bool config_essential_data_has_changed(const ojson& new_parsed, const ojson& old_parsed) {
  if (!new_parsed.is_object()) return false;
  for (auto it = new_parsed.begin(); it != new_parsed.end(); ++it) {
    if (!old_parsed.is_object() || !old_parsed.contains(it.key())) return true;
    const ojson& old_info = old_parsed.at(it.key());
    if (type_of(it.value()) != type_of(old_info)) return true;
    ojson ni = it.value().contains("inputs") ? it.value().at("inputs") : ojson();
    ojson oi = old_info.contains("inputs") ? old_info.at("inputs") : ojson();
    if (ni != oi) return true;
    auto nl = strings_of(it.value(), "labels");
    std::set<std::string> now(nl.begin(), nl.end());
    for (const auto& l : strings_of(old_info, "labels"))
      if (!now.count(l)) return true;
  }
  return false;
}

}  // namespace annot::host::api
