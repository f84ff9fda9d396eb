// The import pipeline: parse, check against the config, stage in batches, publish or fail.
#include "import/pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "config/model.hpp"
#include "config/prediction_shorthand.hpp"
#include "config/results.hpp"
#include "config/task_data.hpp"
#include "import/json_splitter.hpp"
#include "import/tabular.hpp"
#include "import/task_item.hpp"
#include "store/json_check.hpp"
#include "util/scratch_file.hpp"

namespace annot::host::imports {
namespace {

status bad(std::string message) { return status(errc::invalid_argument, std::move(message)); }

constexpr std::string_view undefined_key = "$undefined$";

bool is_tabular(std::string_view ext) { return ext == ".csv" || ext == ".tsv" || ext == ".txt"; }
bool is_html(std::string_view ext) { return ext == ".html" || ext == ".htm" || ext == ".xml"; }

// Which Python type names satisfy a declared data type (bool is an int in Python).
bool type_fits(std::string_view name, annot::data_type t) {
  switch (t) {
    case annot::data_type::str: return name == "str";
    case annot::data_type::int_: return name == "int" || name == "bool";
    case annot::data_type::float_: return name == "float";
    case annot::data_type::list: return name == "list";
    case annot::data_type::dict: return name == "dict";
    case annot::data_type::none: return name == "none";
  }
  return false;
}

// Object tags whose result checks read the task data (span bounds, item indexes).
bool results_read_data(const config::config_model& m) {
  for (const auto& o : m.objects()) {
    const std::string& tag = o.entry->name();
    if (tag != "Image" && tag != "Audio" && tag != "AudioPlus" && tag != "Video") return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}


// Records of a delimited file kept on disk between the typing pass and the writing pass: each is a
// field count and length-prefixed fields. An anonymous temporary file, gone when closed.
class record_spool {
 public:
  status open() {
    const std::filesystem::path dir = util::temp_folder();
    const int fd = util::open_unnamed_file(dir);
    if (fd >= 0) file_.reset(::fdopen(fd, "w+b"));
    if (!file_) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      return status(errc::io_error, "cannot create a temporary file in " + dir.string() +
                                        " (TMPDIR chooses another folder): " + std::strerror(err));
    }
    return status::success();
  }
  status write(const std::vector<std::string>& record) {
    put(std::uint32_t(record.size()));
    for (const auto& f : record) {
      put(std::uint32_t(f.size()));
      if (!f.empty()) std::fwrite(f.data(), 1, f.size(), file_.get());
    }
    if (std::ferror(file_.get())) return status(errc::io_error, "cannot write the temporary file of the import");
    return status::success();
  }
  status rewind() {
    if (std::fflush(file_.get()) != 0 || std::fseek(file_.get(), 0, SEEK_SET) != 0)
      return status(errc::io_error, "cannot read back the temporary file of the import");
    return status::success();
  }
  // The next record into `record` (its strings reused); false at the end.
  result<bool> read(std::vector<std::string>& record) {
    std::uint32_t n = 0;
    if (std::fread(&n, sizeof n, 1, file_.get()) != 1) {
      if (std::feof(file_.get())) return false;
      return status(errc::io_error, "cannot read the temporary file of the import");
    }
    record.resize(n);
    for (auto& f : record) {
      std::uint32_t len = 0;
      if (std::fread(&len, sizeof len, 1, file_.get()) != 1) return status(errc::io_error, "truncated import spool");
      f.resize(len);
      if (len && std::fread(f.data(), 1, len, file_.get()) != len) return status(errc::io_error, "truncated import spool");
    }
    return true;
  }

 private:
  void put(std::uint32_t v) { std::fwrite(&v, sizeof v, 1, file_.get()); }
  struct closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, closer> file_;
};


// Label Studio's _old_vs_new_data_keys_inconsistency_message.
std::string inconsistency_message(const std::vector<std::string>& new_keys, const std::vector<std::string>& old_keys,
                                  std::string_view file) {
  std::string nk = join(new_keys, ","), ok = join(old_keys, ",");
  std::string prefix = "You're trying to import inconsistent data:\n";
  if (nk == undefined_key)
    return prefix + "uploading a single file " + std::string(file) + " clashes with data key(s) found from other files:\n\"" +
           ok + "\"";
  if (ok == undefined_key)
    return prefix + "uploading tabular data from " + std::string(file) + " with data key(s) " + nk +
           ", clashes with other raw binary files (images, audios, etc.)";
  return prefix + "uploading tabular data from \"" + std::string(file) + "\" with data key(s) \"" + nk +
         "\", clashes with data key(s) found from other files:\n\"" + ok + "\"";
}

}  // namespace

std::string file_extension(std::string_view name) {
  auto slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  auto dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return "";
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

bool supported_extension(std::string_view ext) {
  static const std::set<std::string_view> exts = {".bmp", ".csv", ".flac", ".gif", ".htm", ".html", ".jpg",
                                                  ".jpeg", ".json", ".m4a", ".mp3", ".ogg", ".png", ".svg",
                                                  ".tsv", ".txt", ".wav", ".xml", ".mp4", ".webm", ".webp"};
  return exts.count(ext) > 0;
}

bool is_media_extension(std::string_view ext) {
  return supported_extension(ext) && ext != ".json" && !is_tabular(ext) && !is_html(ext);
}

nlohmann::json import_report::to_json(bool with_task_ids) const {
  nlohmann::json formats = formats_from_files ? nlohmann::json::object() : nlohmann::json::array();
  for (auto& [ext, n] : found_formats) formats[ext] = n;
  nlohmann::json out = {{"task_count", task_count},
                        {"annotation_count", annotation_count},
                        {"prediction_count", prediction_count},
                        {"duration", duration},
                        {"file_upload_ids", file_upload_ids},
                        {"could_be_tasks_list", could_be_tasks_list},
                        {"found_formats", formats},
                        {"data_columns", data_columns}};
  if (with_task_ids) out["task_ids"] = task_ids;
  if (warning_count > 0) {
    out["warnings"] = warnings;
    out["warning_count"] = warning_count;
  }
  out["import"] = import_id;
  return out;
}

struct pipeline::state {
  store::store* db = nullptr;
  std::int64_t project_id = 0;
  import_options options;
  store::project project;
  std::shared_ptr<const config::config_model> model;
  bool check_results_data = false;
  std::int64_t import_id = 0;
  bool finished = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  item_parser parser;
  std::vector<store::import_task> batch;
  // The batch's data, annotations and predictions, in bytes: a batch is staged at batch_bytes too, so
  // that large tasks do not make batches of hundreds of megabytes (two are in flight; 1,000 tasks of
  // 200 KB were one batch, and the import peaked at 234 MB).
  static constexpr std::size_t batch_bytes = std::size_t(8) << 20;
  std::size_t batch_size_bytes = 0;
  std::uint64_t tasks_seen = 0;
  std::uint64_t bytes_read = 0;
  std::optional<std::string> last_model_version;

  // Staging runs on the writer while the next batch is parsed: at most two batches in flight.
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;
  status stage_error = status::success();
  std::int64_t annotations = 0, predictions = 0, tasks_staged = 0;

  // Users named by annotations: id -> exists, email -> id.
  std::unordered_map<std::int64_t, bool> known_ids;
  std::unordered_map<std::string, std::optional<std::int64_t>> known_emails;

  import_report report;
  bool have_columns = false;
  std::vector<std::string> common_columns;

  // Reused scratch for the data checks.
  std::vector<std::string> keys;
  std::vector<std::string_view> types;
  std::string padded;

  // The item's task data with json_splitter::padding readable bytes after it: in place when the item
  // parser padded it, else a copy in `padded`.
  std::string_view padded_data(const parsed_item& item) {
    const std::string& s = item.task.data;
    if (item.task.data_padded && s.capacity() - s.size() >= json_splitter::padding) return s;
    padded.assign(s);
    padded.resize(s.size() + json_splitter::padding, ' ');
    return std::string_view(padded.data(), s.size());
  }

  status check_cancel() {
    if (options.cancelled && options.cancelled()) return status(errc::cancelled, "the import was cancelled");
    return status::success();
  }

  status wait_for_slot(int max_in_flight) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return in_flight < max_in_flight || !stage_error.ok(); });
    return stage_error;
  }

  status flush() {
    if (batch.empty()) return status::success();
    if (auto s = check_cancel(); !s) return s;
    if (auto s = wait_for_slot(2); !s) return s;
    {
      std::lock_guard lock(mutex);
      ++in_flight;
    }
    auto tasks = std::make_shared<std::vector<store::import_task>>(std::move(batch));
    batch.clear();
    batch_size_bytes = 0;
    batch.reserve(options.batch_size);
    std::int64_t id = import_id;
    const std::uint64_t before = tasks_seen - tasks->size();  // tasks of the import before this batch
    db->submit<store::staged_batch>(
        [tasks, id](store::write_context& w) { return w.stage_tasks(id, *tasks); },
        [this, before](result<store::staged_batch> r) {
          std::lock_guard lock(mutex);
          --in_flight;
          if (!r) {
            if (stage_error.ok()) stage_error = numbered_in_the_import(r.error(), before);
          } else {
            annotations += r->annotation_count;
            predictions += r->prediction_count;
            tasks_staged += std::int64_t(r->task_ids.size());
          }
          cv.notify_all();
        });
    if (options.on_progress) options.on_progress(bytes_read, tasks_seen);
    return status::success();
  }

  // The store names a task by its index in the batch ("task 0: data holds ..."); the import's other
  // messages count from 1 over the whole import, as a user counts the file's tasks.
  static status numbered_in_the_import(const status& st, std::uint64_t before) {
    const std::string& m = st.message();
    if (m.rfind("task ", 0) != 0) return st;
    std::uint64_t index = 0;
    const auto [end, ec] = std::from_chars(m.data() + 5, m.data() + m.size(), index);
    if (ec != std::errc() || end == m.data() + m.size() || *end != ':') return st;
    return status(st.code(),
                  "task " + std::to_string(before + index + 1) + std::string(end, m.data() + m.size()));
  }

  status drain() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return in_flight == 0; });
    return stage_error;
  }

  // Records a file's data keys (its first task's) and checks them against the other files'.
  status note_file_keys(std::vector<std::string> file_keys, std::string_view file) {
    if (!have_columns) {
      have_columns = !file_keys.empty();
      common_columns = std::move(file_keys);
      return status::success();
    }
    std::vector<std::string> both;
    for (auto& k : common_columns)
      if (std::find(file_keys.begin(), file_keys.end(), k) != file_keys.end()) both.push_back(k);
    if (both.empty()) return bad(inconsistency_message(file_keys, common_columns, file));
    common_columns = std::move(both);
    return status::success();
  }

  std::string first_data_key() const {
    if (!model || model->data_keys().empty()) return std::string(undefined_key);
    const std::string& k = model->data_keys().front().key;
    return k.substr(0, k.find('['));
  }

  // Data checks (spec §3.4): a simdjson pass over the keys; the config engine's messages when a
  // task does not fit.
  status check_data(const parsed_item& item) {
    const std::string& data = item.task.data;
    const bool wrapped = item.wrapped;
    const auto& dkeys = model->data_keys();
    if (dkeys.empty()) return status::success();
    bool simple = true;
    bool is_object = parser.object_keys(padded_data(item), json_splitter::padding, keys, &types);
    if (is_object) {
      for (const auto& k : dkeys) {
        if (k.key.find_first_of(".[") != std::string::npos) {
          simple = false;
          break;
        }
        auto it = std::find(keys.begin(), keys.end(), k.key);
        if (it == keys.end()) {
          simple = false;
          break;
        }
        std::string_view type = types[std::size_t(it - keys.begin())];
        if (std::none_of(k.types.begin(), k.types.end(), [&](annot::data_type t) { return type_fits(type, t); })) {
          simple = false;
          break;
        }
      }
      if (simple) return status::success();
    }
    nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
    if (j.is_discarded()) {
      // Most often text of another encoding than UTF-8 (a Latin-1 CSV): the store's check says so.
      std::string why = "is not valid JSON";
      store::json::check(data, &why);
      return bad("task data " + why + " (files must be UTF-8)");
    }
    if (!j.is_object()) return bad("Task item should be dict");
    auto issues = config::check_task_data(*model, j);
    if (issues.empty()) return status::success();
    return bad(issues.front() + (wrapped ? " [assume: item[\"data\"] = task root with values]"
                                         : " [assume: item as is = task root with values] "));
  }

  // Result checks: errors refuse the import, rule breaks are stored and reported.
  status check_results(store::import_task& t) {
    if (t.annotations.empty() && t.predictions.empty()) return status::success();
    std::optional<nlohmann::json> data_json;
    if (check_results_data) {
      data_json = nlohmann::json::parse(t.data, nullptr, false);
      if (data_json->is_discarded()) data_json.reset();
    }
    auto check = [&](const std::string& result_text, std::string base) -> status {
      nlohmann::json r = nlohmann::json::parse(result_text, nullptr, false);
      if (r.is_discarded()) return bad(base + " is not valid JSON");
      config::result_check_options o;
      o.base_path = base;
      o.task_data = data_json ? &*data_json : nullptr;
      o.max_issues = 20;
      auto rep = config::validate_results(*model, r, o);
      for (const auto& issue : rep.issues) {
        std::string text = "task " + std::to_string(tasks_seen) + ": " + issue.path + ": " + issue.message;
        if (issue.level == annot::severity::error) return bad(text);
        ++report.warning_count;
        if (report.warnings.size() < options.max_warnings) report.warnings.push_back(std::move(text));
      }
      return status::success();
    };
    for (std::size_t i = 0; i < t.annotations.size(); ++i)
      if (auto s = check(t.annotations[i].result, "annotations[" + std::to_string(i) + "].result"); !s) return s;
    for (std::size_t i = 0; i < t.predictions.size(); ++i)
      if (auto s = check(t.predictions[i].result, "predictions[" + std::to_string(i) + "].result"); !s) return s;
    return status::success();
  }

  result<std::optional<std::int64_t>> annotator(const annotator_ref& who) {
    switch (who.k) {
      case annotator_ref::kind::none:
        return std::optional<std::int64_t>(options.user_id);
      case annotator_ref::kind::no_email:
        return bad("It's expected to have 'email' field in 'completed_by' data in annotations");
      case annotator_ref::kind::invalid:
        return bad("Incorrect format of completed_by field");
      case annotator_ref::kind::id: {
        auto it = known_ids.find(who.id);
        if (it == known_ids.end()) {
          auto u = db->read()->get_user(who.id);
          it = known_ids.emplace(who.id, u.ok()).first;
        }
        if (!it->second) return bad("Unknown annotator's ID " + std::to_string(who.id));
        return std::optional<std::int64_t>(who.id);
      }
      case annotator_ref::kind::email: {
        auto it = known_emails.find(who.email);
        if (it == known_emails.end()) {
          auto u = db->read()->find_user_by_email(who.email);
          it = known_emails.emplace(who.email, u.ok() ? std::optional<std::int64_t>(u->id) : std::nullopt).first;
        }
        if (!it->second) return bad("Unknown annotator's email " + who.email);
        return std::optional<std::int64_t>(*it->second);
      }
    }
    return std::optional<std::int64_t>();
  }

  // A draft's user as Label Studio's import resolves it (_insert_valid_user_drafts): the user of that email
  // (or id), else the importing user, else the project's creator. A draft is never refused for its user.
  std::optional<std::int64_t> draft_user(const annotator_ref& who) {
    if (who.k == annotator_ref::kind::id || who.k == annotator_ref::kind::email) {
      auto found = annotator(who);
      if (found && *found) return **found;
    }
    return options.user_id ? options.user_id : project.created_by;
  }

  // A prediction result that is not a list is a shorthand (spec §2.3): expanded for the config, or refused.
  status expand_shorthand(store::import_prediction& p, std::size_t index) {
    const auto first = p.result.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || p.result[first] == '[') return status::success();
    auto result = nlohmann::ordered_json::parse(p.result, nullptr, false);
    if (!result.is_discarded()) config::expand_prediction_shorthand(*model, result);
    if (result.is_discarded() || !result.is_array())
      return bad("task " + std::to_string(tasks_seen) + ": predictions[" + std::to_string(index) +
                 "].result must be a list, or a shorthand a control of the config takes");
    p.result = result.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return status::success();
  }

  // preannotated_from_fields: data[field] becomes a prediction's result (a list, or a JSON string of one).
  status move_fields_to_predictions(store::import_task& t) {
    // Ordered: the keys left keep their order, as Label Studio's dict.pop() leaves them.
    nlohmann::ordered_json data = nlohmann::ordered_json::parse(t.data, nullptr, false);
    if (!data.is_object()) return bad("Task item should be dict");
    for (const auto& field : options.preannotated_from_fields) {
      auto it = data.find(field);
      if (it == data.end())
        return bad("Preannotated field \"" + field + "\" is not found in task data");
      nlohmann::ordered_json value = std::move(*it);
      data.erase(it);
      if (value.is_string()) {
        auto parsed = nlohmann::ordered_json::parse(value.get<std::string>(), nullptr, false);
        if (!parsed.is_discarded()) value = std::move(parsed);
      }
      if (value.is_object() && value.contains("result")) value = std::move(value["result"]);
      // A bare label ("A") or value dict is a shorthand, expanded as prepare_prediction_result does.
      nlohmann::ordered_json result = std::move(value);
      config::expand_prediction_shorthand(*model, result);
      if (!result.is_array()) return bad("Preannotated field \"" + field + "\" must hold a list of results");
      store::import_prediction p;
      p.result = result.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      t.predictions.push_back(std::move(p));
    }
    t.data = data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return status::success();
  }

  // One task, whatever its source: checks, then into the batch.
  status add_task(parsed_item& item) {
    ++tasks_seen;
    if (std::int64_t(tasks_seen) > options.max_tasks)
      return bad("Maximum task number is " + std::to_string(options.max_tasks) + ", current task number is " +
                 std::to_string(tasks_seen) + " or more");
    if (!options.stage) return status::success();
    store::import_task& t = item.task;
    if (!options.preannotated_from_fields.empty()) {
      if (auto s = move_fields_to_predictions(t); !s) return s;
      t.data_padded = false;  // the data is written anew
    }
    if (auto s = check_data(item); !s) return s;
    for (std::size_t i = 0; i < t.annotations.size(); ++i) {
      auto who = annotator(item.annotators[i]);
      if (!who) return who.error();
      t.annotations[i].completed_by = *who;
    }
    for (std::size_t i = 0; i < t.drafts.size(); ++i) t.drafts[i].user_id = draft_user(item.draft_users[i]);
    for (std::size_t i = 0; i < t.predictions.size(); ++i)
      if (auto s = expand_shorthand(t.predictions[i], i); !s) return s;
    if (auto s = check_results(t); !s) return s;
    if (!t.predictions.empty()) last_model_version = t.predictions.back().model_version;
    batch_size_bytes += t.data.size();
    for (const auto& a : t.annotations) batch_size_bytes += a.result.size();
    for (const auto& p : t.predictions) batch_size_bytes += p.result.size();
    batch.push_back(std::move(t));
    if (batch.size() >= options.batch_size || batch_size_bytes >= batch_bytes) return flush();
    return status::success();
  }

  // A task built here (CSV row, line, file): its data is known to be an object.
  status add_data(std::string data, std::optional<std::int64_t> file_upload_id) {
    parsed_item item;
    item.task.data = std::move(data);
    item.task.file_upload_id = file_upload_id;
    item.wrapped = true;
    return add_task(item);
  }

  // A JSON stream: every top-level item through the splitter and the item parser.
  status add_json(const chunk_reader& read, std::optional<std::int64_t> file_upload_id, bool first_keys,
                  std::string_view file) {
    bool first = true;
    json_splitter split([&](std::string_view text) -> status {
      parsed_item item;
      if (auto s = parser.parse(text, json_splitter::padding, item); !s) return s;
      item.task.file_upload_id = file_upload_id;
      if (first && first_keys) {
        first = false;
        std::vector<std::string> k;
        parser.object_keys(padded_data(item), json_splitter::padding, k);
        if (auto s = note_file_keys(std::move(k), file); !s) return s;
      }
      return add_task(item);
    });
    for (;;) {
      auto chunk = read();
      if (!chunk) return chunk.error();
      if (chunk->empty()) break;
      bytes_read += chunk->size();
      if (auto s = split.feed(*chunk); !s) return s;
    }
    return split.finish();
  }
};

