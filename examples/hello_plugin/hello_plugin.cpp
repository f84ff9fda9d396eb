// hello: a minimal data-type plugin. It registers a <Hello> object tag that greets the name in the
// task data, the UI bundle that renders it, and says so in the host's log.
#include <annot/plugin.h>

namespace annot::plugins::hello {

status register_hello(registrar& reg) {
  // <Hello name="greeting" value="$name"/> shows "Hello, <task.name>!".
  if (auto st = reg.add_object_tag(
          {.tag = {.name = "Hello",
                   .description = "Greets the name held in the task data",
                   .attributes = {{.name = "name", .required = true, .description = "Name of the tag"},
                                  {.name = "value",
                                   .required = true,
                                   .description = "$key of the name to greet",
                                   .variable_allowed = true}},
                   .data_types = {data_type::str}}});
      !st) {
    return st;
  }
  // The files are checked now: a bundle naming a missing file is refused at start-up.
  if (auto st = reg.add_ui_bundle({.module = "index.js", .styles = {"hello.css"}}); !st) return st;
  reg.services().log(log_level::info, "hello is ready: <Hello> renders through /plugins/hello/index.js");
  return status::success();
}

}  // namespace annot::plugins::hello

ANNOT_PLUGIN(hello, data_type, "1.0.0", "Greets the name in the task data",
             annot::plugins::hello::register_hello)
