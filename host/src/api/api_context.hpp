// What the REST handlers share: the store, the config engine's tag catalog, the job pool, the
// authenticator and the host's settings. Built once by host_app; every member outlives the router.
#pragma once

#include <chrono>
#include <filesystem>

#include "auth/authenticator.hpp"
#include "config/tag_catalog.hpp"
#include "jobs/job_runner.hpp"
#include "plugins/registry.hpp"
#include "store/store.hpp"

namespace annot::host::api {

// Settings an admin chooses at `annot serve` (flags/environment); read-only while serving.
struct api_settings {
  bool allow_signup = true;                 // POST /user/signup (off: only `annot user create`)
  bool allow_private_url_imports = false;   // url= imports of loopback, private, link-local hosts
  std::chrono::seconds task_lock_ttl{std::chrono::minutes(15)};  // /next locks a task this long
  bool strict_results = true;  // live API refuses rule breaks (false: stored with warnings)
};

// Threading: every member is safe to use from any handler thread (see each type's header).
struct api_context {
  store::store& db;
  const plugins::registry& registry;
  const config::tag_catalog& catalog;
  jobs::job_runner& jobs;
  const auth::authenticator& auth;
  std::filesystem::path data_dir;  // uploads live in data_dir / "upload" / <project id>
  api_settings settings;
};

}  // namespace annot::host::api
