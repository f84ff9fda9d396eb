// run_config_validate: the `annot config validate` command over the config engine.
#include "config/cli.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/model.hpp"
#include "config/results.hpp"
#include "config/task_data.hpp"

namespace annot::host::config {

const char* config_usage() noexcept {
  return "usage: annot config validate FILE.xml [--task task.json] [--result result.json]\n"
         "  Checks a labeling config against the installed plugins' tags and prints errors and\n"
         "  warnings with line numbers. --task checks a task's data keys and types; --result checks\n"
         "  result items (a list, {\"result\": [...]}, or a task with annotations/predictions).\n"
         "  Exit status: 0 accepted (warnings allowed), 1 errors found, 2 usage error.\n";
}

namespace {

bool read_file(const std::string& path, std::string& out, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "annot config: cannot read " << path << "\n";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool read_json(const std::string& path, nlohmann::json& out, std::ostream& err) {
  std::string text;
  if (!read_file(path, text, err)) return false;
  try {
    out = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    err << path << ": not valid JSON: " << e.what() << "\n";
    return false;
  }
  return true;
}

void print_results(const std::string& file, const result_report& r, std::ostream& out) {
  for (const auto& i : r.issues) out << file << ": " << i.path << ": " << to_string(i.level) << ": " << i.message << "\n";
}

}  // namespace

int run_config_validate(const std::vector<std::string>& args, const tag_catalog& catalog, std::ostream& out,
                        std::ostream& err) {
  if (args.empty() || args[0] != "validate") {
    err << config_usage();
    return 2;
  }
  std::string config_path, task_path, result_path;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--task" || a == "--result") && i + 1 < args.size()) {
      (a == "--task" ? task_path : result_path) = args[++i];
    } else if (a == "--help" || a == "-h") {
      out << config_usage();
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      err << "annot config validate: unknown option " << a << "\n" << config_usage();
      return 2;
    } else if (config_path.empty()) {
      config_path = a;
    } else {
      err << "annot config validate: one config file at a time\n" << config_usage();
      return 2;
    }
  }
  if (config_path.empty()) {
    err << config_usage();
    return 2;
  }
  std::string xml;
  if (!read_file(config_path, xml, err)) return 2;
  compiled_config c = compile_config(xml, catalog);
  // file:line: level: <Tag>, attribute a: message — the form editors and CI annotate.
  for (const auto& e : c.errors) out << config_path << ":" << e.line << ": error: " << describe(e, false) << "\n";
  for (const auto& w : c.warnings) out << config_path << ":" << w.line << ": warning: " << describe(w, false) << "\n";
  bool failed = !c.errors.empty();
  if (!c.model) {
    out << config_path << ": refused\n";
    return 1;
  }

  nlohmann::json task;
  bool have_task = false;
  if (!task_path.empty()) {
    if (!read_json(task_path, task, err)) return 2;
    have_task = true;
    for (const auto& m : check_task(*c.model, task)) {
      out << task_path << ": error: " << m << "\n";
      failed = true;
    }
  }
  if (!result_path.empty()) {
    nlohmann::json doc;
    if (!read_json(result_path, doc, err)) return 2;
    nlohmann::json data;
    const nlohmann::json* task_data = nullptr;
    const nlohmann::json& task_source = have_task ? task : doc;
    if (task_source.is_object()) {
      data = task_source.contains("data") ? task_source["data"] : (have_task ? task_source : nlohmann::json());
      if (!data.is_null()) {
        rename_undefined_key(*c.model, data);
        task_data = &data;
      }
    }
    auto check = [&](const nlohmann::json& list, std::string base) {
      result_check_options o;
      o.base_path = std::move(base);
      o.task_data = task_data;
      result_report r = validate_results(*c.model, list, o);
      print_results(result_path, r, out);
      if (!r.clean()) failed = true;
    };
    if (doc.is_array()) {
      check(doc, "result");
    } else if (doc.is_object() && doc.contains("result")) {
      check(doc["result"], "result");
    } else if (doc.is_object() && (doc.contains("annotations") || doc.contains("predictions") || doc.contains("completions"))) {
      for (const char* key : {"annotations", "completions", "predictions"}) {
        if (!doc.contains(key) || !doc[key].is_array()) continue;
        for (std::size_t i = 0; i < doc[key].size(); ++i) {
          const auto& a = doc[key][i];
          if (a.is_object() && a.contains("result"))
            check(a["result"], std::string(key) + "[" + std::to_string(i) + "].result");
        }
      }
    } else {
      err << result_path << ": expected a list of result items, {\"result\": [...]}, or a task with annotations\n";
      return 2;
    }
  }
  out << config_path << ": " << (failed ? "refused" : c.warnings.empty() ? "ok" : "accepted with warnings") << "\n";
  return failed ? 1 : 0;
}

}  // namespace annot::host::config
