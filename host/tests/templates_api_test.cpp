// GET /api/templates over real HTTP with the real plugins: every starter config compiles, its sample
// task passes the data checks and its sample media are served; the registrar's starter rules.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "config/model.hpp"
#include "config/task_data.hpp"
#include "plugins/registry.hpp"
#include "plugins/services.hpp"
#include "test_host.hpp"

namespace annot::host::testing {
namespace {

using plugins::plugin_kind;

class TemplatesApi : public ::testing::Test {
 protected:
  void SetUp() override {
    host.start();
    user = host.make_user("gallery@example.com");
  }
  api_host host;
  api_host::user_token user;
};

// Every string in `data` (nested too) that names a file the host serves under /plugins/.
void collect_plugin_urls(const json& data, std::set<std::string>& out) {
  if (data.is_string()) {
    const std::string& s = data.get_ref<const std::string&>();
    if (s.rfind("/plugins/", 0) == 0) out.insert(s);
  } else if (data.is_structured()) {
    for (const auto& v : data) collect_plugin_urls(v, out);
  }
}

TEST_F(TemplatesApi, NeedsASignedInUser) {
  auto anonymous = host.call("GET", "/api/templates", {});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_TRUE(api_host::body(anonymous).contains("detail")) << anonymous.body;
  EXPECT_EQ(host.call("GET", "/api/templates/", user.auth).status, 200);
}

TEST_F(TemplatesApi, EveryStarterCompilesAndItsSampleTaskPassesTheDataChecks) {
  auto r = host.call("GET", "/api/templates", user.auth);
  ASSERT_EQ(r.status, 200) << r.body;
  json body = api_host::body(r);
  ASSERT_TRUE(body["templates"].is_array());
  ASSERT_TRUE(body["groups"].is_array());
  ASSERT_GE(body["templates"].size(), 20u) << r.body.substr(0, 500);

  std::set<std::string> groups, plugins_seen, titles, urls;
  for (const auto& g : body["groups"]) groups.insert(g.get<std::string>());
  EXPECT_EQ(groups.size(), body["groups"].size()) << "groups repeat";
  // The usual sections lead, whatever order the plugins loaded in.
  EXPECT_EQ(body["groups"][0], "Computer Vision");
  EXPECT_EQ(body["groups"][1], "Natural Language Processing");

  const config::tag_catalog& catalog = host.app().registry().tags();
  for (const auto& t : body["templates"]) {
    const std::string title = t.value("title", "");
    SCOPED_TRACE(title);
    ASSERT_FALSE(title.empty());
    EXPECT_TRUE(titles.insert(title).second) << "title repeats";
    EXPECT_TRUE(groups.count(t.value("group", ""))) << "group not listed in groups";
    EXPECT_FALSE(t.value("details", "").empty());
    plugins_seen.insert(t.value("plugin", ""));

    config::compiled_config c = config::compile_config(t.value("config", ""), catalog);
    ASSERT_TRUE(c.model) << "the config does not parse";
    for (const auto& e : c.errors) ADD_FAILURE() << "config error: " << config::describe(e);
    for (const auto& w : c.warnings) ADD_FAILURE() << "config warning: " << config::describe(w);

    ASSERT_TRUE(t["sample_task"]["data"].is_object());
    const json& data = t["sample_task"]["data"];
    for (const auto& problem : config::check_task_data(*c.model, data)) ADD_FAILURE() << "sample data: " << problem;
    collect_plugin_urls(data, urls);
  }
  for (const char* p : {"core", "image", "text", "audio", "video", "html", "timeseries"})
    EXPECT_TRUE(plugins_seen.count(p)) << p << " registered no starter";

  // The sample media come from the plugins' own ui/ folders, so the preview needs no network.
  EXPECT_TRUE(urls.count("/plugins/image/samples/street.png"));
  EXPECT_TRUE(urls.count("/plugins/audio/samples/tones.wav"));
  EXPECT_TRUE(urls.count("/plugins/video/samples/ball.webm"));
  for (const std::string& url : urls) {
    auto media = host.call("GET", url, {});
    EXPECT_EQ(media.status, 200) << url;
    EXPECT_GT(media.body.size(), 1000u) << url;
  }
  auto png = host.call("GET", "/plugins/image/samples/street.png", {});
  EXPECT_EQ(png.body.substr(1, 3), "PNG");
  auto wav = host.call("GET", "/plugins/audio/samples/tones.wav", {});
  EXPECT_EQ(wav.body.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.body.substr(8, 4), "WAVE");
  auto webm = host.call("GET", "/plugins/video/samples/ball.webm", {});
  EXPECT_EQ(webm.body.substr(0, 4), "\x1a\x45\xdf\xa3");  // EBML magic
}

// The registrar's rules for add_starter_config, through the loader's own registrar and registry.
struct staging {
  plugins::registry reg;
  plugins::plugin_services services{"p", {}};

