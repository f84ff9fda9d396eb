// The plugin index: what each plugin of a full load registered (tags and export formats), kept in the data
// folder so that `annot export` loads only the plugins one export needs: the exporter of the format and the
// owners of the config's tags (GStreamer's registry cache, for the same reason: start-up). Loading 3 of the
// default bundle's 19 plugins instead of all saves ~2 ms of every CLI export.
//
// It is trusted only while the host binary and the plugins folder are exactly as they were when it
// was written (folder_fingerprint): the same entries, each library with the same size,
// modification time, inode and change time. A plugin added, rebuilt or removed, or another host binary, makes
// it stale; the caller then loads every plugin, as without an index, and writes it again.
#pragma once

#include <annot/status.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/loader.hpp"
#include "plugins/registry.hpp"

namespace annot::host::plugins {

// The state an index depends on, as one text: the running executable and every entry of
// `plugins_dir` (name, kind, and for a plugin folder its library's size, mtime, inode and ctime). Costs one
// folder listing and a stat per plugin (~50 us for the default bundle).
std::string folder_fingerprint(const std::filesystem::path& plugins_dir);

// Immutable once made; any thread may read it.
class plugin_index {
 public:
  // What the admitted plugins of a full load registered. Refused plugins are not in it, so a name
  // only they would provide sends the caller back to a full load, which refuses them again.
  static plugin_index of(const registry& reg, std::string fingerprint);
  // The index in `file` when it exists, parses, and was written for `fingerprint`; else nothing.
  static std::optional<plugin_index> read(const std::filesystem::path& file, std::string_view fingerprint);
  // Written to a temporary file beside `file`, then renamed over it: a reader sees the old index
  // or the new one, never half of one.
  annot::status write(const std::filesystem::path& file) const;

  // The plugin folders (sorted) an export of `format` needs for `label_config`: the format's
  // exporter and the owner of every element of the config (which also owns the regions on it).
  // Nothing when the format or an element is unknown here, or the config is not XML:
  // a full load then gives the usual error.
  std::optional<std::vector<std::string>> plugins_for(std::string_view label_config,
                                                      std::string_view format) const;

  std::size_t plugin_count() const noexcept { return plugin_count_; }

 private:
  std::string fingerprint_;
  std::size_t plugin_count_ = 0;
  std::map<std::string, std::string, std::less<>> tag_owner_;     // lower-case tag -> plugin
  std::map<std::string, std::string, std::less<>> format_owner_;  // exportType -> plugin
};

// The element names of a labeling config, lower-cased (the registry's tag names ignore case);
// nothing when it is not XML.
std::optional<std::set<std::string>> config_tag_names(std::string_view label_config);

// The index's place in a data folder.
std::filesystem::path plugin_index_path(const std::filesystem::path& data_dir);

// After a full load: writes the index of `reg` into `data_dir` unless the one there is current.
// `fingerprint` is folder_fingerprint() taken before the load, so that a plugin replaced during
// the load makes the index stale rather than wrong. Best effort: a failure is logged (debug).
void keep_plugin_index(const registry& reg, std::string fingerprint, const std::filesystem::path& data_dir);

// The plugins an export of `format` needs on `label_config`: only those when the index in
// options.data_dir is current and knows every name (options.only is set to them), else every
// plugin, after which the index is written again (best effort: a read-only data folder only costs
// the next command the full load again). An empty `format` (a listing of every format) loads
// every plugin. A partial load that refuses anything is dropped for a full one, so the refusals
// and errors are always those of a full load.
load_report load_plugins_for_export(load_options options, std::string_view label_config,
                                    std::string_view format);

}  // namespace annot::host::plugins
