// fetch_url through the fetch module, loaded at the first call: the executable does not link OpenSSL,
// whose loading cost every command ~1 ms (see host/src/fetch/fetch_module.cpp).
#include "http/fetch.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "build_info.hpp"
#include "http/fetch_module.hpp"

namespace annot::host::http {

result<fetch_url_fn> load_fetch_module(const std::string& path) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return status(errc::internal, "url downloads need the fetch module " + path +
                                      ", which cannot be loaded (" + (why ? why : "no reason given") +
                                      "): reinstall annot");
  }
  auto entry = reinterpret_cast<fetch_url_fn (*)()>(::dlsym(handle, fetch_module_entry));
  fetch_url_fn fetch = entry ? entry() : nullptr;
  if (!fetch)
    return status(errc::internal, path + " is not annot's fetch module (it has no " +
                                      std::string(fetch_module_entry) + "): reinstall annot");
  return fetch;
}

namespace {

result<fetch_url_fn> load_installed_module() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return status(errc::internal,
                  "cannot find the executable's folder to load the fetch module: " + ec.message());
  return load_fetch_module(
      (exe.parent_path() / build_info::fetch_module_from_bin).lexically_normal().string());
}

}  // namespace

result<fetch_info> fetch_url(std::string_view url, const fetch_options& options,
                             const std::function<status(std::string_view)>& on_body) {
  static const result<fetch_url_fn> module = load_installed_module();  // thread-safe, once
  if (!module) return module.error();
  return (*module)(url, options, on_body);
}

}  // namespace annot::host::http