pipeline::pipeline(std::unique_ptr<state> s) : s_(std::move(s)) {}

pipeline::~pipeline() {
  if (s_ && !s_->finished) abort("the import was interrupted");
}

std::int64_t pipeline::import_id() const noexcept { return s_->import_id; }
std::uint64_t pipeline::tasks_seen() const noexcept { return s_->tasks_seen; }

result<std::unique_ptr<pipeline>> pipeline::begin(store::store& db, const config::tag_catalog& catalog,
                                                  std::int64_t project_id, std::vector<std::int64_t> file_upload_ids,
                                                  import_options options) {
  auto s = std::make_unique<state>();
  s->db = &db;
  s->project_id = project_id;
  s->options = std::move(options);
  if (s->options.batch_size == 0) s->options.batch_size = 5000;
  {
    auto p = db.read()->get_project(project_id);
    if (!p) return p.error();
    s->project = std::move(*p);
  }
  auto compiled = config::compile_config(s->project.label_config, catalog);
  if (!compiled.model)
    return status(errc::failed_precondition, "the project's labeling config cannot be read");
  s->model = compiled.model;
  s->check_results_data = results_read_data(*s->model);
  s->report.file_upload_ids = file_upload_ids;
  if (!s->options.stage) return std::unique_ptr<pipeline>(new pipeline(std::move(s)));
  store::new_import ni;
  ni.project_id = project_id;
  ni.user_id = s->options.user_id;
  ni.file_upload_ids = std::move(file_upload_ids);
  auto rec = db.run<store::import_record>([&](store::write_context& w) { return w.begin_import(ni); });
  if (!rec) return rec.error();
  s->import_id = rec->id;
  s->report.import_id = rec->id;
  s->batch.reserve(s->options.batch_size);
  return std::unique_ptr<pipeline>(new pipeline(std::move(s)));
}

