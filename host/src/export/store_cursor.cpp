// Keyset batches of a project's tasks, serialised for exporters by a reading thread ahead of them.
#include "export/store_cursor.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstdlib>

namespace annot::host::exporting {

namespace {

// glibc gives each thread's arena its memory a page at a time as it grows, an mprotect() each, and
// each takes the process's memory-map lock that the other threads' page faults wait on: the reading
// thread's first batches (SQLite's page cache, the rows' texts) made ~800 of them. Grown once to
// about what a pass holds, the arena keeps that range usable after free() (the pages themselves go
// back to the kernel), so later growth costs page faults only.
void reserve_thread_arena() {
  constexpr std::size_t block = 120 << 10;  // under malloc's mmap threshold: taken from the arena
  constexpr std::size_t blocks = 32;        // 3.75 MiB: the page cache, a few 256-task batches
  void* taken[blocks];
  for (void*& p : taken) p = std::malloc(block);
  asm volatile("" : : "r"(taken) : "memory");  // the blocks escape: the pairs are not optimised away
  for (void* p : taken) std::free(p);
}

}  // namespace

store_cursor::store_cursor(store::store& db, cursor_options options) : db_(db), options_(std::move(options)) {
  std::sort(options_.ids.begin(), options_.ids.end());
  options_.ids.erase(std::unique(options_.ids.begin(), options_.ids.end()), options_.ids.end());
  if (!options_.ids.empty() || options_.selected_only) {
    size_hint_ = static_cast<std::int64_t>(options_.ids.size());
  } else {
    auto r = db_.read();
    auto p = r->get_project(options_.project_id);
    if (p.ok()) size_hint_ = p->task_number;
  }
  if (options_.batch <= 0) options_.batch = 500;
  batch_ = 1;
  probed_ = false;
}

store_cursor::~store_cursor() { stop_reading(); }

void store_cursor::stop_reading() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  room_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  stop_ = false;
  for (chunk* c : ready_) free_.push_back(c);
  ready_.clear();
}

annot::status store_cursor::rewind() {
  stop_reading();
  if (current_) free_.push_back(current_);
  current_ = consuming_ = nullptr;
  pos_ = 0;
  preparer_ = nullptr;
  piecewise_ = false;
  if (begun_) first_pass_ = false;
  begun_ = false;
  started_ = false;
  done_ = false;
  failed_ = {};
  delivered_ = 0;
  after_inner_id_ = 0;
  ids_pos_ = 0;
  exhausted_ = false;
  batch_ = 1;
  probed_ = false;
  return {};
}

annot::status store_cursor::prepare_with(const annot::task_preparer* preparer) {
  if (!preparer) {
    // Let it go: wait for the pieces the reading thread is on; the consumer's own run on this thread.
    std::unique_lock lock(mutex_);
    preparer_ = nullptr;
    piece_cv_.wait(lock, [&] { return in_flight_ == 0; });
    return {};
  }
  if (begun_)
    return annot::status(annot::errc::failed_precondition,
                         "prepare_with() is called at the start of a pass, before next()");
  preparer_ = preparer;
  piecewise_ = true;
  return {};
}

