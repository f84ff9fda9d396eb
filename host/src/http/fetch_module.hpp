// What the fetch module (host/src/fetch/) and the executable agree on. Both are built from this tree
// with one toolchain, so C++ types cross; this is not the plugin boundary and has no versioning.
#pragma once

#include <string>

#include "http/fetch.hpp"

namespace annot::host::http {

// fetch_url's implementation in the module. Never throws.
using fetch_url_fn = result<fetch_info> (*)(std::string_view url, const fetch_options& options,
                                            const std::function<status(std::string_view)>& on_body);

// The module's one exported symbol: extern "C" fetch_url_fn annot_fetch_module_entry().
inline constexpr const char* fetch_module_entry = "annot_fetch_module_entry";

// Loads the module at `path` (kept loaded for the life of the process) and returns its fetch function;
// errc::internal naming the file and the loader's reason when it cannot. fetch_url() loads
// <executable's folder>/build_info::fetch_module_from_bin once, at its first call.
result<fetch_url_fn> load_fetch_module(const std::string& path);

}  // namespace annot::host::http
