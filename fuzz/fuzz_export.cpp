// libFuzzer target: the exporter plugins on tasks whose data and results are anything a user may
// import. The host stores a task's data (a JSON object) and each annotation's result (a JSON array)
// as the text the user sent, and hands exporters the task JSON built around them; so may this.
// Input: byte 0 picks a config, byte 1 one of the formats that apply to it, byte 2 holds flags; the
// rest is the data, then up to four results, separated by NUL bytes. An export must never crash, leak
// or hang, and must write only the entry paths the host's sinks accept (an invalid one fails the
// whole export there).
#include <annot/plugin.h>

#include <annot/exporter.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "golden.hpp"

extern "C" {
#define ANNOT_EXPORTER(n) const annot_plugin_descriptor* annot_plugin_##n##_entry(void);
#include ANNOT_FUZZ_EXPORTERS_INC
#undef ANNOT_EXPORTER
}

namespace {

namespace testing = annot::plugins::export_support::testing;

// One config per family of formats: image (COCO, YOLO, YOLO_OBB, VOC, brush), text (CONLL2003,
// SPACY), audio (ASR_MANIFEST), video and a Repeater; JSON, JSON_MIN, CSV and TSV apply to all.
const char* const configs[] = {
    R"(<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Car"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="Car"/></KeyPointLabels>
  <BrushLabels name="brush" toName="img"><Label value="Car"/></BrushLabels>
  <EllipseLabels name="ell" toName="img"><Label value="Bus"/></EllipseLabels>
  <Choices name="cls" toName="img" perRegion="true"><Choice value="x"/></Choices>
</View>)",
    R"(<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sent" toName="text"><Choice value="Pos"/><Choice value="Neg"/></Choices>
  <TextArea name="note" toName="text"/>
</View>)",
    R"(<View>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcription" toName="audio"/>
  <Labels name="al" toName="audio"><Label value="Speech"/></Labels>
</View>)",
    R"(<View>
  <Video name="video" value="$video"/>
  <VideoRectangle name="vr" toName="video"/>
  <Labels name="vl" toName="video"><Label value="Car"/></Labels>
</View>)",
    R"(<View>
  <Repeater on="$images" indexFlag="{{idx}}">
    <Image name="page_{{idx}}" value="$images[{{idx}}].url"/>
    <RectangleLabels name="box_{{idx}}" toName="page_{{idx}}"><Label value="Car"/></RectangleLabels>
  </Repeater>
</View>)",
};

struct candidate {
  const annot::exporter_factory* factory;
  std::string format;
};

struct prepared_config {
  std::string xml;
  std::string parsed;
  std::vector<candidate> formats;  // those that apply to it
};

struct fixture {
  std::vector<annot::exporter_spec> exporters;
  std::vector<prepared_config> configs;
};

const fixture& shared_fixture() {
  static const fixture f = [] {
    fixture out;
    for (const annot_plugin_descriptor* d : {
#define ANNOT_EXPORTER(n) annot_plugin_##n##_entry(),
#include ANNOT_FUZZ_EXPORTERS_INC
#undef ANNOT_EXPORTER
         }) {
      auto specs = testing::load_exporters(d);
      if (!specs.ok()) {
        std::fprintf(stderr, "fuzz_export: %s: %s\n", d->name, specs.error().message().c_str());
        std::abort();
      }
      for (auto& s : *specs) out.exporters.push_back(std::move(s));
    }
    for (const char* xml : configs) {
      prepared_config c{xml, testing::parsed_config_of(xml), {}};
      for (const auto& e : out.exporters)
        for (const auto& f : e.formats)
          if (e.factory->applies_to(f.name, {c.xml, c.parsed}).ok())
            c.formats.push_back({e.factory.get(), f.name});
      out.configs.push_back(std::move(c));
    }
    return out;
  }();
  return f;
}

