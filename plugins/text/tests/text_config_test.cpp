// Text plugin: what it registers, and the config errors and warnings its tags take part in, each
// with its line.
#include "harness.hpp"

namespace {

using namespace text_test;

TEST(TextConfig, RegistersItsTagsAndRegions) {
  for (const char* t : {"Text", "Paragraphs", "Table", "Chat"}) {
    const tag_entry* e = catalog().find_tag(t);
    ASSERT_NE(e, nullptr) << t;
    EXPECT_EQ(e->owner, "text");
    EXPECT_EQ(e->role, tag_role::object) << t;
  }
  const tag_entry* pl = catalog().find_tag("paragraphlabels");
  ASSERT_NE(pl, nullptr);
  EXPECT_EQ(pl->owner, "text");
  EXPECT_EQ(pl->control->targets, std::vector<std::string>{"Paragraphs"});
  EXPECT_EQ(pl->control->result_types, std::vector<std::string>{"paragraphlabels"});

  EXPECT_EQ(catalog().find_region("Text", "labels")->spec.geometry, "char_span");
  EXPECT_EQ(catalog().find_region("Text", "choices")->spec.result_type, "*");
  EXPECT_EQ(catalog().find_region("Paragraphs", "paragraphlabels")->spec.geometry, "paragraph_span");
  EXPECT_EQ(catalog().find_region("Paragraphs", "labels")->spec.geometry, "paragraph_span");
  EXPECT_EQ(catalog().find_region("Paragraphs", "textarea")->spec.result_type, "*");
  // Table and Chat have no regions: classification only.
  EXPECT_TRUE(catalog().regions_of("Table").empty());
  EXPECT_TRUE(catalog().regions_of("Chat").empty());
}

TEST(TextConfig, TypicalConfigsCompileWithoutWarnings) {
  auto c = compile_config(R"(<View>
  <Text name="text" value="$text" valueType="text" saveTextResult="yes" granularity="word" highlightColor="#ffcc00"/>
  <Labels name="ner" toName="text" choice="multiple"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sent" toName="text" perRegion="true"><Choice value="Pos"/></Choices>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue" nameKey="speaker" textKey="line" audioUrl="$audio"
              showPlayer="true" savetextresult="yes"/>
  <ParagraphLabels name="pl" toName="dialog" showInline="false"><Label value="Question"/></ParagraphLabels>
  <Table name="menu" value="$menu" valueType="csv|headless|separator=;"/>
  <Choices name="dish" toName="menu"><Choice value="Tuna"/></Choices>
  <Chat name="chat" value="$messages" messageroles="user,assistant" editable="user" minMessages="2"
        maxMessages="10" llm="openai/gpt-4o"/>
  <TextArea name="reply" toName="chat"/>
  <Rating name="quality" toName="chat"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(c.warnings.empty()) << describe_all(c.warnings);
}

TEST(TextConfig, LabelsOnTableOrChatIsRefused) {
  auto c = compile_config(R"(<View>
  <Table name="menu" value="$menu"/>
  <Chat name="chat" value="$messages"/>
  <Labels name="cells" toName="menu"><Label value="Price"/></Labels>
  <Labels name="turns" toName="chat">
    <Label value="Rude"/>
  </Labels>
</View>)",
                          catalog());
  EXPECT_FALSE(c.ok());
  EXPECT_TRUE(has_config_issue(c.errors, "target", 4, "toName", "no installed plugin defines a 'labels' region on <Table>"));
  EXPECT_TRUE(has_config_issue(c.errors, "target", 5, "toName", "no installed plugin defines a 'labels' region on <Chat>"));
}

TEST(TextConfig, ParagraphLabelsOnlyLabelParagraphs) {
  auto c = compile_config(R"(<View>
  <Text name="text" value="$text"/>
  <ParagraphLabels name="pl" toName="text"><Label value="Q"/></ParagraphLabels>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "target", 3, "toName", "it labels only <Paragraphs>"));
}