annot::status store_cursor::load_batch(chunk& c) {
  if (!reader_) {
    auto r = store::open_export_reader(
        db_, options_.serialize.items_only ? store::export_rows::annotations_only : store::export_rows::full);
    if (!r.ok()) return r.error();
    reader_ = std::move(*r);
  }
  store::export_batch& rows = rows_;
  while (c.ends.empty() && !exhausted_) {
    const std::int64_t batch = batch_;
    batch_ = std::min(options_.batch, probed_ ? batch_ + std::max<std::int64_t>(1, batch_ / 2) : first_batch);
    probed_ = true;
    if (cancelled()) return annot::status(annot::errc::cancelled, "the export was cancelled");
    if (options_.ids.empty() && options_.selected_only) {
      exhausted_ = true;
      break;
    }
    if (options_.ids.empty()) {
      if (annot::status st =
              reader_->read_after(options_.project_id, after_inner_id_, batch, options_.only_annotated, rows);
          !st.ok())
        return st;
      exhausted_ = !rows.more;
      after_inner_id_ = rows.scanned_to;
    } else {
      std::size_t end = std::min(options_.ids.size(), ids_pos_ + static_cast<std::size_t>(batch));
      std::span<const std::int64_t> chunk_ids(options_.ids.data() + ids_pos_, end - ids_pos_);
      ids_pos_ = end;
      if (ids_pos_ >= options_.ids.size()) exhausted_ = true;
      if (annot::status st = reader_->read_ids(options_.project_id, chunk_ids, rows); !st.ok()) return st;
      if (options_.only_annotated)
        std::erase_if(rows.tasks,
                      [](const store::task& t) { return t.total_annotations + t.cancelled_annotations == 0; });
    }
    if (rows.tasks.empty()) continue;

    serialize_lookups lookups;
    if (options_.serialize.expand_completed_by || options_.serialize.full_drafts) {
      // Users are few: each is read once, through a short lease of the shared readers.
      lookups.user = [this](std::int64_t id) -> const store::user* {
        auto it = users_.find(id);
        if (it == users_.end()) {
          auto u = db_.read()->get_user(id);
          it = users_.emplace(id, u.ok() ? std::optional<store::user>(std::move(*u)) : std::nullopt).first;
        }
        return it->second ? &*it->second : nullptr;
      };
    }
    if (options_.warn && first_pass_) lookups.warn = [&c](std::string_view m) { c.warnings.emplace_back(m); };
    lookups.file_upload_name = [&rows](std::int64_t id) -> std::optional<std::string> {
      auto it = std::lower_bound(rows.upload_names.begin(), rows.upload_names.end(), id,
                                 [](const auto& p, std::int64_t v) { return p.first < v; });
      if (it == rows.upload_names.end() || it->first != id) return std::nullopt;
      return it->second;
    };

    // Rows come sorted by task then id. Tasks come by inner id, which grows with the id (the store
    // writes them so): the rows are walked alongside the tasks. Should a batch's ids not grow, each
    // task's rows are looked up instead.
    const auto& anns = rows.annotations;
    const auto& drafts = rows.drafts;
    const auto& preds = rows.predictions;
    const bool ids_grow = std::is_sorted(rows.tasks.begin(), rows.tasks.end(),
                                         [](const store::task& x, const store::task& y) { return x.id < y.id; });
    std::size_t a = 0, d = 0, p = 0;
    // The rows of task `id` from `at` on (the walk), or anywhere (the lookup); `at` ends after them.
    const auto rows_of = [ids_grow](const auto& v, std::size_t& at, std::int64_t id) {
      using row = std::decay_t<decltype(v.front())>;
      if (!ids_grow)
        at = static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), id, [](const row& r, std::int64_t k) {
                                        return r.task_id < k;
                                      }) - v.begin());
      // Rows of a task left out (only_annotated on ids[]) are skipped.
      while (at < v.size() && v[at].task_id < id) ++at;
      const std::size_t from = at;
      while (at < v.size() && v[at].task_id == id) ++at;
      return std::span(v.data() + from, at - from);
    };
    c.ends.reserve(rows.tasks.size());
    for (const auto& t : rows.tasks) {
      const auto task_anns = rows_of(anns, a, t.id);
      const auto task_drafts = rows_of(drafts, d, t.id);
      const auto task_preds = rows_of(preds, p, t.id);
      append_task_json(c.texts, t, task_anns, task_drafts, task_preds, options_.serialize, lookups);
      c.ends.push_back(c.texts.size());
    }
    // The next batch is no larger than batch_bytes at this batch's size per task.
    batch_ = std::clamp(static_cast<std::int64_t>(c.ends.size() * batch_bytes / c.texts.size()),
                        std::int64_t(1), batch_);
    if (c.texts.size() > batch_bytes) release_large_rows(rows);
  }
  return {};
}

