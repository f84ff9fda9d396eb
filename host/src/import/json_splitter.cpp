// The top-level task splitter: a byte-level state machine over strings and brackets.
#include "import/json_splitter.hpp"


namespace annot::host::imports {
namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

status json_splitter::fail(std::string_view what) const {
  return status(errc::invalid_argument, std::string(what) + " at byte " + std::to_string(offset_));
}

status json_splitter::emit() {
  ++items_;
  const std::size_t n = item_.size();
  // The padding lives in the string's own storage: resize, then hand back the original length.
  item_.resize(n + padding, ' ');
  status s = on_item_(std::string_view(item_.data(), n));
  // The buffer is reused for the next item; one a large item grew is given back (an import of one
  // 300 MB task kept 512 MB for the rest of the file).
  if (item_.capacity() > kept_capacity)
    std::string().swap(item_);
  else
    item_.clear();
  return s;
}

status json_splitter::feed(std::string_view chunk) {
  std::size_t i = 0;
  const char* p = chunk.data();
  const std::size_t n = chunk.size();
  while (i < n) {
    switch (state_) {
      case state::before_root: {
        char c = p[i];
        if (is_space(c)) break;
        // A UTF-8 byte order mark, possibly split across chunks.
        if (offset_ < 3 && c == "\xEF\xBB\xBF"[offset_] && bom_seen_ == offset_) {
          ++bom_seen_;
          break;
        }
        if (c == '[') {
          root_list_ = true;
          state_ = state::list_open;
          break;
        }
        if (c == '{') {
          // One task as the whole document.
          root_list_ = false;
          state_ = state::in_item;
          depth_ = 1;
          scalar_ = false;
          item_.push_back(c);
          break;
        }
        return fail("the document must be a list of tasks or one task");
      }
      case state::list_open:
      case state::after_comma: {
        char c = p[i];
        if (is_space(c)) break;
        if (c == ']') {
          if (state_ == state::after_comma) return fail("a list item was expected after ','");
          state_ = state::after_root;
          break;
        }
        if (c == ',') return fail("a list item was expected before ','");
        state_ = state::in_item;
        in_string_ = false;
        escaped_ = false;
        scalar_ = c != '{' && c != '[' && c != '"';
        depth_ = (c == '{' || c == '[') ? 1 : 0;
        if (c == '"') in_string_ = true;
        item_.push_back(c);
        break;
      }
      case state::in_item: {
        // Scan as far as this chunk goes, then copy the span in one append.
        std::size_t start = i;
        bool done = false;
        for (; i < n; ++i) {
          char c = p[i];
          if (in_string_) {
            if (escaped_) {
              escaped_ = false;
            } else if (c == '\\') {
              escaped_ = true;
            } else if (c == '"') {
              in_string_ = false;
              if (depth_ == 0) {  // a bare string item ends with its quote
                done = true;
                break;
              }
            }
            continue;
          }
          if (scalar_) {
            if (c == ',' || c == ']' || is_space(c)) {
              done = true;
              break;
            }
            continue;
          }
          if (c == '"') {
            in_string_ = true;
          } else if (c == '{' || c == '[') {
            ++depth_;
          } else if (c == '}' || c == ']') {
            if (--depth_ == 0) {
              done = true;
              break;
            }
          }
        }
        if (!done) {
          item_.append(p + start, n - start);
          offset_ += n - start;
          return status::success();
        }
        if (scalar_) {
          // The delimiter belongs to the list: leave it for after_item.
          item_.append(p + start, i - start);
          offset_ += i - start;
          state_ = state::after_item;
          if (auto s = emit(); !s) return s;
          continue;
        }
        item_.append(p + start, i - start + 1);
        offset_ += i - start;  // the closing byte is counted below
        state_ = root_list_ ? state::after_item : state::after_root;
        if (auto s = emit(); !s) return s;
        break;
      }
      case state::after_item: {
        char c = p[i];
        if (is_space(c)) break;
        if (c == ',') {
          state_ = state::after_comma;
          break;
        }
        if (c == ']') {
          state_ = state::after_root;
          break;
        }
        return fail("',' or ']' was expected after a list item");
      }
      case state::after_root:
        if (!is_space(p[i])) return fail("unexpected data after the end of the document");
        break;
    }
    ++i;
    ++offset_;
  }
  return status::success();
}

status json_splitter::finish() {
  if (state_ == state::in_item && scalar_) {
    state_ = state::after_item;
    if (auto s = emit(); !s) return s;
  }
  switch (state_) {
    case state::before_root:
      return fail("the document is empty");
    case state::after_root:
      return status::success();
    default:
      return fail("the document ends too early");
  }
}

}  // namespace annot::host::imports
