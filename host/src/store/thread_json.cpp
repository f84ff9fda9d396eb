#include "store/thread_json.hpp"

#include <algorithm>
#include <string>

namespace annot::host::store::json {

struct parsed_json::thread_buffers {
  simdjson::dom::parser parser;
  std::string buffer;  // the text with simdjson's padding after it
  bool in_use = false;
};

parsed_json::thread_buffers& parsed_json::this_threads() {
  thread_local thread_buffers buffers;
  return buffers;
}

parsed_json::parsed_json(std::string_view text, std::size_t padding) : size_(text.size()) {
  thread_buffers* mine = &this_threads();
  owned_ = mine->in_use;
  buffers_ = owned_ ? new thread_buffers : mine;
  buffers_->in_use = true;
  if (padding >= simdjson::SIMDJSON_PADDING) {
    root_ = buffers_->parser.parse(text.data(), text.size(), false);
    return;
  }
  std::string& b = buffers_->buffer;
  if (b.size() < text.size() + simdjson::SIMDJSON_PADDING) b.resize(text.size() + simdjson::SIMDJSON_PADDING);
  std::copy(text.begin(), text.end(), b.begin());
  root_ = buffers_->parser.parse(b.data(), text.size(), false);
}

std::size_t parsed_json::retained_by_this_thread() {
  const thread_buffers& b = this_threads();
  return b.parser.capacity() + b.buffer.capacity();
}

parsed_json::~parsed_json() {
  if (owned_) {
    delete buffers_;
    return;
  }
  buffers_->in_use = false;
  if (size_ > keep_limit) {
    buffers_->parser = simdjson::dom::parser();
    std::string().swap(buffers_->buffer);
  }
}

}  // namespace annot::host::store::json
