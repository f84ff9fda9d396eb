// Host services for plugins (spdlog logging tagged with the plugin, a private data folder) and the
// staging registrar that checks each registration against the plugin's kind and files.
#include "plugins/services.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <system_error>
#include <utility>

namespace annot::host::plugins {

plugin_services::plugin_services(std::string plugin_name, std::filesystem::path data_root)
    : name_(std::move(plugin_name)), data_root_(std::move(data_root)) {}

void plugin_services::log(annot::log_level level, std::string_view message) noexcept {
  spdlog::level::level_enum lvl = spdlog::level::info;
  switch (level) {
    case annot::log_level::debug:
      lvl = spdlog::level::debug;
      break;
    case annot::log_level::info:
      lvl = spdlog::level::info;
      break;
    case annot::log_level::warn:
      lvl = spdlog::level::warn;
      break;
    case annot::log_level::error:
      lvl = spdlog::level::err;
      break;
  }
  // The SDK promises log() never throws; a failing sink must not take the plugin down.
  try {
    spdlog::log(lvl, "[plugin {}] {}", name_, message);
  } catch (...) {
  }
}

annot::result<std::string> plugin_services::data_dir() {
  if (data_root_.empty()) {
    return annot::status(
        annot::errc::failed_precondition,
        "plugin '" + name_ + "' asked for its data folder, but the host runs without a data directory");
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(data_root_ / "plugins" / name_, ec);
  if (!ec) std::filesystem::create_directories(dir, ec);
  if (ec) {
    return annot::status(annot::errc::io_error, "cannot create the data folder " + dir.string() +
                                                    " of plugin '" + name_ + "': " + ec.message());
  }
  return dir.string();
}

namespace {

// A path inside ui/ as a bundle names it: relative, no '.', '..' or empty segments, and only
// characters that need no escaping in a URL (so the URL we publish is the path itself).
annot::status check_ui_path(std::string_view path, std::string_view what) {
  auto bad = [&](const std::string& why) {
    return annot::status(annot::errc::invalid_argument,
                         "add_ui_bundle: " + std::string(what) + " '" + std::string(path) + "' " + why);
  };
  if (path.empty()) return bad("is empty");
  if (path.front() == '/') return bad("must be relative to the plugin's ui/ folder");
  for (char c : path) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-' || c == '~' || c == '@' || c == '+' || c == '/';
    if (!ok) return bad("contains '" + std::string(1, c) + "'; use letters, digits and . _ - ~ @ + /");
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    // A trailing '/' (an import-map prefix) leaves one empty last segment, which is fine.
    bool last = end == path.size();
    if ((segment.empty() && !last) || segment == "." || segment == "..") {
      return bad("must not contain empty, '.' or '..' segments");
    }
    start = end + 1;
  }
  return annot::status::success();
}

bool has_scheme(std::string_view url) {
  // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) return false;
  }
  return true;
}

}  // namespace

staging_registrar::staging_registrar(std::string name, plugin_kind kind, std::filesystem::path folder,
                                     plugin_services& services, config::tag_catalog& tags)
    : name_(std::move(name)), kind_(kind), folder_(std::move(folder)), services_(services), tags_(tags) {}

annot::status staging_registrar::check_kind(plugin_kind allowed, const char* call) {
  if (kind_ == allowed) return annot::status::success();
  violations_.emplace_back(call);
  return annot::status(annot::errc::unsupported, std::string(call) + ": only " +
                                                     std::string(to_string(allowed)) +
                                                     " plugins may call it; '" + name_ + "' is a " +
                                                     std::string(to_string(kind_)) + " plugin");
}

annot::status staging_registrar::add_ui_bundle(const annot::ui_bundle& bundle) {
  if (annot::status st = check_kind(plugin_kind::data_type, "add_ui_bundle"); !st.ok()) return st;
  if (ui_)
    return annot::status(annot::errc::already_exists, "add_ui_bundle: a plugin registers one UI bundle");

  const std::string prefix = "/plugins/" + name_ + "/";
  std::filesystem::path ui_dir;
  if (!folder_.empty()) {
    ui_dir = folder_ / "ui";
    std::error_code ec;
    if (!std::filesystem::is_directory(ui_dir, ec)) {
      return annot::status(
          annot::errc::not_found,
          "add_ui_bundle: the plugin has no ui/ folder (looked for " + ui_dir.string() + ")");
    }
  }
  // Every file the bundle names must be there now: the shell would otherwise import a 404.
  auto check_file = [&](std::string_view path, std::string_view what, bool directory) -> annot::status {
    if (annot::status st = check_ui_path(path, what); !st.ok()) return st;
    if (ui_dir.empty()) return annot::status::success();
    std::error_code ec;
    std::filesystem::path file = ui_dir / std::filesystem::path(path);
    bool found =
        directory ? std::filesystem::is_directory(file, ec) : std::filesystem::is_regular_file(file, ec);
    if (!found) {
      return annot::status(annot::errc::not_found,
                           "add_ui_bundle: " + std::string(what) + " '" + std::string(path) + "' is not a " +
                               (directory ? "folder" : "file") + " in " + ui_dir.string());
    }
    return annot::status::success();
  };

  ui_record record;
  if (annot::status st = check_file(bundle.module, "module", false); !st.ok()) return st;
  record.module = prefix + bundle.module;
  for (const std::string& style : bundle.styles) {
    if (annot::status st = check_file(style, "style", false); !st.ok()) return st;
    record.styles.push_back(prefix + style);
  }
  for (const auto& [specifier, url] : bundle.imports) {
    if (specifier.empty())
      return annot::status(annot::errc::invalid_argument, "add_ui_bundle: an import has an empty specifier");
    if (url.empty()) {
      return annot::status(annot::errc::invalid_argument,
                           "add_ui_bundle: import '" + specifier + "' has an empty URL");
    }
    if (url.front() == '/' || has_scheme(url)) {
      record.imports.emplace_back(specifier, url);
      continue;
    }
    // An import-map prefix entry ("lib/" -> "vendor/lib/") maps to a folder.
    if (annot::status st = check_file(url, "import '" + specifier + "'", url.back() == '/'); !st.ok())
      return st;
    record.imports.emplace_back(specifier, prefix + url);
  }
  record.dir = ui_dir;
  ui_ = std::move(record);
  return annot::status::success();
}

