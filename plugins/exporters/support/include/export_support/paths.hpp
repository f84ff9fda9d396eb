// Image path resolution and derived file names (spec §1.6): md5-prefixed names for URLs, uploads
// and local files resolved against explicit roots so tests can pin them.
#pragma once

#include <string>
#include <string_view>

namespace annot::plugins::export_support {

// Where local files are looked up. Everything explicit: nothing is fetched from the network.
struct path_roots {
  std::string upload_dir;        // "/data/upload/P/F" -> <upload_dir>/P/basename(F); empty: none
  std::string local_files_root;  // "/data/local-files/?d=REL" -> <root>/REL; empty means "/"
  std::string output_dir;        // COCO names of local uploads are relative to it; empty: absolute
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
