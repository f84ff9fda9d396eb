#include "export/task_scope.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <string>

namespace annot::host::exporting {

annot::result<std::optional<std::vector<std::int64_t>>> scope_task_ids(store::store& db, std::int64_t project,
                                                                       const export_scope& scope,
                                                                       unusable_view on_unusable) {
  auto reader = db.read();
  std::optional<store::task_query> q;
  if (scope.view) {
    const std::string name = "view " + std::to_string(*scope.view);
    std::string why;
    auto v = reader->get_view(*scope.view);
    if (!v.ok() && v.error().code() != annot::errc::not_found) return v.error();
    if (!v.ok() || v->project_id != project) {
      why = name + " is not a tab of project " + std::to_string(project);
    } else if (auto parsed = store::parse_dm_query(project, v->data); parsed.ok()) {
      q = std::move(*parsed);
    } else {
      why = name + " cannot be read: " + parsed.error().message();
    }
    if (!why.empty()) {
      if (on_unusable == unusable_view::refuse) return annot::status(annot::errc::invalid_argument, why);
      spdlog::warn("export of project {}: {}; ignored", project, why);
    }
  }
  if (!q && !scope.selected) return std::optional<std::vector<std::int64_t>>();
  if (!q) q.emplace().selection.project_id = project;
  if (scope.selected) q->selection.selected = *scope.selected;
  auto found = reader->select_task_ids(*q);
  if (!found.ok()) return found.error();
  std::sort(found->begin(), found->end());
  return std::optional<std::vector<std::int64_t>>(std::move(*found));
}

void narrow_to(export_params& params, std::vector<std::int64_t> kept) {
  if (!params.ids.empty()) {
    std::sort(params.ids.begin(), params.ids.end());
    std::vector<std::int64_t> both;
    std::set_intersection(kept.begin(), kept.end(), params.ids.begin(), params.ids.end(),
                          std::back_inserter(both));
    kept = std::move(both);
  }
  params.ids = std::move(kept);
  params.selected_only = true;
}

}  // namespace annot::host::exporting
