// Uploaded files: GET /api/projects/{id}/file-uploads, GET/DELETE /api/import/file-upload/{id}, and
// the files themselves at GET /data/upload/{project}/{file} (signed-in users, byte ranges).
#pragma once

#include "api/api_routes.hpp"

namespace annot::host::api {

void add_upload_routes(api_routes& routes);

}  // namespace annot::host::api
