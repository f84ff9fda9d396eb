/* annot::registrar and annot::host_services: what a plugin's register function is given.
 *
 * The host calls a plugin's register function once, on its start-up thread, before the server
 * accepts requests. Everything registered is staged; if the function fails (returns an error
 * status, reports a failure or throws) nothing of it is kept. After every plugin registered, the
 * registry is frozen and read concurrently without locks.
 *
 * A plugin may register only its own kind of thing (see annot_plugin_kind): a call for another
 * kind returns errc::unsupported, and the host refuses the plugin.
 *
 * Later SDK minors add registration calls at the end of `registrar` (tags and regions, exporters,
 * starter configs, storage connectors); adding a virtual function is a declaration change and so bumps the minor.
 * Since: SDK 1.0
 */
#pragma once

#include <string>
#include <string_view>

#include "annot/exporter.hpp"
#include "annot/regions.hpp"
#include "annot/starter.hpp"
#include "annot/status.hpp"
#include "annot/tags.hpp"
#include "annot/ui.hpp"

namespace annot {

/** Severity of a log line. Since: SDK 1.0 */
enum class log_level { debug, info, warn, error };

/** Services the host offers to a plugin for the whole life of the process.
 *  Lifetime: owned by the host; outlives every plugin (plugins are never unloaded), so a plugin may
 *  keep the reference it gets from registrar::services().
 *  Threading: every function may be called from any thread at any time. Since: SDK 1.0 */
class host_services {
 public:
  /** Writes a line to the host's log, tagged with the plugin's name. Never throws. */
  virtual void log(log_level level, std::string_view message) noexcept = 0;
  /** An absolute path to a directory private to this plugin (`<data-dir>/plugins/<name>`), created
   *  on first call. Returns an error status if it cannot be created. */
  virtual result<std::string> data_dir() = 0;

 protected:
  ~host_services() = default;
};

/** The registration interface handed to a plugin's register function.
 *  Lifetime: valid only during that call; do not keep it.
 *  Threading: called from the host's start-up thread only. Since: SDK 1.0 */
class registrar {
 public:
  /** The plugin's name as declared in ANNOT_PLUGIN. */
  virtual std::string_view plugin_name() const noexcept = 0;
  /** The host's services, valid for the life of the process (see host_services). */
  virtual host_services& services() noexcept = 0;
  /** Registers the plugin's web UI. data_type plugins only; at most once; every file named must
   *  exist under the plugin's `ui/` folder. */
  virtual status add_ui_bundle(const ui_bundle& bundle) = 0;
  /** Records why registration failed, for the refusal message; the ANNOT_PLUGIN thunk calls it
   *  with the message of a failed status or of an exception. */
  virtual void report_failure(std::string_view message) noexcept = 0;

  // --- Tags and regions (SDK 1.1). data_type plugins only; anything else gets errc::unsupported.
  // A tag name already registered (by this or another plugin, ignoring case) gets
  // errc::already_exists naming both plugins. A spec missing its name, or naming an unknown
  // referenced tag, gets errc::invalid_argument. As with everything registered, a failed plugin
  // leaves none of its tags behind.

  /** Registers an object tag (Image, Text...); see object_tag_spec. The host keeps the spec and its
   *  data_measure. Since: SDK 1.1 */
  virtual status add_object_tag(object_tag_spec spec) = 0;
  /** Registers a control tag (Labels, RectangleLabels...); see control_tag_spec. The host keeps the
   *  spec and its validator. Since: SDK 1.1 */
  virtual status add_control_tag(control_tag_spec spec) = 0;
  /** Registers a visual tag (View, Header, Label, Choice...); see visual_tag_spec. Since: SDK 1.1 */
  virtual status add_visual_tag(visual_tag_spec spec) = 0;
  /** Registers the geometry and validator of a result type on an object tag; see region_spec.
   *  The object tag must be registered, by this plugin, before its regions; a second spec for the
   *  same (object tag, result type) gets errc::already_exists. Since: SDK 1.1 */
  virtual status add_region(region_spec spec) = 0;

  // --- Exporters (SDK 1.2). exporter plugins only; anything else gets errc::unsupported.

  /** Registers an exporter and the export formats it offers; see exporter_spec (exporter.hpp).
   *  An id or format name already registered gets errc::already_exists naming both plugins; a spec
   *  without id, formats or factory, or a single_file format without file_name, gets
   *  errc::invalid_argument. The host keeps the spec and its factory. Since: SDK 1.2 */
  virtual status add_exporter(exporter_spec spec) = 0;

  // --- Starter configs (SDK 1.3). data_type plugins only; anything else gets errc::unsupported.

  /** Registers a gallery entry; see starter_config (starter.hpp). A starter without title, group,
   *  config or sample_data, or whose sample_data is not a JSON object, gets errc::invalid_argument;
   *  a title already registered (by this or another plugin) gets errc::already_exists naming both
   *  plugins and refuses the plugin, as any name clash does. The host copies the starter.
   *  Since: SDK 1.3 */
  virtual status add_starter_config(const starter_config& starter) = 0;

 protected:
  ~registrar() = default;
};

}  // namespace annot
