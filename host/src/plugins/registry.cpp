// The plugin registry: loaded plugins, their per-interface tables, refusals, and the freeze.
#include "plugins/registry.hpp"

#include <stdexcept>

namespace annot::host::plugins {

std::string_view to_string(refusal_stage stage) noexcept {
  switch (stage) {
    case refusal_stage::scan:
      return "scan";
    case refusal_stage::layout:
      return "layout";
    case refusal_stage::open:
      return "open";
    case refusal_stage::entry_symbol:
      return "entry_symbol";
    case refusal_stage::handshake:
      return "handshake";
    case refusal_stage::sdk_version:
      return "sdk_version";
    case refusal_stage::toolchain:
      return "toolchain";
    case refusal_stage::required_fields:
      return "required_fields";
    case refusal_stage::name:
      return "name";
    case refusal_stage::duplicate:
      return "duplicate";
    case refusal_stage::registration:
      return "registration";
  }
  return "unknown";
}

std::string_view to_string(plugin_kind kind) noexcept {
  switch (kind) {
    case plugin_kind::data_type:
      return "data_type";
    case plugin_kind::exporter:
      return "exporter";
    case plugin_kind::storage:
      return "storage";
  }
  return "unknown";
}

std::optional<plugin_kind> kind_from_value(std::uint32_t value) noexcept {
  switch (value) {
    case static_cast<std::uint32_t>(plugin_kind::data_type):
      return plugin_kind::data_type;
    case static_cast<std::uint32_t>(plugin_kind::exporter):
      return plugin_kind::exporter;
    case static_cast<std::uint32_t>(plugin_kind::storage):
      return plugin_kind::storage;
    default:
      return std::nullopt;
  }
}

registry::registry()
    : ui_bundles_("UI bundle"), exporters_("exporter"), export_formats_("export format"),
      starter_titles_("starter config"),
      tags_(std::make_unique<config::tag_catalog>()) {}
registry::~registry() = default;

const plugin_record* registry::find(std::string_view name) const noexcept {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &plugins_[it->second];
}

result<const plugin_record*> registry::plugin(std::string_view name) const {
  if (const plugin_record* p = find(name)) return p;
  std::string message = "no plugin named '" + std::string(name) + "' is loaded; loaded: ";
  if (by_name_.empty()) message += "none";
  bool first = true;
  for (const auto& [key, index] : by_name_) {
    if (!first) message += ", ";
    message += key;
    first = false;
  }
  return status(errc::not_found, std::move(message));
}

void registry::check_mutable(const char* what) const {
  // The registry is read without locks once frozen; a late write would be a data race.
  if (frozen_)
    throw std::logic_error(std::string("plugin registry: ") + what + " after the registry was frozen");
}

status registry::commit(staged_plugin staged) {
  check_mutable("commit");
  const std::string& name = staged.record.name;
  // Check every name first, so a refusal leaves every table as it was.
  status free = status::success();
  if (const plugin_record* other = find(name)) {
    free = status(errc::already_exists, "plugin name '" + name + "' is already taken by " + other->file);
  } else if (staged.ui) {
    free = ui_bundles_.check_free(name, name);
  }
  for (const exporter_record& e : staged.exporters) {
    if (!free.ok()) break;
    free = exporters_.check_free(e.id, name);
    for (const annot::export_format& f : e.formats)
      if (free.ok()) free = export_formats_.check_free(f.name, name);
  }
  for (const annot::starter_config& s : staged.starters)
    if (free.ok()) free = starter_titles_.check_free(s.title, name);
  if (!free.ok()) {
    tags_->rollback(name);
    return free;
  }
  // The catalog checked the staged tags and regions against everything committed when they were
  // staged, and nothing was committed since, so from here on nothing can fail.
  if (staged.ui) (void)ui_bundles_.add(name, name, std::move(*staged.ui));
  for (exporter_record& e : staged.exporters) {
    for (std::size_t i = 0; i < e.formats.size(); ++i)
      (void)export_formats_.add(e.formats[i].name, name, export_format_ref{e.id, i});
    std::string id = e.id;
    (void)exporters_.add(std::move(id), name, std::move(e));
  }
  for (annot::starter_config& s : staged.starters) {
    (void)starter_titles_.add(s.title, name, starters_.size());
    starters_.push_back(starter_record{name, std::move(s)});
  }
  if (staged.sample_files) sample_files_.emplace(name, std::move(staged.sample_files));
  tags_->commit(name);
  by_name_.emplace(name, plugins_.size());
  plugins_.push_back(std::move(staged.record));
  return status::success();
}

void registry::rollback(std::string_view plugin) {
  check_mutable("rollback");
  tags_->rollback(plugin);
}

config::tag_catalog& registry::staging_tags() {
  check_mutable("staging_tags");
  return *tags_;
}

void registry::freeze() noexcept {
  frozen_ = true;
  tags_->freeze();
}

void registry::refuse(refusal r) {
  check_mutable("refuse");
  refusals_.push_back(std::move(r));
}

void registry::keep_alive(std::shared_ptr<void> object) {
  check_mutable("keep_alive");
  kept_.push_back(std::move(object));
}

}  // namespace annot::host::plugins
