// Streaming split of a JSON array file into its elements, batched ahead on a thread.
#include "export/file_cursor.hpp"

#include <array>
#include <cstring>
#include <new>
#include <system_error>

namespace annot::host::exporting {

namespace {

// The bytes the split looks at outside strings.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {'"', '{', '}', '[', ']', ','}) t[c] = true;
  return t;
}();

}  // namespace

void file_cursor::batch::clear() {
  // A batch that held a huge task does not keep its size for the rest of the pass.
  if (raw.capacity() > 4 * kBatchBytes) raw = std::string();
  if (bytes.capacity() > 4 * kBatchBytes) bytes = std::string();
  raw.clear();
  raw_ends.clear();
  bytes.clear();
  ends.clear();
  after.clear();
  error = {};
  last = false;
  at = state::split;
}

file_cursor::file_cursor(std::filesystem::path file, std::int64_t tasks, bool read_ahead)
    : path_(std::move(file)), tasks_(tasks), read_ahead_(read_ahead), current_(std::make_unique<batch>()) {}

file_cursor::~file_cursor() {
  stop_reading();
  if (f_) std::fclose(f_);
}

// Joins the reading thread; what it made and the consumer did not take is dropped.
void file_cursor::stop_reading() {
  if (reader_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    reader_.join();
  }
  stop_ = false;
  ready_.clear();
}

annot::status file_cursor::rewind() {
  stop_reading();
  if (f_) std::fclose(f_);
  f_ = nullptr;
  seek_ = buf_at_ = 0;
  buf_.clear();
  pos_ = 0;
  started_ = false;
  current_->clear();
  handed_ = 0;
  begun_ = done_ = false;
  consumed_at_ = 0;
  preparer_ = nullptr;
  delivered_ = 0;
  failed_ = {};
  return {};
}

annot::status file_cursor::prepare_with(const annot::task_preparer* preparer) {
  if (preparer) {
    if (begun_)
      return annot::status(annot::errc::failed_precondition,
                           "prepare_with() is called at the start of a pass, before next()");
    preparer_ = preparer;
    return {};
  }
  if (preparer_ && begun_ && !done_) {
    // Let it go mid-pass: the batches made ahead hold prepared tasks, so the split starts again just
    // past the last task handed out, and the rest come as their JSON text.
    stop_reading();
    if (f_) std::fclose(f_);
    f_ = nullptr;
    buf_.clear();
    pos_ = 0;
    seek_ = buf_at_ = delivered_ > 0 ? consumed_at_ : 0;
    started_ = delivered_ > 0;
    // The last task handed out stays where next() put it (its view is still the exporter's).
    handed_ = current_->ends.size();
    current_->last = false;
    current_->error = {};
  }
  preparer_ = nullptr;
  return {};
}

bool file_cursor::fill() {
  // Drop what was consumed, then append a block.
  buf_.erase(0, pos_);
  buf_at_ += pos_;
  pos_ = 0;
  char block[1 << 16];
  std::size_t n = std::fread(block, 1, sizeof block, f_);
  buf_.append(block, n);
  return n > 0;
}

annot::result<bool> file_cursor::split_next(std::string_view& element) {
  if (!f_) {
    f_ = std::fopen(path_.c_str(), "rb");
    if (!f_ || (seek_ > 0 && ::fseeko(f_, static_cast<off_t>(seek_), SEEK_SET) != 0))
      return annot::status(annot::errc::io_error, "cannot read " + path_.string());
    buf_at_ = seek_;
  }
  auto bad = [&](const char* why) {
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
    // Outside strings, skip what is neither a quote, a bracket nor a comma (numbers, literals,
    // colons, spaces) a byte at a time through a table: one load and one branch each.
    const char* p = buf_.data();
    const std::size_t n = buf_.size();
    while (i < n && !kStructural[static_cast<unsigned char>(p[i])]) ++i;
    if (i >= n) continue;
    char c = p[i++];
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if (c == '}' || c == ']') {
      if (--depth == 0) break;
      if (depth < 0) return bad("unbalanced brackets");
    } else if (depth == 0 && (c == ',')) {
      return bad("an element is not an object");
    }
  }
  element = std::string_view(buf_).substr(start, i - start);
  pos_ = i;
  return true;
}