// Counts what is written and checks every entry path; nothing is kept.
class checking_sink final : public annot::export_sink, public annot::output_stream {
 public:
  annot::result<annot::output_stream*> open(std::string_view path) override {
    check(path);
    return static_cast<annot::output_stream*>(this);
  }
  annot::status add_directory(std::string_view path) override {
    check(path);
    return {};
  }
  annot::status add_file(std::string_view path, std::string_view) override {
    check(path);
    return {annot::errc::not_found, "no local files in the fuzzer"};
  }
  annot::status write(std::string_view bytes) override {
    written_ += bytes.size();
    return {};
  }

 private:
  static void check(std::string_view path) {
    std::string why = testing::entry_path_error(path);
    if (why.empty()) return;
    std::fprintf(stderr, "fuzz_export: the exporter wrote entry path '%.*s', which the host refuses (%s)\n",
                 static_cast<int>(path.size()), path.data(), why.c_str());
    std::abort();
  }
  std::size_t written_ = 0;
};

void append_annotation(std::string& task, int id, std::string_view result, bool cancelled) {
  task +=
      "{\"id\":" + std::to_string(id) + ",\"completed_by\":" + std::to_string(id % 2 + 1) + ",\"result\":";
  task += result;
  task += ",\"was_cancelled\":";
  task += cancelled ? "true" : "false";
  task += ",\"ground_truth\":false,\"created_at\":\"2024-01-0" + std::to_string(id) +
          "T00:00:00.000000Z\",\"updated_at\":\"2024-01-0" + std::to_string(id) +
          "T00:00:00.000000Z\",\"lead_time\":1.5}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fixture& f = shared_fixture();
  if (size < 3) return 0;
  const prepared_config& config = f.configs[data[0] % f.configs.size()];
  if (config.formats.empty()) return 0;
  const candidate& format = config.formats[data[1] % config.formats.size()];
  const std::uint8_t flags = data[2];

  // The data, then the results; each must be what the host's import keeps.
  std::vector<std::string_view> parts;
  std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
  for (std::size_t from = 0; parts.size() < 5;) {
    std::size_t nul = rest.find('\0', from);
    parts.push_back(rest.substr(from, nul == std::string_view::npos ? std::string_view::npos : nul - from));
    if (nul == std::string_view::npos) break;
    from = nul + 1;
  }
  auto task_data = nlohmann::json::parse(parts[0], nullptr, false);
  if (task_data.is_discarded() || !task_data.is_object()) return -1;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto result = nlohmann::json::parse(parts[i], nullptr, false);
    if (result.is_discarded() || !result.is_array()) return -1;
  }

  // Task 1 holds every annotation (the first cancelled when flag 1 is set); flag 2 adds a task 2 with
  // the same data and the annotations in reverse order, flag 4 a task 3 without annotations.
  std::vector<std::string> tasks;
  auto add_task = [&](int id, bool reversed, bool annotated) {
    std::string t = "{\"id\":" + std::to_string(id) + ",\"annotations\":[";
    if (annotated)
      for (std::size_t k = 1; k < parts.size(); ++k) {
        std::size_t i = reversed ? parts.size() - k : k;
        if (k > 1) t += ',';
        append_annotation(t, static_cast<int>(i), parts[i], i == 1 && (flags & 1));
      }
    t += "],\"data\":";
    t += parts[0];
    t += '}';
    tasks.push_back(std::move(t));
  };
  add_task(1, false, true);
  if (flags & 2) add_task(2, true, true);
  if (flags & 4) add_task(3, false, false);

  auto created = format.factory->create(format.format);
  if (!created.ok()) {
    std::fprintf(stderr, "fuzz_export: %s cannot be created: %s\n", format.format.c_str(),
                 created.error().message().c_str());
    std::abort();
  }
  annot::export_request request;
  request.format = format.format;
  request.config = {config.xml, config.parsed};
  request.options = "{}";
  testing::memory_cursor cursor(std::move(tasks));
  checking_sink sink;
  testing::collected_log log;
  annot::status st = (*created)->run(request, cursor, sink, log);
  (void)st.ok();  // any outcome but a crash, leak or hang is allowed
  return 0;
}
