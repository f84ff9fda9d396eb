// The plugin registry: what the loaded plugins provide, one name-keyed table per interface; filled
// once by the loader, then frozen and read from any thread without locks.
#pragma once

#include <annot/exporter.hpp>
#include <annot/starter.hpp>
#include <annot/status.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/tag_catalog.hpp"
#include "http/static_files.hpp"
#include "plugins/refusal.hpp"

namespace annot::host::plugins {

// The host's view of annot_plugin_kind.
enum class plugin_kind : std::uint32_t { data_type = 1, exporter = 2, storage = 3 };

std::string_view to_string(plugin_kind kind) noexcept;
// The kind of a descriptor's `kind` field, or nothing when the value is not a known kind.
std::optional<plugin_kind> kind_from_value(std::uint32_t value) noexcept;

// A plugin's UI bundle as the web shell sees it: every path resolved to a URL under /plugins/<name>/.
struct ui_record {
  std::string module;                                        // "/plugins/hello/index.js"
  std::vector<std::string> styles;                           // "/plugins/hello/hello.css"
  std::vector<std::pair<std::string, std::string>> imports;  // bare specifier -> URL
  // The plugin's ui/ folder. Empty for a plugin registered statically without a folder: its bundle
  // is described but nothing is served.
  std::filesystem::path dir;
  // Every file of `dir`, read into memory when the plugin was admitted, served at /plugins/<name>/.
  // Null when `dir` is empty.
  std::shared_ptr<const http::static_files> files;
};

// One loaded plugin, as its descriptor declared it.
struct plugin_record {
  std::string name;
  plugin_kind kind = plugin_kind::data_type;
  std::string version;
  std::string description;
  std::string file;         // the library's path, or "<static annot_plugin_<name>_entry>"
  std::string sdk_version;  // the SDK the plugin was built against, "1.0.0"
  std::string toolchain;    // the plugin's toolchain fingerprint
};

// A name-keyed table of one interface (UI bundles now; exporters and storage connectors later; tags
// and regions live in config::tag_catalog, which has the editor's case rules). A name has one owner:
// a second registration is refused naming both plugins, and a failed lookup lists what exists
// (Envoy's registry).
template <class T>
class interface_table {
 public:
  struct entry {
    std::string name;    // as registered
    std::string plugin;  // the plugin that registered it
    T value;
  };
  using map_type = std::map<std::string, entry, std::less<>>;

  // `what` names one item in messages: "UI bundle", "exporter".
  explicit interface_table(std::string what) : what_(std::move(what)) {}

  const std::string& what() const noexcept { return what_; }
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  // In name order.
  typename map_type::const_iterator begin() const noexcept { return entries_.begin(); }
  typename map_type::const_iterator end() const noexcept { return entries_.end(); }

  const entry* find_entry(std::string_view name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  const T* find(std::string_view name) const {
    const entry* e = find_entry(name);
    return e ? &e->value : nullptr;
  }
  // The plugin that registered `name`, or nullptr.
  const std::string* owner(std::string_view name) const {
    const entry* e = find_entry(name);
    return e ? &e->plugin : nullptr;
  }

  // Like find(), but a miss is a not_found status that lists every registered name.
  result<const T*> lookup(std::string_view name) const {
    if (const T* value = find(name)) return value;
    std::string message = "no " + what_ + " named '" + std::string(name) + "'; registered: ";
    if (entries_.empty()) message += "none";
    bool first = true;
    for (const auto& [k, e] : entries_) {
      if (!first) message += ", ";
      message += e.name;
      first = false;
    }
    return status(errc::not_found, std::move(message));
  }

  // Registered names, in order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& [k, e] : entries_) out.push_back(e.name);
    return out;
  }

  // already_exists when `name` is taken, naming the plugin that holds it and the one asking.
  status check_free(std::string_view name, std::string_view plugin) const {
    const entry* e = find_entry(name);
    if (!e) return status::success();
    std::string holder = e->plugin == plugin ? "that same plugin" : "plugin '" + e->plugin + "'";
    return status(errc::already_exists, what_ + " '" + std::string(name) + "' of plugin '" +
                                            std::string(plugin) + "' is already registered by " + holder);
  }

  status add(std::string name, std::string plugin, T value) {
    if (status st = check_free(name, plugin); !st.ok()) return st;
    std::string key = name;
    entries_.emplace(std::move(key), entry{std::move(name), std::move(plugin), std::move(value)});
    return status::success();
  }

