// Derived file names and the resolution table of spec §1.6.
#include "export_support/paths.hpp"

#include <algorithm>
#include <annot/md5.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <utility>

namespace annot::plugins::export_support {
namespace {

namespace fs = std::filesystem;

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// One path segment that names an entry of its folder ("7", "abc.png"), not the folder or its parent.
bool plain_segment(std::string_view s) {
  return !s.empty() && s != "." && s != "..";
}

}  // namespace

std::string file_inside(std::string_view root, std::string_view path) {
  if (root.empty()) return {};
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(fs::path(root), ec), ec);
  if (ec) return {};
  fs::path p = fs::path(path);
  p = p.is_absolute() ? p : base / p;
  p = fs::weakly_canonical(p, ec);
  if (ec || !fs::is_regular_file(p, ec)) return {};
  const fs::path inside = p.lexically_relative(base);
  if (inside.empty() || *inside.begin() == ".." || inside == ".") return {};
  return p.string();
}

namespace {

// A URL's file name as url_basename gives it, a view into value.
std::string_view url_basename_view(std::string_view value) {
  std::string_view path = value;
  if (std::size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    std::size_t slash = path.find('/');
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (std::size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (std::size_t h = path.find('#'); h != std::string_view::npos) path = path.substr(0, h);
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "<first 8 hex digits of md5(value)>__<name>", the name upstream gives a downloaded file.
std::string hashed_name(std::string_view value, std::string_view name) {
  annot::md5 digest;
  digest.update(value);
  char hex[32];
  digest.hex_into(hex);
  std::string out;
  out.reserve(10 + name.size());
  out.append(hex, 8).append("__").append(name);
  return out;
}

}  // namespace

bool names_local_file(std::string_view value) {
  for (std::string_view prefix : {"/data/upload/", "upload/", "/upload/", "/data/local-files/"})
    if (starts_with(value, prefix)) return true;
  return false;
}

std::string not_copied_warning(std::int64_t task_id, std::string_view value) {
  return "task " + std::to_string(task_id) + ": the image " + std::string(value) +
         " is not a readable upload or local file; not copied";
}

std::string url_basename(std::string_view value) { return std::string(url_basename_view(value)); }

bool fits_file_system(std::string_view entry) {
  for (;;) {
    const std::size_t slash = entry.find('/');
    const std::size_t part = slash == std::string_view::npos ? entry.size() : slash;
    if (part == 0 || part > 255) return false;
    if (slash == std::string_view::npos || slash + 1 == entry.size()) return true;  // "dir/" names a folder
    entry.remove_prefix(slash + 1);
  }
}

std::string name_too_long_warning(std::string_view entry) {
  std::size_t shown = std::min<std::size_t>(entry.size(), 80);
  // Not inside a UTF-8 sequence: the report is JSON.
  while (shown < entry.size() && shown > 0 && (static_cast<unsigned char>(entry[shown]) & 0xC0) == 0x80)
    --shown;
  return std::string(entry.substr(0, shown)) + (shown < entry.size() ? "..." : "") +
         ": a file name longer than 255 bytes, which no file system takes; left out";
}

std::string strip_extension(std::string_view name) {
  std::size_t slash = name.rfind('/');
  std::size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  // Leading dots of the file name do not start an extension (".hidden").
  std::size_t first = start;
  while (first < name.size() && name[first] == '.') ++first;
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot < first) return std::string(name);
  return std::string(name.substr(0, dot));
}

bool fit_entry_segment(std::string& name) {
  bool changed = false;
  for (char& c : name)
    if (c == '\\' || c == '/' || c == '\0') {
      c = '_';
      changed = true;
    }
  if (name.empty() || name == "." || name == "..") {
    name.assign(std::max<std::size_t>(name.size(), 1), '_');
    changed = true;
  }
  return changed;
}

std::string relative_path(std::string_view target, std::string_view base) {
  return fs::path(target).lexically_normal().lexically_relative(fs::path(base).lexically_normal()).string();
}

resolved_image resolve_image(std::string_view value, const path_roots& roots) {
  resolved_image out;
  auto base_of_path = [](std::string_view p) {
    std::size_t slash = p.rfind('/');
    return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
  };
  // Without an output folder (a download, a zip) the task's own reference ("/data/upload/P/F"), as
  // Label Studio writes an upload it cannot find: a server's path would leave in every download.
  auto local_name = [&](const std::string& file) {
    if (roots.output_dir.empty()) return std::string(value);
    return relative_path(fs::absolute(file).lexically_normal().string(), roots.output_dir);
  };
  auto unresolved = [&]() {
    out.source = image_source::unresolved;
    out.coco_file_name = value;
    out.base_name = url_basename(value);
    return out;
  };

  // A path on this machine (relative ones to the working directory, as upstream), read only inside
  // the local-files root.
  if (!roots.local_files_root.empty() && !value.empty() && value.find("://") == std::string_view::npos) {
    std::error_code ec;
    if (std::string file = file_inside(roots.local_files_root, fs::absolute(fs::path(value), ec).string());
        !ec && !file.empty()) {
      out.source = image_source::local_path;
      out.coco_file_name = value;
      out.base_name = base_of_path(value);
      out.local_file = std::move(file);
      return out;
    }
  }
  std::string_view upload = value;
  bool is_upload = false;
  if (starts_with(upload, "/data/upload/")) {
    upload.remove_prefix(13);
    is_upload = true;
  } else if (starts_with(upload, "upload/")) {
    upload.remove_prefix(7);
    is_upload = true;
  } else if (starts_with(upload, "/upload/")) {
    upload.remove_prefix(8);
    is_upload = true;
  }
  if (is_upload) {
    std::size_t slash = upload.find('/');
    if (roots.upload_dir.empty() || slash == std::string_view::npos) return unresolved();
    const std::string_view project = upload.substr(0, slash);
    const std::string name = base_of_path(upload.substr(slash + 1));
    // The uploads folder is the host's own: a lexical check keeps "../" out without a stat per part.
    if (!plain_segment(project) || !plain_segment(name)) return unresolved();
    fs::path file = fs::path(roots.upload_dir) / std::string(project) / name;
    if (!is_file(file)) return unresolved();
    out.source = image_source::upload;
    out.local_file = fs::absolute(file).lexically_normal().string();
    out.coco_file_name = local_name(out.local_file);
    out.base_name = base_of_path(out.local_file);
    return out;
  }
  if (starts_with(value, "/data/local-files/")) {
    std::size_t d = value.find("?d=");
    if (d == std::string_view::npos) return unresolved();
    // Label Studio's safe_build_path: joined to the root, never out of it.
    std::string file = file_inside(roots.local_files_root, value.substr(d + 3));
    if (file.empty()) return unresolved();
    out.source = image_source::local_files;
    out.local_file = std::move(file);
    // Downloads copy it to the cache as "<md5[:8]>__<name>" (get_local_path), and every format then
    // names the copy, the label file and the XML after that path.
    out.base_name = base_of_path(value.substr(d + 3));  // the name as given, not a link's target
    if (roots.download_resources) out.base_name = hashed_name(value, out.base_name);
    out.coco_file_name = roots.download_resources ? "images/" + out.base_name : local_name(out.local_file);
    return out;
  }
  for (std::string_view cloud : {"s3://", "gs://", "azure-blob://", "azure-blob:"})
    if (starts_with(value, cloud)) return unresolved();
  out.source = image_source::derived;
  out.base_name = hashed_name(value, url_basename_view(value));
  out.coco_file_name.reserve(7 + out.base_name.size());
  out.coco_file_name.append("images/").append(out.base_name);
  return out;
}

}  // namespace annot::plugins::export_support
