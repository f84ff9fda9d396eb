// register_static_plugin: an annot::registrar over a tag_catalog for plugins linked into the binary.
#include "config/static_registrar.hpp"

#include <cstdio>
#include <string>

namespace annot::host::config {
namespace {

class quiet_services final : public annot::host_services {
 public:
  void log(annot::log_level level, std::string_view message) noexcept override {
    if (level >= annot::log_level::warn) std::fprintf(stderr, "plugin: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  annot::result<std::string> data_dir() override {
    return annot::status(annot::errc::unsupported, "statically registered plugins have no data directory");
  }
};

class static_registrar final : public annot::registrar {
 public:
  static_registrar(tag_catalog& catalog, std::string name) : catalog_(catalog), name_(std::move(name)) {}
  std::string_view plugin_name() const noexcept override { return name_; }
  annot::host_services& services() noexcept override { return services_; }
  annot::status add_ui_bundle(const annot::ui_bundle&) override { return {}; }
  void report_failure(std::string_view message) noexcept override {
    try {
      failure_ = std::string(message);
    } catch (...) {
    }
  }
  annot::status add_object_tag(annot::object_tag_spec spec) override {
    return catalog_.stage_object_tag(name_, std::move(spec));
  }
  annot::status add_control_tag(annot::control_tag_spec spec) override {
    return catalog_.stage_control_tag(name_, std::move(spec));
  }
  annot::status add_visual_tag(annot::visual_tag_spec spec) override {
    return catalog_.stage_visual_tag(name_, std::move(spec));
  }
  annot::status add_region(annot::region_spec spec) override { return catalog_.stage_region(name_, std::move(spec)); }
  // The tag catalog holds no exporters: linked exporters are registered through the plugin loader.
  annot::status add_exporter(annot::exporter_spec) override {
    return {annot::errc::unsupported, "exporters are not registered into a tag catalog"};
  }
  // Starters are gallery entries, not tags: a catalog has no use for them.
  annot::status add_starter_config(const annot::starter_config&) override { return {}; }
  const std::string& failure() const noexcept { return failure_; }

 private:
  tag_catalog& catalog_;
  std::string name_;
  std::string failure_;
  quiet_services services_;
};

}  // namespace

annot::status register_static_plugin(tag_catalog& catalog, const annot_plugin_descriptor* d) {
  if (!d || !d->name || !d->register_fn) return {annot::errc::invalid_argument, "not a plugin descriptor"};
  static_registrar reg(catalog, d->name);
  annot::registrar& base = reg;
  int rc = d->register_fn(reinterpret_cast<annot_registrar*>(&base));
  if (rc != 0) {
    catalog.rollback(d->name);
    return {annot::errc::failed_precondition, "plugin '" + std::string(d->name) + "' failed to register: " +
                                                  (reg.failure().empty() ? "no reason given" : reg.failure())};
  }
  catalog.commit(d->name);
  return {};
}

}  // namespace annot::host::config
