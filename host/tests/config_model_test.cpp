// The config model: data keys and task-data checks (spec §3.4), Repeater templates, the sample task,
// parsed_label_config in Label Studio's shape, and the tag catalog's registration rules.
#include <gtest/gtest.h>

#include "config/parsed_config.hpp"
#include "config/task_data.hpp"
#include "config_test_support.hpp"

namespace {

using namespace annot::host::config;
using annot::test::accepted;
using annot::test::check;
using nlohmann::json;

std::vector<std::string> keys(const compiled_config& c) {
  std::vector<std::string> out;
  for (const auto& k : c.model->data_keys()) out.push_back(k.key + "=" + k.tag);
  return out;
}

TEST(DataKeys, PathsMixedTextAndControlsWithDynamicValues) {
  auto c = accepted(R"(<View>
  <Header name="h" value="Document $id of $owner"/>
  <Doc name="a" value="$meta.body"/>
  <Pic name="p" value="$images[0]"/>
  <Labels name="l" toName="a" value="$labels"/>
  <Doc name="plain" value="static text"/>
  <Doc value="$no_name"/>
</View>)");
  EXPECT_EQ(keys(c), (std::vector<std::string>{"id=Header", "meta.body=Doc", "images[0]=Pic", "labels=Labels"}));
  EXPECT_EQ(required_data_keys(*c.model), (std::vector<std::string>{"id", "meta.body", "images", "labels"}));
}

TEST(TaskData, LabelStudioMessages) {
  auto c = accepted(R"(<View>
  <Doc name="a" value="$text"/>
  <Pic name="p" value="$image"/>
  <Series name="s" value="$ts"/>
  <Doc name="b" value="$meta.body"/>
</View>)");
  EXPECT_TRUE(check_task_data(*c.model, json{{"text", "t"}, {"image", "u"}, {"ts", {{"a", 1}}}, {"meta", {{"body", "x"}}}}).empty());
  auto m = check_task_data(*c.model, json{{"image", {"u", "v"}}, {"ts", "url"}, {"meta", {{"body", "x"}}}});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "\"text\" key is expected in task data");
  m = check_task_data(*c.model, json{{"text", 5}, {"image", {{"url", "x"}}}, {"ts", true}, {"meta", {{"other", 1}}}});
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0], "data['text']=5 is of type 'int', but the object tag Doc expects the following types: ['str']");
  EXPECT_EQ(m[1], "data['image']={'url': 'x'} is of type 'dict', but the object tag Pic expects the following types: ['str', 'list']");
  EXPECT_EQ(m[2], "data['ts']=True is of type 'bool', but the object tag Series expects the following types: ['dict', 'list', 'str']");
  EXPECT_EQ(m[3], "\"meta.body\" key is expected in task data");
  EXPECT_EQ(check_task_data(*c.model, json()), (std::vector<std::string>{"Task is empty (None)"}));
}

TEST(TaskData, WrappedOrRootTasksAndTheUndefinedKey) {
  auto c = accepted(R"(<View><Doc name="a" value="$text"/></View>)");
  EXPECT_EQ(check_task(*c.model, json{{"data", {{"txt", "x"}}}}),
            (std::vector<std::string>{"\"text\" key is expected in task data [assume: item[\"data\"] = task root with values]"}));
  EXPECT_EQ(check_task(*c.model, json{{"txt", "x"}}),
            (std::vector<std::string>{"\"text\" key is expected in task data [assume: item as is = task root with values] "}));
  // Text and media file imports store content under $undefined$; it becomes the first data key.
  EXPECT_TRUE(check_task(*c.model, json{{"data", {{"$undefined$", "file text"}}}}).empty());
  json data = {{"$undefined$", "x"}};
  EXPECT_TRUE(rename_undefined_key(*c.model, data));
  EXPECT_EQ(data, (json{{"text", "x"}}));
}

TEST(TaskData, ATaskWithoutDataKeysAcceptsAnything) {
  auto c = accepted("<View></View>");
  EXPECT_TRUE(check_task_data(*c.model, json{{"whatever", 1}}).empty());
  EXPECT_TRUE(c.model->data_keys().empty());
}

