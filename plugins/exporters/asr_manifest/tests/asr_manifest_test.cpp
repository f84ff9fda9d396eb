// ASR_MANIFEST exporter tests: the golden run (bytes), and exports of WAV files written here

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "asr_manifest_exporter.hpp"
#include "export_support/run.hpp"
#include "golden.hpp"
#include "golden_gtest.hpp"

namespace {

namespace fs = std::filesystem;
namespace es = annot::plugins::export_support;
namespace gt = annot::plugins::export_support::testing;
using annot::plugins::asr_manifest::asr_manifest_exporter;

void check_runs(const std::string& format) {
  if (!gt::converter_fixtures()) GTEST_SKIP() << gt::fixtures_missing_reason();
  gt::scratch_dir scratch("annot_asr_golden");
  auto runs = gt::golden_runs(format);
  ASSERT_FALSE(runs.empty());
  es::label_studio_factory<asr_manifest_exporter> factory;
  for (const auto& run : runs) {
    SCOPED_TRACE(run.case_name + "/" + run.format);
    fs::path out = scratch.path / run.case_name / run.format;
    fs::remove_all(out);
    if (run.rc != 0) {
      gt::run_input in = gt::load_input(run);
      annot::export_config cfg{in.label_config, in.parsed_config};
      EXPECT_FALSE(factory.applies_to(run.format, cfg).ok()) << "upstream crashes here; Annot must refuse";
      continue;
    }
    gt::run_outcome r = gt::run_exporter(factory, run, out);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(gt::compare_run(run, out, false), "");
  }
}

TEST(AsrGolden, AsrManifest) { check_runs("ASR_MANIFEST"); }


// --- WAV files written here -------------------------------------------------------------------------------------

void write_wav(const fs::path& p, std::uint32_t rate, std::uint16_t channels, std::uint16_t bits, std::uint32_t frames,
               std::uint16_t format = 1) {
  std::string data(static_cast<std::size_t>(frames) * channels * (bits / 8), '\0');
  auto le = [](std::string& s, std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string w = "RIFF";
  le(w, static_cast<std::uint32_t>(36 + data.size()), 4);
  w += "WAVEfmt ";
  le(w, 16, 4);
  le(w, format, 2);
  le(w, channels, 2);
  le(w, rate, 4);
  le(w, rate * channels * (bits / 8), 4);
  le(w, channels * (bits / 8), 2);
  le(w, bits, 2);
  w += "LIST";  // an extra chunk before the data, as many encoders write
  le(w, 4, 4);
  w += "INFO";
  w += "data";
  le(w, static_cast<std::uint32_t>(data.size()), 4);
  w += data;
  std::ofstream(p, std::ios::binary) << w;
}

const char* const asr_schema = R"({"transcription": {"type": "TextArea", "to_name": ["audio"],
  "inputs": [{"type": "Audio", "value": "audio"}], "labels": [], "labels_attrs": {}}})";

std::string asr_task(int id, const std::string& audio, const std::string& completed_by, const char* texts) {
  return R"({"id": )" + std::to_string(id) + R"(, "data": {"audio": ")" + audio +
         R"("}, "annotations": [{"id": 1, "completed_by": )" + completed_by +
         R"(, "result": [{"from_name": "transcription", "to_name": "audio", "type": "textarea", "value": {"text": )" +
         texts + "}}]}]}";
}

// Runs ASR_MANIFEST over `tasks` with uploads under `uploads` into `out` (created); returns the log.
gt::collected_log run_asr(const std::vector<std::string>& tasks, const fs::path& uploads, const fs::path& out,
                          bool download) {
  fs::remove_all(out);
  fs::create_directories(out);
  gt::memory_cursor cursor(tasks);
  gt::directory_sink sink(out);
  annot::export_request req;
  req.format = "ASR_MANIFEST";
  req.config.parsed_config = asr_schema;
  req.options = "{}";
  const std::string up = uploads.string();
  req.upload_dir = up;
  req.download_resources = download;
  gt::collected_log log;
  asr_manifest_exporter ex("ASR_MANIFEST");
  EXPECT_TRUE(ex.run(req, cursor, sink, log).ok());
  EXPECT_TRUE(sink.close().ok());
  return log;
}

