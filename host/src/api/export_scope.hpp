// The tasks an export is narrowed to by a data-manager tab and a selection in it: Label Studio's
// stored exports take a tab (task_filter_options.view); Annot's export dialog also sends the
// selection the user ticked (selectedItems), to both the stored and the streamed export.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "api/api_context.hpp"
#include "store/query.hpp"

namespace annot::host::api {

struct export_scope {
  std::optional<std::int64_t> view;               // a tab of the project: its filters and saved selection
  std::optional<store::selected_items> selected;  // replaces the tab's saved selection
  bool given() const noexcept { return view || selected; }
};

// What a view that is not a readable tab of the project does: refused (invalid_argument naming it),
// or ignored with a warning in the log, as Label Studio's stored export ignores it.
enum class unusable_view { refuse, ignore };

// The ids of the tasks the scope keeps, ascending; nullopt when it keeps every task (no selection and
// no usable view). Runs the data-manager query on a read connection: any thread.
annot::result<std::optional<std::vector<std::int64_t>>> scope_task_ids(api_context& ctx, std::int64_t project,
                                                                       const export_scope& scope, unusable_view on_unusable);

}  // namespace annot::host::api
