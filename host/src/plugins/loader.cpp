// The plugin loader: folder scan, Boost.DLL loading, the handshake checks in GStreamer's order
// (open, entry, magic/size, SDK, toolchain, fields, name, duplicate) and transactional registration.
#include "plugins/loader.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <system_error>
#include <utility>

#include "plugins/services.hpp"

namespace annot::host::plugins {

std::string host_sdk_version() {
  return ANNOT_SDK_VERSION_STRING;
}
std::string host_toolchain() {
  return ANNOT_TOOLCHAIN_FINGERPRINT;
}

bool is_plugin_name(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

namespace {

namespace fs = std::filesystem;

// Every library that opened stays loaded until the process exits, refused or not: its static
// initialisers ran, and after registration it may have handed out objects or started threads.
// The list is leaked on purpose so that no dlclose() runs at exit either.
void pin_forever(boost::dll::shared_library library) {
  static std::mutex mutex;
  static auto* pinned = new std::vector<boost::dll::shared_library>();
  std::lock_guard lock(mutex);
  pinned->push_back(std::move(library));
}

// "a", "a and b", "a, b and c"
std::string join_words(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += (i + 1 == parts.size()) ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

std::string entry_symbol(std::string_view name) {
  return "annot_plugin_" + std::string(name) + "_entry";
}

std::string version_text(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

struct check_failure {
  refusal_stage stage;
  std::string reason;
};

// Magic and size, SDK version, toolchain: what the plugin was built for against what this host
// is, several mismatches joined in one sentence (DuckDB's style), named after the first failing step.
std::optional<check_failure> check_build(const annot_plugin_descriptor& d) {
  if (d.magic != ANNOT_PLUGIN_MAGIC) {
    char found[32];
    std::snprintf(found, sizeof found, "0x%016" PRIx64, static_cast<std::uint64_t>(d.magic));
    return check_failure{
        refusal_stage::handshake,
        std::string("its descriptor does not start with the Annot plugin magic (found ") + found +
            ", expected 0x474C50544F4E4E41): it is not an Annot plugin descriptor, or a corrupt "
            "one; rebuild the plugin with ANNOT_PLUGIN(...)"};
  }
  // Every SDK major keeps magic, struct_size, sdk_major and sdk_minor first, so these fields can be
  // read from any descriptor with the right magic, whatever its size.
  const bool size_ok = d.struct_size == sizeof(annot_plugin_descriptor);
  const bool version_readable =
      d.struct_size >= offsetof(annot_plugin_descriptor, sdk_minor) + sizeof(d.sdk_minor);
  const bool version_ok =
      version_readable && d.sdk_major == ANNOT_SDK_VERSION_MAJOR && d.sdk_minor == ANNOT_SDK_VERSION_MINOR;
  // The rest of the layout is only known when size and major agree.
  const bool layout_known = size_ok && version_readable && d.sdk_major == ANNOT_SDK_VERSION_MAJOR;
  const char* toolchain = layout_known && d.toolchain ? d.toolchain : "";
  const bool toolchain_ok = !layout_known || std::strcmp(toolchain, ANNOT_TOOLCHAIN_FINGERPRINT) == 0;
  if (size_ok && version_ok && toolchain_ok) return std::nullopt;

  const std::string host_sdk = version_text(ANNOT_SDK_VERSION_MAJOR, ANNOT_SDK_VERSION_MINOR);
  std::vector<std::string> built, host;
  if (!version_ok && version_readable) {
    built.push_back("SDK " + version_text(d.sdk_major, d.sdk_minor));
    host.push_back("SDK " + host_sdk);
  }
  if (!size_ok) {
    built.push_back("a " + std::to_string(d.struct_size) + "-byte descriptor");
    host.push_back(std::to_string(sizeof(annot_plugin_descriptor)) + "-byte descriptors");
  }
  if (!toolchain_ok) {
    built.push_back(std::string("toolchain '") + (*toolchain ? toolchain : "(none)") + "'");
    host.push_back(std::string("toolchain '") + ANNOT_TOOLCHAIN_FINGERPRINT + "'");
  }
  std::string action;
  if (!version_ok || !size_ok) {
    action = "rebuild the plugin against SDK " + host_sdk;
    if (!toolchain_ok) action += " with the host's toolchain";
  } else {
    action =
        "rebuild the plugin with the host's toolchain (same compiler, standard library and ABI switches)";
  }
  refusal_stage stage = !size_ok      ? refusal_stage::handshake
                        : !version_ok ? refusal_stage::sdk_version
                                      : refusal_stage::toolchain;
  return check_failure{
      stage, "built for " + join_words(built) + ", this host has " + join_words(host) + ": " + action};
}

// Name, version, kind and register function; then the name against the file it came from.
std::optional<check_failure> check_fields(const annot_plugin_descriptor& d, std::string_view expected_name,
                                          std::string_view origin) {
  std::vector<std::string> problems;
  const std::string_view name = d.name ? d.name : "";
  if (name.empty()) {
    problems.push_back("no name");
  } else if (!is_plugin_name(name)) {
    problems.push_back("an invalid name '" + std::string(name) +
                       "' (use lower-case letters, digits and '_')");
  }
  if (!d.version || !*d.version) problems.push_back("no version");
  if (!kind_from_value(d.kind)) {
    problems.push_back("an unknown kind " + std::to_string(d.kind) +
                       " (expected data_type, exporter or storage)");
  }
  if (!d.register_fn) problems.push_back("no register function");
  if (!problems.empty()) {
    return check_failure{refusal_stage::required_fields, "its descriptor has " + join_words(problems) +
                                                             ": fix the ANNOT_PLUGIN(...) line and rebuild"};
  }
  if (name != expected_name) {
    return check_failure{refusal_stage::name,
                         "it declares the name '" + std::string(name) + "', but " + std::string(origin) +
                             ": the name in ANNOT_PLUGIN(...) must equal the folder and file "
                             "name; rename one of them"};
  }
  return std::nullopt;
}

}  // namespace

struct loader::state {
  load_options options;
  std::shared_ptr<registry> reg = std::make_shared<registry>();
  bool finished = false;

  void refuse(std::string file, std::string name, refusal_stage stage, std::string reason) {
    spdlog::warn("plugin {} refused ({}): {}", file, to_string(stage), reason);
    reg->refuse(refusal{std::move(file), std::move(name), stage, std::move(reason)});
  }

  void check_open(const char* what) const {
    if (finished) throw std::logic_error(std::string("plugin loader: ") + what + " after finish()");
  }

  // Everything after the entry symbol, shared by loaded and statically linked plugins.
  // `origin` says where the plugin came from, for the name check's message.
  void admit(const annot_plugin_descriptor* d, const std::string& expected_name, const std::string& file,
             const std::string& origin, const fs::path& folder) {
    if (!d) {
      refuse(file, expected_name, refusal_stage::entry_symbol,
             entry_symbol(expected_name) +
                 " returned no descriptor: it must return the address of the static "
                 "descriptor that ANNOT_PLUGIN(...) defines");
      return;
    }
    if (auto failure = check_build(*d)) return refuse(file, expected_name, failure->stage, failure->reason);
    if (auto failure = check_fields(*d, expected_name, origin)) {
      return refuse(file, expected_name, failure->stage, failure->reason);
    }
    if (const plugin_record* other = reg->find(expected_name)) {
      return refuse(file, expected_name, refusal_stage::duplicate,
                    "plugin name '" + expected_name + "' is already taken by " + other->file +
                        "; this copy is " + file + ": remove one of them");
    }

    const plugin_kind kind = *kind_from_value(d->kind);
    staged_plugin staged;
    staged.record.name = expected_name;
    staged.record.kind = kind;
    staged.record.version = d->version;
    staged.record.description = d->description ? d->description : "";
    staged.record.file = file;
    staged.record.sdk_version = std::to_string(d->sdk_major) + "." + std::to_string(d->sdk_minor) + "." +
                                std::to_string(d->sdk_patch);
    staged.record.toolchain = d->toolchain;

    // The plugin may keep its services for the life of the process, even if refused below.
    auto services = std::make_shared<plugin_services>(expected_name, options.data_dir);
    reg->keep_alive(services);
    staging_registrar registrar(expected_name, kind, folder, *services, reg->staging_tags());
    // Whatever refuses the plugin from here on also drops the tags and regions it staged.
    auto refuse_registration = [&](std::string reason) {
      reg->rollback(expected_name);
      refuse(file, expected_name, refusal_stage::registration, std::move(reason));
    };

    int rc = 0;
    // ANNOT_PLUGIN's thunk already catches; a hand-written register function may not.
    try {
      rc = d->register_fn(registrar.handle());
    } catch (const std::exception& e) {
      registrar.report_failure(std::string("registration threw an exception: ") + e.what());
      rc = -1;
    } catch (...) {
      registrar.report_failure("registration threw a non-standard exception");
      rc = -1;
    }

    if (!registrar.violations().empty()) {
      std::vector<std::string> calls;
      // add_exporter belongs to exporter plugins; every other call (add_starter_config too) to
      // data_type plugins.
      bool exporter_calls = false, data_type_calls = false;
      for (const auto& call : registrar.violations()) {
        calls.push_back(call + "()");
        (call == "add_exporter" ? exporter_calls : data_type_calls) = true;
      }
      const std::string kind_name(to_string(kind));
      const char* article = kind_name.front() == 'e' ? "an " : "a ";
      const char* owners = exporter_calls && data_type_calls ? "data_type or exporter"
                           : exporter_calls                 ? "exporter"
                                                            : "data_type";
      return refuse_registration(
          article + kind_name + " plugin called " + join_words(calls) + ", which only " + owners +
          " plugins may call: nothing it registered was kept; remove the call or change the plugin's kind");
    }
    if (!registrar.conflicts().empty()) {
      std::string why;
      for (const auto& message : registrar.conflicts()) why += (why.empty() ? "" : "; ") + message;
      return refuse_registration(
          why + ": nothing it registered was kept; every name has one owner, so remove one of the plugins");
    }
    if (rc != 0 || !registrar.failures().empty()) {
      std::string why;
      for (const auto& message : registrar.failures()) why += (why.empty() ? "" : "; ") + message;
      if (why.empty()) why = "it returned " + std::to_string(rc) + " without saying why";
      return refuse_registration("its register function failed: " + why + "; nothing it registered was kept");
    }

    registrar.take_staged(staged);
    // The UI is read into memory now, once, so serving never touches the disk and a file removed
    // later cannot break a loaded plugin.
    if (!options.read_ui) {
      // Nothing is read: a command that serves no UI pays neither the reading nor the gzipping.
    } else if (staged.ui && !staged.ui->dir.empty()) {
      try {
        auto files = std::make_shared<http::static_files>();
        files->add_directory("/plugins/" + expected_name, staged.ui->dir);
        staged.ui->files = std::move(files);
      } catch (const std::exception& e) {
        return refuse_registration(std::string("cannot read its ui/ folder: ") + e.what() +
                                   "; nothing it registered was kept");
      }
    } else if (!staged.ui && !staged.starters.empty() && !folder.empty() && fs::is_directory(folder / "ui")) {
      // A plugin without an editor UI still serves the sample media of its starter configs.
      try {
        auto files = std::make_shared<http::static_files>();
        files->add_directory("/plugins/" + expected_name, folder / "ui");
        staged.sample_files = std::move(files);
      } catch (const std::exception& e) {
        return refuse_registration(std::string("cannot read its ui/ folder: ") + e.what() +
                                   "; nothing it registered was kept");
      }
    }
    std::string loaded = "plugin " + expected_name + " " + staged.record.version + " (" +
                         std::string(to_string(kind)) + ") loaded from " + file;
    // commit() rolls the staged tags back itself when it fails.
    if (annot::status st = reg->commit(std::move(staged)); !st.ok()) {
      return refuse(file, expected_name, refusal_stage::registration,
                    st.message() + "; nothing it registered was kept");
    }
    spdlog::info("{}", loaded);
  }
};

loader::loader(load_options options) : state_(std::make_unique<state>()) {
  state_->options = std::move(options);
}
loader::~loader() = default;

void loader::load_directory() {
  state_->check_open("load_directory");
  const fs::path& dir = state_->options.plugins_dir;
  if (state_->options.only) {
    for (const std::string& name : *state_->options.only) load_folder(dir / name);
    return;
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    state_->refuse(
        dir.string(), "", refusal_stage::scan,
        "the plugins folder " + dir.string() +
            " does not exist or is not a folder: create it, or point --plugins-dir at the right one");
    return;
  }
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path());
  if (ec) {
    state_->refuse(dir.string(), "", refusal_stage::scan,
                   "cannot list the plugins folder " + dir.string() + ": " + ec.message());
    return;
  }
  // Sorted, so the load order (and so which of two duplicates wins) does not depend on the filesystem.
  std::sort(entries.begin(), entries.end());
  for (const fs::path& entry : entries) {
    const std::string leaf = entry.filename().string();
    if (leaf.empty() || leaf.front() == '.') continue;
    if (fs::is_directory(entry, ec)) {
      load_folder(entry);
    } else if (entry.extension() == ".so") {
      // A common mistake: the library copied next to the folders instead of into its own.
      state_->refuse(
          entry.string(), "", refusal_stage::layout,
          leaf +
              " lies directly in the plugins folder: each plugin needs its own folder <name>/ holding "
              "annot_<name>.so (and its ui/)");
    }
  }
}

void loader::load_folder(const fs::path& folder) {
  state_->check_open("load_folder");
  const std::string name = folder.filename().string();
  if (!is_plugin_name(name)) {
    state_->refuse(folder.string(), "", refusal_stage::layout,
                   "folder '" + name +
                       "' is not a plugin name (lower-case letters, digits and '_'): name the folder "
                       "after the plugin it holds");
    return;
  }
  const std::string library_name = "annot_" + name + ".so";
  const fs::path library_path = folder / library_name;
  std::error_code ec;
  if (!fs::is_regular_file(library_path, ec)) {
    state_->refuse(folder.string(), name, refusal_stage::layout,
                   "folder '" + name + "' holds no " + library_name +
                       ": put the plugin's library there, or remove the folder");
    return;
  }
  const std::string file = library_path.string();

  boost::dll::shared_library library;
  ec.clear();
  dlerror();  // clear a stale message, so the one read below is this load's
  library.load(library_path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec || !library.is_loaded()) {
    const char* why = dlerror();
    state_->refuse(file, name, refusal_stage::open,
                   std::string("the dynamic loader cannot open it: ") + (why ? why : ec.message()) +
                       ": rebuild the plugin for this system, or remove it");
    return;
  }

  const std::string symbol = entry_symbol(name);
  if (!library.has(symbol)) {
    pin_forever(std::move(library));
    state_->refuse(file, name, refusal_stage::entry_symbol,
                   "it exports no " + symbol + "; was it built with ANNOT_PLUGIN(" + name + ", ...)?");
    return;
  }
  annot_plugin_entry_fn entry = &library.get<const annot_plugin_descriptor*()>(symbol);
  pin_forever(std::move(library));

  const annot_plugin_descriptor* descriptor = nullptr;
  try {
    descriptor = entry();
  } catch (...) {
    state_->refuse(file, name, refusal_stage::entry_symbol,
                   symbol +
                       " threw an exception; it must only return the "
                       "descriptor");
    return;
  }
  state_->admit(descriptor, name, file, "its file is " + library_name + " in folder '" + name + "'", folder);
}

void loader::add_static(const static_plugin& plugin) {
  state_->check_open("add_static");
  const std::string file = "<static " + entry_symbol(plugin.name) + ">";
  if (!is_plugin_name(plugin.name) || !plugin.entry) {
    state_->refuse(
        file, plugin.name, refusal_stage::entry_symbol,
        "a statically linked plugin needs a name of lower-case letters, digits and '_' and an entry "
        "function");
    return;
  }
  const annot_plugin_descriptor* descriptor = nullptr;
  try {
    descriptor = plugin.entry();
  } catch (...) {
    state_->refuse(file, plugin.name, refusal_stage::entry_symbol,
                   entry_symbol(plugin.name) + " threw an exception");
    return;
  }
  state_->admit(descriptor, plugin.name, file, "it was linked in as " + entry_symbol(plugin.name),
                plugin.folder);
}

namespace {

// Tags name other tags (a control's targets, a tag's children) that another plugin may provide, so
// these references can only be checked once every plugin is in. A dangling one is not fatal: the
// configs that use it are refused with a precise message; here it is only worth a warning.
void warn_dangling_references(const registry& reg) {
  const config::tag_catalog& catalog = reg.tags();
  for (const config::tag_entry* e : catalog.tags()) {
    for (const std::string& child : e->info().children) {
      if (!catalog.find_tag(child)) {
        spdlog::warn("plugin {}: tag {} lists child tag {}, which no loaded plugin registers", e->owner,
                     e->name(), child);
      }
    }
    if (e->control) {
      for (const std::string& target : e->control->targets) {
        if (!catalog.find_tag(target)) {
          spdlog::warn("plugin {}: control {} targets {}, which no loaded plugin registers", e->owner,
                       e->name(), target);
        }
      }
    }
  }
}

}  // namespace

load_report loader::finish() {
  state_->check_open("finish");
  state_->finished = true;
  if (!state_->options.only) warn_dangling_references(*state_->reg);
  state_->reg->freeze();
  load_report report;
  report.plugins_dir = state_->options.plugins_dir;
  report.plugins = state_->reg;
  const auto& refused = state_->reg->refusals();
  if (state_->options.strict && !refused.empty()) {
    const refusal& first = refused.front();
    std::string message = "plugin " + (first.name.empty() ? first.file : first.name) + " refused (" +
                          std::string(to_string(first.stage)) + "): " + first.reason;
    if (refused.size() > 1) message += " (and " + std::to_string(refused.size() - 1) + " more refused)";
    report.error = annot::status(annot::errc::failed_precondition, std::move(message));
  }
  return report;
}

load_report load_plugins(const load_options& options) {
  loader l(options);
  l.load_directory();
  return l.finish();
}

}  // namespace annot::host::plugins