void file_cursor::split_batch(batch& b) noexcept {
  try {
    while (b.raw_ends.size() < kBatchTasks && b.raw.size() < kBatchBytes) {
      std::string_view element;
      annot::result<bool> more = split_next(element);
      if (!more.ok()) b.error = more.error();
      if (!more.ok() || !*more) {
        b.last = true;
        return;
      }
      b.raw.append(element);
      b.raw_ends.push_back(b.raw.size());
      b.after.push_back(buf_at_ + pos_);
    }
  } catch (const std::bad_alloc&) {
    b.error = annot::status(annot::errc::internal, "out of memory reading " + path_.string());
    b.last = true;
  }
}

void file_cursor::prepare_batch(batch& b, const annot::task_preparer* preparer) noexcept {
  if (!preparer) {
    b.bytes.swap(b.raw);
    b.ends.swap(b.raw_ends);
    return;
  }
  try {
    std::size_t from = 0;
    for (std::size_t end : b.raw_ends) {
      if (annot::status st = preparer->prepare(std::string_view(b.raw).substr(from, end - from), b.bytes);
          !st.ok()) {
        // The pass ends at this task, after the ones before it.
        b.error = st;
        b.last = true;
        return;
      }
      b.ends.push_back(b.bytes.size());
      from = end;
    }
  } catch (const std::bad_alloc&) {
    b.error = annot::status(annot::errc::internal, "out of memory preparing the tasks of " + path_.string());
    b.last = true;
  }
}

file_cursor::batch* file_cursor::newest_unprepared() {
  for (auto it = ready_.rbegin(); it != ready_.rend(); ++it)
    if ((*it)->at == batch::state::split) return it->get();
  return nullptr;
}

void file_cursor::read_loop(const annot::task_preparer* preparer) {
  std::unique_lock lock(mutex_);
  bool split_all = false;
  while (!stop_) {
    // Prepare the newest waiting batch while the queue is full (or nothing is left to split): the
    // consumer prepares from the oldest, so the two threads meet in the middle.
    if (split_all || ready_.size() >= kAhead) {
      batch* b = preparer ? newest_unprepared() : nullptr;
      if (!b) {
        if (split_all) return;
        cv_.wait(lock);
        continue;
      }
      b->at = batch::state::preparing;
      lock.unlock();
      prepare_batch(*b, preparer);
      lock.lock();
      b->at = batch::state::ready;
      cv_.notify_all();
      continue;
    }
    std::unique_ptr<batch> b;
    if (!spare_.empty()) {
      b = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    if (!b) b = std::make_unique<batch>();
    b->clear();
    split_batch(*b);
    if (!preparer) {
      prepare_batch(*b, nullptr);
      b->at = batch::state::ready;
    }
    split_all = b->last;
    lock.lock();
    ready_.push_back(std::move(b));
    cv_.notify_all();
  }
}

annot::status file_cursor::take_batch() {
  handed_ = 0;
  if (!read_ahead_) {
    current_->clear();
    split_batch(*current_);
    prepare_batch(*current_, preparer_);
    return {};
  }
  if (!reader_.joinable()) {
    try {
      reader_ = std::thread([this, preparer = preparer_] { read_loop(preparer); });
    } catch (const std::system_error& e) {
      return annot::status(annot::errc::internal,
                           std::string("cannot start the snapshot's reader: ") + e.what());
    }
  }
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !ready_.empty(); });
  batch& front = *ready_.front();
  if (front.at == batch::state::split) {
    front.at = batch::state::preparing;
    lock.unlock();
    prepare_batch(front, preparer_);
    lock.lock();
    front.at = batch::state::ready;
  }
  cv_.wait(lock, [&] { return front.at == batch::state::ready; });
  spare_.push_back(std::move(current_));
  current_ = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  cv_.notify_all();  // room for the reading thread
  return {};
}

annot::result<bool> file_cursor::next(std::string_view& task_json) {
  task_json = {};
  if (!failed_.ok()) return failed_;
  if (done_) return false;
  begun_ = true;
  while (handed_ == current_->ends.size()) {
    if (current_->last) {
      if (!current_->error.ok()) return failed_ = current_->error;
      done_ = true;
      return false;
    }
    if (annot::status st = take_batch(); !st.ok()) return failed_ = st;
  }
  const std::size_t from = handed_ > 0 ? current_->ends[handed_ - 1] : 0;
  task_json = std::string_view(current_->bytes).substr(from, current_->ends[handed_] - from);
  consumed_at_ = current_->after[handed_];
  ++handed_;
  ++delivered_;
  return true;
}

}  // namespace annot::host::exporting
