// Keyset batches of a project's tasks, serialised for exporters.
#include "export/store_cursor.hpp"

#include <algorithm>

namespace annot::host::exporting {

store_cursor::store_cursor(store::store& db, cursor_options options) : db_(db), options_(std::move(options)) {
  std::sort(options_.ids.begin(), options_.ids.end());
  options_.ids.erase(std::unique(options_.ids.begin(), options_.ids.end()), options_.ids.end());
  if (!options_.ids.empty()) {
    size_hint_ = static_cast<std::int64_t>(options_.ids.size());
  } else {
    auto r = db_.read();
    auto p = r->get_project(options_.project_id);
    if (p.ok()) size_hint_ = p->task_number;
  }
  if (options_.batch <= 0) options_.batch = 500;
}

annot::status store_cursor::rewind() {
  after_inner_id_ = 0;
  ids_pos_ = 0;
  exhausted_ = false;
  texts_.clear();
  ends_.clear();
  pos_ = 0;
  delivered_ = 0;
  return {};
}

annot::status store_cursor::load_batch() {
  texts_.clear();
  ends_.clear();
  pos_ = 0;
  if (!reader_) {
    auto r = store::open_export_reader(db_);
    if (!r.ok()) return r.error();
    reader_ = std::move(*r);
  }
  store::export_batch& rows = rows_;
  while (ends_.empty() && !exhausted_) {
    if (options_.cancelled && options_.cancelled->load(std::memory_order_relaxed))
      return annot::status(annot::errc::cancelled, "the export was cancelled");
    if (options_.ids.empty()) {
      if (annot::status st = reader_->read_after(options_.project_id, after_inner_id_, options_.batch,
                                                 options_.only_annotated, rows);
          !st.ok())
        return st;
      if (static_cast<std::int64_t>(rows.tasks.size()) < options_.batch) exhausted_ = true;
      if (!rows.tasks.empty()) after_inner_id_ = rows.tasks.back().inner_id;
    } else {
      std::size_t end = std::min(options_.ids.size(), ids_pos_ + static_cast<std::size_t>(options_.batch));
      std::span<const std::int64_t> chunk(options_.ids.data() + ids_pos_, end - ids_pos_);
      ids_pos_ = end;
      if (ids_pos_ >= options_.ids.size()) exhausted_ = true;
      if (annot::status st = reader_->read_ids(options_.project_id, chunk, rows); !st.ok()) return st;
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
    lookups.file_upload_name = [&rows](std::int64_t id) -> std::optional<std::string> {
      auto it = std::lower_bound(rows.upload_names.begin(), rows.upload_names.end(), id,
                                 [](const auto& p, std::int64_t v) { return p.first < v; });
      if (it == rows.upload_names.end() || it->first != id) return std::nullopt;
      return it->second;
    };

    // Rows come sorted by task then id: walk them alongside the tasks.
    const auto& anns = rows.annotations;
    const auto& drafts = rows.drafts;
    const auto& preds = rows.predictions;
    std::size_t a = 0, d = 0, p = 0;
    for (const auto& t : rows.tasks) {
      // Rows of a task left out (only_annotated on ids[]) are skipped.
      while (a < anns.size() && anns[a].task_id < t.id) ++a;
      while (d < drafts.size() && drafts[d].task_id < t.id) ++d;
      while (p < preds.size() && preds[p].task_id < t.id) ++p;
      std::size_t a0 = a, d0 = d, p0 = p;
      while (a < anns.size() && anns[a].task_id == t.id) ++a;
      while (d < drafts.size() && drafts[d].task_id == t.id) ++d;
      while (p < preds.size() && preds[p].task_id == t.id) ++p;
      append_task_json(texts_, t, std::span(anns.data() + a0, a - a0), std::span(drafts.data() + d0, d - d0),
                       std::span(preds.data() + p0, p - p0), options_.serialize, lookups);
      ends_.push_back(texts_.size());
    }
  }
  return {};
}

annot::result<bool> store_cursor::next(std::string_view& task_json) {
  if (pos_ >= ends_.size()) {
    if (annot::status st = load_batch(); !st.ok()) return st;
    if (ends_.empty()) {
      task_json = {};
      return false;
    }
    if (options_.progress) options_.progress(delivered_);
  }
  const std::size_t begin = pos_ == 0 ? 0 : ends_[pos_ - 1];
  task_json = std::string_view(texts_).substr(begin, ends_[pos_] - begin);
  ++pos_;
  ++delivered_;
  return true;
}

}  // namespace annot::host::exporting
