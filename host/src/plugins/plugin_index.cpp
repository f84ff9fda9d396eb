#include "plugins/plugin_index.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <system_error>

#include "config/tag_catalog.hpp"

namespace annot::host::plugins {
namespace {

namespace fs = std::filesystem;

// Bumped when the file's layout changes; an index of another layout is stale.
constexpr int kLayout = 1;

// Tag names are keyed as the tag catalog keys them.
using config::lower;

std::string nanoseconds(const struct timespec& t) {
  return std::to_string(static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec);
}

// " <size> <mtime> <inode> <ctime>" (times in ns), or " -" when `path` cannot be read. The inode
// and ctime catch a library replaced by a copy that kept its size and mtime (cp -p).
void append_file_state(std::string& out, const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) {
    out += " -";
    return;
  }
  out += ' ' + std::to_string(st.st_size) + ' ' + nanoseconds(st.st_mtim) + ' ' + std::to_string(st.st_ino) +
         ' ' + nanoseconds(st.st_ctim);
}

// The plugin folders a fingerprint lists: its "<name> d ..." lines whose name is a plugin name.
std::set<std::string> plugin_folders(std::string_view fingerprint) {
  std::set<std::string> out;
  for (std::size_t at = fingerprint.find('\n'); at != std::string_view::npos;) {
    const std::size_t end = fingerprint.find('\n', at + 1);
    const std::string_view line =
        fingerprint.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
    const std::string_view name = line.substr(0, line.find(' '));
    if (is_plugin_name(name) && line.substr(name.size(), 3) == " d ") out.emplace(name);
    at = end;
  }
  return out;
}

}  // namespace

std::string folder_fingerprint(const fs::path& plugins_dir) {
  std::string out = "host ";
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    // Without the executable's identity an index could outlive a host upgrade: make every
    // fingerprint unique instead, so that no index is ever trusted (every command loads everything).
    return out + "unknown, process " + std::to_string(::getpid());
  }
  exe[n] = '\0';
  out += exe;
  append_file_state(out, exe);
  std::error_code ec;
  fs::path dir = fs::absolute(plugins_dir, ec).lexically_normal();
  if (!dir.has_filename() && dir.has_relative_path()) dir = dir.parent_path();  // "plugins/" is "plugins"
  out += "\nfolder " + dir.string();
  std::vector<std::string> lines;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;  // the loader skips them too
    std::string line = name;
    if (it->is_directory(ec)) {
      line += " d";
      append_file_state(line, (it->path() / ("annot_" + name + ".so")).c_str());
    } else {
      line += " f";
    }
    lines.push_back(std::move(line));
  }
  if (ec) out += "\nunreadable";  // never equal to a fingerprint written from a listing
  std::sort(lines.begin(), lines.end());
  for (const std::string& line : lines) out += '\n' + line;
  return out;
}

fs::path plugin_index_path(const fs::path& data_dir) {
  return data_dir / "plugin-index.json";
}

plugin_index plugin_index::of(const registry& reg, std::string fingerprint) {
  plugin_index index;
  index.fingerprint_ = std::move(fingerprint);
  index.plugin_count_ = reg.plugins().size();
  for (const config::tag_entry* tag : reg.tags().tags()) {
    // Regions need no entry: only an object tag's owner may register them (tag_catalog).
    index.tag_owner_[lower(tag->name())] = tag->owner;
  }
  for (const auto& [key, entry] : reg.export_formats()) index.format_owner_[entry.name] = entry.plugin;
  return index;
}

std::optional<plugin_index> plugin_index::read(const fs::path& file, std::string_view fingerprint) {
  // A real index is a few KiB; a file much larger than any would be is not read.
  std::error_code ec;
  if (const auto size = fs::file_size(file, ec); ec || size > (1u << 20)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("layout", 0) != kLayout || !j.contains("fingerprint") ||
      !j["fingerprint"].is_string() || j["fingerprint"].get_ref<const std::string&>() != fingerprint)
    return std::nullopt;
  try {
    plugin_index index;
    index.fingerprint_ = fingerprint;
    index.plugin_count_ = j.at("plugins").get<std::size_t>();
    for (const auto& [tag, owner] : j.at("tags").items()) index.tag_owner_[tag] = owner.get<std::string>();
    for (const auto& [format, owner] : j.at("formats").items())
      index.format_owner_[format] = owner.get<std::string>();
    // Every owner must be a plugin folder of the fingerprint's listing: the names become paths to
    // load, and an index edited to name "../elsewhere" must not load a library from outside.
    const std::set<std::string> folders = plugin_folders(fingerprint);
    auto listed = [&](const auto& table) {
      return std::all_of(table.begin(), table.end(),
                         [&](const auto& e) { return folders.count(e.second) > 0; });
    };
    if (!listed(index.tag_owner_) || !listed(index.format_owner_)) return std::nullopt;
    return index;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a damaged index is a missing one
  }
}

