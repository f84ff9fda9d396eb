// The video plugin's starter configs, previewed on ui/samples/ball.webm (made by make_samples.mjs).
#include <annot/registrar.hpp>

namespace annot::plugins::video {

annot::status register_video_starters(annot::registrar& reg) {
  // Served by the host at /plugins/video/samples/ball.webm from the plugin's own ui/ folder.
  const std::string sample = R"({"video": "/plugins/video/samples/ball.webm"})";
  const annot::starter_config starters[] = {
      {.title = "Video classification",
       .group = "Videos",
       .config = R"(<View>
  <Video name="video" value="$video"/>
  <Choices name="content" toName="video" choice="multiple" showInline="true">
    <Choice value="Ball"/>
    <Choice value="Square"/>
    <Choice value="Person"/>
  </Choices>
</View>)",
       .sample_data = sample,
       .description = "Tag what a clip shows."},
      {.title = "Events on a timeline",
       .group = "Videos",
       .config = R"(<View>
  <Video name="video" value="$video" frameRate="25"/>
  <TimelineLabels name="event" toName="video">
    <Label value="Bounce" background="#e03131"/>
    <Label value="Crossing" background="#1971c2"/>
  </TimelineLabels>
</View>)",
       .sample_data = sample,
       .description = "Mark the frame ranges where something happens."},
      {.title = "Track objects",
       .group = "Videos",
       .config = R"(<View>
  <Labels name="object" toName="video">
    <Label value="Ball" background="#e03131"/>
    <Label value="Square" background="#1971c2"/>
  </Labels>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
</View>)",
       .sample_data = sample,
       .description = "Follow objects with boxes on key frames."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::video
