// The export pipeline shared by the API, stored exports and the CLI.
#include "export/runner.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "config/model.hpp"
#include "config/parsed_config.hpp"
#include "config/task_data.hpp"
#include "export/store_cursor.hpp"
#include "store/time.hpp"

namespace annot::host::exporting {
namespace {

// An option's default as the JSON value `options` takes for it (false, not "false"), so a client can
// send back what the listing shows; text that does not read as its type stays text.
nlohmann::json typed_default(const annot::field_spec& o) {
  const std::string& v = o.default_value;
  switch (o.type) {
    case annot::field_type::boolean: {
      std::string lower(v);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
      if (lower == "true" || lower == "false") return lower == "true";
      break;
    }
    case annot::field_type::integer:
    case annot::field_type::number: {
      nlohmann::json n = nlohmann::json::parse(v, nullptr, false);
      if (n.is_number() && (o.type == annot::field_type::number || n.is_number_integer())) return n;
      break;
    }
    default: break;
  }
  return v;
}

// Label Studio's Format enum order, then Annot's own.
const std::vector<std::string>& format_order() {
  static const std::vector<std::string> order = {
      "JSON", "JSON_MIN", "CSV", "TSV", "CONLL2003", "COCO", "VOC", "BRUSH_TO_NUMPY", "BRUSH_TO_PNG",
      "ASR_MANIFEST", "YOLO", "YOLO_OBB", "CSV_OLD", "YOLO_WITH_IMAGES", "COCO_WITH_IMAGES",
      "YOLO_OBB_WITH_IMAGES", "BRUSH_TO_COCO", "DOCLANG", "SPACY"};
  return order;
}

// The option's type as the formats listing names it.
const char* type_label(annot::field_type t) {
  switch (t) {
    case annot::field_type::boolean:
      return "boolean";
    case annot::field_type::integer:
      return "integer";
    case annot::field_type::number:
      return "number";
    case annot::field_type::array:
      return "array";
    case annot::field_type::object:
      return "object";
    case annot::field_type::enumeration:
      return "enumeration";
    case annot::field_type::any:
      return "any";
    default:
      return "string";
  }
}

// What a value of the option must be, for its error: "a boolean", "an integer", "one of \"a\", \"b\"".
std::string expected_value(const annot::field_spec& o) {
  if (o.type == annot::field_type::enumeration) {
    std::string out = "one of";
    for (std::size_t i = 0; i < o.allowed.size(); ++i) out += (i ? ", \"" : " \"") + o.allowed[i] + "\"";
    return out;
  }
  const std::string label = type_label(o.type);
  return (std::string("aeiou").find(label[0]) != std::string::npos ? "an " : "a ") + label;
}

}  // namespace

annot::result<resolved_format> find_format(const plugins::registry& reg, std::string_view name) {
  auto ref = reg.export_formats().lookup(name);
  if (!ref.ok()) return ref.error();
  const plugins::exporter_record* e = reg.exporters().find((*ref)->exporter);
  if (!e || (*ref)->index >= e->formats.size())
    return annot::status(annot::errc::internal, "export format table is inconsistent");
  return resolved_format{e, &e->formats[(*ref)->index]};
}

project_config config_of(const plugins::registry& reg, const store::project& p) {
  project_config c{p.label_config, p.parsed_label_config};
  config::compiled_config compiled = config::compile_config(p.label_config, reg.tags());
  if (compiled.model) {
    c.parsed_config = config::parsed_label_config(*compiled.model).dump(-1, ' ', false,
                                                                         nlohmann::json::error_handler_t::replace);
    if (auto keys = config::required_data_keys(*compiled.model); !keys.empty())
      c.first_data_key = keys.front();
  }
  if (c.parsed_config.empty()) c.parsed_config = "{}";
  return c;
}

bool is_video_object_tracking(std::string_view parsed_config) {
  const nlohmann::json config = nlohmann::json::parse(parsed_config, nullptr, false);
  if (!config.is_object()) return false;
  for (const auto& [name, control] : config.items()) {
    if (!control.is_object()) continue;
    const auto type = control.find("type");
    if (type == control.end() || !type->is_string()) continue;
    std::string t = type->get<std::string>();
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "videorectangle") return true;
  }
  return false;
}

