// Option parsing and image copies for exporters.
#include "export_support/run.hpp"

namespace annot::plugins::export_support {

json parse_options(std::string_view text) {
  if (text.empty()) return json::object();
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return json::object();
  return j;
}

annot::status copy_once::copy(annot::export_sink& sink, std::string_view entry, std::string_view file) {
  if (copied_.find(entry) != copied_.end()) return {};
  copied_.emplace(entry);
  annot::status st = sink.add_file(entry, file);
  return st.code() == annot::errc::not_found ? annot::status() : st;
}

bool option_bool(const json& options, const char* key, bool fallback) {
  auto it = options.find(key);
  return it != options.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace annot::plugins::export_support
