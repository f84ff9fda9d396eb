// Image plugin: what it registers, and the config errors and warnings its tags take part in, each
// with its line.
#include "harness.hpp"

namespace {

using namespace image_test;

const char* const image_controls[] = {"Rectangle", "RectangleLabels", "Polygon", "PolygonLabels", "Ellipse",
                                      "EllipseLabels", "KeyPoint", "KeyPointLabels", "Brush", "BrushLabels",
                                      "MagicWand", "Vector", "VectorLabels", "Bitmask", "BitmaskLabels"};

TEST(ImageConfig, RegistersItsTagsAndRegions) {
  for (const char* t : {"Image", "Pdf"}) {
    const tag_entry* e = catalog().find_tag(t);
    ASSERT_NE(e, nullptr) << t;
    EXPECT_EQ(e->owner, "image");
    EXPECT_EQ(e->role, tag_role::object);
  }
  for (const char* t : image_controls) {
    const tag_entry* e = catalog().find_tag(t);
    ASSERT_NE(e, nullptr) << t;
    EXPECT_EQ(e->owner, "image");
    ASSERT_EQ(e->role, tag_role::control) << t;
    EXPECT_EQ(e->control->targets, std::vector<std::string>{"Image"}) << t;
    // Every result type a tool writes has its geometry on Image.
    for (const auto& type : e->control->result_types) {
      const region_entry* r = catalog().find_region("Image", type);
      ASSERT_NE(r, nullptr) << t << " " << type;
      EXPECT_EQ(r->owner, "image");
      EXPECT_NE(r->spec.result_type, "*") << t << " " << type << " fell back to the '*' region";
    }
  }
  // Labels (core) on Image has its own region; anything else falls back to '*'.
  EXPECT_EQ(catalog().find_region("Image", "labels")->spec.result_type, "labels");
  EXPECT_EQ(catalog().find_region("Image", "choices")->spec.result_type, "*");
  // Pdf has no regions: only classification labels it.
  EXPECT_EQ(catalog().find_region("Pdf", "labels"), nullptr);
  EXPECT_TRUE(catalog().regions_of("Pdf").empty());
  // Case as users write it, as the editor matches it.
  EXPECT_EQ(catalog().find_tag("rectanglelabels"), catalog().find_tag("RectangleLabels"));
}

TEST(ImageConfig, EveryToolOnImageCompilesWithoutWarnings) {
  auto c = compile_config(R"(<View>
  <Image name="img" value="$image" zoom="true" zoomControl="true" rotateControl="true" defaultZoom="fit"
         crossOrigin="anonymous" horizontalAlignment="center" gridColor="#eeeeee"/>
  <Rectangle name="r" toName="img" canRotate="false" strokeColor="#ff0000" opacity="0.4"/>
  <RectangleLabels name="rl" toName="img" choice="multiple" maxUsages="3"><Label value="Car"/></RectangleLabels>
  <Polygon name="p" toName="img" pointSize="large" pointStyle="rectangle" snap="pixel"/>
  <PolygonLabels name="pl" toName="img"><Label value="Car"/></PolygonLabels>
  <Ellipse name="e" toName="img"/>
  <EllipseLabels name="el" toName="img"><Label value="Car"/></EllipseLabels>
  <KeyPoint name="k" toName="img" strokeWidth="2"/>
  <KeyPointLabels name="kl" toName="img" smart="true"><Label value="Car"/></KeyPointLabels>
  <Brush name="b" toName="img" strokeWidth="20"/>
  <BrushLabels name="bl" toName="img"><Label value="Car"/></BrushLabels>
  <MagicWand name="mw" toName="img" blurradius="3" defaultthreshold="20"/>
  <Vector name="v" toName="img" closable="true" minPoints="2" maxPoints="10"/>
  <VectorLabels name="vl" toName="img" curves="true" maxPoints="none"><Label value="Car"/></VectorLabels>
  <Bitmask name="bm" toName="img"/>
  <BitmaskLabels name="bml" toName="img"><Label value="Car"/></BitmaskLabels>
  <Labels name="lab" toName="img"><Label value="Car"/></Labels>
  <Choices name="cls" toName="img" perRegion="true"><Choice value="Good"/></Choices>
  <Pdf name="doc" value="$pdf"/>
  <Choices name="doc_cls" toName="doc"><Choice value="Invoice"/></Choices>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(c.warnings.empty()) << describe_all(c.warnings);
}

TEST(ImageConfig, ToolTargetingPdfIsRefusedWithItsLine) {
  auto c = compile_config(R"(<View>
  <Pdf name="doc" value="$pdf"/>
  <RectangleLabels name="boxes" toName="doc">
    <Label value="Car"/>
  </RectangleLabels>
</View>)",
                          catalog());
  EXPECT_FALSE(c.ok());
  EXPECT_TRUE(has_config_issue(c.errors, "target", 3, "toName", "it labels only <Image>"));
}

TEST(ImageConfig, EveryToolRefusesANonImageObject) {
  // List is the core plugin's object: no image tool may label it.
  for (const char* tool : image_controls) {
    std::string labels = std::string(tool).find("Labels") != std::string::npos ? "<Label value=\"A\"/>" : "";
    std::string xml = "<View>\n  <List name=\"items\" value=\"$items\"/>\n  <" + std::string(tool) +
                      " name=\"t\" toName=\"items\">" + labels + "</" + tool + ">\n</View>";
    auto c = compile_config(xml, catalog());
    EXPECT_TRUE(has_config_issue(c.errors, "target", 3, "toName", "cannot label")) << tool;
  }
}

TEST(ImageConfig, LabelsOnPdfIsRefusedBecausePdfHasNoRegions) {
  auto c = compile_config(R"(<View>
  <Pdf name="doc" value="$pdf"/>

  <Labels name="ner" toName="doc"><Label value="Name"/></Labels>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "target", 4, "toName", "no installed plugin defines a 'labels' region on <Pdf>"));
}