TEST(Repeater, TemplatesMatchIndexedNamesAndDataPaths) {
  auto c = accepted(R"(<View>
  <Repeater on="$utterances" indexFlag="{{idx}}">
    <Doc name="user_{{idx}}" value="$utterances[{{idx}}].text"/>
    <Labels name="ner_{{idx}}" toName="user_{{idx}}"><Label value="Intent"/></Labels>
  </Repeater>
</View>)");
  EXPECT_EQ(keys(c), (std::vector<std::string>{"utterances[{{idx}}].text=Doc"}));
  json data = {{"utterances", {{{"text", "hello"}}, {{"text", "a longer one"}}}}};
  EXPECT_TRUE(check_task_data(*c.model, data).empty());
  EXPECT_EQ(check_task_data(*c.model, json{{"utterances", "no"}}),
            (std::vector<std::string>{"data['utterances']=no is of type 'str', but the object tag Doc expects the following types: ['list']"}));
  auto r = check(c, R"([{"id":"a","from_name":"ner_1","to_name":"user_1","type":"labels","value":{"start":0,"end":12,"labels":["Intent"]}},
                        {"id":"b","from_name":"ner_0","to_name":"user_0","type":"labels","value":{"start":0,"end":9,"labels":["Intent"]}},
                        {"id":"c","from_name":"ner_0","to_name":"user_1","type":"labels","value":{"start":0,"end":1,"labels":["Intent"]}}])",
                 &data);
  // "hello" has 5 characters: item b runs past it; item c labels another item's object.
  ASSERT_EQ(r.issues.size(), 2u) << annot::test::dump(r);
  EXPECT_EQ(r.issues[0].path, "result[1].value.end");
  EXPECT_EQ(r.issues[1].path, "result[2].to_name");
}

TEST(SampleTask, TrailingCommentIsTheSampleTask) {
  auto c = accepted(R"(<View><Doc name="a" value="$text"/></View>
<!-- {"data": {"text": "Hello"}, "annotations": [{"result": []}]} -->)");
  ASSERT_TRUE(c.model->sample_task());
  EXPECT_EQ((*c.model->sample_task())["data"], (json{{"text", "Hello"}}));
  EXPECT_EQ((*c.model->sample_task())["annotations"].size(), 1u);
  auto bare = accepted(R"(<View><Doc name="a" value="$text"/></View><!--{"text": "just data"}-->)");
  ASSERT_TRUE(bare.model->sample_task());
  EXPECT_EQ((*bare.model->sample_task())["data"], (json{{"text", "just data"}}));
}

TEST(ParsedLabelConfig, LabelStudioShape) {
  auto c = accepted(R"(<View>
  <Doc name="text" value="$text"/>
  <Pic name="img" valueList="$images"/>
  <Labels name="ner" toName="text"><Label value="Person" background="red"/><Label value="Org" alias="ORG"/></Labels>
  <Choices name="cls" toName="text,img" value="$options"/>
  <Choices name="region" toName="text" perRegion="true" whenLabelValue="Person"><View><Choice value="A"/></View></Choices>
  <Repeater on="$pages" indexFlag="{{idx}}">
    <Doc name="p_{{idx}}" value="$pages[{{idx}}]"/>
    <TextArea name="t_{{idx}}" toName="p_{{idx}}"/>
  </Repeater>
  <Filter name="f" toName="ner"/>
</View>)");
  json expected = json::parse(R"({
    "ner": {"type": "Labels", "to_name": ["text"],
            "inputs": [{"type": "Doc", "value": "text", "valueType": null}],
            "labels": ["Person", "ORG"],
            "labels_attrs": {"Person": {"value": "Person", "background": "red"}, "ORG": {"value": "Org", "alias": "ORG"}}},
    "cls": {"type": "Choices", "to_name": ["text", "img"], "dynamic_labels": true,
            "inputs": [{"type": "Doc", "value": "text", "valueType": null},
                       {"type": "Pic", "valueList": "images", "valueType": null}],
            "labels": [], "labels_attrs": {}},
    "region": {"type": "Choices", "to_name": ["text"], "conditionals": {"type": "label", "name": "Person"},
               "inputs": [{"type": "Doc", "value": "text", "valueType": null}],
               "labels": ["A"], "labels_attrs": {"A": {"value": "A"}}},
    "t_{{idx}}": {"type": "TextArea", "to_name": ["p_{{idx}}"], "regex": {"{{idx}}": ".*"},
                  "inputs": [{"type": "Doc", "value": "pages[{{idx}}]", "valueType": null}],
                  "labels": [], "labels_attrs": {}}
  })");
  auto parsed = parsed_label_config(*c.model);
  EXPECT_EQ(json::parse(parsed.dump()), expected) << parsed.dump(2);
  // Document order of controls, as Label Studio's dict keeps it.
  std::vector<std::string> order;
  for (const auto& [k, v] : parsed.items()) order.push_back(k);
  EXPECT_EQ(order, (std::vector<std::string>{"ner", "cls", "region", "t_{{idx}}"}));
}