TEST(TextConfig, ParagraphLabelsOnANonObjectIsRefused) {
  auto c = compile_config(R"(<View>
  <Paragraphs name="dialog" value="$dialog"/>
  <Header name="title" value="Dialogue"/>

  <ParagraphLabels name="pl" toName="title"><Label value="Q"/></ParagraphLabels>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "target", 5, "toName", "not an object tag"));
}

TEST(TextConfig, LabelsOnTextAndParagraphsAreAccepted) {
  // Labels (core) composes with the text plugin's spans on both.
  auto c = compile_config(R"(<View>
  <Text name="text" value="$text"/>
  <Paragraphs name="dialog" value="$dialog"/>
  <Labels name="ner" toName="text,dialog"><Label value="PER"/></Labels>
</View>)",
                          catalog());
  EXPECT_TRUE(c.ok()) << describe_all(c.errors);
}

TEST(TextConfig, LabelOutsideItsParentIsRefused) {
  auto c = compile_config(R"(<View>
  <Text name="text" value="$text">
    <Label value="PER"/>
  </Text>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "parent", 3));
}

TEST(TextConfig, TextWithoutValueIsLabelStudiosSchemaError) {
  auto c = compile_config("<View>\n  <Labels name=\"l\" toName=\"text\"><Label value=\"A\"/></Labels>\n  <Text name=\"text\"/>\n</View>",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "schema", 3));
}

TEST(TextConfig, AttributeWarningsCarryTheirLine) {
  auto c = compile_config(R"(<View>
  <Text name="text" value="$text" valueType="html" granularity="letter"
        encoding="base32" selectionEnabled="maybe"/>
  <Paragraphs name="dialog" value="$dialog" layout="chat" contextScroll="1"/>
  <ParagraphLabels name="pl" toName="dialog" opacity="3"><Label value="Q"/></ParagraphLabels>
  <Table name="menu" value="$menu" valueType="xml|url|zip" caption="Menu"/>
  <Chat name="chat" value="$m" messageroles="user,robot" editable="yes" minMessages="5" maxMessages="2"
        llm="gpt"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  const auto& w = c.warnings;
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 2, "valueType", "one of: text, url"));
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 2, "granularity"));
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 2, "encoding"));
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 2, "selectionEnabled", "true or false"));
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 4, "layout", "one of: none, dialogue"));
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 4, "contextScroll"));
  EXPECT_TRUE(has_config_issue(w, "attribute_value", 5, "opacity", "from 0 to 1"));
  EXPECT_TRUE(has_config_issue(w, "plugin", 6, "valueType", "'xml|url|zip' is not json or csv"));
  EXPECT_TRUE(has_config_issue(w, "plugin", 6, "valueType", "unknown option 'zip'"));
  EXPECT_TRUE(has_config_issue(w, "unknown_attribute", 6, "caption"));
  EXPECT_TRUE(has_config_issue(w, "plugin", 7, "messageroles", "'robot'"));
  EXPECT_TRUE(has_config_issue(w, "plugin", 7, "editable", "'yes'"));
  EXPECT_TRUE(has_config_issue(w, "plugin", 7, "minMessages", "more than maxMessages"));
  EXPECT_TRUE(has_config_issue(w, "plugin", 7, "llm", "<provider>/<model>"));
}

TEST(TextConfig, DataKeysAndTypesFollowLabelStudio) {
  auto model = compile_config(R"(<View>
  <Text name="t" value="$text"/>
  <Paragraphs name="p" value="$dialog"/>
  <Table name="tb" value="$row"/>
  <Chat name="c" value="$messages"/>
</View>)",
                              catalog())
                   .model;
  ASSERT_TRUE(model);
  using annot::data_type;
  std::map<std::string, std::vector<data_type>> want = {
      {"text", {data_type::str, data_type::int_, data_type::float_, data_type::list}},
      {"dialog", {data_type::list, data_type::str}},
      {"row", {data_type::dict, data_type::list, data_type::str}},
      {"messages", {data_type::list, data_type::str}}};
  ASSERT_EQ(model->data_keys().size(), want.size());
  for (const auto& k : model->data_keys()) EXPECT_EQ(k.types, want[k.key]) << k.key;
}

}  // namespace
