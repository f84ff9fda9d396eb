// Why a plugin was not loaded: the step of the handshake that refused it, and a sentence for the user.
#pragma once

#include <string>
#include <string_view>

namespace annot::host::plugins {

// The loader's steps, in the order it runs them (GStreamer's order: nothing of the plugin runs
// before its descriptor passed every check). The first failing step names the refusal.
enum class refusal_stage {
  scan,             // the plugins directory itself cannot be read
  layout,           // a folder that is not a plugin: bad folder name, no annot_<name>.so
  open,             // the dynamic loader refused the file (not a library, missing dependency, ...)
  entry_symbol,     // no annot_plugin_<name>_entry, or it returned no descriptor
  handshake,        // wrong magic or descriptor size: not a descriptor this host can read
  sdk_version,      // built against another SDK major or minor
  toolchain,        // built with another compiler, standard library or ABI switches
  required_fields,  // name, version, kind or register function missing or invalid
  name,             // the descriptor's name differs from the folder and file name
  duplicate,        // another plugin of that name is already loaded
  registration      // the register function failed, threw, or registered what its kind may not
};

std::string_view to_string(refusal_stage stage) noexcept;

// One refused plugin. `name` is the name the plugin was expected to have (its folder name, or the
// name it was registered under statically); empty when the refusal is not about one plugin.
struct refusal {
  std::string file;
  std::string name;
  refusal_stage stage = refusal_stage::open;
  std::string reason;
};

}  // namespace annot::host::plugins
