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
  pos_ = 0;
  delivered_ = 0;
  return {};
}

annot::status store_cursor::load_batch() {
  texts_.clear();
  pos_ = 0;
  while (texts_.empty() && !exhausted_) {
    if (options_.cancelled && options_.cancelled->load(std::memory_order_relaxed))
      return annot::status(annot::errc::cancelled, "the export was cancelled");
    auto lease = db_.read();
    std::vector<store::task> tasks;
    if (options_.ids.empty()) {
      auto r = lease->list_project_tasks_after(options_.project_id, after_inner_id_, options_.batch);
      if (!r.ok()) return r.error();
      tasks = std::move(*r);
      if (static_cast<std::int64_t>(tasks.size()) < options_.batch) exhausted_ = true;
      if (!tasks.empty()) after_inner_id_ = tasks.back().inner_id;
    } else {
      std::size_t end = std::min(options_.ids.size(), ids_pos_ + static_cast<std::size_t>(options_.batch));
      std::span<const std::int64_t> chunk(options_.ids.data() + ids_pos_, end - ids_pos_);
      ids_pos_ = end;
      if (ids_pos_ >= options_.ids.size()) exhausted_ = true;
      auto r = lease->get_tasks(chunk);
      if (!r.ok()) return r.error();
      for (auto& t : *r)
        if (t.project_id == options_.project_id) tasks.push_back(std::move(t));
    }
    if (options_.only_annotated) {
      std::erase_if(tasks, [](const store::task& t) { return t.total_annotations + t.cancelled_annotations == 0; });
    }
    if (tasks.empty()) continue;

    std::vector<std::int64_t> ids;
    ids.reserve(tasks.size());
    for (const auto& t : tasks) ids.push_back(t.id);
    auto anns = lease->list_annotations(ids);
    if (!anns.ok()) return anns.error();
    auto drafts = lease->list_drafts(ids, std::nullopt);
    if (!drafts.ok()) return drafts.error();
    auto preds = lease->list_task_predictions(ids);
    if (!preds.ok()) return preds.error();

    serialize_lookups lookups;
    auto& users = users_;
    auto& uploads = uploads_;
    store::read_context* ctx = &*lease;
    lookups.user = [&users, ctx](std::int64_t id) -> const store::user* {
      auto it = users.find(id);
      if (it == users.end()) {
        auto u = ctx->get_user(id);
        it = users.emplace(id, u.ok() ? std::optional<store::user>(std::move(*u)) : std::nullopt).first;
      }
      return it->second ? &*it->second : nullptr;
    };
    lookups.file_upload_name = [&uploads, ctx](std::int64_t id) -> std::optional<std::string> {
      auto it = uploads.find(id);
      if (it == uploads.end()) {
        auto f = ctx->get_file_upload(id);
        it = uploads.emplace(id, f.ok() ? std::optional<std::string>(f->file) : std::nullopt).first;
      }
      return it->second;
    };

    // Rows come sorted by task then id: walk them alongside the tasks.
    std::size_t a = 0, d = 0, p = 0;
    for (const auto& t : tasks) {
      std::size_t a0 = a, d0 = d, p0 = p;
      while (a < anns->size() && (*anns)[a].task_id == t.id) ++a;
      while (d < drafts->size() && (*drafts)[d].task_id == t.id) ++d;
      while (p < preds->size() && (*preds)[p].task_id == t.id) ++p;
      std::string text;
      append_task_json(text, t, std::span(anns->data() + a0, a - a0), std::span(drafts->data() + d0, d - d0),
                       std::span(preds->data() + p0, p - p0), options_.serialize, lookups);
      texts_.push_back(std::move(text));
    }
  }
  return {};
}

annot::result<bool> store_cursor::next(std::string_view& task_json) {
  if (pos_ >= texts_.size()) {
    if (annot::status st = load_batch(); !st.ok()) return st;
    if (texts_.empty()) {
      task_json = {};
      return false;
    }
    if (options_.progress) options_.progress(delivered_);
  }
  task_json = texts_[pos_++];
  ++delivered_;
  return true;
}

}  // namespace annot::host::exporting