annot::status staging_registrar::note_clash(const char* call, annot::status st) {
  // One owner per tag and region: a clash refuses the whole plugin, whatever it does with the
  // status, so which plugin owns a tag never depends on a plugin's error handling.
  if (st.code() == annot::errc::already_exists) conflicts_.push_back(std::string(call) + ": " + st.message());
  return st;
}

annot::status staging_registrar::add_object_tag(annot::object_tag_spec spec) {
  if (annot::status st = check_kind(plugin_kind::data_type, "add_object_tag"); !st.ok()) return st;
  return note_clash("add_object_tag", tags_.stage_object_tag(name_, std::move(spec)));
}

annot::status staging_registrar::add_control_tag(annot::control_tag_spec spec) {
  if (annot::status st = check_kind(plugin_kind::data_type, "add_control_tag"); !st.ok()) return st;
  return note_clash("add_control_tag", tags_.stage_control_tag(name_, std::move(spec)));
}

annot::status staging_registrar::add_visual_tag(annot::visual_tag_spec spec) {
  if (annot::status st = check_kind(plugin_kind::data_type, "add_visual_tag"); !st.ok()) return st;
  return note_clash("add_visual_tag", tags_.stage_visual_tag(name_, std::move(spec)));
}

annot::status staging_registrar::add_region(annot::region_spec spec) {
  if (annot::status st = check_kind(plugin_kind::data_type, "add_region"); !st.ok()) return st;
  return note_clash("add_region", tags_.stage_region(name_, std::move(spec)));
}

annot::status staging_registrar::add_exporter(annot::exporter_spec spec) {
  if (annot::status st = check_kind(plugin_kind::exporter, "add_exporter"); !st.ok()) return st;
  auto bad = [&](const std::string& why) {
    return annot::status(annot::errc::invalid_argument, "add_exporter: " + why);
  };
  if (spec.id.empty()) return bad("the exporter has no id");
  for (char c : spec.id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return bad("exporter id '" + spec.id + "' must match [a-z0-9_]+");
  if (spec.formats.empty()) return bad("exporter '" + spec.id + "' offers no format");
  if (!spec.factory) return bad("exporter '" + spec.id + "' has no factory");
  for (const annot::export_format& f : spec.formats) {
    if (f.name.empty()) return bad("exporter '" + spec.id + "' has a format without a name");
    if (f.layout == annot::export_layout::single_file && f.file_name.empty())
      return bad("format '" + f.name + "' is a single file but names no file_name");
  }
  // Names taken by this plugin's own earlier exporters, or already committed by another plugin.
  for (const exporter_record& e : exporters_) {
    if (e.id == spec.id)
      return note_clash("add_exporter", annot::status(annot::errc::already_exists,
                                                      "exporter '" + spec.id + "' is registered twice"));
    for (const auto& f : e.formats)
      for (const auto& g : spec.formats)
        if (f.name == g.name)
          return note_clash("add_exporter", annot::status(annot::errc::already_exists,
                                                          "export format '" + g.name + "' is registered twice"));
  }
  exporter_record record{spec.id, std::move(spec.formats), std::move(spec.options),
                         std::shared_ptr<const annot::exporter_factory>(std::move(spec.factory))};
  exporters_.push_back(std::move(record));
  return annot::status::success();
}

annot::status staging_registrar::add_starter_config(const annot::starter_config& starter) {
  if (annot::status st = check_kind(plugin_kind::data_type, "add_starter_config"); !st.ok()) return st;
  auto bad = [&](const std::string& why) {
    return annot::status(annot::errc::invalid_argument, "add_starter_config: " + why);
  };
  if (starter.title.empty()) return bad("a starter has no title");
  const std::string which = "starter '" + starter.title + "'";
  if (starter.group.empty()) return bad(which + " has no group");
  if (starter.config.empty()) return bad(which + " has no config");
  // The gallery hands sample_data to the editor as the task's data: it must be a JSON object.
  nlohmann::json data = nlohmann::json::parse(starter.sample_data, nullptr, false);
  if (data.is_discarded() || !data.is_object())
    return bad(which + " has sample_data that is not a JSON object");
  for (const annot::starter_config& s : starters_)
    if (s.title == starter.title)
      return note_clash("add_starter_config",
                        annot::status(annot::errc::already_exists, which + " is registered twice"));
  starters_.push_back(starter);
  return annot::status::success();
}

void staging_registrar::report_failure(std::string_view message) noexcept {
  try {
    failures_.emplace_back(message.empty() ? std::string_view("(no message)") : message);
  } catch (...) {
  }
}

}  // namespace annot::host::plugins
