// A file as a response body, as Label Studio's RangedFileResponse sends its uploads and export
// downloads: the file's length, one byte range on request, no body for HEAD.
#pragma once

#include <filesystem>

#include "http/message.hpp"

namespace annot::host::api {

// Answers `ex` with the bytes of `file` and `headers` (Content-Type, Content-Disposition...), adding
// Accept-Ranges and, for a Range header's first range, 206 with Content-Range (416 past the end; a
// header it cannot read gets the whole file). Always with a Content-Length: a client shows progress
// and resumes an interrupted download. Small files go in one piece; larger ones are read by the
// connection as the client takes them, holding no thread (http::body_sink::write_file). 404 when the
// file cannot be read. Call from a non-I/O thread (an offloaded route).
void respond_with_file(http::exchange& ex, const std::filesystem::path& file, http::header_map headers);

}  // namespace annot::host::api