status pipeline::add_json_body(const chunk_reader& read) {
  auto st = s_->add_json(read, std::nullopt, false, "");
  // Syntax errors read as Django REST framework's parser reports them.
  if (!st && st.code() == errc::invalid_argument &&
      (st.message().find(" at byte ") != std::string::npos || st.message().rfind("invalid JSON", 0) == 0))
    return bad("JSON parse error - " + st.message());
  return st;
}

status pipeline::add_file(std::string_view name, const chunk_reader& read, std::optional<std::int64_t> file_upload_id,
                          std::string_view url) {
  std::string ext = file_extension(name);
  if (!supported_extension(ext)) return bad((ext.empty() ? std::string(name) : ext) + " extension is not supported");
  s_->report.formats_from_files = true;
  ++s_->report.found_formats[ext];
  if (is_tabular(ext)) s_->report.could_be_tasks_list = true;
  const bool direct = ext == ".txt" || is_html(ext) || is_media_extension(ext);
  if (direct && s_->model->data_keys().size() > 1)
    return bad(
        "Your label config has more than one data key and direct file upload supports only one data key. To import "
        "data with multiple data keys, use a JSON or CSV file.");
  auto wrap = [&](status st) {
    if (st) return st;
    if (st.code() != errc::invalid_argument) return st;
    // Label Studio's read_tasks() wraps a file's parse errors; checks of the tasks keep their text.
    const std::string& m = st.message();
    if (m.find(" at byte ") != std::string::npos || m.rfind("invalid JSON", 0) == 0 || m == "Task item should be dict")
      return bad("Failed to parse input file " + std::string(name) + ": " + m);
    return st;
  };
  if (ext == ".json") return wrap(s_->add_json(read, file_upload_id, true, name));
  if (is_media_extension(ext)) return add_file_as_task(name, file_upload_id, url);

  const std::string key = s_->first_data_key();
  auto next_chunk = [&]() -> result<std::string_view> {
    auto chunk = read();
    if (chunk) s_->bytes_read += chunk->size();
    return chunk;
  };
  if (is_html(ext)) {
    // One task holding the whole page.
    std::string text;
    for (;;) {
      auto chunk = next_chunk();
      if (!chunk) return chunk.error();
      if (chunk->empty()) break;
      text.append(*chunk);
    }
    if (auto st = s_->note_file_keys({std::string(undefined_key)}, name); !st) return st;
    return s_->add_data("{" + json_quote(key) + ":" + json_quote(text) + "}", file_upload_id);
  }
  if (ext == ".txt") {
    if (auto st = s_->note_file_keys({std::string(undefined_key)}, name); !st) return st;
    const std::string prefix = "{" + json_quote(key) + ":";
    line_reader lines([&](std::string_view line) { return s_->add_data(prefix + json_quote(line) + "}", file_upload_id); });
    for (;;) {
      auto chunk = next_chunk();
      if (!chunk) return chunk.error();
      if (chunk->empty()) break;
      if (auto st = lines.feed(*chunk); !st) return st;
    }
    return lines.finish();
  }
  return add_delimited(name, ext, next_chunk, file_upload_id);
}

