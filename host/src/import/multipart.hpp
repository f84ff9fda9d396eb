// A streaming multipart/form-data reader: parts' headers, then each part's body in chunks, so an
// uploaded file goes to disk without being held in memory.
#pragma once

#include <annot/status.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "import/pipeline.hpp"

namespace annot::host::imports {

struct multipart_part {
  std::string name;          // the form field
  std::optional<std::string> filename;  // present for file fields
  std::string content_type;
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type; nullopt when it is not one.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// The file name of a part's Content-Disposition parameters (what follows "form-data;"): filename*
// (RFC 5987, UTF-8 or Latin-1) when it is there and well formed, else filename; nullopt for neither.
std::optional<std::string> disposition_filename(std::string_view params);

// What Django keeps of an uploaded file's name: the part after the last '/' or '\\', without
// control characters; nullopt when nothing is left, or only "." or "..".
std::optional<std::string> file_base_name(std::string_view name);

// Reads parts from `source` (the request body). Not thread-safe.
class multipart_reader {
 public:
  multipart_reader(std::string boundary, chunk_reader source);

  // The next part's headers; nullopt after the last part. Skips what is left of the current part.
  // A file's name is its base name (file_base_name); a file part with none is skipped.
  result<std::optional<multipart_part>> next_part();
  // The current part's next body chunk; empty at the end of the part. Valid until the next call.
  result<std::string_view> read();
  // A chunk_reader over the current part (for the import pipeline).
  chunk_reader part_reader() {
    return [this] { return read(); };
  }

 private:
  result<std::optional<multipart_part>> next_part_headers();
  status fill();  // appends one chunk of the source to buf_; invalid_argument at a premature end

  std::string delimiter_;  // "\r\n--" + boundary
  chunk_reader source_;
  std::string buf_;
  std::size_t pos_ = 0;  // consumed bytes of buf_
  bool source_done_ = false;
  bool started_ = false;
  bool in_part_ = false;
  bool finished_ = false;
  std::string out_;  // the chunk handed out by read()
};

}  // namespace annot::host::imports
