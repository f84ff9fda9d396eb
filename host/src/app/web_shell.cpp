// Renders the shell page with its inline import map and routes Label Studio's page URLs to it.
#include "app/web_shell.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>

namespace annot::host::app {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

// First come, first served: later sources cannot shadow a specifier (see the header).
void add_entry(nlohmann::json& imports, const std::string& specifier, const std::string& url, std::string_view from) {
  if (specifier.empty() || url.empty()) return;
  if (auto it = imports.find(specifier); it != imports.end()) {
    if (*it != url) {
      spdlog::warn("import map: {} maps '{}' to '{}', but it is already '{}'; keeping the first", from, specifier,
                   url, it->get<std::string>());
    }
    return;
  }
  imports[specifier] = url;
}

}  // namespace

std::string build_import_map(const fs::path& web_dir, const plugins::registry& registry) {
  nlohmann::json imports = nlohmann::json::object();
  const fs::path vendor = web_dir / "vendor" / "importmap.json";
  if (auto text = read_file(vendor)) {
    auto parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object() && parsed.contains("imports") && parsed["imports"].is_object()) {
      for (const auto& [specifier, url] : parsed["imports"].items()) {
        if (url.is_string()) add_entry(imports, specifier, url.get<std::string>(), "the vendor map");
      }
    } else {
      spdlog::warn("{} is not an import map ({{\"imports\": {{...}}}}); the shell gets no vendor packages",
                   vendor.string());
    }
  } else if (fs::is_directory(web_dir)) {
    spdlog::warn("no {}: the web build did not vendor the packages; the shell cannot load", vendor.string());
  }
  add_entry(imports, "@annot/ui-sdk", "/static/ui-sdk/index.js", "the shell");
  for (const auto& [key, bundle] : registry.ui_bundles()) {
    const std::string from = "plugin '" + bundle.plugin + "'";
    add_entry(imports, "@annot/plugins/" + bundle.name, bundle.value.module, from);
    for (const auto& [specifier, url] : bundle.value.imports) add_entry(imports, specifier, url, from);
  }
  return nlohmann::json{{"imports", std::move(imports)}}.dump();
}

std::string inline_import_map(std::string_view page, std::string_view import_map) {
  std::string safe;
  safe.reserve(import_map.size());
  for (char c : import_map) {
    // '<' only occurs inside JSON strings, where \u003c is the same character: no "</script>".
    if (c == '<') safe += "\\u003c";
    else safe += c;
  }
  const std::string element = "<script type=\"importmap\">" + safe + "</script>";

  std::string out(page);
  constexpr std::string_view marker = "<!-- annot:importmap -->";
  if (auto at = out.find(marker); at != std::string::npos) return out.replace(at, marker.size(), element);
  if (auto at = out.find("<script"); at != std::string::npos) return out.insert(at, element + "\n");
  if (auto at = out.find("</head>"); at != std::string::npos) return out.insert(at, element + "\n");
  return out + element;
}

void add_web_shell_routes(http::router& routes, const std::shared_ptr<http::static_files>& files,
                          const fs::path& web_dir, const plugins::registry& registry) {
  constexpr std::string_view page_url = "/static/index.html";
  if (auto page = read_file(web_dir / "index.html")) {
    files->add_file(std::string(page_url), inline_import_map(*page, build_import_map(web_dir, registry)),
                    "text/html; charset=utf-8");
  }
  std::shared_ptr<const http::static_files> shell = files;
  auto serve_page = http::simple_handler([shell, page_url](http::request& req) { return shell->serve(req, page_url); });
  // Label Studio's page URLs; the shell's router picks the page from location.pathname.
  for (const char* pattern : {"/", "/user/login", "/user/signup", "/projects", "/projects/{*path}"}) {
    routes.add(http::method::get, pattern, serve_page);
  }
}

}  // namespace annot::host::app
