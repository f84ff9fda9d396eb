// Option parsing and image copies for exporters.
#include "export_support/run.hpp"

#include "export_support/paths.hpp"

namespace annot::plugins::export_support {

json parse_options(std::string_view text) {
  if (text.empty()) return json::object();
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return json::object();
  return j;
}

annot::status resource_copies::copy(annot::export_sink& sink, annot::export_log& log, std::string_view entry,
                                    std::string_view file) {
  if (!fits_file_system(entry)) {
    log.warn(name_too_long_warning(entry));
    return {};
  }
  const std::uint64_t file_hash = std::hash<std::string_view>{}(file);
  if (const std::optional<std::uint64_t> before = copied_.exchange(entry, file_hash)) {
    if (*before == file_hash) return {};
    log.warn(std::string(entry) + ": two files of that name; the later one, " + std::string(file) +
             ", is kept, as Label Studio does");
  }
  annot::status st = sink.add_file(entry, file);
  if (st.code() != annot::errc::not_found) return st;
  log.warn(std::string(entry) + ": " + std::string(file) + " cannot be read; left out");
  return {};
}

bool option_bool(const json& options, const char* key, bool fallback) {
  auto it = options.find(key);
  return it != options.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace annot::plugins::export_support