// The reused rows keep their strings' capacity from batch to batch: not that of a large task's.
void store_cursor::release_large_rows(store::export_batch& rows) {
  const auto release = [](std::string& s) {
    if (s.capacity() > batch_bytes) std::string().swap(s);
  };
  for (auto& t : rows.tasks) release(t.data);
  for (auto& a : rows.annotations) release(a.result);
  for (auto& d : rows.drafts) release(d.result);
  for (auto& p : rows.predictions) release(p.result);
}

void store_cursor::fill(chunk& c) {
  if (c.texts.capacity() > 2 * batch_bytes) std::string().swap(c.texts);
  c.texts.clear();
  c.ends.clear();
  c.warnings.clear();
  c.error = {};
  c.last = false;
  try {
    c.error = load_batch(c);
    // text_padding(): each task is followed by the next one, the last by this room.
    c.texts.reserve(c.texts.size() + kTextPadding);
  } catch (const std::bad_alloc&) {
    c.error = annot::status(annot::errc::internal, "out of memory while reading the export's tasks");
  } catch (const std::exception& e) {
    c.error = annot::status(annot::errc::internal, std::string("reading the export's tasks: ") + e.what());
  }
  c.last = !c.error.ok() || exhausted_;
  c.npieces = c.front = c.back = 0;
  if (piecewise_ && c.error.ok()) {
    c.npieces = (c.ends.size() + piece_tasks - 1) / piece_tasks;
    try {
      if (c.pieces.size() < c.npieces) c.pieces.resize(c.npieces);
    } catch (const std::bad_alloc&) {
      c.npieces = 0;
      c.error = annot::status(annot::errc::internal, "out of memory while reading the export's tasks");
      c.last = true;
    }
    for (std::size_t k = 0; k < c.npieces; ++k) c.pieces[k].done = false;
    c.back = c.npieces;
  }
}

void store_cursor::prepare_piece(const annot::task_preparer& preparer, chunk& c, std::size_t k) noexcept {
  piece& p = c.pieces[k];
  if (p.bytes.capacity() > batch_bytes) std::string().swap(p.bytes);
  p.bytes.clear();
  p.ends.clear();
  p.error = {};
  const std::size_t first = k * piece_tasks, end = std::min(c.ends.size(), first + piece_tasks);
  try {
    p.ends.reserve(end - first);
    for (std::size_t i = first; i < end; ++i) {
      const std::size_t begin = i == 0 ? 0 : c.ends[i - 1];
      if (annot::status st = preparer.prepare(std::string_view(c.texts).substr(begin, c.ends[i] - begin), p.bytes);
          !st.ok()) {
        p.error = std::move(st);
        return;
      }
      p.ends.push_back(p.bytes.size());
    }
  } catch (const std::bad_alloc&) {
    // Only our own bookkeeping can throw here (prepare() is noexcept); ends holds the tasks before it.
    p.error = annot::status(annot::errc::internal, "out of memory while preparing the export's tasks");
  }
}

store_cursor::chunk* store_cursor::preparable() const {
  if (!preparer_) return nullptr;
  if (consuming_ && consuming_->front < consuming_->back) return consuming_;
  for (chunk* c : ready_)
    if (c->front < c->back) return c;
  return nullptr;
}

void store_cursor::await_piece(std::size_t k) {
  chunk& c = *current_;
  std::unique_lock lock(mutex_);
  if (k < c.back) {
    // Pieces are used in order, so this is the front one and nobody claimed it.
    c.front = k + 1;
    lock.unlock();
    prepare_piece(*preparer_, c, k);
    return;
  }
  piece_cv_.wait(lock, [&] { return c.pieces[k].done; });
}