TEST(ImageConfig, ToolTargetingANonObjectIsRefused) {
  auto c = compile_config(R"(<View>
  <Image name="img" value="$image"/>
  <Header name="title" value="Boxes"/>
  <Polygon name="poly" toName="title"/>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "target", 4, "toName", "not an object tag"));
}

TEST(ImageConfig, ToolTargetingNothingIsLabelStudiosToNameError) {
  auto c = compile_config(R"(<View>
  <Image name="img" value="$image"/>
  <KeyPointLabels name="kp" toName="image"><Label value="Eye"/></KeyPointLabels>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "to_name", 3, "toName", "toName=\"image\" not found in names"));
}

TEST(ImageConfig, LabelInsideABareToolIsOutsideItsParent) {
  // <Brush> is not a labels tool: a <Label> inside it belongs to no control.
  auto c = compile_config(R"(<View>
  <Image name="img" value="$image"/>
  <Brush name="brush" toName="img">
    <Label value="Person"/>
  </Brush>
</View>)",
                          catalog());
  EXPECT_TRUE(has_config_issue(c.errors, "parent", 4));
}

TEST(ImageConfig, ImageNeedsExactlyOneOfValueAndValueList) {
  // Label Studio's schema: name + value, or name + valueList, not both, not neither.
  auto none = compile_config("<View>\n  <Image name=\"img\"/>\n</View>", catalog());
  EXPECT_TRUE(has_config_issue(none.errors, "schema", 2));
  auto both = compile_config("<View>\n\n  <Image name=\"img\" value=\"$a\" valueList=\"$b\"/>\n</View>", catalog());
  EXPECT_TRUE(has_config_issue(both.errors, "schema", 3));
}

TEST(ImageConfig, AttributeWarningsCarryTheirLine) {
  auto c = compile_config(R"(<View>
  <Image name="img" value="$image" defaultZoom="huge"
         zoomControl="yes" showMousePos="true"/>
  <RectangleLabels name="rl" toName="img" opacity="2" strokeColor="notacolour">
    <Label value="Car"/>
  </RectangleLabels>
  <PolygonLabels name="pl" toName="img" pointSize="tiny"><Label value="Car"/></PolygonLabels>
  <Vector name="v" toName="img" minPoints="5" maxPoints="3"/>
  <Pdf name="doc"/>
</View>)",
                          catalog());
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  EXPECT_TRUE(has_config_issue(c.warnings, "attribute_value", 2, "defaultZoom", "one of: auto, original, fit"));
  EXPECT_TRUE(has_config_issue(c.warnings, "attribute_value", 2, "zoomControl", "true or false"));
  EXPECT_TRUE(has_config_issue(c.warnings, "unknown_attribute", 2, "showMousePos"));
  EXPECT_TRUE(has_config_issue(c.warnings, "attribute_value", 4, "opacity", "from 0 to 1"));
  EXPECT_TRUE(has_config_issue(c.warnings, "attribute_value", 4, "strokeColor", "CSS colour"));
  EXPECT_TRUE(has_config_issue(c.warnings, "attribute_value", 7, "pointSize", "small, medium, large"));
  EXPECT_TRUE(has_config_issue(c.warnings, "plugin", 8, "minPoints", "more than maxPoints"));
  EXPECT_TRUE(has_config_issue(c.warnings, "required_attribute", 9, "value"));
}

TEST(ImageConfig, ValueListImageReadsTheList) {
  auto model = accepted(R"(<View>
  <Image name="pages" valueList="$pages"/>
  <RectangleLabels name="rl" toName="pages"><Label value="Car"/></RectangleLabels>
</View>)");
  ASSERT_TRUE(model);
  ASSERT_EQ(model->objects().size(), 1u);
  EXPECT_TRUE(model->objects()[0].inst.value_list);
  EXPECT_EQ(model->objects()[0].inst.data_key, "pages");
}

}  // namespace
