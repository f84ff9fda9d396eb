// The golden-test harness of the exporter plugins (see golden.hpp).
#include "golden.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "config/linked_plugins.hpp"
#include "config/model.hpp"
#include "config/parsed_config.hpp"

namespace annot::plugins::export_support::testing {
namespace {

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<fs::path> converter_fixtures() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("ANNOT_SHARED_DIR"); env && *env) candidates.emplace_back(env);
#ifdef ANNOT_REPO_DIR
  candidates.push_back(fs::path(ANNOT_REPO_DIR) / ".." / "shared");
#endif
  for (const auto& c : candidates) {
    std::error_code ec;
    fs::path p = c / "fixtures" / "converter";
    if (fs::is_regular_file(p / "golden" / "manifest.json", ec)) return fs::canonical(p, ec);
  }
  return std::nullopt;
}

std::string fixtures_missing_reason() {
  return "the converter fixtures (../shared/fixtures/converter/golden/manifest.json) are absent; set "
         "ANNOT_SHARED_DIR to the shared folder to run the golden tests";
}

fs::path golden_run::golden_dir() const { return *converter_fixtures() / "golden" / case_name / format; }

std::vector<golden_run> golden_runs(std::string_view format) {
  std::vector<golden_run> out;
  auto root = converter_fixtures();
  if (!root) return out;
  json manifest = json::parse(slurp(*root / "golden" / "manifest.json"));
  for (const auto& r : manifest) {
    if (!format.empty() && r.value("format", "") != format) continue;
    golden_run run;
    run.case_name = r.value("case", "");
    run.input = r.value("input", "");
    run.config = r.value("config", "-");
    run.format = r.value("format", "");
    run.rc = r.value("rc", 0);
    if (r.contains("env"))
      for (auto it = r["env"].begin(); it != r["env"].end(); ++it)
        run.env[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    for (const auto& f : r.value("offered_formats", json::array())) run.offered_formats.push_back(f.get<std::string>());
    for (auto it = r["files"].begin(); it != r["files"].end(); ++it) run.files.push_back(it.key());
    out.push_back(std::move(run));
  }
  return out;
}

std::string substitute_placeholder(std::string text, bool json_escaped) {
  std::string root = converter_fixtures()->string();
  if (json_escaped) root = replace_all(root, "/", "\\/");
  return replace_all(std::move(text), "@CONVERTER_FIXTURES@", root);
}

std::string parsed_config_of(std::string_view xml) {
  using namespace annot::host::config;
  compiled_config c = compile_config(xml, linked_catalog());
  if (!c.model) return "{}";
  return parsed_label_config(*c.model).dump();
}

run_input load_input(const golden_run& run) {
  fs::path root = *converter_fixtures();
  run_input in;
  std::string text = substitute_placeholder(slurp(root / run.input), false);
  json tasks = json::parse(text);
  if (tasks.is_array()) {
    for (const auto& t : tasks) in.tasks.push_back(t.dump());
  } else {
    in.tasks.push_back(tasks.dump());
  }
  if (run.config == "-") {
    in.parsed_config = "{}";
  } else if (run.config.size() > 5 && run.config.substr(run.config.size() - 5) == ".json") {
    in.parsed_config = json::parse(slurp(root / run.config)).dump();
  } else {
    in.label_config = slurp(root / run.config);
    in.parsed_config = parsed_config_of(in.label_config);
  }
  return in;
}

annot::result<bool> memory_cursor::next(std::string_view& task) {
  task = {};
  if (!failed_.ok()) return failed_;
  if (pos_ >= tasks_.size()) return false;
  task = tasks_[pos_++];
  if (preparer_) {
    prepared_.clear();
    if (annot::status st = preparer_->prepare(task, prepared_); !st.ok()) {
      task = {};
      return failed_ = st;
    }
    task = prepared_;
  }
  return true;
}

annot::status memory_cursor::prepare_with(const annot::task_preparer* preparer) {
  if (preparer && (pos_ != 0 || !failed_.ok()))
    return annot::status(annot::errc::failed_precondition, "prepare_with() after the pass began");
  preparer_ = preparer;
  return {};
}

struct directory_sink::file_stream final : annot::output_stream {
  std::FILE* f = nullptr;
  std::string path;
  annot::status error;
  annot::status write(std::string_view bytes) override {
    if (!error.ok()) return error;
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
      error = annot::status(annot::errc::io_error, "cannot write " + path);
    return error;
  }
  ~file_stream() {
    if (f) std::fclose(f);
  }
};

std::string entry_path_error(std::string_view path) {
  if (path.empty()) return "empty";
  if (path.front() == '/') return "absolute";
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos)
    return "backslash or NUL";
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = std::min(path.find('/', start), path.size());
    std::string_view seg = path.substr(start, end - start);
    if ((seg.empty() && end != path.size()) || seg == "." || seg == "..") return "'.', '..' or empty segment";
    start = end + 1;
  }
  return "";
}

namespace {
annot::status check_entry(std::string_view path) {
  std::string why = entry_path_error(path);
  if (why.empty()) return {};
  return annot::status(annot::errc::invalid_argument,
                       "the exporter wrote an invalid path '" + std::string(path) + "': " + why);
}
}  // namespace

