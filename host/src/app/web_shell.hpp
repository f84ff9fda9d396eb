// The web shell page: index.html with the import map written inline (an external import-map file is
// ignored by Chromium), served for every page URL of Label Studio's UI so bookmarks carry over.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "http/router.hpp"
#include "http/static_files.hpp"
#include "plugins/registry.hpp"

namespace annot::host::app {

// The import map as JSON text ({"imports": {...}}): the vendor packages from
// <web_dir>/vendor/importmap.json (written by the web build), "@annot/ui-sdk", and for each plugin
// with a UI bundle "@annot/plugins/<name>" -> its module plus the bundle's own entries. A specifier
// that is already taken keeps its first URL (vendor, then the SDK, then plugins in name order) and
// the clash is logged, so a plugin cannot replace a package the shell relies on.
std::string build_import_map(const std::filesystem::path& web_dir, const plugins::registry& registry);

// `page` with `import_map` inlined as <script type="importmap">: at the "<!-- annot:importmap -->"
// marker, else before the first <script>, else before </head>, else at the end. The JSON is made
// safe for a script element ("<" is written as \u003c).
std::string inline_import_map(std::string_view page, std::string_view import_map);

// Renders <web_dir>/index.html with the import map into `files` at "/static/index.html" and adds
// GET routes answering that page for "/", "/user/login", "/user/signup", "/projects" and
// "/projects/{*path}". Without an index.html the page routes answer 404 (the warning is logged by
// the caller that found no web directory). Call before the server starts; `files` must not be
// shared with a running server yet.
void add_web_shell_routes(http::router& routes, const std::shared_ptr<http::static_files>& files,
                          const std::filesystem::path& web_dir, const plugins::registry& registry);

}  // namespace annot::host::app