std::shared_ptr<const project_config> project_configs::get(const store::project& p) {
  return cache_.get(p.id, p.config_version, p.label_config,
                    [&] { return std::make_shared<const project_config>(config_of(reg_, p)); });
}

annot::status applies(const resolved_format& f, const project_config& config) {
  annot::status st = f.exporter->factory->applies_to(f.format->name, config.view());
  if (st.ok()) return st;
  return annot::status(annot::errc::failed_precondition, st.message());
}

nlohmann::json formats_listing(const plugins::registry& reg, const project_config& config) {
  struct row {
    std::size_t rank;
    std::string name;
    nlohmann::json entry;
  };
  std::vector<row> rows;
  for (const auto& [key, e] : reg.exporters()) {
    for (const auto& f : e.value.formats) {
      const auto& order = format_order();
      auto at = std::find(order.begin(), order.end(), f.name);
      nlohmann::json j = {{"name", f.name}, {"title", f.title}, {"description", f.description}, {"link", f.link}};
      if (!f.tags.empty()) j["tags"] = f.tags;
      // The exporter's options (Annot's; Label Studio's listing has none): what `options` may set.
      if (!e.value.options.empty()) {
        nlohmann::json opts = nlohmann::json::array();
        for (const annot::field_spec& o : e.value.options) {
          nlohmann::json one = {
              {"name", o.name}, {"type", type_label(o.type)}, {"description", o.description}};
          if (!o.default_value.empty()) one["default"] = typed_default(o);
          if (o.type == annot::field_type::enumeration) one["allowed"] = o.allowed;
          opts.push_back(std::move(one));
        }
        j["options"] = std::move(opts);
      }
      annot::status st = e.value.factory->applies_to(f.name, config.view());
      j["disabled"] = !st.ok();
      if (!st.ok()) j["reason"] = st.message();
      rows.push_back({static_cast<std::size_t>(at - order.begin()), f.name, std::move(j)});
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const row& a, const row& b) { return a.rank != b.rank ? a.rank < b.rank : a.name < b.name; });
  std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
    return !a.entry["disabled"].get<bool>() && b.entry["disabled"].get<bool>();
  });
  nlohmann::json out = nlohmann::json::array();
  for (auto& r : rows) out.push_back(std::move(r.entry));
  return out;
}

void report_log::warn(std::string_view m) noexcept {
  ++r_.warning_count;
  try {
    if (r_.warnings.size() < export_report::kept_messages) r_.warnings.emplace_back(m);
  } catch (...) {
  }
}

void report_log::skipped(std::int64_t id, std::string_view why) noexcept {
  ++r_.skipped_count;
  try {
    if (r_.skipped.size() < export_report::kept_messages) r_.skipped.emplace_back(id, std::string(why));
  } catch (...) {
  }
}

nlohmann::json export_report::to_json() const {
  nlohmann::json s = nlohmann::json::array();
  for (const auto& [id, why] : skipped) s.push_back({{"task", id}, {"reason", why}});
  return {{"tasks", tasks},
          {"warning_count", warning_count},
          {"skipped_count", skipped_count},
          {"warnings", warnings},
          {"skipped", std::move(s)}};
}

