// tag_catalog: staging, duplicate refusal naming both plugins, and case-insensitive lookups.
#include "config/tag_catalog.hpp"

#include <algorithm>
#include <utility>

namespace annot::host::config {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view to_string(tag_role r) noexcept {
  switch (r) {
    case tag_role::object: return "object";
    case tag_role::control: return "control";
    case tag_role::visual: return "visual";
  }
  return "unknown";
}

const annot::tag_info& tag_entry::info() const noexcept {
  switch (role) {
    case tag_role::object: return object->tag;
    case tag_role::control: return control->tag;
    case tag_role::visual: break;
  }
  return visual->tag;
}

bool tag_entry::lists_child(std::string_view child) const noexcept {
  for (const auto& c : info().children)
    if (annot::iequals(c, child)) return true;
  return false;
}

namespace {

std::string region_key(std::string_view object_tag, std::string_view result_type) {
  std::string k = lower(object_tag);
  k += '\n';
  k += result_type;
  return k;
}

bool valid_tag_name(std::string_view n) {
  if (n.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!alpha(n[0])) return false;
  for (char c : n)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-') return false;
  return true;
}

// A table a plugin gets wrong is refused at start-up, where the author sees it, not at first use.
annot::status check_fields(const annot::field_table& table, std::string_view where) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& f = table[i];
    if (f.name.empty())
      return {annot::errc::invalid_argument, std::string(where) + ": field #" + std::to_string(i) + " has no name"};
    if (f.type == annot::field_type::enumeration && f.allowed.empty())
      return {annot::errc::invalid_argument,
              std::string(where) + ": enumeration field '" + f.name + "' lists no allowed values"};
    for (std::size_t j = 0; j < i; ++j)
      if (annot::iequals(table[j].name, f.name))
        return {annot::errc::invalid_argument, std::string(where) + ": field '" + f.name + "' is listed twice"};
  }
  return {};
}

}  // namespace

struct tag_catalog::pending {
  struct tag_item {
    std::string plugin;
    std::string key;
    std::unique_ptr<tag_entry> entry;
  };
  struct region_item {
    std::string plugin;
    std::string key;
    std::unique_ptr<region_entry> entry;
  };
  std::vector<tag_item> tags;
  std::vector<region_item> regions;
};

tag_catalog::tag_catalog() : pending_(std::make_unique<pending>()) {}
tag_catalog::~tag_catalog() = default;

annot::status tag_catalog::check_name(std::string_view plugin, const std::string& name, std::string_view what) const {
  if (frozen_) return {annot::errc::failed_precondition, "the tag catalog is frozen; tags register at start-up only"};
  if (plugin.empty()) return {annot::errc::invalid_argument, "a tag must be registered by a named plugin"};
  if (!valid_tag_name(name) || name.size() >= 64)
    return {annot::errc::invalid_argument,
            std::string(what) + " name '" + name + "' is not a valid tag name (a letter, then letters, digits, '_' or '-'; under 64 characters)"};
  std::string key = lower(name);
  auto describe = [&](const std::string& owner, const std::string& existing) {
    return annot::status(annot::errc::already_exists,
                         "tag <" + name + "> is already registered by plugin '" + owner + "'" +
                             (existing != name ? " (as <" + existing + ">)" : std::string()) + "; plugin '" +
                             std::string(plugin) + "' cannot register it too");
  };
  if (auto it = tags_.find(key); it != tags_.end()) return describe(it->second->owner, it->second->name());
  for (const auto& p : pending_->tags)
    if (p.key == key) return describe(p.plugin, p.entry->name());
  return {};
}

annot::status tag_catalog::stage_tag(std::string_view plugin, std::unique_ptr<tag_entry> entry) {
  const auto& info = entry->info();
  if (auto st = check_name(plugin, info.name, "tag"); !st) return st;
  if (auto st = check_fields(info.attributes, "tag <" + info.name + ">"); !st) return st;
  for (const auto& c : info.children)
    if (!valid_tag_name(c))
      return {annot::errc::invalid_argument, "tag <" + info.name + "> lists an invalid child tag name '" + c + "'"};
  entry->owner = std::string(plugin);
  std::string key = lower(info.name);
  pending_->tags.push_back({std::string(plugin), std::move(key), std::move(entry)});
  return {};
}

