// Plugin loader tests: one broken fixture per refusal step (tests/plugin_abi/), each refused with a
// stable message while the registry stays exactly as the valid plugin alone leaves it; plus the
// static-registration hook, strict mode, layout rules, the UI-bundle rules and the frozen registry.
#include <annot/plugin.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugins/loader.hpp"
#include "plugins/registry.hpp"
#include "plugins/report.hpp"

#ifndef ANNOT_TEST_ABI_PLUGINS_DIR
#error "tests/plugin_abi/CMakeLists.txt defines ANNOT_TEST_ABI_PLUGINS_DIR for this binary"
#endif

// The valid fixture, linked statically from its annot_plugin_abi_valid_static library.
ANNOT_DECLARE_STATIC_PLUGIN(abi_valid);

namespace fs = std::filesystem;
using namespace annot::host::plugins;

namespace {

const fs::path fixtures = ANNOT_TEST_ABI_PLUGINS_DIR;

// A fresh folder under the system temp dir, removed with everything in it at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("annot_plugin_loader_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A plugins folder holding copies of the named fixtures, as an operator would install them.
fs::path plugins_dir_with(const temp_dir& tmp, const std::vector<std::string>& names) {
  fs::path dir = tmp.path() / "plugins";
  fs::create_directories(dir);
  for (const auto& name : names) {
    fs::copy(fixtures / name, dir / name, fs::copy_options::recursive);
  }
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The registry's listing with the folder-dependent part of each path removed, so registries loaded
// from different folders compare equal when they hold the same things.
nlohmann::json normalized(const registry& reg, const fs::path& dir) {
  nlohmann::json j = plugins_json(reg);
  const std::string prefix = dir.string();
  for (auto& p : j["plugins"]) {
    std::string file = p["file"];
    if (file.rfind(prefix, 0) == 0) p["file"] = "<dir>" + file.substr(prefix.size());
  }
  return j["plugins"];
}

// Captures log lines for the duration of a test.
class log_capture {
 public:
  log_capture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("plugin_loader_test", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~log_capture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

const std::string host_sdk =
    std::to_string(ANNOT_SDK_VERSION_MAJOR) + "." + std::to_string(ANNOT_SDK_VERSION_MINOR);

}  // namespace

TEST(PluginLoader, ValidPluginLoadsRegistersLogsAndGetsItsDataFolder) {
  temp_dir tmp;
  fs::path dir = plugins_dir_with(tmp, {"abi_valid"});
  log_capture logs;
  load_report report = load_plugins({.plugins_dir = dir, .data_dir = tmp.path() / "data", .strict = true});

  ASSERT_TRUE(report.error.ok()) << report.error.message();
  const registry& reg = *report.plugins;
  EXPECT_TRUE(reg.frozen());
  EXPECT_TRUE(reg.refusals().empty());
  ASSERT_EQ(reg.plugins().size(), 1u);
  const plugin_record& p = reg.plugins()[0];
  EXPECT_EQ(p.name, "abi_valid");
  EXPECT_EQ(p.kind, plugin_kind::data_type);
  EXPECT_EQ(p.version, "1.2.3");
  EXPECT_EQ(p.description, "ABI fixture: a plugin that loads");
  EXPECT_EQ(p.file, (dir / "abi_valid" / "annot_abi_valid.so").string());
  EXPECT_EQ(p.sdk_version, ANNOT_SDK_VERSION_STRING);
  EXPECT_EQ(p.toolchain, ANNOT_TOOLCHAIN_FINGERPRINT);

  const ui_record* ui = reg.ui_bundles().find("abi_valid");
  ASSERT_NE(ui, nullptr);
  EXPECT_EQ(ui->module, "/plugins/abi_valid/index.js");
  EXPECT_EQ(ui->styles, std::vector<std::string>{"/plugins/abi_valid/abi_valid.css"});
  ASSERT_EQ(ui->imports.size(), 1u);
  EXPECT_EQ(ui->imports[0].first, "abi-valid/helpers");
  EXPECT_EQ(ui->imports[0].second, "/plugins/abi_valid/helpers.js");
  EXPECT_EQ(ui->dir, dir / "abi_valid" / "ui");

  // Tags and regions went to the catalog, with the editor's case rules.
  const auto* tag = reg.tags().find_tag("abidoc");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->name(), "AbiDoc");
  EXPECT_EQ(tag->owner, "abi_valid");
  const auto* region = reg.tags().find_region("AbiDoc", "labels");
  ASSERT_NE(region, nullptr);
  EXPECT_EQ(region->spec.geometry, "char_span");
  EXPECT_NE(region->spec.validator, nullptr);

  nlohmann::json registered = registered_json(reg, "abi_valid");
  EXPECT_EQ(registered["ui_bundle"], "/plugins/abi_valid/index.js");
  EXPECT_EQ(registered["object_tags"], nlohmann::json::array({"AbiDoc"}));
  EXPECT_EQ(registered["regions"], nlohmann::json::array({"(AbiDoc, labels)"}));

  // host_services: the data folder was created on demand, and the log line carries the plugin name.
  EXPECT_EQ(read_file(tmp.path() / "data" / "plugins" / "abi_valid" / "registered.txt"), "abi_valid\n");
  EXPECT_NE(logs.text().find("[plugin abi_valid] abi_valid registering"), std::string::npos) << logs.text();
  EXPECT_NE(logs.text().find("plugin abi_valid 1.2.3 (data_type) loaded from"), std::string::npos);
}

struct broken_case {
  std::string fixture;
  refusal_stage stage;
  std::vector<std::string> message_parts;  // stable substrings of the reason
  std::vector<std::string> staged_tags;    // tags it staged, which must not be in the registry
};

void PrintTo(const broken_case& c, std::ostream* os) {
  *os << c.fixture;
}

class BrokenPlugin : public ::testing::TestWithParam<broken_case> {};

TEST_P(BrokenPlugin, IsRefusedWithItsReasonAndLeavesTheRegistryUnchanged) {
  const broken_case& c = GetParam();

  // What the valid plugin alone leaves in a registry.
  temp_dir baseline_tmp;
  fs::path baseline_dir = plugins_dir_with(baseline_tmp, {"abi_valid"});
  load_report baseline =
      load_plugins({.plugins_dir = baseline_dir, .data_dir = baseline_tmp.path() / "data"});
  ASSERT_EQ(baseline.plugins->plugins().size(), 1u);

  temp_dir tmp;
  fs::path dir = plugins_dir_with(tmp, {c.fixture, "abi_valid"});
  load_report report = load_plugins({.plugins_dir = dir, .data_dir = tmp.path() / "data"});
  const registry& reg = *report.plugins;

  ASSERT_EQ(reg.refusals().size(), 1u) << plugins_json(reg).dump(2);
  const refusal& r = reg.refusals()[0];
  EXPECT_EQ(r.name, c.fixture);
  EXPECT_EQ(r.file.rfind((dir / c.fixture).string(), 0), 0u) << r.file;
  EXPECT_EQ(to_string(r.stage), to_string(c.stage)) << r.reason;
  for (const auto& part : c.message_parts) EXPECT_NE(r.reason.find(part), std::string::npos) << r.reason;

  // Unchanged: the same plugins, UI bundles, tags and regions as the valid plugin alone.
  EXPECT_EQ(normalized(reg, dir), normalized(*baseline.plugins, baseline_dir));
  EXPECT_EQ(reg.ui_bundles().names(), std::vector<std::string>{"abi_valid"});
  EXPECT_EQ(reg.tags().tag_names(), baseline.plugins->tags().tag_names());
  EXPECT_EQ(reg.tags().size(), baseline.plugins->tags().size());
  for (const auto& tag : c.staged_tags) EXPECT_EQ(reg.tags().find_tag(tag), nullptr) << tag;
  EXPECT_EQ(reg.find(c.fixture), nullptr);
  EXPECT_TRUE(report.error.ok()) << "not strict: a refusal is not an error";
}

INSTANTIATE_TEST_SUITE_P(
    AbiFixtures, BrokenPlugin,
    ::testing::Values(
        broken_case{
            "abi_broken_text",
            refusal_stage::open,
            {"the dynamic loader cannot open it: ", "annot_abi_broken_text.so", "invalid ELF header"}},
        broken_case{"abi_broken_no_library",
                    refusal_stage::layout,
                    {"folder 'abi_broken_no_library' holds no annot_abi_broken_no_library.so"}},
        broken_case{"abi_broken_no_entry",
                    refusal_stage::entry_symbol,
                    {"exports no annot_plugin_abi_broken_no_entry_entry; was it built with "
                     "ANNOT_PLUGIN(abi_broken_no_entry, ...)?"}},
        broken_case{"abi_broken_magic",
                    refusal_stage::handshake,
                    {"does not start with the Annot plugin magic (found 0x0123456789abcdef"}},
        broken_case{"abi_broken_sdk_major",
                    refusal_stage::sdk_version,
                    {"built for SDK " + std::to_string(ANNOT_SDK_VERSION_MAJOR + 1) +
                     ".0, this host has SDK " + host_sdk + ": rebuild the plugin against SDK " + host_sdk}},
        broken_case{"abi_broken_sdk_minor",
                    refusal_stage::sdk_version,
                    {"built for SDK " + std::to_string(ANNOT_SDK_VERSION_MAJOR) + "." +
                     std::to_string(ANNOT_SDK_VERSION_MINOR + 3) + ", this host has SDK " + host_sdk +
                     ": rebuild the plugin against SDK " + host_sdk}},
        broken_case{"abi_broken_toolchain",
                    refusal_stage::toolchain,
                    {"built for toolchain 'clang-99 libc++ cxx11abi=n/a",
                     std::string("this host has toolchain '") + ANNOT_TOOLCHAIN_FINGERPRINT + "'",
                     "rebuild the plugin with the host's toolchain"}},
        broken_case{"abi_broken_no_version",
                    refusal_stage::required_fields,
                    {"its descriptor has no version: fix the ANNOT_PLUGIN(...) line"}},
        // Claims abi_valid's name: refused for the name, before the duplicate check could let it
        // take the name from the real abi_valid (which sorts after it).
        broken_case{"abi_broken_name",
                    refusal_stage::name,
                    {"declares the name 'abi_valid', but its file is annot_abi_broken_name.so in folder "
                     "'abi_broken_name'"}},
        broken_case{"abi_broken_register_fails",
                    refusal_stage::registration,
                    {"its register function failed: fixture failure after staging a UI bundle, a tag and a region",
                     "nothing it registered was kept"},
                    {"AbiFailing"}},
        broken_case{"abi_broken_register_throws",
                    refusal_stage::registration,
                    {"registration threw an exception: fixture exception after staging a UI bundle and a tag",
                     "nothing it registered was kept"},
                    {"AbiThrowing"}},
        broken_case{"abi_broken_exporter_ui",
                    refusal_stage::registration,
                    {"an exporter plugin called add_ui_bundle(), which only data_type plugins may call"}},
        broken_case{"abi_broken_type_exporter",
                    refusal_stage::registration,
                    {"a data_type plugin called add_exporter(), which only exporter plugins may call"}},
        // Sorts after abi_valid, so the tag it wants is taken by then.
        broken_case{"abi_wants_valid_tag",
                    refusal_stage::registration,
                    {"add_object_tag: tag <abidoc> is already registered by plugin 'abi_valid' (as <AbiDoc>)",
                     "plugin 'abi_wants_valid_tag' cannot register it too", "nothing it registered was kept"},
                    {"AbiWanting"}}),
    [](const ::testing::TestParamInfo<broken_case>& info) { return info.param.fixture; });

TEST(PluginLoader, FullFixtureScanRefusesEveryBrokenPluginInSortedOrder) {
  load_report report = load_plugins({.plugins_dir = fixtures});
  const registry& reg = *report.plugins;
  ASSERT_EQ(reg.plugins().size(), 1u);
  EXPECT_EQ(reg.plugins()[0].name, "abi_valid");

  std::vector<std::string> refused;
  for (const auto& r : reg.refusals()) refused.push_back(r.name + ":" + std::string(to_string(r.stage)));
  EXPECT_EQ(refused,
            (std::vector<std::string>{
                "abi_broken_exporter_ui:registration", "abi_broken_magic:handshake", "abi_broken_name:name",
                "abi_broken_no_entry:entry_symbol", "abi_broken_no_library:layout",
                "abi_broken_no_version:required_fields", "abi_broken_register_fails:registration",
                "abi_broken_register_throws:registration", "abi_broken_sdk_major:sdk_version",
                "abi_broken_sdk_minor:sdk_version", "abi_broken_text:open", "abi_broken_toolchain:toolchain",
                "abi_broken_type_exporter:registration", "abi_wants_valid_tag:registration"}));

  nlohmann::json j = plugins_json(reg);
  EXPECT_EQ(j["sdk_version"], ANNOT_SDK_VERSION_STRING);
  EXPECT_EQ(j["toolchain"], ANNOT_TOOLCHAIN_FINGERPRINT);
  EXPECT_EQ(j["refused"].size(), 14u);
  EXPECT_EQ(j["refused"][0]["stage"], "registration");
  EXPECT_EQ(j["plugins"][0]["ui"]["module"], "/plugins/abi_valid/index.js");

  std::string text = describe_plugins_text(report);
  EXPECT_NE(text.find("loaded   abi_valid 1.2.3 (data_type): ABI fixture: a plugin that loads"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("refused  abi_broken_magic (handshake): "), std::string::npos) << text;
  EXPECT_NE(text.find("1 loaded, 14 refused"), std::string::npos) << text;
}

TEST(PluginLoader, StrictTurnsAnyRefusalIntoAnError) {
  load_report report = load_plugins({.plugins_dir = fixtures, .strict = true});
  ASSERT_FALSE(report.error.ok());
  EXPECT_EQ(report.error.code(), annot::errc::failed_precondition);
  EXPECT_NE(
      report.error.message().find("plugin abi_broken_exporter_ui refused (registration): an exporter plugin"),
      std::string::npos)
      << report.error.message();
  EXPECT_NE(report.error.message().find("(and 13 more refused)"), std::string::npos);
  // The report is still complete, for the caller to print.
  EXPECT_EQ(report.plugins->plugins().size(), 1u);

  temp_dir tmp;
  load_report clean = load_plugins({.plugins_dir = plugins_dir_with(tmp, {"abi_valid"}), .strict = true});
  EXPECT_TRUE(clean.error.ok()) << clean.error.message();
}

TEST(PluginLoader, StaticDuplicateIsRefusedNamingBothFiles) {
  temp_dir tmp;
  fs::path dir = plugins_dir_with(tmp, {"abi_valid"});
  loader l({.plugins_dir = dir});
  l.add_static(
      {.name = "abi_valid", .entry = &annot_plugin_abi_valid_entry, .folder = fixtures / "abi_valid"});
  l.load_directory();
  load_report report = l.finish();
  const registry& reg = *report.plugins;

  ASSERT_EQ(reg.plugins().size(), 1u);
  EXPECT_EQ(reg.plugins()[0].file, "<static annot_plugin_abi_valid_entry>");
  ASSERT_EQ(reg.refusals().size(), 1u);
  const refusal& r = reg.refusals()[0];
  EXPECT_EQ(r.stage, refusal_stage::duplicate);
  const std::string so = (dir / "abi_valid" / "annot_abi_valid.so").string();
  EXPECT_EQ(r.file, so);
  EXPECT_NE(
      r.reason.find("plugin name 'abi_valid' is already taken by <static annot_plugin_abi_valid_entry>; "
                    "this copy is " +
                    so + ": remove one of them"),
      std::string::npos)
      << r.reason;
  // The statically registered copy serves the fixture's ui/ and owns the tag.
  EXPECT_EQ(reg.ui_bundles().find("abi_valid")->dir, fixtures / "abi_valid" / "ui");
  EXPECT_EQ(reg.tags().find_tag("AbiDoc")->owner, "abi_valid");
}

TEST(PluginLoader, StaticPluginUnderAnotherNameIsRefusedForItsName) {
  loader l({});
  l.add_static({.name = "other_name", .entry = &annot_plugin_abi_valid_entry});
  load_report report = l.finish();
  ASSERT_EQ(report.refused().size(), 1u);
  EXPECT_EQ(report.refused()[0].stage, refusal_stage::name);
  EXPECT_NE(report.refused()[0].reason.find(
                "declares the name 'abi_valid', but it was linked in as annot_plugin_other_name_entry"),
            std::string::npos)
      << report.refused()[0].reason;
  EXPECT_TRUE(report.plugins->plugins().empty());
  EXPECT_EQ(report.plugins->tags().size(), 0u);
}

TEST(PluginLoader, StaticPluginWithoutFolderDescribesItsBundleButServesNothing) {
  loader l({});
  l.add_static({.name = "abi_valid", .entry = &annot_plugin_abi_valid_entry});
  load_report report = l.finish();
  ASSERT_EQ(report.plugins->plugins().size(), 1u) << plugins_json(*report.plugins).dump(2);
  const ui_record* ui = report.plugins->ui_bundles().find("abi_valid");
  ASSERT_NE(ui, nullptr);
  EXPECT_EQ(ui->module, "/plugins/abi_valid/index.js");
  EXPECT_TRUE(ui->dir.empty());
}

// --- Descriptors built in the test, for the checks no fixture file needs --------------------------

namespace {

int never_register(annot_registrar*) {
  ADD_FAILURE() << "the loader ran the register function of a refused plugin";
  return 1;
}

annot_plugin_descriptor good_descriptor(const char* name) {
  return {ANNOT_PLUGIN_MAGIC,
          static_cast<uint32_t>(sizeof(annot_plugin_descriptor)),
          ANNOT_SDK_VERSION_MAJOR,
          ANNOT_SDK_VERSION_MINOR,
          ANNOT_SDK_VERSION_PATCH,
          0,
          ANNOT_TOOLCHAIN_FINGERPRINT,
          name,
          ANNOT_PLUGIN_KIND_data_type,
          "1.0.0",
          "",
          &never_register};
}

annot_plugin_descriptor small_descriptor = [] {
  auto d = good_descriptor("test_small");
  d.struct_size -= 8;
  return d;
}();
annot_plugin_descriptor minor_and_toolchain_descriptor = [] {
  auto d = good_descriptor("test_two_problems");
  d.sdk_minor += 1;
  d.toolchain = "gcc-1 libstdc++ cxx11abi=0 glibcxx_debug=1 glibcxx_assertions=1";
  return d;
}();
annot_plugin_descriptor bad_fields_descriptor = [] {
  auto d = good_descriptor("test_bad_fields");
  d.version = nullptr;
  d.kind = 7;
  d.register_fn = nullptr;
  return d;
}();
annot_plugin_descriptor silent_failure_descriptor = [] {
  auto d = good_descriptor("test_silent_failure");
  d.register_fn = [](annot_registrar*) { return 3; };
  return d;
}();
annot_plugin_descriptor raw_throw_descriptor = [] {
  auto d = good_descriptor("test_raw_throw");
  // A hand-written register function without ANNOT_PLUGIN's thunk: the host catches for it.
  d.register_fn = [](annot_registrar*) -> int { throw 42; };
  return d;
}();

}  // namespace

extern "C" {
const annot_plugin_descriptor* annot_test_null_entry(void) {
  return nullptr;
}
const annot_plugin_descriptor* annot_test_small_entry(void) {
  return &small_descriptor;
}
const annot_plugin_descriptor* annot_test_two_problems_entry(void) {
  return &minor_and_toolchain_descriptor;
}
const annot_plugin_descriptor* annot_test_bad_fields_entry(void) {
  return &bad_fields_descriptor;
}
const annot_plugin_descriptor* annot_test_silent_failure_entry(void) {
  return &silent_failure_descriptor;
}
const annot_plugin_descriptor* annot_test_raw_throw_entry(void) {
  return &raw_throw_descriptor;
}
}

TEST(PluginLoader, HandshakeChecksOnStaticDescriptors) {
  loader l({});
  l.add_static({.name = "test_null", .entry = &annot_test_null_entry});
  l.add_static({.name = "test_small", .entry = &annot_test_small_entry});
  l.add_static({.name = "test_two_problems", .entry = &annot_test_two_problems_entry});
  l.add_static({.name = "test_bad_fields", .entry = &annot_test_bad_fields_entry});
  l.add_static({.name = "test_silent_failure", .entry = &annot_test_silent_failure_entry});
  l.add_static({.name = "test_raw_throw", .entry = &annot_test_raw_throw_entry});
  l.add_static({.name = "Not-A-Name", .entry = &annot_test_null_entry});
  load_report report = l.finish();
  const auto& refused = report.refused();
  ASSERT_EQ(refused.size(), 7u);
  EXPECT_TRUE(report.plugins->plugins().empty());

  EXPECT_EQ(refused[0].stage, refusal_stage::entry_symbol);
  EXPECT_NE(refused[0].reason.find("annot_plugin_test_null_entry returned no descriptor"), std::string::npos);

  const std::string size = std::to_string(sizeof(annot_plugin_descriptor));
  EXPECT_EQ(refused[1].stage, refusal_stage::handshake);
  EXPECT_NE(refused[1].reason.find("built for a " + std::to_string(sizeof(annot_plugin_descriptor) - 8) +
                                   "-byte descriptor, this host has " + size + "-byte descriptors"),
            std::string::npos)
      << refused[1].reason;

  // Two mismatches, one sentence, named after the first failing step.
  EXPECT_EQ(refused[2].stage, refusal_stage::sdk_version);
  EXPECT_NE(
      refused[2].reason.find("built for SDK " + std::to_string(ANNOT_SDK_VERSION_MAJOR) + "." +
                             std::to_string(ANNOT_SDK_VERSION_MINOR + 1) +
                             " and toolchain 'gcc-1 libstdc++ cxx11abi=0 glibcxx_debug=1 "
                             "glibcxx_assertions=1', this host has SDK " +
                             host_sdk + " and toolchain '" + ANNOT_TOOLCHAIN_FINGERPRINT +
                             "': rebuild the plugin against SDK " + host_sdk + " with the host's toolchain"),
      std::string::npos)
      << refused[2].reason;

  EXPECT_EQ(refused[3].stage, refusal_stage::required_fields);
  EXPECT_NE(
      refused[3].reason.find("its descriptor has no version, an unknown kind 7 (expected data_type, exporter "
                             "or storage) and no register function"),
      std::string::npos)
      << refused[3].reason;

  EXPECT_EQ(refused[4].stage, refusal_stage::registration);
  EXPECT_NE(refused[4].reason.find("its register function failed: it returned 3 without saying why"),
            std::string::npos);

  EXPECT_EQ(refused[5].stage, refusal_stage::registration);
  EXPECT_NE(refused[5].reason.find("registration threw a non-standard exception"), std::string::npos);

  EXPECT_EQ(refused[6].stage, refusal_stage::entry_symbol);
  EXPECT_EQ(refused[6].name, "Not-A-Name");
}

// --- Layout of the plugins folder -------------------------------------------------------------------

TEST(PluginLoader, LayoutRules) {
  temp_dir tmp;
  fs::path dir = plugins_dir_with(tmp, {"abi_valid"});
  fs::create_directories(dir / ".hidden");                                               // skipped silently
  fs::create_directories(dir / "Bad-Name");                                              // not a plugin name
  fs::copy_file(fixtures / "abi_valid" / "annot_abi_valid.so", dir / "annot_stray.so");  // not in a folder
  std::ofstream(dir / "README.md") << "notes\n";  // other files are ignored
  load_report report = load_plugins({.plugins_dir = dir});
  ASSERT_EQ(report.plugins->plugins().size(), 1u);
  const auto& refused = report.refused();
  ASSERT_EQ(refused.size(), 2u) << plugins_json(*report.plugins).dump(2);
  EXPECT_EQ(refused[0].stage, refusal_stage::layout);
  EXPECT_NE(refused[0].reason.find("folder 'Bad-Name' is not a plugin name"), std::string::npos);
  EXPECT_EQ(refused[1].stage, refusal_stage::layout);
  EXPECT_NE(refused[1].reason.find("annot_stray.so lies directly in the plugins folder"), std::string::npos);

  load_report missing = load_plugins({.plugins_dir = tmp.path() / "nowhere", .strict = true});
  ASSERT_EQ(missing.refused().size(), 1u);
  EXPECT_EQ(missing.refused()[0].stage, refusal_stage::scan);
  EXPECT_NE(missing.refused()[0].reason.find("does not exist or is not a folder"), std::string::npos);
  EXPECT_FALSE(missing.error.ok());
}

// --- UI bundle rules ------------------------------------------------------------------------------

namespace {
std::vector<annot::status> ui_rule_results;

annot::status register_ui_rules(annot::registrar& reg) {
  ui_rule_results.clear();
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "../escape.js"}));
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "/abs.js"}));
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "missing.js"}));
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "index.js", .styles = {"a b.css"}}));
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "index.js", .imports = {{"x", "nope.js"}}}));
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "sub"}));  // a folder, not a file
  ui_rule_results.push_back(reg.add_ui_bundle(
      {.module = "index.js", .imports = {{"cdn", "https://cdn.example/x.js"}, {"lib/", "sub/"}}}));
  ui_rule_results.push_back(reg.add_ui_bundle({.module = "index.js"}));  // a second bundle
  ui_rule_results.push_back(reg.services().data_dir().error());          // no data dir configured
  return annot::status::success();
}
}  // namespace