directory_sink::directory_sink(fs::path root) : root_(std::move(root)) {}
directory_sink::~directory_sink() { (void)close(); }

annot::status directory_sink::close() {
  if (!open_) return {};
  annot::status st = open_->error;
  if (std::fclose(open_->f) != 0 && st.ok()) st = annot::status(annot::errc::io_error, "cannot close " + open_->path);
  open_->f = nullptr;
  open_.reset();
  return st;
}

annot::result<annot::output_stream*> directory_sink::open(std::string_view path) {
  if (annot::status st = close(); !st.ok()) return st;
  if (annot::status st = check_entry(path); !st.ok()) return st;
  fs::path p = root_ / std::string(path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  auto s = std::make_unique<file_stream>();
  s->path = p.string();
  s->f = std::fopen(s->path.c_str(), "wb");
  if (!s->f) return annot::status(annot::errc::io_error, "cannot open " + s->path);
  open_ = std::move(s);
  return static_cast<annot::output_stream*>(open_.get());
}

annot::status directory_sink::add_directory(std::string_view path) {
  if (annot::status st = close(); !st.ok()) return st;
  if (annot::status st = check_entry(path); !st.ok()) return st;
  std::error_code ec;
  fs::create_directories(root_ / std::string(path), ec);
  if (ec) return annot::status(annot::errc::io_error, "cannot create " + std::string(path) + ": " + ec.message());
  return {};
}

annot::status directory_sink::add_file(std::string_view path, std::string_view source) {
  if (annot::status st = close(); !st.ok()) return st;
  if (annot::status st = check_entry(path); !st.ok()) return st;
  fs::path p = root_ / std::string(path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (!fs::is_regular_file(std::string(source), ec))
    return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  fs::copy_file(std::string(source), p, fs::copy_options::overwrite_existing, ec);
  if (ec) return annot::status(annot::errc::io_error, "cannot copy " + std::string(source) + ": " + ec.message());
  return {};
}

run_outcome run_exporter(const annot::exporter_factory& factory, const golden_run& run, const fs::path& out_dir) {
  run_outcome outcome;
  std::error_code ec;
  fs::remove_all(out_dir, ec);
  fs::create_directories(out_dir, ec);
  run_input in = load_input(run);
  std::string upload_dir;
  if (auto it = run.env.find("LSC_UPLOAD_DIR"); it != run.env.end())
    upload_dir = (*converter_fixtures() / it->second).lexically_normal().string();
  bool downloads = run.env.count("LSC_DOWNLOAD_RESOURCES") && run.env.at("LSC_DOWNLOAD_RESOURCES") == "1";
  std::string out_abs = fs::absolute(out_dir).lexically_normal().string();
  annot::export_request request;
  request.format = run.format;
  request.config = {in.label_config, in.parsed_config};
  request.options = "{}";
  request.upload_dir = upload_dir;
  request.local_files_root = "/";  // Label Studio's converter reads any local path (fixture edge_image 110)
  request.output_dir = out_abs;
  request.download_resources = downloads;
  auto created = factory.create(run.format);
  if (!created.ok()) {
    outcome.status = created.error();
    return outcome;
  }
  memory_cursor cursor(std::move(in.tasks));
  directory_sink sink(out_dir);
  outcome.status = (*created)->run(request, cursor, sink, outcome.log);
  if (annot::status st = sink.close(); outcome.status.ok() && !st.ok()) outcome.status = st;
  return outcome;
}

namespace {
class capturing_registrar final : public annot::registrar {
 public:
  struct quiet final : annot::host_services {
    void log(annot::log_level, std::string_view) noexcept override {}
    annot::result<std::string> data_dir() override {
      return annot::status(annot::errc::unsupported, "no data directory in tests");
    }
  };
  std::string_view plugin_name() const noexcept override { return name; }
  annot::host_services& services() noexcept override { return services_; }
  annot::status add_ui_bundle(const annot::ui_bundle&) override { return refuse(); }
  void report_failure(std::string_view message) noexcept override { failure = std::string(message); }
  annot::status add_object_tag(annot::object_tag_spec) override { return refuse(); }
  annot::status add_control_tag(annot::control_tag_spec) override { return refuse(); }
  annot::status add_visual_tag(annot::visual_tag_spec) override { return refuse(); }
  annot::status add_region(annot::region_spec) override { return refuse(); }
  annot::status add_exporter(annot::exporter_spec spec) override {
    specs.push_back(std::move(spec));
    return {};
  }
  annot::status add_starter_config(const annot::starter_config&) override { return refuse(); }
  std::string name;
  std::string failure;
  std::vector<annot::exporter_spec> specs;

 private:
  static annot::status refuse() { return {annot::errc::unsupported, "only exporters in this test registrar"}; }
  quiet services_;
};
}  // namespace

annot::result<std::vector<annot::exporter_spec>> load_exporters(const annot_plugin_descriptor* plugin) {
  capturing_registrar reg;
  reg.name = plugin->name;
  annot::registrar& base = reg;
  if (plugin->register_fn(reinterpret_cast<annot_registrar*>(&base)) != 0)
    return annot::status(annot::errc::failed_precondition, "registration failed: " + reg.failure);
  return std::move(reg.specs);
}

std::string compare_bytes(const fs::path& expected, const fs::path& actual) {
  std::string a = slurp(expected), b = slurp(actual);
  if (a == b) return "";
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto around = [&](const std::string& s) {
    std::size_t from = i > 60 ? i - 60 : 0;
    return s.substr(from, 120);
  };
  return actual.filename().string() + ": bytes differ at offset " + std::to_string(i) + " (expected size " +
         std::to_string(a.size()) + ", got " + std::to_string(b.size()) + ")\n  expected: ..." + around(a) +
         "...\n  got:      ..." + around(b) + "...";
}

std::string compare_json(const fs::path& expected, const fs::path& actual, const std::vector<std::string>& ignore) {
  json a = json::parse(slurp(expected), nullptr, false), b = json::parse(slurp(actual), nullptr, false);
  if (b.is_discarded()) return actual.filename().string() + ": not valid JSON";
  for (const auto& p : ignore) {
    json::json_pointer ptr(p);
    if (a.contains(ptr)) a[ptr] = nullptr;
    if (b.contains(ptr)) b[ptr] = nullptr;
  }
  if (a == b) return "";
  auto diff = nlohmann::json::diff(nlohmann::json::parse(a.dump()), nlohmann::json::parse(b.dump()));
  return actual.filename().string() + ": JSON values differ: " + diff.dump().substr(0, 600);
}

namespace {
std::vector<std::vector<std::string>> parse_csv(const std::string& s, char delimiter) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == delimiter) {
      row.push_back(std::move(cell));
      cell.clear();
      any = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      cell.push_back(c);
      any = true;
    }
  }
  if (any || !cell.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string xml_canon(const pugi::xml_node& n) {
  std::string out;
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_element) {
      out += "<" + std::string(c.name());
      for (auto a : c.attributes()) out += " " + std::string(a.name()) + "=\"" + a.value() + "\"";
      out += ">" + xml_canon(c) + "</" + c.name() + ">";
    } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      std::string t = c.value();
      std::size_t b = t.find_first_not_of(" \t\r\n"), e = t.find_last_not_of(" \t\r\n");
      out += b == std::string::npos ? "" : t.substr(b, e - b + 1);
    }
  }
  return out;
}
}  // namespace