// CSV and TSV in two passes, so that memory does not grow with the file: pandas types a column from
// all of its values, so the first pass splits the records, types the columns and spools the records
// to a temporary file, and the second writes the tasks from the spool. Nothing is staged before the
// whole file has parsed, as when it was read whole.
status pipeline::add_delimited(std::string_view name, std::string_view ext, const chunk_reader& read,
                               std::optional<std::int64_t> file_upload_id) {
  auto parse_error = [&](status st) {
    if (st.code() != errc::invalid_argument) return st;
    return bad("Failed to parse input file " + std::string(name) + ": " + st.message());
  };
  record_spool spool;
  if (auto st = spool.open(); !st) return st;
  std::optional<column_typer> typer;
  std::optional<delimited_reader> reader;
  auto on_record = [&](std::vector<std::string>& record) -> status {
    if (!typer) {
      typer.emplace(record);
      return status::success();
    }
    if (auto st = typer->add(record, reader->lines()); !st) return st;
    return spool.write(record);
  };
  if (ext == ".tsv") reader.emplace('\t', on_record);
  std::string head;  // a .csv's text up to its first newline, which decides the separator
  for (;;) {
    auto chunk = read();
    if (!chunk) return chunk.error();
    if (chunk->empty()) break;
    if (reader) {
      if (auto st = reader->feed(*chunk); !st) return parse_error(st);
      continue;
    }
    head.append(*chunk);
    if (head.find('\n') == std::string::npos) continue;
    reader.emplace(detect_csv_separator(head), on_record);
    if (auto st = reader->feed(head); !st) return parse_error(st);
    head.clear();
    head.shrink_to_fit();
  }
  if (!reader) {
    reader.emplace(detect_csv_separator(head), on_record);
    if (auto st = reader->feed(head); !st) return parse_error(st);
  }
  if (auto st = reader->finish(); !st) return parse_error(st);
  if (!typer) return parse_error(bad("No columns to parse from file"));
  if (auto st = s_->note_file_keys(typer->columns(), name); !st) return st;
  if (auto st = spool.rewind(); !st) return st;
  std::vector<std::string> record;
  for (;;) {
    auto more = spool.read(record);
    if (!more) return more.error();
    if (!*more) break;
    if (auto st = s_->add_data(typer->row_json(record), file_upload_id); !st) return st;
  }
  return status::success();
}

