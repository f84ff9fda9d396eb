// load_options::read_ui = false (annot export): the same plugins, UI bundles and starters are
// registered as with the default, but no ui/ folder is read into memory.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "plugins/loader.hpp"
#include "plugins/registry.hpp"

namespace {

namespace fs = std::filesystem;
using namespace annot::host::plugins;

std::vector<std::string> plugin_names(const registry& reg) {
  std::vector<std::string> out;
  for (const auto& p : reg.plugins()) out.push_back(p.name);
  return out;
}

TEST(PluginLoaderReadUi, SkippingUiFoldersRegistersTheSameButReadsNothing) {
  const fs::path data = fs::temp_directory_path() / ("annot-read-ui-" + std::to_string(::getpid()));
  load_options served{.plugins_dir = ANNOT_TEST_PLUGINS_DIR, .data_dir = data};
  load_options cli = served;
  cli.read_ui = false;
  load_report with = load_plugins(served), without = load_plugins(cli);
  fs::remove_all(data);
  const registry &a = *with.plugins, &b = *without.plugins;
  ASSERT_FALSE(a.plugins().empty());
  EXPECT_TRUE(a.refusals().empty());
  EXPECT_TRUE(b.refusals().empty());
  EXPECT_EQ(plugin_names(a), plugin_names(b));
  EXPECT_EQ(a.ui_bundles().names(), b.ui_bundles().names());
  EXPECT_EQ(a.starters().size(), b.starters().size());
  EXPECT_EQ(a.export_formats().names(), b.export_formats().names());

  std::size_t read = 0;
  for (const auto& name : a.ui_bundles().names()) {
    const ui_record* served_ui = a.ui_bundles().find(name);
    const ui_record* cli_ui = b.ui_bundles().find(name);
    ASSERT_TRUE(served_ui && cli_ui) << name;
    EXPECT_EQ(served_ui->module, cli_ui->module);
    EXPECT_EQ(served_ui->dir, cli_ui->dir);
    if (!served_ui->dir.empty()) {
      ASSERT_TRUE(served_ui->files) << name;
      // The bundle's module is in memory when served...
      EXPECT_NE(served_ui->files->find(served_ui->module), nullptr) << served_ui->module;
      ++read;
    }
    // ...and nothing is read for the CLI.
    EXPECT_EQ(cli_ui->files, nullptr) << name;
  }
  EXPECT_GT(read, 0u);
  for (const auto& p : b.plugins()) EXPECT_EQ(b.sample_files(p.name), nullptr) << p.name;
}

}  // namespace
