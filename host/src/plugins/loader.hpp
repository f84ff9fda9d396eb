// The plugin loader: scans the plugins folder, checks each plugin's handshake in a fixed order,
// runs its registration transactionally, and hands back a frozen registry with the refusals.
#pragma once

#include <annot/plugin.h>

#include <annot/status.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/registry.hpp"

namespace annot::host::plugins {

struct load_options {
  std::filesystem::path plugins_dir;  // each subfolder <name>/ holds annot_<name>.so and maybe ui/
  std::filesystem::path data_dir;     // host_services::data_dir() is <data_dir>/plugins/<name>
  bool strict = false;                // any refusal makes load_report::error an error
  // Whether ui/ folders are read into memory (UI bundles, starters' sample media). Commands that
  // serve nothing (annot export) skip them: the bundles are still recorded and checked
  // against the registry, but ui_record::files stays null and no sample files are kept.
  bool read_ui = true;
  // Just these plugin folders of plugins_dir, loaded in this order, instead of every one: for a
  // command that needs a few (annot export, through plugin_index). finish() then skips the check
  // of references between plugins' tags, which needs them all.
  std::optional<std::vector<std::string>> only;
};

struct load_report {
  std::filesystem::path plugins_dir;
  std::shared_ptr<const registry> plugins;  // frozen; also lists the refusals
  // Success, unless `strict` was set and something was refused: then the first refusal's reason
  // (and how many more there were), for the caller to print before exiting non-zero.
  annot::status error;

  const std::vector<refusal>& refused() const noexcept { return plugins->refusals(); }
};

// A plugin linked into the process instead of loaded from a file: tests and fuzzers fill a registry
// from the plugins' static libraries this way (declare the entry with ANNOT_DECLARE_STATIC_PLUGIN).
struct static_plugin {
  std::string name;  // the name it must declare, as the entry symbol says
  annot_plugin_entry_fn entry = nullptr;
  std::filesystem::path folder;  // where its ui/ lives; empty: the UI bundle is recorded, not served
};

// One loading session, on one thread. Load folders and static plugins in any order, then finish().
// Libraries that were opened are never unloaded: they stay mapped for the life of the process,
// so nothing a plugin created can outlive its code.
class loader {
 public:
  explicit loader(load_options options);
  ~loader();
  loader(const loader&) = delete;
  loader& operator=(const loader&) = delete;

  // Every subfolder of options.plugins_dir, in sorted order (hidden ones skipped); or the folders
  // options.only names.
  void load_directory();
  // One plugin folder <dir>/<name>/ with annot_<name>.so.
  void load_folder(const std::filesystem::path& folder);
  // Registers a statically linked plugin through the same checks, from the magic onwards.
  void add_static(const static_plugin& plugin);

  // Freezes the registry and reports. The loader cannot be used afterwards.
  load_report finish();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// The usual start-up: load_directory() then finish().
load_report load_plugins(const load_options& options);

// Whether `name` can name a plugin (and so its folder and file): lower-case letters, digits, '_'.
bool is_plugin_name(std::string_view name) noexcept;

// The host's own SDK version and toolchain fingerprint, as plugins are checked against them.
std::string host_sdk_version();
std::string host_toolchain();

}  // namespace annot::host::plugins

// Declares a statically linked plugin's entry (at global scope) and names it for loader::add_static:
//   ANNOT_DECLARE_STATIC_PLUGIN(hello)
//   loader.add_static({"hello", &annot_plugin_hello_entry});
#define ANNOT_DECLARE_STATIC_PLUGIN(name) \
  extern "C" const annot_plugin_descriptor* annot_plugin_##name##_entry(void)
