/* annot::ui_bundle: the browser side of a data-type plugin.
 * The files live in the plugin's `ui/` folder, next to its library; the host serves them, read
 * into memory at start-up, at `/plugins/<name>/<path>`. Since: SDK 1.0
 */
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace annot {

/** What the web shell needs to load a plugin's UI. Plain data, copied by the host at registration.
 *  Since: SDK 1.0 */
struct ui_bundle {
  /** The ES module, relative to `ui/`, that exports `mount(el, ctx)` for the plugin's tags. */
  std::string module = "index.js";
  /** Stylesheets, relative to `ui/`, that the shell links when the module is first imported. */
  std::vector<std::string> styles;
  /** Import-map entries the module needs (bare specifier -> URL). A URL relative to `ui/` (no
   *  leading `/` and no scheme) is resolved to `/plugins/<name>/<url>`. */
  std::vector<std::pair<std::string, std::string>> imports;
};

}  // namespace annot
