// The config engine: every config error (with its line, tag and attribute) and every warning kind.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace {

using annot::host::config::compiled_config;
using annot::host::config::config_issue;
using annot::host::config::describe;
using annot::test::compile;

const config_issue* find(const std::vector<config_issue>& list, const std::string& code) {
  for (const auto& i : list)
    if (i.code == code) return &i;
  return nullptr;
}

std::string all(const compiled_config& c) {
  std::string out;
  for (const auto& e : c.errors) out += "  E " + describe(e) + "\n";
  for (const auto& w : c.warnings) out += "  W " + describe(w) + "\n";
  return out;
}

// Exactly one error of `code`, on `line`, whose message is (or contains) `message`.
void expect_error(const std::string& xml, const std::string& code, std::uint32_t line, const std::string& message,
                  const std::string& tag = {}, const std::string& attribute = {}) {
  compiled_config c = compile(xml);
  ASSERT_EQ(c.errors.size(), 1u) << all(c);
  const config_issue& e = c.errors.front();
  EXPECT_EQ(e.code, code) << describe(e);
  EXPECT_EQ(e.line, line) << describe(e);
  EXPECT_NE(e.message.find(message), std::string::npos) << describe(e);
  if (!tag.empty()) {
    EXPECT_EQ(e.tag, tag);
  }
  if (!attribute.empty()) {
    EXPECT_EQ(e.attribute, attribute);
  }
  EXPECT_FALSE(c.ok());
}

// --- Malformed XML: Label Studio's parser messages, with expat's 0-based columns -------------------

TEST(ConfigXml, MismatchedTag) {
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\">\n</View>", "xml", 3, "mismatched tag: line 3, column 2");
}

TEST(ConfigXml, UnclosedRootAndEmptyInput) {
  expect_error("<View>\n<Doc name=\"d\" value=\"$t\"/>", "xml", 2, "no element found");
  expect_error("", "xml", 1, "no element found: line 1, column 0");
  expect_error("   \n", "xml", 2, "no element found");
}

TEST(ConfigXml, TextOrASecondRootOutsideTheRoot) {
  expect_error("<View></View>\n<View></View>", "xml", 2, "junk after document element: line 2, column 0");
  expect_error("<View></View> trailing", "xml", 1, "junk after document element: line 1, column 14");
  expect_error("hello <View></View>", "xml", 1, "syntax error: line 1, column 0");
}

// A UTF-8 byte order mark before the root is read past, as expat reads it (a config saved by a Windows
// editor); anywhere else it is text outside the root.
TEST(ConfigXml, AByteOrderMarkBeforeTheRootIsReadPast) {
  compiled_config c = compile("\xEF\xBB\xBF<View><Doc name=\"d\" value=\"$t\"/></View>");
  EXPECT_TRUE(c.ok()) << all(c);
  expect_error("<View></View>\xEF\xBB\xBF", "xml", 1, "junk after document element");
}

TEST(ConfigXml, EntitiesAttributesAndDtd) {
  expect_error("<View>\n  <Header value=\"a &nbsp; b\"/>\n</View>", "xml", 2, "undefined entity: line 2, column 2");
  expect_error("<View>\n  <Header value=\"a\"/>\n  x &nbsp; y</View>", "xml", 3, "undefined entity: line 3, column 4");
  expect_error("<View>\n\n  <Header value=\"a < b\"/></View>", "xml", 3, "not well-formed (invalid token): line 3, column 19");
  expect_error("<View>\n  <Header value=\"a\" value=\"b\"/>\n</View>", "xml", 2, "duplicate attribute: line 2, column 20");
  expect_error("<View><Header value=\"1\"size=\"2\"/></View>", "xml", 1, "not well-formed (invalid token): line 1, column 23");
  expect_error("<View><!-- x --></View><!-- unclosed", "xml", 1, "unclosed token: line 1, column 23");
  expect_error("<!DOCTYPE View [<!ENTITY x \"y\">]>\n<View/>", "xml", 1, "DTDForbidden(name='View'");
  // Escapes and comments are fine.
  auto c = compile("<!-- a comment -->\n<View>\n  <Header value=\"a &amp; b &#233; &lt;\"/>\n</View>");
  EXPECT_TRUE(c.ok()) << all(c);
}