void store_cursor::produce() {
  pthread_setname_np(pthread_self(), "annot-cursor");  // named in profiles and top -H
  reserve_thread_arena();
  bool read_all = false;
  for (;;) {
    chunk* c = nullptr;
    std::size_t k = 0;
    {
      std::unique_lock lock(mutex_);
      // Reading comes first (it keeps the consumer fed); with the queue full, prepare its pieces.
      room_cv_.wait(lock, [&] {
        return stop_ || read_all || ready_.size() < options_.prefetch || preparable();
      });
      if (stop_) return;
      if (!read_all && ready_.size() < options_.prefetch) {
        // Never empty: prefetch + 2 chunks exist, the consumer holds one and at most prefetch are ready.
        c = free_.back();
        free_.pop_back();
      } else if (chunk* p = preparable()) {
        k = --p->back;
        const annot::task_preparer* preparer = preparer_;
        ++in_flight_;
        lock.unlock();
        prepare_piece(*preparer, *p, k);
        lock.lock();
        p->pieces[k].done = true;
        --in_flight_;
        lock.unlock();
        // The consumer may wait for this piece, or (prepare_with(nullptr)) for no piece in flight.
        piece_cv_.notify_all();
        continue;
      } else {
        return;  // everything is read and every waiting piece is claimed
      }
    }
    fill(*c);
    read_all = c->last;
    {
      std::lock_guard lock(mutex_);
      ready_.push_back(c);
    }
    ready_cv_.notify_one();
  }
}

store_cursor::chunk* store_cursor::take() {
  if (options_.prefetch == 0) {
    if (free_.empty()) {
      pool_.push_back(std::make_unique<chunk>());
      free_.push_back(pool_.back().get());
    }
    chunk* c = free_.back();
    free_.pop_back();
    fill(*c);
    return c;
  }
  if (!started_) {
    started_ = true;
    // Every chunk is made here, so the reading thread never allocates outside fill()'s try.
    while (pool_.size() < options_.prefetch + 2) {
      pool_.push_back(std::make_unique<chunk>());
      free_.push_back(pool_.back().get());
    }
    try {
      thread_ = std::thread([this] { produce(); });
    } catch (const std::system_error&) {
      // No thread to be had: this pass reads on the caller's thread.
      options_.prefetch = 0;
      return take();
    }
  }
  std::unique_lock lock(mutex_);
  ready_cv_.wait(lock, [&] { return !ready_.empty(); });
  chunk* c = ready_.front();
  ready_.pop_front();
  consuming_ = c;
  lock.unlock();
  room_cv_.notify_one();
  return c;
}

void store_cursor::give_back(chunk* c) {
  std::lock_guard lock(mutex_);
  if (consuming_ == c) consuming_ = nullptr;
  free_.push_back(c);
}

annot::result<bool> store_cursor::next(std::string_view& task_json) {
  begun_ = true;
  while (!current_ || pos_ >= current_->ends.size()) {
    if (!failed_.ok()) return failed_;
    if (done_) {
      task_json = {};
      return false;
    }
    // Checked here too: the reading thread may be batches ahead of a cancellation.
    if (cancelled()) return failed_ = annot::status(annot::errc::cancelled, "the export was cancelled");
    if (current_) give_back(current_);
    current_ = take();
    pos_ = 0;
    done_ = current_->last;
    if (!current_->error.ok()) return failed_ = current_->error;
    if (options_.warn)
      for (const std::string& w : current_->warnings) options_.warn(w);
    if (!current_->ends.empty() && options_.progress) options_.progress(delivered_);
  }
  if (preparer_) {
    // Pieces were cut for this pass (a preparer is only set at its start).
    const std::size_t k = pos_ / piece_tasks, i = pos_ % piece_tasks;
    if (i == 0) await_piece(k);
    const piece& p = current_->pieces[k];
    if (i >= p.ends.size()) return failed_ = p.error;
    const std::size_t begin = i == 0 ? 0 : p.ends[i - 1];
    task_json = std::string_view(p.bytes).substr(begin, p.ends[i] - begin);
  } else {
    const std::size_t begin = pos_ == 0 ? 0 : current_->ends[pos_ - 1];
    task_json = std::string_view(current_->texts).substr(begin, current_->ends[pos_] - begin);
  }
  ++pos_;
  ++delivered_;
  return true;
}

}  // namespace annot::host::exporting
