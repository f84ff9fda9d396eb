// plugin_index: which plugins an export needs, the index's round trip through its file, when it
// goes stale, and that the plugins it chooses see every starter config as the full bundle does.
#include "plugins/plugin_index.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "export/runner.hpp"
#include "plugins/loader.hpp"
#include "plugins/registry.hpp"
#include "store/model.hpp"

namespace {

namespace fs = std::filesystem;
using namespace annot::host;
using plugins::plugin_index;
using names = std::vector<std::string>;

const char* image_config =
    R"(<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels></View>)";
const char* text_config =
    R"(<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="PER"/></Labels></View>)";

struct scratch {
  fs::path dir = fs::temp_directory_path() / ("annot-plugin-index-" + std::to_string(::getpid()));
  scratch() { fs::create_directories(dir); }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// The default bundle, loaded once for the whole file.
const plugins::registry& bundle() {
  static const plugins::load_report report = [] {
    static scratch data;
    return plugins::load_plugins(
        {.plugins_dir = ANNOT_TEST_PLUGINS_DIR, .data_dir = data.dir, .read_ui = false});
  }();
  return *report.plugins;
}

plugins::load_report load_only(const names& only, const fs::path& data_dir) {
  plugins::load_options options{
      .plugins_dir = ANNOT_TEST_PLUGINS_DIR, .data_dir = data_dir, .read_ui = false};
  options.only = only;
  return plugins::load_plugins(options);
}

TEST(PluginIndex, ChoosesTheFormatsExporterAndTheOwnersOfTheConfigsTags) {
  ASSERT_TRUE(bundle().refusals().empty());
  const plugin_index index = plugin_index::of(bundle(), "fingerprint");
  EXPECT_EQ(index.plugin_count(), bundle().plugins().size());
  EXPECT_EQ(index.plugins_for(image_config, "JSON_MIN"), (names{"core", "image", "json_min"}));
  EXPECT_EQ(index.plugins_for(image_config, "COCO_WITH_IMAGES"), (names{"coco", "core", "image"}));
  EXPECT_EQ(index.plugins_for(text_config, "CONLL2003"), (names{"conll2003", "core", "text"}));
  // Tag names ignore case, as the config engine's do.
  EXPECT_EQ(index.plugins_for(R"(<view><TEXT name="t" value="$t"/></view>)", "JSON"),
            (names{"core", "json", "text"}));
  // Labels on Audio: the span's geometry belongs to the audio plugin, which owns <Audio>.
  EXPECT_EQ(
      index.plugins_for(
          R"(<View><Audio name="a" value="$a"/><Labels name="l" toName="a"><Label value="x"/></Labels></View>)",
          "ASR_MANIFEST"),
      (names{"asr_manifest", "audio", "core"}));
  // Whatever the index cannot answer goes to a full load, which gives the usual error.
  EXPECT_EQ(index.plugins_for(image_config, "NOPE"), std::nullopt);
  EXPECT_EQ(index.plugins_for(image_config, "json_min"), std::nullopt);  // exportTypes keep their case
  EXPECT_EQ(index.plugins_for(R"(<View><Nobody name="n"/></View>)", "JSON"), std::nullopt);
  EXPECT_EQ(index.plugins_for("<View><Text", "JSON"), std::nullopt);
  EXPECT_EQ(index.plugins_for("", "JSON"), std::nullopt);
}

TEST(PluginIndex, RoundTripsThroughItsFileAndRefusesAnotherFingerprintOrADamagedFile) {
  scratch s;
  const fs::path file = plugins::plugin_index_path(s.dir);
  const std::string fingerprint = plugins::folder_fingerprint(ANNOT_TEST_PLUGINS_DIR);
  const plugin_index index = plugin_index::of(bundle(), fingerprint);
  ASSERT_TRUE(index.write(file).ok());
  auto back = plugin_index::read(file, fingerprint);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->plugin_count(), index.plugin_count());
  for (const char* format : {"JSON", "JSON_MIN", "CSV", "COCO", "YOLO", "VOC", "CONLL2003", "SPACY"}) {
    EXPECT_EQ(back->plugins_for(image_config, format), index.plugins_for(image_config, format)) << format;
    EXPECT_EQ(back->plugins_for(text_config, format), index.plugins_for(text_config, format)) << format;
  }
  EXPECT_FALSE(plugin_index::read(file, fingerprint + "\nnew d 1 2"));
  EXPECT_FALSE(plugin_index::read(s.dir / "missing.json", fingerprint));
  // No temporary file is left beside it.
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(s.dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);

  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (std::size_t cut : {text.size() / 2, std::size_t{1}, std::size_t{0}}) {
    std::ofstream(file, std::ios::trunc) << text.substr(0, cut);
    EXPECT_FALSE(plugin_index::read(file, fingerprint)) << cut;
  }
  // The right fingerprint over a broken table is still refused.
  const nlohmann::json j = nlohmann::json::parse(text);
  nlohmann::json broken = j;
  broken["tags"] = 7;
  std::ofstream(file, std::ios::trunc) << broken.dump();
  EXPECT_FALSE(plugin_index::read(file, fingerprint));
  // So is an owner that is no plugin folder of the listing: its name would become a path to load.
  for (const char* owner : {"../text", "text/../image", "nobody", ""}) {
    nlohmann::json edited = j;
    edited["tags"]["text"] = owner;
    std::ofstream(file, std::ios::trunc) << edited.dump();
    EXPECT_FALSE(plugin_index::read(file, fingerprint)) << owner;
    edited = j;
    edited["formats"]["JSON"] = owner;
    std::ofstream(file, std::ios::trunc) << edited.dump();
    EXPECT_FALSE(plugin_index::read(file, fingerprint)) << owner;
  }
  std::ofstream(file, std::ios::trunc) << j.dump();
  EXPECT_TRUE(plugin_index::read(file, fingerprint));
  // A file far larger than any index is not read at all, valid or not.
  std::ofstream(file, std::ios::trunc) << j.dump() << std::string(std::size_t{1} << 20, ' ');
  EXPECT_FALSE(plugin_index::read(file, fingerprint));
}

TEST(PluginIndex, FingerprintChangesWithEveryPluginAddedRebuiltOrRemoved) {
  scratch s;
  // Folders named after the bundle's plugins, with stand-ins for their libraries: the fingerprint
  // only looks at names, sizes and times.
  const fs::path dir = s.dir / "plugins";
  auto library = [&](const std::string& name) { return dir / name / ("annot_" + name + ".so"); };
  for (const auto& p : bundle().plugins()) {
    fs::create_directories(dir / p.name);
    std::ofstream(library(p.name)) << "not really a library";
  }
  const std::string first = plugins::folder_fingerprint(dir);
  EXPECT_EQ(plugins::folder_fingerprint(dir), first);
  EXPECT_NE(first.find("\ncore d 20 "), std::string::npos) << first;
  // The same folder through another spelling of its path is the same folder.
  EXPECT_EQ(plugins::folder_fingerprint(dir / "core" / ".."), first);

  const plugin_index index = plugin_index::of(bundle(), first);
  const fs::path file = plugins::plugin_index_path(s.dir);
  ASSERT_TRUE(index.write(file).ok());
  ASSERT_TRUE(plugin_index::read(file, plugins::folder_fingerprint(dir)));

  std::vector<std::string> seen{first};
  auto changed = [&](const char* what) {
    const std::string now = plugins::folder_fingerprint(dir);
    for (const std::string& before : seen) EXPECT_NE(now, before) << what;
    EXPECT_FALSE(plugin_index::read(file, now)) << what;
    seen.push_back(now);
  };
  // Rebuilt in place with the same size: only the time differs.
  fs::last_write_time(library("image"), fs::last_write_time(library("image")) + std::chrono::seconds(1));
  changed("image's mtime");
  std::ofstream(library("image"), std::ios::app) << "!";
  changed("image's size");
  // Replaced by a copy that kept its size and mtime (cp -p): another inode, another change time.
  const fs::path copy = dir / "image" / "copy.tmp";
  fs::copy_file(library("image"), copy);
  fs::last_write_time(copy, fs::last_write_time(library("image")));
  fs::rename(copy, library("image"));
  changed("image replaced by a copy with its size and mtime");
  fs::create_directories(dir / "gamma");
  changed("an empty new folder");
  std::ofstream(library("gamma")) << "x";
  changed("gamma's library");
  std::ofstream(dir / "stray.so") << "x";
  changed("a file beside the folders");
  fs::remove_all(dir / "text");
  changed("text removed");
  // Hidden entries are skipped by the loader, so by the fingerprint too.
  const std::string before_hidden = plugins::folder_fingerprint(dir);
  fs::create_directories(dir / ".cache");
  EXPECT_EQ(plugins::folder_fingerprint(dir), before_hidden);
  fs::remove_all(dir);
  changed("the folder removed");
}

TEST(PluginIndex, ALoadOfTheChosenPluginsRegistersWhatTheFullLoadDid) {
  scratch s;
  const plugin_index index = plugin_index::of(bundle(), "f");
  auto only = index.plugins_for(image_config, "JSON_MIN");
  ASSERT_TRUE(only);
  auto some = load_only(*only, s.dir);
  EXPECT_TRUE(some.refused().empty());
  const plugins::registry& reg = *some.plugins;
  ASSERT_EQ(reg.plugins().size(), 3u);
  EXPECT_EQ(reg.export_formats().names(), names{"JSON_MIN"});
  for (const config::tag_entry* tag : reg.tags().tags()) {
    const config::tag_entry* full = bundle().tags().find_tag(tag->name());
    ASSERT_NE(full, nullptr) << tag->name();
    EXPECT_EQ(full->owner, tag->owner);
  }
  EXPECT_NE(reg.tags().find_tag("RectangleLabels"), nullptr);
  EXPECT_EQ(reg.tags().find_tag("Text"), nullptr);
}

// Every starter config of the bundle, with every format: the chosen plugins decide whether the
// format applies and compute Label Studio's parsed config exactly as the whole bundle does.
TEST(PluginIndex, EveryStarterConfigSeesTheSameFormatsAndParsedConfigThroughTheChosenPlugins) {
  scratch s;
  const plugins::registry& full = bundle();
  const plugin_index index = plugin_index::of(full, "f");
  std::map<names, plugins::load_report> loads;  // one load per distinct choice
  std::size_t checked = 0, applying = 0;
  for (const auto& starter : full.starters()) {
    store::project p;
    p.label_config = starter.starter.config;
    for (const std::string& format : full.export_formats().names()) {
      auto only = index.plugins_for(p.label_config, format);
      ASSERT_TRUE(only) << starter.starter.title << " " << format;
      auto [it, fresh] = loads.try_emplace(*only);
      if (fresh) it->second = load_only(*only, s.dir);
      ASSERT_TRUE(it->second.refused().empty()) << starter.starter.title;
      const plugins::registry& some = *it->second.plugins;
      auto f_full = exporting::find_format(full, format);
      auto f_some = exporting::find_format(some, format);
      ASSERT_TRUE(f_full.ok() && f_some.ok()) << format;
      const annot::status a = exporting::applies(*f_full, exporting::config_of(full, p)),
                          b = exporting::applies(*f_some, exporting::config_of(some, p));
      EXPECT_EQ(a.ok(), b.ok()) << starter.starter.title << " " << format;
      EXPECT_EQ(a.message(), b.message()) << starter.starter.title << " " << format;
      applying += a.ok();
      ++checked;
    }
    for (const auto& [only, report] : loads) {
      if (index.plugins_for(p.label_config, "JSON") != only) continue;
      EXPECT_EQ(exporting::config_of(*report.plugins, p).parsed_config,
                exporting::config_of(full, p).parsed_config)
          << starter.starter.title;
    }
  }
  EXPECT_GT(full.starters().size(), 10u);
  EXPECT_GT(applying, 0u);
  EXPECT_LT(loads.size(), checked);
}

}  // namespace