  // Registers `starters` as plugin `name` of `kind`; returns each call's status and the commit's.
  struct outcome {
    std::vector<annot::status> calls;
    std::vector<std::string> violations, conflicts;
    annot::status commit;
  };
  outcome run(const std::string& name, plugin_kind kind, const std::vector<annot::starter_config>& starters) {
    plugins::staging_registrar r(name, kind, {}, services, reg.staging_tags());
    outcome o;
    for (const auto& s : starters) o.calls.push_back(r.add_starter_config(s));
    o.violations = r.violations();
    o.conflicts = r.conflicts();
    plugins::staged_plugin staged;
    staged.record.name = name;
    staged.record.kind = kind;
    r.take_staged(staged);
    o.commit = reg.commit(std::move(staged));
    return o;
  }
};

annot::starter_config starter(std::string title, std::string data = R"({"text": "x"})") {
  return {.title = std::move(title),
          .group = "G",
          .config = R"(<View><Text name="t" value="$text"/></View>)",
          .sample_data = std::move(data),
          .description = ""};
}

TEST(StarterRegistration, KeepsValidStartersInOrderWithTheirPlugin) {
  staging s;
  auto o = s.run("a", plugin_kind::data_type, {starter("One"), starter("Two")});
  for (const auto& st : o.calls) EXPECT_TRUE(st.ok()) << st.message();
  ASSERT_TRUE(o.commit.ok()) << o.commit.message();
  ASSERT_EQ(s.reg.starters().size(), 2u);
  EXPECT_EQ(s.reg.starters()[0].starter.title, "One");
  EXPECT_EQ(s.reg.starters()[1].starter.title, "Two");
  EXPECT_EQ(s.reg.starters()[1].plugin, "a");
}

TEST(StarterRegistration, RefusesMissingFieldsAndSampleDataThatIsNotAnObject) {
  staging s;
  annot::starter_config no_group = starter("No group");
  no_group.group.clear();
  annot::starter_config no_config = starter("No config");
  no_config.config.clear();
  auto o = s.run("a", plugin_kind::data_type,
                 {starter(""), no_group, no_config, starter("List", "[1, 2]"), starter("Broken", "{\"text\": ")});
  ASSERT_EQ(o.calls.size(), 5u);
  for (const auto& st : o.calls) EXPECT_EQ(st.code(), annot::errc::invalid_argument) << st.message();
  EXPECT_NE(o.calls[0].message().find("no title"), std::string::npos) << o.calls[0].message();
  EXPECT_NE(o.calls[1].message().find("'No group' has no group"), std::string::npos) << o.calls[1].message();
  EXPECT_NE(o.calls[2].message().find("has no config"), std::string::npos);
  EXPECT_NE(o.calls[3].message().find("not a JSON object"), std::string::npos);
  EXPECT_NE(o.calls[4].message().find("not a JSON object"), std::string::npos);
  EXPECT_TRUE(s.reg.starters().empty());
}

TEST(StarterRegistration, OnlyDataTypePluginsMayRegisterStarters) {
  staging s;
  auto o = s.run("x", plugin_kind::exporter, {starter("From an exporter")});
  EXPECT_EQ(o.calls[0].code(), annot::errc::unsupported);
  EXPECT_NE(o.calls[0].message().find("only data_type plugins"), std::string::npos) << o.calls[0].message();
  EXPECT_EQ(o.violations, std::vector<std::string>{"add_starter_config"});
}

TEST(StarterRegistration, ATitleHasOneOwner) {
  staging s;
  auto twice = s.run("a", plugin_kind::data_type, {starter("Same"), starter("Same")});
  EXPECT_EQ(twice.calls[1].code(), annot::errc::already_exists);
  EXPECT_EQ(twice.conflicts.size(), 1u);

  staging t;
  ASSERT_TRUE(t.run("a", plugin_kind::data_type, {starter("Boxes")}).commit.ok());
  auto clash = t.run("b", plugin_kind::data_type, {starter("Lines"), starter("Boxes")});
  EXPECT_EQ(clash.commit.code(), annot::errc::already_exists);
  EXPECT_NE(clash.commit.message().find("starter config 'Boxes' of plugin 'b' is already registered by plugin 'a'"),
            std::string::npos)
      << clash.commit.message();
  // Nothing of the refused plugin is kept.
  ASSERT_EQ(t.reg.starters().size(), 1u);
  EXPECT_EQ(t.reg.starters()[0].plugin, "a");
  EXPECT_EQ(t.reg.find("b"), nullptr);
}

}  // namespace
}  // namespace annot::host::testing