TEST(AsrExport, ManifestLinesAndCopies) {
  gt::scratch_dir scratch("annot_asr_own");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "4");
  write_wav(uploads / "4" / "a.wav", 8000, 1, 16, 4000);    // 0.5 s
  write_wav(uploads / "4" / "b.wav", 44100, 2, 16, 44100);  // 1.0 s
  write_wav(uploads / "4" / "f.wav", 8000, 1, 32, 8000, 3);  // IEEE float: the wave module refuses it
  std::vector<std::string> tasks = {
      asr_task(1, "/data/upload/4/a.wav", R"({"email": "\u00e9@x.org"})", R"(["h\u00e9llo \"you\"", "second"])"),
      asr_task(2, "/data/upload/4/b.wav", "3", R"(["two"])"),
      asr_task(3, "/data/upload/4/f.wav", "3", R"(["float"])"),
      asr_task(4, "/data/upload/4/missing.wav", "3", R"(["gone"])"),
      asr_task(5, "https://example.com/c.wav", "3", R"(["remote"])")};
  fs::path out = scratch.path / "out";
  for (bool download : {true, false}) {
    gt::collected_log log = run_asr(tasks, uploads, out, download);
    std::ifstream f(out / "manifest.json", std::ios::binary);
    std::string manifest((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (download) {
      // Python's json.dumps: ", " and ": " separators, ASCII escapes, no "\/".
      EXPECT_EQ(manifest,
                "{\"audio_filepath\": \"audio/a.wav\", \"duration\": 0.5, \"text\": \"h\\u00e9llo \\\"you\\\"\", "
                "\"annotator\": \"\\u00e9@x.org\"}\n"
                "{\"audio_filepath\": \"audio/b.wav\", \"duration\": 1.0, \"text\": \"two\", \"annotator\": \"3\"}\n");
      EXPECT_EQ(fs::file_size(out / "audio" / "a.wav"), fs::file_size(uploads / "4" / "a.wav"));
      EXPECT_TRUE(fs::exists(out / "audio" / "b.wav"));
      EXPECT_EQ(log.skips.size(), 3u);
    } else {
      // Without download_resources Label Studio skips every item; so do we, saying why.
      EXPECT_EQ(manifest, "");
      EXPECT_EQ(log.skips.size(), 5u);
    }
    EXPECT_TRUE(fs::is_directory(out / "audio"));
  }
  EXPECT_DOUBLE_EQ(*annot::plugins::asr_manifest::wav_duration((uploads / "4" / "b.wav").string()), 1.0);
  EXPECT_FALSE(annot::plugins::asr_manifest::wav_duration((uploads / "4" / "f.wav").string()).has_value());
}

// Two uploads of one file name: upstream copies each over the last, so audio/ holds the later one (its line's
// duration is that file's); the same file twice is copied once.
TEST(AsrExport, ASecondFileOfTheSameNameReplacesTheFirst) {
  gt::scratch_dir scratch("annot_asr_same_name");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "1");
  fs::create_directories(uploads / "2");
  write_wav(uploads / "1" / "clip.wav", 8000, 1, 16, 8000);  // 1.0 s
  write_wav(uploads / "2" / "clip.wav", 8000, 1, 16, 4000);  // 0.5 s
  std::vector<std::string> tasks = {asr_task(1, "/data/upload/1/clip.wav", "3", R"(["first"])"),
                                    asr_task(2, "/data/upload/1/clip.wav", "3", R"(["again"])"),
                                    asr_task(3, "/data/upload/2/clip.wav", "3", R"(["second"])")};
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_asr(tasks, uploads, out, true);
  EXPECT_EQ(fs::file_size(out / "audio" / "clip.wav"), fs::file_size(uploads / "2" / "clip.wav"));
  ASSERT_EQ(log.warnings.size(), 1u);
  const std::string said = "audio/clip.wav: two files of that name; the later one, " +
                           (uploads / "2" / "clip.wav").string() + ", is kept";
  EXPECT_NE(log.warnings[0].find(said), std::string::npos) << log.warnings[0];
  std::ifstream f(out / "manifest.json", std::ios::binary);
  std::string manifest((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(manifest.find("\"duration\": 0.5, \"text\": \"second\""), std::string::npos) << manifest;
}

// Values read as Label Studio's JSON reads them: every kind of completed_by (str() of it, or its email), a
// transcript that is not a string, a repeated key (the last value counts), items without a usable transcript.
TEST(AsrExport, OddAnnotatorsAndTranscripts) {
  gt::scratch_dir scratch("annot_asr_odd");
  fs::path uploads = scratch.path / "uploads";
  fs::create_directories(uploads / "4");
  write_wav(uploads / "4" / "a.wav", 8000, 1, 16, 2000);  // 0.25 s
  const std::string a = "/data/upload/4/a.wav";
  std::vector<std::string> tasks = {
      asr_task(1, a, "null", R"([3])"),
      asr_task(2, a, R"("s/x \u00e9")", R"([2.5, "x"])"),
      asr_task(3, a, "[1, {\"b\": 2}]", R"([{"a/b": [1, null, true]}])"),
      asr_task(4, a, R"({"id": 1})", R"(["no email"])"),
      asr_task(5, a, R"({"email": 5, "email": null})", R"(["null email"])"),
      asr_task(6, a, "true", R"(["bool"])"),
      asr_task(7, a, "2.5", R"(["float"])"),
      asr_task(8, a, "18446744073709551615", R"(["big"])"),
      asr_task(9, a, "1", R"(["old"], "text": ["new"])"),
      asr_task(10, a, "1", "[]"),
      asr_task(11, a, "1", R"("not a list")"),
      R"({"id": 12, "data": {"audio": 5}, "annotations": [{"id": 1, "result": []}]})",
      R"({"id": 13, "data": {"audio": "/data/upload/4/a.wav"}, "annotations": [{"id": 1, "result": [
          {"from_name": "transcription", "type": "textarea", "value": {"text": ["no completed_by"]}}]}]})",
      R"({"id": 14, "data": {"audio": "/data/upload/4/a.wav"}})"};
  fs::path out = scratch.path / "out";
  gt::collected_log log = run_asr(tasks, uploads, out, true);
  std::ifstream f(out / "manifest.json", std::ios::binary);
  std::string manifest((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(manifest,
            R"({"audio_filepath": "audio/a.wav", "duration": 0.25, "text": 3, "annotator": "None"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": 2.5, "annotator": "s/x \u00e9"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": {"a/b": [1, null, true]}, "annotator": "[1,{\"b\":2}]"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "no email", "annotator": ""}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "null email", "annotator": "None"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "bool", "annotator": "True"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "float", "annotator": "2.5"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "big", "annotator": "18446744073709551615"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "new", "annotator": "1"}
{"audio_filepath": "audio/a.wav", "duration": 0.25, "text": "no completed_by", "annotator": ""}
)");
  std::string skips;
  for (const auto& [id, why] : log.skips) skips += std::to_string(id) + ": " + why + "\n";
  EXPECT_EQ(skips,
            "10: the annotation has no transcript; left out\n11: the annotation has no transcript; left out\n"
            "12: data \"audio\" is missing or not a string\n");
  EXPECT_EQ(log.warnings, std::vector<std::string>{"task 14 has no \"annotations\" key; left out"});
}

}  // namespace
