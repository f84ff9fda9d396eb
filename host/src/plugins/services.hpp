// The host side of the SDK's registration interfaces: annot::host_services (logging, data folder)
// and annot::registrar (staging what a plugin registers, checked against its kind).
#pragma once

#include <annot/plugin.h>

#include <annot/registrar.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/registry.hpp"

namespace annot::host::plugins {

// One per plugin, owned by the registry (plugins may keep the reference for the life of the process).
// Thread-safe: log() goes through spdlog, data_dir() only creates a folder.
class plugin_services final : public annot::host_services {
 public:
  // `data_root` is the host's data directory; empty when none is configured (data_dir() then fails).
  plugin_services(std::string plugin_name, std::filesystem::path data_root);

  void log(annot::log_level level, std::string_view message) noexcept override;
  // <data_root>/plugins/<name>, created on demand, as an absolute path.
  annot::result<std::string> data_dir() override;

 private:
  std::string name_;
  std::filesystem::path data_root_;
};

// The registrar handed to one plugin's register function. Everything is staged here; the loader
// commits it to the registry only when the function succeeded and broke no rule of its kind.
class staging_registrar final : public annot::registrar {
 public:
  // `folder` holds the plugin's ui/; empty for a plugin registered statically without a folder.
  // Tags and regions are staged in `tags` under the plugin's name; the loader commits or rolls back.
  staging_registrar(std::string name, plugin_kind kind, std::filesystem::path folder,
                    plugin_services& services, config::tag_catalog& tags);

  std::string_view plugin_name() const noexcept override { return name_; }
  annot::host_services& services() noexcept override { return services_; }
  annot::status add_ui_bundle(const annot::ui_bundle& bundle) override;
  void report_failure(std::string_view message) noexcept override;
  annot::status add_object_tag(annot::object_tag_spec spec) override;
  annot::status add_control_tag(annot::control_tag_spec spec) override;
  annot::status add_visual_tag(annot::visual_tag_spec spec) override;
  annot::status add_region(annot::region_spec spec) override;
  annot::status add_exporter(annot::exporter_spec spec) override;
  annot::status add_starter_config(const annot::starter_config& starter) override;

  // The C handle passed to register_fn; plugin.h turns it back into this registrar.
  annot_registrar* handle() noexcept {
    return reinterpret_cast<annot_registrar*>(static_cast<annot::registrar*>(this));
  }

  // Messages given to report_failure().
  const std::vector<std::string>& failures() const noexcept { return failures_; }
  // Calls the plugin's kind may not make ("add_ui_bundle"). Any of them refuses the plugin, even
  // when it ignored the error status and reported success.
  const std::vector<std::string>& violations() const noexcept { return violations_; }
  // Names the plugin tried to take from another plugin (or twice): these refuse it as well.
  const std::vector<std::string>& conflicts() const noexcept { return conflicts_; }

  // Moves the staged UI bundle into `out` (tags and regions wait in the catalog).
  void take_staged(staged_plugin& out) {
    out.ui = std::move(ui_);
    out.exporters = std::move(exporters_);
    out.starters = std::move(starters_);
  }

 private:
  annot::status check_kind(plugin_kind allowed, const char* call);
  // Records a name clash: it refuses the plugin whatever the plugin does with the status.
  annot::status note_clash(const char* call, annot::status st);

  std::string name_;
  plugin_kind kind_;
  std::filesystem::path folder_;
  plugin_services& services_;
  std::vector<std::string> failures_;
  config::tag_catalog& tags_;
  std::vector<std::string> violations_;
  std::vector<std::string> conflicts_;
  std::optional<ui_record> ui_;
  std::vector<exporter_record> exporters_;
  std::vector<annot::starter_config> starters_;
};

}  // namespace annot::host::plugins
