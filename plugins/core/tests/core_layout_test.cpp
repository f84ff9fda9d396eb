// Core plugin: registration and the config checks its tags take part in.
#include <gtest/gtest.h>

#include "config/model.hpp"
#include "config/static_registrar.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);

namespace {

using namespace annot::host::config;

const tag_catalog& catalog() {
  static tag_catalog* c = [] {
    auto* cat = new tag_catalog;
    auto st = register_static_plugin(*cat, annot_plugin_core_entry());
    EXPECT_TRUE(st.ok()) << st.message();
    cat->freeze();
    return cat;
  }();
  return *c;
}

TEST(CoreLayout, RegistersEveryCoreTag) {
  for (const char* t : {"View", "Header", "Style", "Collapse", "Panel", "Filter", "Markdown", "Repeater", "Dialog",
                        "PagedView", "Labels", "Choices", "Taxonomy", "TextArea", "Rating", "Number", "DateTime",
                        "Relations", "Pairwise", "Ranker", "Label", "Choice", "Relation", "Bucket", "Shortcut", "List"}) {
    const tag_entry* e = catalog().find_tag(t);
    ASSERT_NE(e, nullptr) << t;
    EXPECT_EQ(e->owner, "core");
  }
  EXPECT_EQ(catalog().find_tag("textarea"), catalog().find_tag("TextArea"));
}

TEST(CoreLayout, ClassificationOnListCompiles) {
  auto c = compile_config(R"(<View>
  <List name="items" value="$items" title="Results"/>
  <Ranker name="rank" toName="items"><Bucket name="best" title="Best"/></Ranker>
  <Choices name="ok" toName="items"><Choice value="Yes"/><Choice value="No"/></Choices>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << (c.errors.empty() ? "" : describe(c.errors[0]));
  EXPECT_TRUE(c.warnings.empty()) << describe(c.warnings[0]);
}

}  // namespace