annot::status plugin_index::write(const fs::path& file) const {
  nlohmann::json j;
  j["about"] = "a cache of what each plugin registers, for annot's command-line tools; safe to delete";
  j["layout"] = kLayout;
  j["fingerprint"] = fingerprint_;
  j["plugins"] = plugin_count_;
  j["tags"] = tag_owner_;
  j["formats"] = format_owner_;
  const std::string text = j.dump(1) + "\n";
  const fs::path temporary = file.string() + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return annot::status(annot::errc::internal, "cannot write " + temporary.string());
    }
  }
  std::error_code ec;
  fs::rename(temporary, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return annot::status(annot::errc::internal, "cannot replace " + file.string() + ": " + ec.message());
  }
  return annot::status::success();
}

std::optional<std::set<std::string>> config_tag_names(std::string_view label_config) {
  pugi::xml_document doc;
  if (!doc.load_buffer(label_config.data(), label_config.size(), pugi::parse_default)) return std::nullopt;
  struct walker final : pugi::xml_tree_walker {
    std::set<std::string> names;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() == pugi::node_element) names.insert(lower(node.name()));
      return true;
    }
  } walk;
  doc.traverse(walk);
  return std::move(walk.names);
}

std::optional<std::vector<std::string>> plugin_index::plugins_for(std::string_view label_config,
                                                                  std::string_view format) const {
  auto exporter = format_owner_.find(format);
  if (exporter == format_owner_.end()) return std::nullopt;
  auto names = config_tag_names(label_config);
  if (!names) return std::nullopt;
  std::set<std::string> wanted{exporter->second};
  for (const std::string& name : *names) {
    auto owner = tag_owner_.find(name);
    if (owner == tag_owner_.end()) return std::nullopt;
    wanted.insert(owner->second);
  }
  return std::vector<std::string>(wanted.begin(), wanted.end());
}

namespace {

void write_index(const registry& reg, std::string fingerprint, const fs::path& data_dir) {
  std::error_code ec;
  if (data_dir.empty() || !fs::is_directory(data_dir, ec)) return;
  if (annot::status st = plugin_index::of(reg, std::move(fingerprint)).write(plugin_index_path(data_dir));
      !st.ok())
    spdlog::debug("plugin index not written: {}", st.message());
}

}  // namespace

void keep_plugin_index(const registry& reg, std::string fingerprint, const fs::path& data_dir) {
  if (plugin_index::read(plugin_index_path(data_dir), fingerprint)) return;
  write_index(reg, std::move(fingerprint), data_dir);
}

load_report load_plugins_for_export(load_options options, std::string_view label_config,
                                    std::string_view format) {
  const fs::path file = plugin_index_path(options.data_dir);
  std::string fingerprint = folder_fingerprint(options.plugins_dir);
  const std::optional<plugin_index> index = plugin_index::read(file, fingerprint);
  bool rewrite = !index;  // missing, damaged or stale; or current but choosing wrongly (below)
  if (index && !format.empty()) {
    if (auto chosen = index->plugins_for(label_config, format)) {
      load_options some = options;
      some.only = std::move(*chosen);
      load_report report = load_plugins(some);
      // Checked, not assumed: an index that was tampered with (or a plugin whose registration
      // changed without its file changing) must not make the export fail where a full load works.
      const config::tag_catalog& tags = report.plugins->tags();
      auto names = config_tag_names(label_config);
      const bool complete = report.refused().empty() && report.plugins->export_formats().find(format) &&
                            names && std::all_of(names->begin(), names->end(), [&](const std::string& n) {
                              return tags.find_tag(n) != nullptr;
                            });
      if (complete) {
        spdlog::info("plugin index: loaded {} of {} plugins for {}", report.plugins->plugins().size(),
                     index->plugin_count(), format);
        return report;
      }
      spdlog::info("plugin index: the {} plugins it chose for {} did not load cleanly; loading every plugin",
                   some.only->size(), format);
      rewrite = true;
    }
  }
  options.only.reset();
  load_report report = load_plugins(options);
  if (rewrite) write_index(*report.plugins, std::move(fingerprint), options.data_dir);
  return report;
}

}  // namespace annot::host::plugins