// --- Label Studio's schema checks (spec §7.1 step 2) -------------------------------------------------

TEST(ConfigSchema, ControlWithoutToName) {
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <TextArea name=\"answer\"/>\n</View>", "schema", 3,
               "Validation failed on View/TextArea: 'toName' is a required property", "TextArea", "toName");
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Number toName=\"d\"/>\n</View>", "schema", 3,
               "Validation failed on View/Number: 'name' is a required property", "Number", "name");
}

TEST(ConfigSchema, ChoicesNeedChoicesAndChoicesNeedValues) {
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Choices name=\"c\" toName=\"d\"/>\n</View>", "schema", 3,
               "Validation failed on View/Choices: 'Choice' is a required property");
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Choices name=\"c\" toName=\"d\">\n    <Choice value=\"a\"/>\n"
               "    <Choice/>\n  </Choices>\n</View>",
               "schema", 5, "Validation failed on View/Choices/Choice/1: 'value' is a required property", "Choice",
               "value");
  // Two Choices tags: the path carries the index, as badgerfish makes a list of them.
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Choices name=\"a\" toName=\"d\"><Choice value=\"x\"/></Choices>\n"
               "  <Choices toName=\"d\"><Choice value=\"x\"/></Choices>\n</View>",
               "schema", 4, "Validation failed on View/Choices/1: 'name' is a required property");
}

TEST(ConfigSchema, OnlyTheViewChainIsChecked) {
  // Label Studio's schema does not look inside Repeater, Collapse and friends, nor at other tags.
  auto c = compile("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Collapse><Panel value=\"p\">\n"
                   "    <Choices name=\"c\" toName=\"d\"><Choice value=\"x\"/></Choices>\n  </Panel></Collapse>\n</View>");
  EXPECT_TRUE(c.ok()) << all(c);
}

// --- Names (spec §7.1 steps 3-4) ---------------------------------------------------------------------

TEST(ConfigNames, DuplicateNames) {
  compiled_config c = compile("<View>\n  <Doc name=\"t\" value=\"$a\"/>\n  <Doc name=\"t\" value=\"$b\"/>\n</View>");
  ASSERT_EQ(c.errors.size(), 1u) << all(c);
  EXPECT_EQ(c.errors[0].message, "Label config contains non-unique names");
  EXPECT_EQ(c.errors[0].line, 3u);
  EXPECT_EQ(c.errors[0].attribute, "name");
  EXPECT_NE(c.errors[0].detail.find("already used on line 2 by <Doc>"), std::string::npos) << c.errors[0].detail;
}

TEST(ConfigNames, ToNameNamingNoTag) {
  expect_error("<View>\n  <Doc name=\"b\" value=\"$a\"/>\n  <Doc name=\"a\" value=\"$b\"/>\n"
               "  <Choices name=\"c\" toName=\"a,nope\"><Choice value=\"x\"/></Choices>\n</View>",
               "to_name", 4, "toName=\"nope\" not found in names: ['a', 'b', 'c']", "Choices", "toName");
}

// --- The registry's checks ---------------------------------------------------------------------------

TEST(ConfigRegistry, TagNoPluginProvides) {
  compiled_config c = compile("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Sparkle name=\"s\"/>\n</View>");
  ASSERT_EQ(c.errors.size(), 1u) << all(c);
  EXPECT_EQ(c.errors[0].code, "unknown_tag");
  EXPECT_EQ(c.errors[0].line, 3u);
  EXPECT_EQ(c.errors[0].tag, "Sparkle");
  EXPECT_EQ(c.errors[0].message.rfind("no installed plugin provides <Sparkle>; installed: BoxLabels, Bucket, Choice, Choices, ", 0), 0u)
      << c.errors[0].message;
  EXPECT_NE(c.errors[0].message.find(", View"), std::string::npos);
}

