// asr_manifest_exporter: one {"audio_filepath", "duration", "text", "annotator"} line per item whose audio is a
// local upload (copied into audio/) with a readable WAV duration, as Label Studio writes them (spec §2.11).
#include "asr_manifest_exporter.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "export_support/item_view.hpp"
#include "export_support/paths.hpp"
#include "export_support/run.hpp"
#include "export_support/spill_file.hpp"
#include "export_support/task_view.hpp"

namespace annot::plugins::asr_manifest {
namespace es = annot::plugins::export_support;

namespace {

std::uint32_t le32(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t{p[3]} << 24); }
std::uint32_t le16(const unsigned char* p) { return p[0] | (p[1] << 8); }

// get_annotator(item, default=""): dict → email (or ""), anything else → str().
std::string annotator_text(const es::item_view& it) {
  if (std::optional<std::string> text = it.annotator_str()) return *text;
  std::optional<es::element> a = it.annotator();
  return a ? es::python_str(*a) : "";
}

// json.dumps of a transcript (ensure_ascii): a string directly, anything else through its document (rare).
void append_transcript(std::string& out, es::element text) {
  if (text.is_string())
    es::append_python_json_string(out, es::string_or(text), true);
  else
    es::append_python_json(out, es::to_json(text), {-1, true});
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The local file behind an audio value: "/data/upload/P/F" under the upload dir, "/data/local-files/?d=REL"
// under the local-files root (es::file_inside: never out of either). Empty when it is anything else (URLs are
// never fetched).
std::string local_audio(const std::string& value, std::string_view upload_dir, std::string_view local_root) {
  if (value.rfind("/data/upload/", 0) == 0)
    return es::file_inside(upload_dir, percent_decode(value.substr(13)));
  if (value.rfind("/data/", 0) == 0 && value.find("?d=") != std::string::npos)
    return es::file_inside(local_root, percent_decode(value.substr(value.find("?d=") + 3)));
  return {};
}

}  // namespace

std::optional<double> wav_duration(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  unsigned char riff[12];
  if (!f.read(reinterpret_cast<char*>(riff), 12) || std::string_view(reinterpret_cast<char*>(riff), 4) != "RIFF" ||
      std::string_view(reinterpret_cast<char*>(riff) + 8, 4) != "WAVE")
    return std::nullopt;
  std::uint32_t rate = 0, frame_size = 0;
  bool have_fmt = false;
  for (;;) {
    unsigned char head[8];
    if (!f.read(reinterpret_cast<char*>(head), 8)) return std::nullopt;
    std::string_view id(reinterpret_cast<char*>(head), 4);
    std::uint32_t size = le32(head + 4);
    if (id == "fmt ") {
      if (size < 16) return std::nullopt;
      unsigned char fmt[16];
      if (!f.read(reinterpret_cast<char*>(fmt), 16)) return std::nullopt;
      if (le16(fmt) != 1) return std::nullopt;  // the wave module opens PCM only
      std::uint32_t channels = le16(fmt + 2), bits = le16(fmt + 14);
      rate = le32(fmt + 4);
      frame_size = channels * ((bits + 7) / 8);
      if (!channels || !bits || !rate) return std::nullopt;
      have_fmt = true;
      f.seekg(static_cast<std::streamoff>(size - 16 + (size & 1)), std::ios::cur);
    } else if (id == "data") {
      if (!have_fmt) return std::nullopt;
      return static_cast<double>(size / frame_size) / static_cast<double>(rate);
    } else {
      f.seekg(static_cast<std::streamoff>(size + (size & 1)), std::ios::cur);
    }
  }
}

annot::status asr_manifest_exporter::run(const annot::export_request& request, annot::task_cursor& tasks,
                                         annot::export_sink& sink, annot::export_log& log) noexcept {
  return es::guarded([&]() -> annot::status {
    annot::result<es::schema> parsed = es::schema::parse(request.config.parsed_config);
    if (!parsed.ok()) return parsed.error();
    const es::schema& s = *parsed;
    if (s.data_keys().empty())
      return annot::status(annot::errc::invalid_argument, "ASR_MANIFEST needs a labeling config with an Audio tag");
    const std::string data_key = s.data_keys().front();
    if (annot::status st = sink.add_directory("audio"); !st.ok()) return st;
    // Manifest lines go to a spill file (the sink closes an entry when the next audio file is added) and are copied
    // into manifest.json at the end, so memory does not grow with the number of tasks.
    es::spill_file lines;
    es::resource_copies copies;
    es::item_views items;
    annot::status st = es::for_each_task_view(tasks, log, [&](const es::task_view& task) -> annot::status {
      if (es::expand(task, s, items) == es::task_fate::no_annotations_key)
        log.warn("task " + std::to_string(task.id()) + " has no \"annotations\" key; left out");
      for (const es::item_view& it : items) {
        std::optional<es::element> value = it.data(data_key);
        if (!value || !value->is_string()) {
          log.skipped(it.task_id, "data \"" + data_key + "\" is missing or not a string");
          continue;
        }
        const std::string u(es::string_or(*value));
        const std::string file = local_audio(u, request.upload_dir, request.local_files_root);
        if (file.empty()) {
          log.skipped(it.task_id, "the audio " + u + " is not a local upload or local file; left out");
          continue;
        }
        if (!request.download_resources) {
          // Upstream reads the duration from the copy it did not make, and skips the item.
          log.skipped(it.task_id, "download_resources is off: the audio is not copied, so the item is left out");
          continue;
        }
        std::optional<double> duration = wav_duration(file);
        if (!duration) {
          log.skipped(it.task_id, "the audio " + u + " is not a PCM WAV file; left out");
          continue;
        }
        // The transcript: the first text of the first group whose first region has "text".
        std::optional<es::element> text;
        for (const es::result_group& g : it.output())
          if (!g.values.empty() && (text = g.values.front().find("text"))) break;
        std::optional<es::element> first;
        if (text && text->is_array())
          for (es::element t : simdjson::dom::array(*text)) {
            first = t;
            break;
          }
        if (!first) {
          // Upstream reuses the previous item's transcript or aborts (NameError/KeyError).
          log.skipped(it.task_id, "the annotation has no transcript; left out");
          continue;
        }
        std::string name = std::filesystem::path(file).filename().string();
        es::fit_entry_segment(name);  // a local file's name may hold a backslash
        // Two files of one name: upstream copies each over the last, so the later one is what audio/ holds.
        if (annot::status c = copies.copy(sink, log, "audio/" + name, file); !c.ok()) return c;
        // json.dumps({"audio_filepath", "duration", "text", "annotator"}), ensure_ascii on.
        std::string& row = lines.buffer();
        row += "{\"audio_filepath\": ";
        es::append_python_json_string(row, "audio/" + name, true);
        row += ", \"duration\": ";
        es::append_python_float(row, *duration);  // finite: frames / rate
        row += ", \"text\": ";
        append_transcript(row, *first);
        row += ", \"annotator\": ";
        es::append_python_json_string(row, annotator_text(it), true);
        row += "}\n";
        lines.maybe_spill();
      }
      return {};
    });
    if (!st.ok()) return st;
    annot::result<annot::output_stream*> f = sink.open("manifest.json");
    if (!f.ok()) return f.error();
    annot::status written;
    lines.for_each_chunk([&](std::string_view chunk) {
      if (written.ok()) written = (*f)->write(chunk);
    });
    return written;
  });
}

annot::status register_asr_manifest(annot::registrar& reg) {
  annot::exporter_spec spec;
  spec.id = "asr_manifest";
  annot::export_format f;
  f.name = "ASR_MANIFEST";
  f.title = "ASR Manifest";
  f.description =
      "Export audio transcription labels for automatic speech recognition as the JSON manifest format expected by "
      "NVIDIA NeMo models.";
  f.link = "https://labelstud.io/guide/export.html#ASR-MANIFEST";
  f.tags = {"speech recognition"};
  f.layout = annot::export_layout::archive;
  f.task_content = annot::export_task_content::items;
  spec.formats.push_back(std::move(f));
  spec.factory = std::make_unique<es::label_studio_factory<asr_manifest_exporter>>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::asr_manifest
