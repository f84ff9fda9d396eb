// One simdjson DOM parser and padded buffer per thread, reused from document to document so that the
// small ones (nearly all) allocate nothing. A parser keeps the capacity of the largest document it saw,
// so a document above `keep_limit` gives its memory back when its `parsed_json` ends: one 60 MB result
// left ~400 MB on the store's writer thread (and as much on each I/O thread that checked a body) for
// the rest of the server's life.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string_view>

namespace annot::host::store::json {

// Threading: a parsed_json belongs to the thread that made it. Lifetime: elements from root() point
// into the parser and die with the parsed_json. A second parsed_json made on a thread while one is
// alive parses with a parser of its own (freed with it), so nesting is safe, only slower.
class parsed_json {
 public:
  // Documents up to this size keep their buffers for the thread's next document.
  static constexpr std::size_t keep_limit = std::size_t(8) << 20;

  // `padding`: readable, initialized bytes after text.end(); with SIMDJSON_PADDING or more the text is
  // parsed where it is, else it is copied into the thread's padded buffer first.
  explicit parsed_json(std::string_view text, std::size_t padding = 0);
  ~parsed_json();
  parsed_json(const parsed_json&) = delete;
  parsed_json& operator=(const parsed_json&) = delete;

  // The document, or simdjson's error for invalid text.
  const simdjson::simdjson_result<simdjson::dom::element>& root() const { return root_; }

  // What the calling thread's parser and buffer hold between documents, in bytes (for tests).
  static std::size_t retained_by_this_thread();

 private:
  struct thread_buffers;
  static thread_buffers& this_threads();
  thread_buffers* buffers_;
  bool owned_;  // a nested parse: buffers_ is this object's own
  std::size_t size_;
  simdjson::simdjson_result<simdjson::dom::element> root_;
};

}  // namespace annot::host::store::json