 private:
  std::string what_;
  map_type entries_;
};

// An exporter as registered (exporter.hpp): its formats, options and factory. The factory is
// shared so that format entries and the export runner can hold it without copying the spec.
struct exporter_record {
  std::string id;
  std::vector<annot::export_format> formats;
  annot::field_table options;
  std::shared_ptr<const annot::exporter_factory> factory;
};

// Where an exportType lives: the exporter id and the format's index in its formats.
struct export_format_ref {
  std::string exporter;
  std::size_t index = 0;
};

// A starter config (starter.hpp) as the gallery serves it, with the plugin that registered it.
struct starter_record {
  std::string plugin;
  annot::starter_config starter;  // sample_data checked to be a JSON object
};

// Everything one plugin's register function staged. The registry keeps all of it or nothing.
struct staged_plugin {
  plugin_record record;
  std::optional<ui_record> ui;
  std::vector<exporter_record> exporters;
  std::vector<annot::starter_config> starters;
  // The ui/ folder of a plugin with starters but no UI bundle (its sample media), else null.
  std::shared_ptr<const http::static_files> sample_files;
};

// Holds the loaded plugins, what each registered, and the refused ones with their reasons.
// Mutated only by the loader on the start-up thread; after freeze() it is immutable, so any number
// of threads read it without locks. A mutation after freeze() is a programming error and throws
// std::logic_error.
class registry {
 public:
  registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;
  ~registry();

  // Loaded plugins, in load order.
  const std::vector<plugin_record>& plugins() const noexcept { return plugins_; }
  const plugin_record* find(std::string_view name) const noexcept;
  // Like find(), but a miss is a not_found status listing the loaded plugins.
  result<const plugin_record*> plugin(std::string_view name) const;

  // Per-interface tables. UI bundles are keyed by plugin name (one bundle per plugin).
  const interface_table<ui_record>& ui_bundles() const noexcept { return ui_bundles_; }
  // Exporters by id, and their formats by exportType name ("COCO" -> coco, 0).
  const interface_table<exporter_record>& exporters() const noexcept { return exporters_; }
  const interface_table<export_format_ref>& export_formats() const noexcept { return export_formats_; }
  // Starter configs in commit order (plugin load order, then each plugin's registration order);
  // titles are unique.
  const std::vector<starter_record>& starters() const noexcept { return starters_; }
  // The ui/ files (sample media) of a plugin that registered starters but no UI bundle; null when
  // there are none. A plugin with a UI bundle serves its samples through ui_bundles().
  const http::static_files* sample_files(std::string_view plugin) const noexcept {
    auto it = sample_files_.find(plugin);
    return it == sample_files_.end() ? nullptr : it->second.get();
  }
  // Tags and regions, with the editor's rules (names ignore case; regions by (object tag, type)).
  const config::tag_catalog& tags() const noexcept { return *tags_; }

  // Plugins that were not loaded, in the order they were met.
  const std::vector<refusal>& refusals() const noexcept { return refusals_; }

  bool frozen() const noexcept { return frozen_; }

  // Adds the plugin and everything it staged, or nothing: fails (already_exists) when its name or
  // any name it registers is taken. Its tags and regions were staged in staging_tags() under its
  // name; they are committed with it.
  status commit(staged_plugin staged);
  // Drops a refused plugin's staged tags and regions.
  void rollback(std::string_view plugin);
  // Where the loader's registrar stages tags and regions; only before freeze().
  config::tag_catalog& staging_tags();
  void refuse(refusal r);
  // Keeps `object` alive as long as the registry: the host_services a plugin was handed may be
  // kept by it for the life of the process, even when the plugin was refused afterwards.
  void keep_alive(std::shared_ptr<void> object);
  void freeze() noexcept;

 private:
  void check_mutable(const char* what) const;

  std::vector<std::shared_ptr<void>> kept_;
  std::vector<plugin_record> plugins_;
  std::map<std::string, std::size_t, std::less<>> by_name_;
  interface_table<ui_record> ui_bundles_;
  interface_table<exporter_record> exporters_;
  interface_table<export_format_ref> export_formats_;
  interface_table<std::size_t> starter_titles_;  // title -> index in starters_
  std::vector<starter_record> starters_;
  std::map<std::string, std::shared_ptr<const http::static_files>, std::less<>> sample_files_;
  std::unique_ptr<config::tag_catalog> tags_;
  std::vector<refusal> refusals_;
  bool frozen_ = false;
};

}  // namespace annot::host::plugins