ANNOT_PLUGIN(test_ui_rules, data_type, "1.0.0", "UI bundle rules", register_ui_rules)

TEST(PluginLoader, UiBundleRules) {
  temp_dir tmp;
  fs::create_directories(tmp.path() / "test_ui_rules" / "ui" / "sub");
  std::ofstream(tmp.path() / "test_ui_rules" / "ui" / "index.js") << "export function mount() {}\n";
  loader l({});
  l.add_static({.name = "test_ui_rules",
                .entry = &annot_plugin_test_ui_rules_entry,
                .folder = tmp.path() / "test_ui_rules"});
  load_report report = l.finish();
  ASSERT_EQ(report.plugins->plugins().size(), 1u) << plugins_json(*report.plugins).dump(2);

  ASSERT_EQ(ui_rule_results.size(), 9u);
  auto message = [](std::size_t i) { return ui_rule_results[i].message(); };
  EXPECT_NE(message(0).find("module '../escape.js' must not contain empty, '.' or '..' segments"),
            std::string::npos);
  EXPECT_NE(message(1).find("module '/abs.js' must be relative to the plugin's ui/ folder"),
            std::string::npos);
  EXPECT_EQ(ui_rule_results[2].code(), annot::errc::not_found);
  EXPECT_NE(message(2).find("module 'missing.js' is not a file in"), std::string::npos) << message(2);
  EXPECT_NE(message(3).find("style 'a b.css' contains ' '"), std::string::npos) << message(3);
  EXPECT_NE(message(4).find("import 'x' 'nope.js' is not a file"), std::string::npos) << message(4);
  EXPECT_NE(message(5).find("module 'sub' is not a file"), std::string::npos) << message(5);
  EXPECT_TRUE(ui_rule_results[6].ok()) << message(6);
  EXPECT_EQ(ui_rule_results[7].code(), annot::errc::already_exists);
  EXPECT_EQ(ui_rule_results[8].code(), annot::errc::failed_precondition);

  const ui_record* ui = report.plugins->ui_bundles().find("test_ui_rules");
  ASSERT_NE(ui, nullptr);
  EXPECT_EQ(ui->imports, (std::vector<std::pair<std::string, std::string>>{
                             {"cdn", "https://cdn.example/x.js"}, {"lib/", "/plugins/test_ui_rules/sub/"}}));
}

