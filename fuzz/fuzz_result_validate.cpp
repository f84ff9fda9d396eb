// libFuzzer target: result validation. The first byte picks one of a few configs covering every
// linked plugin's tags; the rest is the result list as JSON, optionally followed by a NUL byte and
// the task data as JSON. Validation must never crash, leak or hang, whatever the JSON holds.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "config/linked_plugins.hpp"
#include "config/model.hpp"
#include "config/results.hpp"

using namespace annot::host::config;

namespace {

// Configs that use the tags of every plugin this tree may link; those whose plugins are missing
// fail to compile and are left out.
const char* const configs[] = {
    R"(<View>
  <List name="items" value="$items"/>
  <Ranker name="rank" toName="items"><Bucket name="best"/><Bucket name="ads"/></Ranker>
  <Choices name="c" toName="items" choice="multiple" allowNested="true">
    <Choice value="A"><Choice value="A1"/></Choice><Choice value="B"/>
  </Choices>
  <Taxonomy name="tax" toName="items"><Choice value="X"><Choice value="Y"/></Choice></Taxonomy>
  <TextArea name="ta" toName="items"/>
  <Rating name="r" toName="items" maxRating="7"/>
  <Number name="n" toName="items" min="0" max="5"/>
  <DateTime name="d" toName="items" format="%Y-%m-%d"/>
  <List name="other" value="$other"/>
  <Pairwise name="pw" toName="items,other"/>
  <Relations><Relation value="rel"/></Relations>
</View>)",
    R"(<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sent" toName="text"><Choice value="Pos"/></Choices>
  <TextArea name="note" toName="text" perRegion="true"/>
  <Paragraphs name="dialog" value="$dialog"/>
  <ParagraphLabels name="pl" toName="dialog"><Label value="Q"/></ParagraphLabels>
  <Relations><Relation value="rel"/></Relations>
</View>)",
    R"(<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Car"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Car"/></PolygonLabels>
  <EllipseLabels name="ell" toName="img"><Label value="Car"/></EllipseLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="Car"/></KeyPointLabels>
  <BrushLabels name="brush" toName="img"><Label value="Car"/></BrushLabels>
  <Labels name="lab" toName="img"><Label value="Car"/></Labels>
  <Choices name="cls" toName="img" perRegion="true"><Choice value="x"/></Choices>
  <Image name="imgs" valueList="$images"/>
  <Rectangle name="rect" toName="imgs"/>
</View>)",
    R"(<View>
  <Audio name="audio" value="$audio"/>
  <Labels name="al" toName="audio"><Label value="Speech"/></Labels>
  <TextArea name="tr" toName="audio" perRegion="true"/>
  <Video name="video" value="$video"/>
  <VideoRectangle name="vr" toName="video"/>
  <Labels name="vl" toName="video"><Label value="Car"/></Labels>
  <TimelineLabels name="tl" toName="video"><Label value="Run"/></TimelineLabels>
  <HyperText name="html" value="$html"/>
  <HyperTextLabels name="hl" toName="html"><Label value="Date"/></HyperTextLabels>
  <TimeSeries name="ts" value="$ts" valueType="json" timeColumn="time"><Channel column="a"/></TimeSeries>
  <TimeSeriesLabels name="tsl" toName="ts"><Label value="Up"/></TimeSeriesLabels>
</View>)",
};

// Compiled once and shared by every input.
const std::vector<std::shared_ptr<const config_model>>& models() {
  static const std::vector<std::shared_ptr<const config_model>> out = [] {
    std::vector<std::shared_ptr<const config_model>> m;
    for (const char* xml : configs) {
      compiled_config c = compile_config(xml, linked_catalog());
      if (c.ok()) m.push_back(c.model);
    }
    return m;
  }();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& m = models();
  if (m.empty() || size == 0) return 0;
  const config_model& model = *m[data[0] % m.size()];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t nul = rest.find('\0');
  auto results = nlohmann::json::parse(rest.substr(0, nul), nullptr, false);
  if (results.is_discarded()) return 0;
  nlohmann::json task;
  result_check_options o;
  if (nul != std::string_view::npos) {
    task = nlohmann::json::parse(rest.substr(nul + 1), nullptr, false);
    if (!task.is_discarded()) o.task_data = &task;
  }
  result_report r = validate_results(model, results, o);
  for (const auto& i : r.issues) (void)i.message.size();
  return 0;
}
