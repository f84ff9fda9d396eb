// Streaming split of a JSON array file into its elements.
#include "export/file_cursor.hpp"

#include <cstring>

namespace annot::host::exporting {

file_cursor::file_cursor(std::filesystem::path file, std::int64_t tasks) : path_(std::move(file)), tasks_(tasks) {}

file_cursor::~file_cursor() {
  if (f_) std::fclose(f_);
}

annot::status file_cursor::rewind() {
  if (f_) std::fclose(f_);
  f_ = nullptr;
  buf_.clear();
  pos_ = 0;
  started_ = done_ = false;
  delivered_ = 0;
  preparer_ = nullptr;
  failed_ = {};
  return {};
}

annot::status file_cursor::prepare_with(const annot::task_preparer* preparer) {
  if (preparer && started_)
    return annot::status(annot::errc::failed_precondition,
                         "prepare_with() is called at the start of a pass, before next()");
  preparer_ = preparer;
  return {};
}

bool file_cursor::fill() {
  if (!f_) return false;
  // Drop what was consumed, then append a block.
  buf_.erase(0, pos_);
  pos_ = 0;
  char block[1 << 16];
  std::size_t n = std::fread(block, 1, sizeof block, f_);
  buf_.append(block, n);
  return n > 0;
}

annot::result<bool> file_cursor::next(std::string_view& task_json) {
  task_json = {};
  if (!failed_.ok()) return failed_;
  if (done_) return false;
  if (!f_) {
    f_ = std::fopen(path_.c_str(), "rb");
    if (!f_) return annot::status(annot::errc::io_error, "cannot read " + path_.string());
  }
  auto bad = [&](const char* why) {
    done_ = true;
    return annot::status(annot::errc::io_error, path_.string() + " is not a JSON array of tasks: " + why);
  };
  // Skip whitespace, the '[' and separating commas.
  for (;;) {
    if (pos_ >= buf_.size() && !fill()) return bad("it ends early");
    char c = buf_[pos_];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      ++pos_;
    } else if (!started_) {
      if (c != '[') return bad("it does not start with '['");
      started_ = true;
      ++pos_;
    } else if (c == ',') {
      ++pos_;
    } else if (c == ']') {
      done_ = true;
      return false;
    } else {
      break;
    }
  }
  // One element: up to the bracket that closes it, minding strings and escapes.
  std::size_t start = pos_, i = pos_;
  int depth = 0;
  bool in_string = false;
  for (;;) {
    if (i >= buf_.size()) {
      std::size_t offset = i - start;
      pos_ = start;
      if (!fill()) return bad("an element is cut off");
      start = pos_;
      i = start + offset;
      continue;
    }
    if (in_string) {
      // Most of a task's bytes are in strings: jump to the next quote. It closes the string unless an
      // odd run of backslashes escapes it (the run is within the element, which stays in the buffer).
      const void* q = std::memchr(buf_.data() + i, '"', buf_.size() - i);
      if (!q) {
        i = buf_.size();
        continue;
      }
      const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - buf_.data());
      std::size_t backslashes = 0;
      while (at - backslashes > start && buf_[at - backslashes - 1] == '\\') ++backslashes;
      i = at + 1;
      if (backslashes % 2 == 0) in_string = false;
      continue;
    }
    char c = buf_[i++];
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth == 0) break;
      if (depth < 0) return bad("unbalanced brackets");
    } else if (depth == 0 && (c == ',')) {
      return bad("an element is not an object");
    }
  }
  current_.assign(buf_, start, i - start);
  pos_ = i;
  task_json = current_;
  if (preparer_) {
    prepared_.clear();
    if (annot::status st = preparer_->prepare(current_, prepared_); !st.ok()) return failed_ = st;
    task_json = prepared_;
  }
  ++delivered_;
  return true;
}

}  // namespace annot::host::exporting