// --- The registry itself ----------------------------------------------------------------------------

TEST(PluginRegistry, FrozenRegistryRefusesMutation) {
  registry reg;
  reg.freeze();
  EXPECT_THROW(reg.refuse({}), std::logic_error);
  EXPECT_THROW(reg.commit({}), std::logic_error);
  EXPECT_THROW(reg.staging_tags(), std::logic_error);

  loader l({});
  (void)l.finish();
  EXPECT_THROW(l.add_static({.name = "abi_valid", .entry = &annot_plugin_abi_valid_entry}), std::logic_error);
  EXPECT_THROW(l.load_directory(), std::logic_error);
}

TEST(PluginRegistry, InterfaceTableRefusesDuplicatesAndListsWhatExists) {
  interface_table<int> exporters("exporter");
  ASSERT_TRUE(exporters.add("csv", "exporters_csv", 1).ok());
  ASSERT_TRUE(exporters.add("coco", "exporters_coco", 2).ok());
  annot::status dup = exporters.add("csv", "other_csv", 3);
  EXPECT_EQ(dup.code(), annot::errc::already_exists);
  EXPECT_EQ(dup.message(),
            "exporter 'csv' of plugin 'other_csv' is already registered by plugin 'exporters_csv'");
  EXPECT_EQ(*exporters.find("csv"), 1);

  auto miss = exporters.lookup("yolo");
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.error().message(), "no exporter named 'yolo'; registered: coco, csv");

  registry reg;
  EXPECT_EQ(reg.plugin("x").error().message(), "no plugin named 'x' is loaded; loaded: none");
}

