// The core plugin's entry: registers the layout tags, the generic controls with their value tags, and List.
#include <annot/plugin.h>

#include "core.hpp"

namespace annot::plugins::core {

annot::status register_core_starters(annot::registrar& reg);  // core_starters.cpp

annot::status register_core(annot::registrar& reg) {
  for (auto fn : {register_layout_tags, register_value_tags, register_labels, register_choices, register_inputs,
                  register_comparison, register_core_starters})
    if (annot::status st = fn(reg); !st.ok()) return st;
  return reg.add_ui_bundle(annot::ui_bundle{.module = "index.js", .styles = {"core.css"}});
}

}  // namespace annot::plugins::core

ANNOT_PLUGIN(core, data_type, "1.0.0", "Layout tags, generic controls (Labels, Choices, TextArea, ...) and List",
             annot::plugins::core::register_core)