annot::status check_options(const plugins::exporter_record& e, std::string_view text) {
  nlohmann::json o = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (o.is_discarded() || !o.is_object())
    return annot::status(annot::errc::invalid_argument, "export options must be a JSON object");
  for (auto it = o.begin(); it != o.end(); ++it) {
    auto spec = std::find_if(e.options.begin(), e.options.end(),
                             [&](const annot::field_spec& f) { return f.name == it.key(); });
    if (spec == e.options.end())
      return annot::status(annot::errc::invalid_argument,
                           "unknown option '" + it.key() + "' for exporter '" + e.id + "'");
    const auto& v = it.value();
    bool ok = true;
    switch (spec->type) {
      case annot::field_type::boolean: ok = v.is_boolean(); break;
      case annot::field_type::integer: ok = v.is_number_integer(); break;
      case annot::field_type::number: ok = v.is_number(); break;
      case annot::field_type::array: ok = v.is_array(); break;
      case annot::field_type::object: ok = v.is_object(); break;
      case annot::field_type::any: break;
      case annot::field_type::enumeration:
        ok = v.is_string() && std::find(spec->allowed.begin(), spec->allowed.end(), v.get<std::string>()) !=
                                  spec->allowed.end();
        break;
      default: ok = v.is_string(); break;
    }
    if (!ok)
      return annot::status(annot::errc::invalid_argument,
                           "option '" + it.key() + "' must be " + expected_value(*spec));
  }
  return {};
}

annot::result<export_report> run_export(store::store& db, const resolved_format& f, const store::project& project,
                                        const project_config& config, const export_params& params,
                                        annot::export_sink& sink) {
  if (annot::status st = applies(f, config); !st.ok()) return st;
  if (annot::status st = check_options(*f.exporter, params.options); !st.ok()) return st;
  cursor_options co;
  co.project_id = project.id;
  co.only_annotated = !params.download_all_tasks;
  co.ids = params.ids;
  co.selected_only = params.selected_only;
  co.serialize = params.serialize;
  co.serialize.interpolate_key_frames =
      params.serialize.interpolate_key_frames && is_video_object_tracking(config.parsed_config);
  co.serialize.undefined_data_key = config.first_data_key;
  // The format reads items only: no drafts, predictions or task metadata are read or written.
  co.serialize.items_only = f.format->task_content == annot::export_task_content::items;
  co.cancelled = params.cancelled;
  export_report report;
  report_log log(report);
  co.warn = [&log](std::string_view m) { log.warn(m); };
  store_cursor* cursor_ptr = nullptr;
  if (params.progress)
    co.progress = [&params, &cursor_ptr](std::int64_t done) {
      params.progress(done, cursor_ptr ? cursor_ptr->size_hint() : -1);
    };
  store_cursor cursor(db, std::move(co));
  cursor_ptr = &cursor;

  auto created = f.exporter->factory->create(f.format->name);
  if (!created.ok()) return created.error();
  annot::export_request request;
  request.format = f.format->name;
  request.config = config.view();
  request.options = params.options;
  request.upload_dir = params.upload_dir;
  request.local_files_root = params.local_files_root;
  request.output_dir = params.output_dir;
  request.download_resources = params.download_resources;
  request.project_id = project.id;
  annot::status st = (*created)->run(request, cursor, sink, log);
  report.tasks = cursor.delivered();
  if (params.progress) params.progress(report.tasks, cursor.size_hint());
  if (!st.ok()) return st;
  return report;
}

std::string download_extension(const annot::export_format& f) {
  if (f.layout == annot::export_layout::archive) return ".zip";
  std::size_t dot = f.file_name.rfind('.');
  return dot == std::string::npos ? std::string() : f.file_name.substr(dot);
}

std::string download_name(const store::project& p, const export_params& params, std::string_view ext) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d-%H-%M", &tm);
  // FNV-1a over what decides the content.
  std::string key = std::to_string(p.id) + "|" + store::to_iso8601(p.updated_at) + "|" + params.format + "|" +
                    (params.download_all_tasks ? "all" : "annotated") + "|" + std::to_string(now);
  if (params.selected_only) key += "|selected";
  for (auto id : params.ids) key += "," + std::to_string(id);
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return "project-" + std::to_string(p.id) + "-at-" + when + "-" + std::string(hex, 8) + std::string(ext);
}

}  // namespace annot::host::exporting