// --- Rollback: a refused plugin's staged names are free again for the next plugin ----------------------

namespace {
annot::status register_shared_then_fail(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "TestShared"}}); !st) return st;
  if (auto st = reg.add_region({.object_tag = "TestShared", .result_type = "labels"}); !st) return st;
  return annot::status(annot::errc::internal, "fails after staging TestShared");
}
annot::status register_shared(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({.tag = {.name = "TestShared"}}); !st) return st;
  return reg.add_region({.object_tag = "TestShared", .result_type = "labels"});
}
}  // namespace

ANNOT_PLUGIN(test_shared_fails, data_type, "1.0.0", "stages TestShared, then fails",
             register_shared_then_fail)
ANNOT_PLUGIN(test_shared_ok, data_type, "1.0.0", "registers TestShared", register_shared)

TEST(PluginLoader, RefusedPluginsStagedNamesAreFreeForTheNextPlugin) {
  loader l({});
  l.add_static({.name = "test_shared_fails", .entry = &annot_plugin_test_shared_fails_entry});
  l.add_static({.name = "test_shared_ok", .entry = &annot_plugin_test_shared_ok_entry});
  load_report report = l.finish();
  ASSERT_EQ(report.refused().size(), 1u);
  EXPECT_EQ(report.refused()[0].name, "test_shared_fails");
  ASSERT_EQ(report.plugins->plugins().size(), 1u) << plugins_json(*report.plugins).dump(2);
  EXPECT_EQ(report.plugins->tags().find_tag("TestShared")->owner, "test_shared_ok");
  ASSERT_NE(report.plugins->tags().find_region("TestShared", "labels"), nullptr);
  EXPECT_EQ(report.plugins->tags().find_region("TestShared", "labels")->owner, "test_shared_ok");
}
