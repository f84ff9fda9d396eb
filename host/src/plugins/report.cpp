// The JSON and text listings of the plugin registry: loaded plugins, what they registered, refusals.
#include "plugins/report.hpp"

namespace annot::host::plugins {

namespace {

nlohmann::json ui_json(const ui_record& ui) {
  nlohmann::json imports = nlohmann::json::object();
  for (const auto& [specifier, url] : ui.imports) imports[specifier] = url;
  return {{"module", ui.module}, {"styles", ui.styles}, {"imports", std::move(imports)}};
}

}  // namespace

nlohmann::json registered_json(const registry& reg, std::string_view plugin) {
  nlohmann::json out = nlohmann::json::object();
  if (const ui_record* ui = reg.ui_bundles().find(plugin)) out["ui_bundle"] = ui->module;
  for (const config::tag_entry* e : reg.tags().tags()) {
    if (e->owner != plugin) continue;
    out[std::string(config::to_string(e->role)) + "_tags"].push_back(e->name());
    // A plugin registers regions only on its own object tags.
    for (const config::region_entry* r : reg.tags().regions_of(e->name())) {
      out["regions"].push_back("(" + r->spec.object_tag + ", " + r->spec.result_type + ")");
    }
  }
  return out;
}

nlohmann::json plugins_json(const registry& reg) {
  nlohmann::json plugins = nlohmann::json::array();
  for (const plugin_record& p : reg.plugins()) {
    const ui_record* ui = reg.ui_bundles().find(p.name);
    plugins.push_back({{"name", p.name},
                       {"kind", to_string(p.kind)},
                       {"version", p.version},
                       {"description", p.description},
                       {"file", p.file},
                       {"sdk_version", p.sdk_version},
                       {"toolchain", p.toolchain},
                       {"registered", registered_json(reg, p.name)},
                       {"ui", ui ? ui_json(*ui) : nlohmann::json(nullptr)}});
  }
  nlohmann::json refused = nlohmann::json::array();
  for (const refusal& r : reg.refusals()) {
    refused.push_back({{"file", r.file},
                       {"name", r.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.name)},
                       {"stage", to_string(r.stage)},
                       {"reason", r.reason}});
  }
  return {{"sdk_version", host_sdk_version()},
          {"toolchain", host_toolchain()},
          {"plugins", std::move(plugins)},
          {"refused", std::move(refused)}};
}

std::string describe_plugins_text(const load_report& report) {
  const registry& reg = *report.plugins;
  std::string out = "Plugins in " + report.plugins_dir.string() + " (host SDK " + host_sdk_version() +
                    ", toolchain " + host_toolchain() + ")\n";
  for (const plugin_record& p : reg.plugins()) {
    out += "  loaded   " + p.name + " " + p.version + " (" + std::string(to_string(p.kind)) + ")";
    if (!p.description.empty()) out += ": " + p.description;
    out += "\n           " + p.file + "\n";
    if (const ui_record* ui = reg.ui_bundles().find(p.name)) out += "           UI " + ui->module + "\n";
  }
  for (const refusal& r : reg.refusals()) {
    out += "  refused  " + (r.name.empty() ? std::string("-") : r.name) + " (" +
           std::string(to_string(r.stage)) + "): " + r.reason + "\n           " + r.file + "\n";
  }
  out += std::to_string(reg.plugins().size()) + " loaded, " + std::to_string(reg.refusals().size()) +
         " refused\n";
  return out;
}

}  // namespace annot::host::plugins
