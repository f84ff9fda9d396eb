// Times the config engine: parsing and compiling a 5,000-Choice config, parsed_label_config, and
// validating 10,000 results (JSON parsing measured apart). Prints medians; run on an idle machine.
//   bench_config [choices=5000] [results=10000] [repeats=21]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <pugixml.hpp>
#include <string>
#include <vector>
#include <time.h>

#include "config/linked_plugins.hpp"
#include "config/model.hpp"
#include "config/parsed_config.hpp"
#include "config/results.hpp"

using namespace annot::host::config;
using clock_type = std::chrono::steady_clock;

namespace {

struct timing {
  double wall_ms;  // median wall-clock time
  double cpu_ms;   // median CPU time of this thread: what the work costs when the machine is busy
};

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

timing median(int repeats, const std::function<void()>& fn) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeats; ++i) {
    auto a = clock_type::now();
    double c = thread_cpu_ms();
    fn();
    cpu.push_back(thread_cpu_ms() - c);
    wall.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - a).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

void print(const char* what, timing t) { std::printf("  %-26s %9.3f ms wall  %9.3f ms cpu\n", what, t.wall_ms, t.cpu_ms); }

std::string choices_config(int n, bool with_text) {
  std::string xml = "<View>\n";
  xml += with_text ? "  <Text name=\"obj\" value=\"$text\"/>\n" : "  <List name=\"obj\" value=\"$items\"/>\n";
  xml += "  <Choices name=\"c\" toName=\"obj\" choice=\"multiple\">\n";
  for (int i = 0; i < n; ++i) xml += "    <Choice value=\"choice " + std::to_string(i) + "\"/>\n";
  xml += "  </Choices>\n";
  if (with_text) xml += "  <Labels name=\"ner\" toName=\"obj\"><Label value=\"PER\"/><Label value=\"ORG\"/></Labels>\n";
  xml += "</View>\n";
  return xml;
}

std::string results_json(int n, int choices, bool with_text) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    std::string id = "r" + std::to_string(i);
    if (with_text && i % 2) {
      s += R"({"id":")" + id + R"(","from_name":"ner","to_name":"obj","type":"labels","origin":"manual","value":{"start":)" +
           std::to_string(i % 50) + R"(,"end":)" + std::to_string(i % 50 + 5) + R"(,"text":"abcde","labels":["PER"]}})";
    } else {
      s += R"({"id":")" + id + R"(","from_name":"c","to_name":"obj","type":"choices","origin":"manual","value":{"choices":["choice )" +
           std::to_string((i * 7919) % choices) + R"("]}})";
    }
  }
  return s + "]";
}

}  // namespace

int main(int argc, char** argv) {
  int choices = argc > 1 ? std::atoi(argv[1]) : 5000;
  int results = argc > 2 ? std::atoi(argv[2]) : 10000;
  int repeats = argc > 3 ? std::atoi(argv[3]) : 21;
  const tag_catalog& catalog = linked_catalog();
  bool with_text = catalog.find_tag("Text") && catalog.find_region("Text", "labels");
  std::printf("plugins linked: %zu tags; object for the bench: %s\n", catalog.size(), with_text ? "Text" : "List");

  std::string xml = choices_config(choices, with_text);
  timing pugi = median(repeats, [&] {
    pugi::xml_document d;
    d.load_buffer(xml.data(), xml.size());
  });
  compiled_config c;
  timing compile = median(repeats, [&] { c = compile_config(xml, catalog); });
  if (!c.ok()) {
    std::fprintf(stderr, "bench config refused: %s\n", c.errors.empty() ? "?" : describe(c.errors[0]).c_str());
    return 1;
  }
  timing parsed = median(repeats, [&] { (void)parsed_label_config(*c.model); });
  std::printf("config: %d Choice tags, %zu bytes\n", choices, xml.size());
  print("pugixml parse only", pugi);
  print("compile_config (full)", compile);
  print("parsed_label_config", parsed);

  std::string text = results_json(results, choices, with_text);
  nlohmann::json doc;
  timing parse = median(repeats, [&] { doc = nlohmann::json::parse(text); });
  nlohmann::json data = {{"text", std::string(200, 'x')}, {"items", nlohmann::json::array()}};
  result_check_options o;
  o.task_data = &data;
  result_report r;
  timing validate = median(repeats, [&] { r = validate_results(*c.model, doc, o); });
  std::printf("results: %d items (%s), %zu bytes\n", results, with_text ? "choices + labels spans" : "choices", text.size());
  print("JSON parse (nlohmann)", parse);
  print("validate_results", validate);
  std::printf("  per result: %.3f us cpu; issues: %zu\n", validate.cpu_ms * 1000.0 / results, r.issues.size());
  return r.issues.empty() ? 0 : 1;
}