// --- The tag catalog -------------------------------------------------------------------------------

annot::status add_view(annot::registrar& reg) { return reg.add_visual_tag({.tag = {.name = "view"}}); }
annot::status add_thing_then_fail(annot::registrar& reg) {
  if (auto st = reg.add_visual_tag({.tag = {.name = "Thing"}}); !st.ok()) return st;
  return {annot::errc::invalid_argument, "second step failed"};
}
annot::status add_region_on_foreign_tag(annot::registrar& reg) {
  return reg.add_region({.object_tag = "Doc", .result_type = "labels", .geometry = "char_span"});
}
int view_thunk(annot_registrar* r) noexcept { return annot::detail::run_register(r, &add_view); }
int fail_thunk(annot_registrar* r) noexcept { return annot::detail::run_register(r, &add_thing_then_fail); }
int region_thunk(annot_registrar* r) noexcept { return annot::detail::run_register(r, &add_region_on_foreign_tag); }

annot_plugin_descriptor descriptor(const char* name, int (*fn)(annot_registrar*)) {
  return {ANNOT_PLUGIN_MAGIC, sizeof(annot_plugin_descriptor), ANNOT_SDK_VERSION_MAJOR, ANNOT_SDK_VERSION_MINOR, 0, 0,
          ANNOT_TOOLCHAIN_FINGERPRINT, name, ANNOT_PLUGIN_KIND_data_type, "1", "", fn};
}

TEST(TagCatalog, DuplicatesAreRefusedNamingBothPlugins) {
  tag_catalog cat;
  ASSERT_TRUE(register_static_plugin(cat, annot_plugin_core_entry()).ok());
  auto d = descriptor("intruder", &view_thunk);
  annot::status st = register_static_plugin(cat, &d);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("tag <view> is already registered by plugin 'core' (as <View>); plugin 'intruder' cannot register it too"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(cat.find_tag("VIEW")->owner, "core");
}

TEST(TagCatalog, AFailedPluginLeavesNothingBehind) {
  tag_catalog cat;
  auto d = descriptor("half", &fail_thunk);
  annot::status st = register_static_plugin(cat, &d);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("second step failed"), std::string::npos) << st.message();
  EXPECT_EQ(cat.find_tag("Thing"), nullptr);
  EXPECT_EQ(cat.size(), 0u);
  // The name is free again.
  auto ok = descriptor("whole", &view_thunk);
  EXPECT_TRUE(register_static_plugin(cat, &ok).ok());
}

TEST(TagCatalog, OnlyTheObjectsOwnerRegistersItsRegions) {
  tag_catalog cat;
  ASSERT_TRUE(register_static_plugin(cat, annot::test::probe::probe_descriptor()).ok());
  auto d = descriptor("other", &region_thunk);
  annot::status st = register_static_plugin(cat, &d);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("<Doc> belongs to plugin 'probe'; only its owner registers regions on it"), std::string::npos)
      << st.message();
}

TEST(TagCatalog, FailedLookupListsWhatExistsAndRegionsFallBack) {
  const tag_catalog& cat = annot::test::core_and_probe();
  auto r = cat.lookup_tag("Nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), annot::errc::not_found);
  EXPECT_NE(r.error().message().find("installed: BoxLabels, Bucket"), std::string::npos);
  ASSERT_NE(cat.find_region("Doc", "labels"), nullptr);
  EXPECT_EQ(cat.find_region("doc", "labels")->spec.result_type, "labels");
  EXPECT_EQ(cat.find_region("Doc", "rating")->spec.result_type, "*");
  EXPECT_EQ(cat.find_region("List", "labels"), nullptr);
  EXPECT_EQ(cat.parents_of("Label").size(), 2u);
}

TEST(TagCatalog, FrozenCatalogRefusesRegistration) {
  tag_catalog cat;
  cat.freeze();
  auto st = cat.stage_visual_tag("late", {.tag = {.name = "Late"}});
  EXPECT_EQ(st.code(), annot::errc::failed_precondition);
}

}  // namespace
