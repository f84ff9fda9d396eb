// The tasks an export is narrowed to by a data-manager tab and a selection in it: Label Studio's
// stored exports take a tab (task_filter_options.view); Annot's export dialog also sends the
// selection the user ticked (selectedItems), to both the stored and the streamed export, and
// `annot export --view` takes a tab.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "export/runner.hpp"
#include "store/query.hpp"
#include "store/store.hpp"

namespace annot::host::exporting {

struct export_scope {
  std::optional<std::int64_t> view;               // a tab of the project: its filters and saved selection
  std::optional<store::selected_items> selected;  // replaces the tab's saved selection
  bool given() const noexcept { return view || selected; }
};

// What a view that is not a readable tab of the project does: refused (invalid_argument naming it),
// or ignored with a warning in the log, as Label Studio's stored export ignores it.
enum class unusable_view { refuse, ignore };

// The ids of the tasks the scope keeps, ascending; nullopt when it keeps every task (no selection and
// no usable view). Runs the data-manager query on a read connection of `db`: any thread.
annot::result<std::optional<std::vector<std::int64_t>>> scope_task_ids(store::store& db, std::int64_t project,
                                                                       const export_scope& scope,
                                                                       unusable_view on_unusable);

// Narrows an export to the tasks a scope kept (scope_task_ids' ids): within params.ids when those are
// given, and nothing at all when none is left (params.selected_only).
void narrow_to(export_params& params, std::vector<std::int64_t> kept);

}  // namespace annot::host::exporting