std::string compare_csv(const fs::path& expected, const fs::path& actual, char delimiter) {
  auto a = parse_csv(slurp(expected), delimiter), b = parse_csv(slurp(actual), delimiter);
  if (a == b) return "";
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size() || i >= b.size() || a[i] != b[i])
      return actual.filename().string() + ": CSV row " + std::to_string(i) + " differs (expected " +
             std::to_string(a.size()) + " rows, got " + std::to_string(b.size()) + ")";
  }
  return "";
}

std::string compare_xml(const fs::path& expected, const fs::path& actual) {
  pugi::xml_document a, b;
  if (!b.load_file(actual.c_str())) return actual.filename().string() + ": not valid XML";
  a.load_file(expected.c_str());
  std::string ca = xml_canon(a), cb = xml_canon(b);
  if (ca == cb) return "";
  return actual.filename().string() + ": XML trees differ\n  expected: " + ca.substr(0, 300) +
         "\n  got:      " + cb.substr(0, 300);
}

std::string compare_run(const golden_run& run, const fs::path& out_dir, bool json_as_values) {
  std::string report;
  auto add = [&](const std::string& line) {
    if (!line.empty()) report += line + "\n";
  };
  std::set<std::string> listed(run.files.begin(), run.files.end());
  std::error_code ec;
  fs::path tmp_expected = out_dir.parent_path() / (out_dir.filename().string() + ".expected");
  for (const std::string& f : run.files) {
    if (!f.empty() && f.back() == '/') {
      if (!fs::is_directory(out_dir / f, ec)) add("missing directory " + f);
      continue;
    }
    fs::path actual = out_dir / f;
    if (!fs::is_regular_file(actual, ec)) {
      add("missing file " + f);
      continue;
    }
    // The expected file, with the edge_image placeholder substituted.
    std::string expected_text = slurp(run.golden_dir() / f);
    bool is_json = f.size() > 5 && f.substr(f.size() - 5) == ".json";
    expected_text = substitute_placeholder(expected_text, is_json && run.format != "JSON");
    {
      std::ofstream o(tmp_expected, std::ios::binary);
      o << expected_text;
    }
    if (is_json && json_as_values) {
      add(compare_json(tmp_expected, actual,
                       {"/info/year", "/info/date_created"}));
    } else {
      add(compare_bytes(tmp_expected, actual));
    }
  }
  fs::remove(tmp_expected, ec);
  for (auto it = fs::recursive_directory_iterator(out_dir, ec); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), out_dir, ec).generic_string();
    if (it->is_directory()) rel += "/";
    if (!listed.count(rel)) add("unexpected output " + rel);
  }
  return report;
}

}  // namespace annot::plugins::export_support::testing
