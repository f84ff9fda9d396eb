// Stored exports (label-studio-formats §4.3): GET/POST /api/projects/{id}/exports, GET/DELETE
// .../exports/{pk}, .../exports/{pk}/download?exportType=, POST .../exports/{pk}/convert. Each
// export is a job that snapshots the project's tasks into data_dir/export/<project>/<pk>/
// tasks.json; convert runs an exporter plugin over that snapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "api/api_routes.hpp"
#include "export/runner.hpp"

namespace annot::host::api {

// `configs`: the project configs the easy export's routes share (kept as long as the routes).
void add_stored_export_routes(api_routes& routes, std::shared_ptr<exporting::project_configs> configs);

// Removes the stored exports of a deleted project (its snapshots hold its tasks). A job still running
// for one of them finds its export gone and removes what it wrote. Any thread.
void remove_project_exports(const std::filesystem::path& data_dir, std::int64_t project);

}  // namespace annot::host::api
