// The subcommand table, usage and version text.
#include "cli/commands.hpp"

#include <annot/plugin.h>

#include "build_info.hpp"

namespace annot::host::cli {

int run_import(const std::vector<std::string>& args);  // cli/import_command.cpp
int run_export(const std::vector<std::string>& args);  // cli/export_command.cpp

const std::vector<command>& commands() {
  static const std::vector<command> table = {
      {"serve", "run the host (HTTP API, web UI, jobs)", &run_serve},
      {"plugins", "say which plugins would load, and why any would not", &run_plugins},
      {"config", "validate a labeling config (and a task, results) with the installed plugins", &run_config},
      {"import", "import tasks from files into a project (as POST /api/projects/{id}/import)", &run_import},
      {"export", "export a project to a file, zip or folder (JSON, CSV, COCO, YOLO...)", &run_export},
      {"user", "create, list or delete users (create prints the API token)", &run_user},
      {"db", "show the database schema version or apply pending migrations", &run_db},
  };
  return table;
}

std::string usage() {
  std::string out = "usage: annot <command> [options]\n\ncommands:\n";
  for (auto& c : commands()) {
    std::string name = c.name;
    name.resize(12, ' ');
    out += "  " + name + c.summary + "\n";
  }
  out += "\n  --version   print versions\n\n`annot <command> --help` lists a command's options.\n";
  return out;
}

std::string version_text() {
  return std::string("annot ") + build_info::version + "\nplugin SDK " + ANNOT_SDK_VERSION_STRING +
         "\ntoolchain " + ANNOT_TOOLCHAIN_FINGERPRINT + "\nLabel Studio compatibility " +
         build_info::compatible_label_studio + "\n";
}

}  // namespace annot::host::cli
