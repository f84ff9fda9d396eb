// ABI fixture (registration): a data_type plugin that registers an exporter, which only exporter
// plugins may do. It ignores the error status and reports success: the host must refuse it anyway.
#include <annot/plugin.h>

#include <memory>

namespace annot::plugins::abi_broken_type_exporter {

class never_factory final : public exporter_factory {
 public:
  status applies_to(std::string_view, const export_config&) const noexcept override { return {}; }
  result<std::unique_ptr<exporter>> create(std::string_view) const noexcept override {
    return status(errc::unsupported, "fixture");
  }
};

status register_exporter_anyway(registrar& reg) {
  exporter_spec spec;
  spec.id = "abi_fixture";
  spec.formats.push_back({.name = "ABI_FIXTURE", .title = "ABI fixture", .file_name = "result.txt"});
  spec.factory = std::make_unique<never_factory>();
  (void)reg.add_exporter(std::move(spec));
  return status::success();
}

}  // namespace annot::plugins::abi_broken_type_exporter

ANNOT_PLUGIN(abi_broken_type_exporter, data_type, "1.0.0",
             "ABI fixture: a data_type plugin registering an exporter",
             annot::plugins::abi_broken_type_exporter::register_exporter_anyway)