TEST(ConfigRegistry, TagNamesIgnoreCaseLikeTheEditor) {
  auto c = compile("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <textarea name=\"n\" toName=\"d\"/>\n  <header value=\"x\"/>\n</View>");
  EXPECT_TRUE(c.ok()) << all(c);
}

TEST(ConfigRegistry, ControlThatCannotLabelItsTarget) {
  // Labels needs a region on its target; core's List registers none.
  expect_error("<View>\n  <List name=\"l\" value=\"$items\"/>\n  <Labels name=\"lab\" toName=\"l\">\n"
               "    <Label value=\"A\"/>\n  </Labels>\n</View>",
               "target", 3, "<Labels name=\"lab\"> cannot label <List name=\"l\">: no installed plugin defines a 'labels' region on <List>",
               "Labels", "toName");
  // A data-type control that labels only its own objects.
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <BoxLabels name=\"b\" toName=\"d\"><Label value=\"A\"/></BoxLabels>\n</View>",
               "target", 3, "<BoxLabels name=\"b\"> cannot label <Doc name=\"d\">: it labels only <Pic>");
  // A toName naming a tag that is not an object.
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <View name=\"box\"/>\n"
               "  <Choices name=\"c\" toName=\"box\"><Choice value=\"x\"/></Choices>\n</View>",
               "target", 4, "targets \"box\", which is a <View>, not an object tag");
}

TEST(ConfigRegistry, ValueTagsOutsideTheirParent) {
  expect_error("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <View>\n    <Label value=\"A\"/>\n  </View>\n</View>", "parent",
               4, "<Label> must be inside <BoxLabels>, <Labels> (it is inside <View>)", "Label");
  expect_error("<View>\n  <Choice value=\"A\"/>\n</View>", "parent", 2, "<Choice> must be inside <Choices>, <Taxonomy>");
  expect_error("<View>\n  <Series name=\"s\" value=\"$ts\"/>\n  <Lane column=\"a\"/>\n</View>", "parent", 3,
               "<Lane> must be inside <Series> (it is inside <View>)");
  // Nested inside its parent through layout tags is fine.
  auto c = compile("<View>\n  <Doc name=\"d\" value=\"$t\"/>\n  <Choices name=\"c\" toName=\"d\">\n"
                   "    <View><Choice value=\"a\"/></View>\n  </Choices>\n  <Series name=\"s\" value=\"$ts\"><Lane column=\"x\"/></Series>\n</View>");
  EXPECT_TRUE(c.ok()) << all(c);
}

TEST(ConfigRegistry, EveryErrorIsReportedNotJustTheFirst) {
  compiled_config c = compile("<View>\n  <Sparkle/>\n  <Label value=\"x\"/>\n  <Doc name=\"d\" value=\"$t\"/>\n"
                              "  <Doc name=\"d\" value=\"$u\"/>\n</View>");
  EXPECT_EQ(c.errors.size(), 3u) << all(c);
  EXPECT_TRUE(find(c.errors, "unknown_tag") && find(c.errors, "parent") && find(c.errors, "duplicate_name")) << all(c);
}

// --- Warnings: accepted configs ----------------------------------------------------------------------

void expect_warning(const std::string& xml, const std::string& code, std::uint32_t line, const std::string& text,
                    const std::string& attribute = {}) {
  compiled_config c = compile(xml);
  EXPECT_TRUE(c.ok()) << all(c);
  const config_issue* w = find(c.warnings, code);
  ASSERT_NE(w, nullptr) << "no " << code << " warning\n" << all(c);
  EXPECT_EQ(w->line, line) << describe(*w);
  EXPECT_NE(w->message.find(text), std::string::npos) << describe(*w);
  if (!attribute.empty()) {
    EXPECT_EQ(w->attribute, attribute);
  }
}

const std::string doc = "<View>\n  <Doc name=\"d\" value=\"$t\"/>\n";

