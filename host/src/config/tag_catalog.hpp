// tag_catalog: the name-keyed maps of every registered tag spec and region spec, with their owners.
#pragma once

#include <annot/regions.hpp>
#include <annot/status.hpp>
#include <annot/tags.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace annot::host::config {

enum class tag_role { object, control, visual };

std::string_view to_string(tag_role r) noexcept;

// One registered tag. Exactly one of object/control/visual is set, matching role.
struct tag_entry {
  tag_role role = tag_role::visual;
  std::string owner;  // the plugin that registered it
  std::unique_ptr<annot::object_tag_spec> object;
  std::unique_ptr<annot::control_tag_spec> control;
  std::unique_ptr<annot::visual_tag_spec> visual;

  const annot::tag_info& info() const noexcept;
  const std::string& name() const noexcept { return info().name; }
  // True when this tag lists `child` (ignoring case) among the tags that belong inside it.
  bool lists_child(std::string_view child) const noexcept;
};

// One registered region geometry, keyed by (object tag, result type).
struct region_entry {
  std::string owner;
  annot::region_spec spec;
};

// Registration is transactional per plugin: stage_*() puts a spec aside (checked against everything
// committed and staged), commit() makes a plugin's staged specs visible, rollback() drops them. It
// happens on the start-up thread; after freeze() the catalog is read-only and lookups need no lock.
//
// Glue for annot::registrar (host/src/plugins/): a data_type plugin's add_object_tag(spec) forwards
// to stage_object_tag(plugin_name, std::move(spec)) (likewise control/visual/region); when its
// register function succeeded the loader calls commit(plugin_name), otherwise rollback(plugin_name).
class tag_catalog {
 public:
  tag_catalog();
  ~tag_catalog();
  tag_catalog(const tag_catalog&) = delete;
  tag_catalog& operator=(const tag_catalog&) = delete;

  annot::status stage_object_tag(std::string_view plugin, annot::object_tag_spec spec);
  annot::status stage_control_tag(std::string_view plugin, annot::control_tag_spec spec);
  annot::status stage_visual_tag(std::string_view plugin, annot::visual_tag_spec spec);
  annot::status stage_region(std::string_view plugin, annot::region_spec spec);
  void commit(std::string_view plugin);
  void rollback(std::string_view plugin);
  // No registration afterwards (stage_* returns failed_precondition).
  void freeze() noexcept { frozen_ = true; }
  bool frozen() const noexcept { return frozen_; }

  // A committed tag by name, ignoring case; nullptr when none.
  const tag_entry* find_tag(std::string_view name) const noexcept;
  // As find_tag, or not_found: "no installed plugin provides <Foo>; installed: A, B, ...".
  annot::result<const tag_entry*> lookup_tag(std::string_view name) const;
  // The region for (object tag, result type), falling back to (object tag, "*"); nullptr when none.
  const region_entry* find_region(std::string_view object_tag, std::string_view result_type) const noexcept;
  // Every region registered on an object tag, in registration order.
  std::vector<const region_entry*> regions_of(std::string_view object_tag) const;

  // Committed tags sorted by name (case-insensitively); for listings and error messages.
  std::vector<const tag_entry*> tags() const;
  // "A, B, C": every committed tag name, sorted.
  std::string tag_names() const;
  // Committed tags that list `child` among their children (the parents a child_only tag needs).
  std::vector<const tag_entry*> parents_of(std::string_view child) const;
  std::size_t size() const noexcept { return tags_.size(); }

 private:
  struct pending;
  annot::status check_name(std::string_view plugin, const std::string& name, std::string_view what) const;
  annot::status stage_tag(std::string_view plugin, std::unique_ptr<tag_entry> entry);

  // Transparent hashing: lookups by string_view allocate nothing (they run once per config element).
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  template <class T>
  using name_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

  name_map<std::unique_ptr<tag_entry>> tags_;        // key: lower-case name
  name_map<std::unique_ptr<region_entry>> regions_;  // key: lower(tag) '\n' type
  std::vector<const region_entry*> region_order_;
  std::unique_ptr<pending> pending_;
  bool frozen_ = false;
};

// Lower-cases ASCII letters.
std::string lower(std::string_view s);

}  // namespace annot::host::config