annot::status tag_catalog::stage_object_tag(std::string_view plugin, annot::object_tag_spec spec) {
  if (spec.value_attributes.empty())
    return {annot::errc::invalid_argument, "object tag <" + spec.tag.name + "> names no value attribute"};
  auto e = std::make_unique<tag_entry>();
  e->role = tag_role::object;
  e->object = std::make_unique<annot::object_tag_spec>(std::move(spec));
  return stage_tag(plugin, std::move(e));
}

annot::status tag_catalog::stage_control_tag(std::string_view plugin, annot::control_tag_spec spec) {
  if (spec.result_types.empty())
    return {annot::errc::invalid_argument,
            "control tag <" + spec.tag.name + "> declares no result type (e.g. \"" + lower(spec.tag.name) + "\")"};
  if (spec.max_targets != 0 && spec.max_targets < spec.min_targets)
    return {annot::errc::invalid_argument, "control tag <" + spec.tag.name + "> allows fewer targets (max_targets " +
                                               std::to_string(spec.max_targets) + ") than it requires (min_targets " +
                                               std::to_string(spec.min_targets) + ")"};
  if (spec.payload != annot::payload_kind::none && spec.payload_key.empty())
    return {annot::errc::invalid_argument,
            "control tag <" + spec.tag.name + "> has a payload but no payload_key (e.g. \"labels\")"};
  auto e = std::make_unique<tag_entry>();
  e->role = tag_role::control;
  e->control = std::make_unique<annot::control_tag_spec>(std::move(spec));
  return stage_tag(plugin, std::move(e));
}

annot::status tag_catalog::stage_visual_tag(std::string_view plugin, annot::visual_tag_spec spec) {
  auto e = std::make_unique<tag_entry>();
  e->role = tag_role::visual;
  e->visual = std::make_unique<annot::visual_tag_spec>(std::move(spec));
  return stage_tag(plugin, std::move(e));
}

annot::status tag_catalog::stage_region(std::string_view plugin, annot::region_spec spec) {
  if (frozen_) return {annot::errc::failed_precondition, "the tag catalog is frozen; regions register at start-up only"};
  if (spec.result_type.empty())
    return {annot::errc::invalid_argument, "region on <" + spec.object_tag + "> has no result type"};
  // Only the object's owner says what a result means on it, so the object must be this plugin's.
  const tag_entry* object = nullptr;
  std::string okey = lower(spec.object_tag);
  for (const auto& p : pending_->tags)
    if (p.key == okey) object = p.entry.get();
  if (!object)
    if (auto it = tags_.find(okey); it != tags_.end()) object = it->second.get();
  if (!object)
    return {annot::errc::invalid_argument, "region (" + spec.object_tag + ", " + spec.result_type +
                                               "): no object tag <" + spec.object_tag +
                                               "> is registered; register the object tag before its regions"};
  if (object->role != tag_role::object)
    return {annot::errc::invalid_argument, "region (" + spec.object_tag + ", " + spec.result_type + "): <" +
                                               object->name() + "> is a " + std::string(to_string(object->role)) +
                                               " tag, not an object tag"};
  if (object->owner != plugin)
    return {annot::errc::invalid_argument, "region (" + spec.object_tag + ", " + spec.result_type + "): <" +
                                               object->name() + "> belongs to plugin '" + object->owner +
                                               "'; only its owner registers regions on it"};
  if (auto st = check_fields(spec.value_fields, "region (" + spec.object_tag + ", " + spec.result_type + ")"); !st)
    return st;
  std::string key = region_key(spec.object_tag, spec.result_type);
  auto dup = [&](const std::string& owner) {
    return annot::status(annot::errc::already_exists, "region (" + spec.object_tag + ", " + spec.result_type +
                                                          ") is already registered by plugin '" + owner +
                                                          "'; plugin '" + std::string(plugin) +
                                                          "' cannot register it too");
  };
  if (auto it = regions_.find(key); it != regions_.end()) return dup(it->second->owner);
  for (const auto& p : pending_->regions)
    if (p.key == key) return dup(p.plugin);
  spec.object_tag = object->name();  // the registered spelling, for listings
  auto e = std::make_unique<region_entry>();
  e->owner = std::string(plugin);
  e->spec = std::move(spec);
  pending_->regions.push_back({std::string(plugin), std::move(key), std::move(e)});
  return {};
}