status pipeline::add_file_as_task(std::string_view name, std::optional<std::int64_t> file_upload_id,
                                  std::string_view url) {
  if (auto st = s_->note_file_keys({std::string(undefined_key)}, name); !st) return st;
  return s_->add_data("{" + json_quote(s_->first_data_key()) + ":" + json_quote(url) + "}", file_upload_id);
}

result<import_report> pipeline::finish(bool with_task_ids) {
  state& s = *s_;
  if (s.tasks_seen == 0) {
    abort("load_tasks: No tasks added");
    return bad("load_tasks: No tasks added");
  }
  if (!s.options.stage) {
    s.finished = true;
    s.report.task_count = std::int64_t(s.tasks_seen);
    s.report.data_columns = s.common_columns;
    s.report.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
    return s.report;
  }
  if (auto st = s.flush(); !st) {
    abort(st.message());
    return st;
  }
  if (auto st = s.drain(); !st) {
    abort(st.message());
    return st;
  }
  import_report& rep = s.report;
  rep.task_count = s.tasks_staged;
  rep.annotation_count = s.annotations;
  rep.prediction_count = s.predictions;
  rep.data_columns = s.common_columns;
  rep.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
  store::import_outcome outcome;
  outcome.duration = rep.duration;
  outcome.could_be_tasks_list = rep.could_be_tasks_list;
  outcome.found_formats = rep.to_json(false)["found_formats"].dump();
  outcome.data_columns = nlohmann::json(rep.data_columns).dump();
  if (!rep.warnings.empty()) outcome.meta = nlohmann::json{{"warnings", rep.warnings}, {"warning_count", rep.warning_count}}.dump();
  // Label Studio sets the project's model_version from the last imported prediction when it has none.
  std::optional<std::string> model_version;
  if (s.project.model_version.empty() && s.last_model_version) model_version = s.last_model_version;
  const std::int64_t id = s.import_id, pid = s.project_id;
  auto published =
      s.db->run<store::import_record>([&](store::write_context& w) -> result<store::import_record> {
        if (!s.options.replace_file_uploads.empty())
          if (auto removed = w.delete_file_upload_tasks(pid, s.options.replace_file_uploads); !removed)
            return removed.error();
        auto r = w.publish_import(id, outcome);
        if (!r) return r;
        if (model_version) {
          store::project_fields f;
          f.model_version = *model_version;
          if (auto p = w.update_project(pid, f); !p) return p.error();
        }
        return r;
      });
  if (!published) {
    abort(published.error().message());
    return published.error();
  }
  s.finished = true;
  if (with_task_ids) {
    auto ids = s.db->read()->import_task_ids(id);
    if (ids) rep.task_ids = std::move(*ids);
  }
  if (s.options.on_progress) s.options.on_progress(s.bytes_read, s.tasks_seen);
  return rep;
}

void pipeline::abort(std::string_view error) {
  state& s = *s_;
  if (s.finished) return;
  s.finished = true;
  if (!s.options.stage) return;
  (void)s.drain();
  const std::int64_t id = s.import_id;
  std::string why(error);
  (void)s.db->run([id, why](store::write_context& w) { return w.fail_import(id, why); });
}

}  // namespace annot::host::imports
