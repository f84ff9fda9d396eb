// The category table (spec §1.7).
#include "export_support/categories.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace annot::plugins::export_support {

std::optional<std::int64_t> python_int(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\n')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n')) t.remove_suffix(1);
  bool negative = false;
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || t.front() == '_' || t.back() == '_') return std::nullopt;
  std::int64_t v = 0;
  char prev = 0;
  for (char c : t) {
    if (c == '_') {
      if (prev == '_') return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
      v = v * 10 + (c - '0');
    } else {
      return std::nullopt;
    }
    prev = c;
  }
  return negative ? -v : v;
}

category_table category_table::from_schema(const schema& s, annot::export_log* log) {
  category_table t;
  // Upstream appends an entry for every control's explicit label, so a label given a category in two
  // controls is listed twice, and its name maps to the last id (a dict, rewritten): find() looks from the
  // end.
  std::map<std::string, std::int64_t, std::less<>> explicit_ids;
  for (const auto& c : s.controls()) {
    std::set<std::string_view> seen;  // labels_attrs is a dict: a label repeated in one control counts once
    // labels_attrs is searched linearly by key: indexed once per control (thousands of labels).
    std::unordered_map<std::string_view, const json*> attrs_of;
    attrs_of.reserve(c.labels_attrs.size());
    for (auto it = c.labels_attrs.begin(); it != c.labels_attrs.end(); ++it) attrs_of.emplace(it.key(), &it.value());
    for (const auto& label : c.labels) {
      if (!seen.insert(label).second) continue;
      auto found = attrs_of.find(label);
      if (found == attrs_of.end() || !found->second->is_object()) continue;
      const json* attrs = found->second;
      auto cat = attrs->find("category");
      if (cat == attrs->end()) continue;
      std::optional<std::int64_t> id;
      if (cat->is_string()) id = python_int(cat->get<std::string>());
      else if (cat->is_number_integer()) id = cat->get<std::int64_t>();
      if (!id) {
        if (log) log->warn("label '" + label + "' has a category that is not an integer; ignored");
        continue;
      }
      t.push_back({*id, label});
      explicit_ids[label] = *id;
    }
  }
  // Only the ids the names kept count as used: an id a later control overrode is given out again (upstream).
  std::set<std::int64_t> used;
  for (const auto& [name, id] : explicit_ids) used.insert(id);
  std::set<std::string> others;  // std::string order is byte order = code point order for UTF-8
  for (const auto& c : s.controls())
    for (const auto& label : c.labels)
      if (!explicit_ids.count(label)) others.insert(label);
  std::int64_t next = 0;
  for (const auto& name : others) {
    while (used.count(next)) ++next;
    t.push_back({next, name});
    used.insert(next);
  }
  return t;
}

const category* category_table::find(std::string_view name) const noexcept {
  auto at = last_.find(name);
  return at == last_.end() ? nullptr : &list_[at->second];
}

void category_table::push_back(category c) {
  last_.insert_or_assign(c.name, list_.size());
  list_.push_back(std::move(c));
}

std::int64_t category_table::id_of(std::string_view name, bool* appended) {
  if (const category* c = find(name)) {
    if (appended) *appended = false;
    return c->id;
  }
  std::int64_t id = static_cast<std::int64_t>(list_.size());
  push_back({id, std::string(name)});
  if (appended) *appended = true;
  return id;
}

void category_table::remove(std::string_view name) {
  list_.erase(std::remove_if(list_.begin(), list_.end(), [&](const category& c) { return c.name == name; }),
              list_.end());
  last_.clear();
  for (std::size_t i = 0; i < list_.size(); ++i) last_.insert_or_assign(list_[i].name, i);
}

}  // namespace annot::plugins::export_support