void tag_catalog::commit(std::string_view plugin) {
  auto& pt = pending_->tags;
  for (auto it = pt.begin(); it != pt.end();) {
    if (it->plugin == plugin) {
      tags_.emplace(std::move(it->key), std::move(it->entry));
      it = pt.erase(it);
    } else {
      ++it;
    }
  }
  auto& pr = pending_->regions;
  for (auto it = pr.begin(); it != pr.end();) {
    if (it->plugin == plugin) {
      region_order_.push_back(it->entry.get());
      regions_.emplace(std::move(it->key), std::move(it->entry));
      it = pr.erase(it);
    } else {
      ++it;
    }
  }
}

void tag_catalog::rollback(std::string_view plugin) {
  std::erase_if(pending_->tags, [&](const auto& p) { return p.plugin == plugin; });
  std::erase_if(pending_->regions, [&](const auto& p) { return p.plugin == plugin; });
}

const tag_entry* tag_catalog::find_tag(std::string_view name) const noexcept {
  // Tag names are short: lower-case into a stack buffer and look up without allocating.
  char buf[64];
  if (name.size() >= sizeof buf) return nullptr;  // no registered name is that long (valid_tag_name + sanity)
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto it = tags_.find(std::string_view(buf, name.size()));
  return it == tags_.end() ? nullptr : it->second.get();
}

annot::result<const tag_entry*> tag_catalog::lookup_tag(std::string_view name) const {
  if (const tag_entry* e = find_tag(name)) return e;
  return annot::status(annot::errc::not_found, "no installed plugin provides <" + std::string(name) +
                                                   ">; installed: " + (tags_.empty() ? "none" : tag_names()));
}

const region_entry* tag_catalog::find_region(std::string_view object_tag, std::string_view result_type) const noexcept {
  if (auto it = regions_.find(region_key(object_tag, result_type)); it != regions_.end()) return it->second.get();
  if (auto it = regions_.find(region_key(object_tag, "*")); it != regions_.end()) return it->second.get();
  return nullptr;
}

std::vector<const region_entry*> tag_catalog::regions_of(std::string_view object_tag) const {
  std::vector<const region_entry*> out;
  for (const region_entry* r : region_order_)
    if (annot::iequals(r->spec.object_tag, object_tag)) out.push_back(r);
  return out;
}

std::vector<const tag_entry*> tag_catalog::tags() const {
  std::vector<std::pair<const std::string*, const tag_entry*>> keyed;
  keyed.reserve(tags_.size());
  for (const auto& [k, e] : tags_) keyed.emplace_back(&k, e.get());
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  std::vector<const tag_entry*> out;
  out.reserve(keyed.size());
  for (const auto& k : keyed) out.push_back(k.second);
  return out;
}

std::string tag_catalog::tag_names() const {
  std::string out;
  for (const tag_entry* e : tags()) {
    if (!out.empty()) out += ", ";
    out += e->name();
  }
  return out;
}

std::vector<const tag_entry*> tag_catalog::parents_of(std::string_view child) const {
  std::vector<const tag_entry*> out;
  for (const tag_entry* e : tags())
    if (e->lists_child(child)) out.push_back(e);
  return out;
}

}  // namespace annot::host::config
