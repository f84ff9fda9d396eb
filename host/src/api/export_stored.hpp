// Stored exports (label-studio-formats §4.3): GET/POST /api/projects/{id}/exports, GET/DELETE
// .../exports/{pk}, .../exports/{pk}/download?exportType=, POST .../exports/{pk}/convert. Each
// export is a job that snapshots the project's tasks into data_dir/export/<project>/<pk>/
// tasks.json; convert runs an exporter plugin over that snapshot.
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

void add_stored_export_routes(api_routes& routes);

}  // namespace annot::host::api
