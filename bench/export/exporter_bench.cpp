// Exporter-side benchmark (run on demand, never in CI): one exporter plugin, statically linked,
// over tasks held in memory (the text `annot export --format JSON` wrote, one task per element),
// writing to a folder. Prints wall and CPU time per run, so the plugin's per-task cost is seen
// apart from the store cursor, the CLI's start-up and the load of a shared machine.
//   annot_exporter_bench PLUGIN FORMAT CONFIG.xml EXPORT.json OUT_DIR [runs=5]
#include <annot/plugin.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "golden.hpp"

extern "C" {
const annot_plugin_descriptor* annot_plugin_coco_entry(void);
const annot_plugin_descriptor* annot_plugin_yolo_entry(void);
const annot_plugin_descriptor* annot_plugin_voc_entry(void);
const annot_plugin_descriptor* annot_plugin_json_min_entry(void);
const annot_plugin_descriptor* annot_plugin_csv_entry(void);
const annot_plugin_descriptor* annot_plugin_conll2003_entry(void);
}

namespace t = annot::plugins::export_support::testing;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> top_level_elements(const std::string& text) {
  std::vector<std::string> out;
  int depth = 0;
  bool in_string = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth == 2) start = i;
    } else if (c == '}' || c == ']') {
      if (depth-- == 2) out.push_back(text.substr(start, i + 1 - start));
    }
  }
  return out;
}

double cpu_seconds() {
  std::timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s PLUGIN FORMAT CONFIG.xml EXPORT.json OUT_DIR [runs]\n", argv[0]);
    return 2;
  }
  const std::map<std::string, const annot_plugin_descriptor* (*)()> plugins = {
      {"coco", annot_plugin_coco_entry},         {"yolo", annot_plugin_yolo_entry},
      {"voc", annot_plugin_voc_entry},           {"json_min", annot_plugin_json_min_entry},
      {"csv", annot_plugin_csv_entry},           {"conll2003", annot_plugin_conll2003_entry}};
  auto entry = plugins.find(argv[1]);
  if (entry == plugins.end()) {
    std::fprintf(stderr, "unknown plugin %s\n", argv[1]);
    return 2;
  }
  const std::string format = argv[2], xml = slurp(argv[3]), out_dir = argv[5];
  const int runs = argc > 6 ? std::atoi(argv[6]) : 5;
  // The elements of the top-level array, cut out as they are (strings and nesting followed, nothing parsed), so
  // that loading the input stays small next to the runs in a profile.
  std::vector<std::string> tasks = top_level_elements(slurp(argv[4]));
  if (tasks.empty()) {
    std::fprintf(stderr, "%s: no tasks (a JSON array of task objects is expected)\n", argv[4]);
    return 1;
  }
  const std::string parsed = t::parsed_config_of(xml);
  auto specs = t::load_exporters(entry->second());
  if (!specs.ok()) {
    std::fprintf(stderr, "%s\n", specs.error().message().c_str());
    return 1;
  }
  for (int r = 0; r < runs; ++r) {
    std::filesystem::remove_all(out_dir);
    std::filesystem::create_directories(out_dir);
    t::memory_cursor cursor(tasks);
    t::directory_sink sink(out_dir);
    t::collected_log log;
    auto ex = (*specs)[0].factory->create(format);
    if (!ex.ok()) {
      std::fprintf(stderr, "%s\n", ex.error().message().c_str());
      return 1;
    }
    annot::export_request req;
    req.format = format;
    req.config = {xml, parsed};
    req.options = "{}";
    req.output_dir = out_dir;
    auto wall0 = std::chrono::steady_clock::now();
    double cpu0 = cpu_seconds();
    annot::status st = (*ex)->run(req, cursor, sink, log);
    if (st.ok()) st = sink.close();
    double cpu = cpu_seconds() - cpu0;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      return 1;
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%-10s %zu tasks  wall %.3f s  cpu %.3f s  (%zu warnings, %zu skipped, peak RSS %.1f MB with the input)\n",
                format.c_str(), tasks.size(), wall, cpu, log.warnings.size(), log.skips.size(), ru.ru_maxrss / 1024.0);
  }
  return 0;
}
