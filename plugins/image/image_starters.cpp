// The image plugin's starter configs, previewed on ui/samples/street.png (made by make_samples.py).
#include <annot/registrar.hpp>

namespace annot::plugins::image {

annot::status register_image_starters(annot::registrar& reg) {
  // Served by the host at /plugins/image/samples/street.png from the plugin's own ui/ folder.
  const std::string sample = R"({"image": "/plugins/image/samples/street.png"})";
  const annot::starter_config starters[] = {
      {.title = "Bounding boxes",
       .group = "Computer Vision",
       .config = R"(<View>
  <Image name="image" value="$image" zoom="true"/>
  <RectangleLabels name="box" toName="image">
    <Label value="Car" background="#e03131"/>
    <Label value="Person" background="#7048e8"/>
    <Label value="Traffic sign" background="#f59f00"/>
  </RectangleLabels>
</View>)",
       .sample_data = sample,
       .description = "Draw a box around each object and give it a label."},
      {.title = "Polygons",
       .group = "Computer Vision",
       .config = R"(<View>
  <Image name="image" value="$image" zoom="true"/>
  <PolygonLabels name="outline" toName="image" strokeWidth="2" pointSize="small">
    <Label value="Road" background="#495057"/>
    <Label value="Vegetation" background="#2f9e44"/>
    <Label value="Vehicle" background="#1971c2"/>
  </PolygonLabels>
</View>)",
       .sample_data = sample,
       .description = "Outline regions point by point."},
      {.title = "Image classification",
       .group = "Computer Vision",
       .config = R"(<View>
  <Image name="image" value="$image"/>
  <Choices name="scene" toName="image" choice="single-radio">
    <Choice value="City street"/>
    <Choice value="Countryside"/>
    <Choice value="Indoors"/>
  </Choices>
</View>)",
       .sample_data = sample,
       .description = "One class per image."},
      {.title = "Key points",
       .group = "Computer Vision",
       .config = R"(<View>
  <Image name="image" value="$image" zoom="true"/>
  <KeyPointLabels name="point" toName="image" strokeWidth="2">
    <Label value="Wheel" background="#212529"/>
    <Label value="Head" background="#f783ac"/>
  </KeyPointLabels>
</View>)",
       .sample_data = sample,
       .description = "Mark single points of interest."},
      {.title = "Masks with a brush",
       .group = "Computer Vision",
       .config = R"(<View>
  <Image name="image" value="$image" zoom="true"/>
  <BrushLabels name="mask" toName="image">
    <Label value="Sky" background="#4dabf7"/>
    <Label value="Road" background="#868e96"/>
  </BrushLabels>
</View>)",
       .sample_data = sample,
       .description = "Paint pixel masks; saved as Label Studio's RLE."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::image
