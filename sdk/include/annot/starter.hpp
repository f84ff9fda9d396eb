/* annot::starter_config: a ready-made labeling config a data-type plugin offers in the
 * project-creation gallery (`GET /api/templates`), with a sample task the editor previews it on.
 *
 * A data-type plugin registers any number of starters (registrar::add_starter_config) for the tags
 * it owns. The host serves them in registration order within each group; the gallery groups them by
 * `group` and shows `title` and `description`. The config must compile with the tags the host has
 * (a host test compiles every registered starter) and `sample_data` must pass the config's
 * task-data checks, so that picking a starter never shows an error.
 *
 * Sample media are files the plugin ships in its `ui/` folder (the host serves them at
 * `/plugins/<name>/<path>`): sample data names them by that absolute URL, so the preview needs no
 * network and works behind any proxy that forwards the host's own paths.
 * Since: SDK 1.3
 */
#pragma once

#include <string>

namespace annot {

/** One gallery entry. Plain data: copied by the host at registration, so the plugin need not keep
 *  it. Since: SDK 1.3 */
struct starter_config {
  /** Shown on the gallery card; required; unique across all plugins ("Bounding boxes"). */
  std::string title;
  /** The gallery section it belongs to; required ("Computer Vision"). */
  std::string group;
  /** The labeling config XML (`<View>...</View>`); required. */
  std::string config;
  /** The sample task's data as a JSON object text (`{"image": "/plugins/image/samples/x.png"}`);
   *  required; the host refuses a value that is not a JSON object. */
  std::string sample_data;
  /** One or two sentences on what it labels; optional. */
  std::string description;
};

}  // namespace annot
