// Image path resolution and derived file names (spec §1.6): md5-prefixed names for URLs, uploads
// and local files resolved against explicit roots so tests can pin them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace annot::plugins::export_support {

// Where local files are looked up. Everything explicit: nothing is fetched from the network, and
// nothing outside these two folders is opened (a task's data is user input: "/data/upload/../annot.db"
// must not reach the host's database, whose POSIX locks any close() of it would drop).
struct path_roots {
  // "/data/upload/P/F" -> <upload_dir>/P/basename(F), P one plain segment; empty: none.
  std::string upload_dir;
  // "/data/local-files/?d=REL" -> <root>/REL, and a value that is itself a path (absolute, or
  // relative to the working directory) as it is, each only where it stays inside the root with
  // symbolic links resolved. Empty: neither is read. "/" is Label Studio's default.
  std::string local_files_root;
  // COCO names of local uploads are relative to it; empty: the task's own value ("/data/upload/P/F").
  std::string output_dir;
  bool download_resources = false;
};

enum class image_source {
  local_path,   // the value is an existing local path
  upload,       // an existing upload under upload_dir
  local_files,  // an existing file under the local-files root
  derived,      // a URL or relative name: "<md5[:8]>__<basename>"
  unresolved    // a cloud URI, a missing upload or local file: kept verbatim
};

struct resolved_image {
  image_source source = image_source::unresolved;
  // COCO's file_name.
  std::string coco_file_name;
  // The name YOLO/VOC derive their file names from (basename with extension): "abc.jpg",
  // "718f1d05__image1".
  std::string base_name;
  // The existing local file, when there is one (local_path, upload, local_files).
  std::string local_file;
};

resolved_image resolve_image(std::string_view value, const path_roots& roots);

// The regular file `path` names (absolute, or relative to `root`), with symbolic links resolved, when
// it exists and lies inside `root`; empty otherwise, and always when `root` is empty. The one
// containment rule for files a task's data names (images, audio).
std::string file_inside(std::string_view root, std::string_view path);

// Whether `value` names an upload or a local file ("/data/upload/...", "/data/local-files/?d=..."):
// one that did not resolve is worth a warning when resources are copied (upstream logs "Unable to
// download").
bool names_local_file(std::string_view value);
// That warning, for task `task_id`.
std::string not_copied_warning(std::int64_t task_id, std::string_view value);

// Whether every part of the output entry `entry` ("labels/name.txt") is a name file systems take:
// 1 to 255 bytes. Label Studio writes into a folder first and fails the whole export on a longer
// one; exporters leave that file out and report it, in every packaging alike.
bool fits_file_system(std::string_view entry);
// The warning for such a file.
std::string name_too_long_warning(std::string_view entry);

// "dir/name.ext" -> "name.ext"; "https://h/a/b%20c.png?x=1" -> "b%20c.png".
std::string url_basename(std::string_view value);
// Python os.path.splitext(name)[0].
std::string strip_extension(std::string_view name);
// `name` as one segment of an entry path (see export_sink): '\\', '/' and NUL become '_', and an
// empty, "." or ".." name becomes as many '_' (at least one). The host refuses the others in entry
// paths: Windows unzippers read a backslash as a folder separator. Label Studio keeps a backslash
// (Linux file names may hold one); a name that changed is worth a warning. Returns whether it changed.
bool fit_entry_segment(std::string& name);
// `target` relative to `base` (both absolute, lexically normalised), like os.path.relpath.
std::string relative_path(std::string_view target, std::string_view base);

}  // namespace annot::plugins::export_support