TEST(ConfigWarnings, UnknownAttribute) {
  expect_warning(doc + "  <Choices name=\"c\" toName=\"d\" sparkle=\"1\"><Choice value=\"x\"/></Choices>\n</View>",
                 "unknown_attribute", 3, "unknown attribute 'sparkle' on <Choices>", "sparkle");
}

TEST(ConfigWarnings, AttributeValueOfTheWrongTypeOrOutsideTheSet) {
  expect_warning(doc + "  <Rating name=\"r\" toName=\"d\" maxRating=\"lots\"/>\n</View>", "attribute_value", 3,
                 "attribute 'maxRating' of <Rating> expects an integer from 1 to 100, got 'lots'", "maxRating");
  expect_warning(doc + "  <Choices name=\"c\" toName=\"d\" choice=\"several\"><Choice value=\"x\"/></Choices>\n</View>",
                 "attribute_value", 3, "expects one of: single, single-radio, multiple, got 'several'", "choice");
  expect_warning(doc + "  <Labels name=\"l\" toName=\"d\"><Label value=\"x\" background=\"blurple\"/></Labels>\n</View>",
                 "attribute_value", 3, "expects a CSS colour", "background");
  expect_warning(doc + "  <TextArea name=\"t\" toName=\"d\" editable=\"yes\"/>\n</View>", "attribute_value", 3,
                 "expects true or false", "editable");
  // Attribute names ignore case, as in the editor: showInLine is showInline.
  auto c = compile(doc + "  <Choices name=\"c\" toName=\"d\" showInLine=\"true\"><Choice value=\"x\"/></Choices>\n</View>");
  EXPECT_TRUE(c.ok() && c.warnings.empty()) << all(c);
}

TEST(ConfigWarnings, MissingRequiredAttributeAndNameReferences) {
  expect_warning(doc + "  <Relations><Relation/></Relations>\n</View>", "required_attribute", 3,
                 "<Relation> is missing its required attribute 'value'", "value");
  expect_warning(doc + "  <View visibleWhen=\"choice-selected\" whenTagName=\"ghost\"/>\n</View>", "name_ref", 3,
                 "names \"ghost\", but no tag has that name", "whenTagName");
  expect_warning(doc + "  <View visibleWhen=\"sometimes\"/>\n</View>", "attribute_value", 3,
                 "expects one of: region-selected, no-region-selected, choice-selected, choice-unselected");
}

TEST(ConfigWarnings, TargetCountsAndControlCombinations) {
  expect_warning(doc + "  <Pairwise name=\"p\" toName=\"d\"/>\n</View>", "targets_count", 3,
                 "<Pairwise name=\"p\"> needs 2 targets in toName, has 1");
  expect_warning(doc + "  <Rating name=\"r\"/>\n</View>", "targets_count", 3, "Label Studio ignores a control without toName");
  expect_warning(doc + "  <Rating name=\"r\" toName=\"d\" perItem=\"true\" perRegion=\"true\"/>\n</View>", "attribute_value",
                 3, "cannot be both perItem and perRegion");
}

TEST(ConfigWarnings, PluginCheckers) {
  expect_warning(doc + "  <Rating name=\"r\" toName=\"d\" maxRating=\"3\" defaultValue=\"4\"/>\n</View>", "plugin", 3,
                 "defaultValue 4 is above maxRating 3", "defaultValue");
  expect_warning(doc + "  <DateTime name=\"t\" toName=\"d\" only=\"date,week\"/>\n</View>", "plugin", 3,
                 "lists \"week\"; allowed: date, time, month, year", "only");
}

TEST(ConfigWarnings, RepeaterNamesWithoutTheIndexFlag) {
  expect_warning("<View>\n  <Repeater on=\"$pages\">\n    <Doc name=\"page\" value=\"$pages[{{idx}}].text\"/>\n"
                 "  </Repeater>\n</View>",
                 "repeater", 3, "name \"page\" inside <Repeater> has no {{idx}}", "name");
}

TEST(ConfigWarnings, SampleTaskCommentThatIsNotJson) {
  expect_warning(doc + "</View>\n<!-- {not json} -->", "sample_task", 4, "not a JSON object");
}

}  // namespace
