// Label Studio's task, annotation, draft and prediction JSON, written by hand so stored JSON text is
// spliced without a parse (a task read answers in microseconds).
#include "api/task_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "config/task_data.hpp"
#include "store/time.hpp"
#include "util/display_text.hpp"

namespace annot::host::api {
namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, std::size_t(end - buf));
  out += s;
  // Python's float repr keeps a fraction: 2.0, not 2.
  if (s.find_first_of(".eEn") == std::string_view::npos) out += ".0";
}

void append_opt_int(std::string& out, const std::optional<std::int64_t>& v) {
  if (v) append_int(out, *v);
  else out += "null";
}

void append_opt_double(std::string& out, const std::optional<double>& v) {
  if (v) append_double(out, *v);
  else out += "null";
}

void append_bool(std::string& out, bool b) { out += b ? "true" : "false"; }

// Stored JSON text as it is; an empty column (never expected) as a neutral value.
void append_raw(std::string& out, std::string_view json, std::string_view fallback) {
  out += json.empty() ? fallback : json;
}

// `"key":` with the separating comma when it is not the object's first member.
struct object_writer {
  std::string& out;
  bool first = true;
  explicit object_writer(std::string& o) : out(o) { out += '{'; }
  std::string& key(std::string_view k) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += k;
    out += "\":";
    return out;
  }
  void close() { out += '}'; }
};

void plain_task_fields(object_writer& w, const store::task& t, std::string_view undefined_data_key) {
  append_int(w.key("id"), t.id);
  if (!config::append_data_with_undefined_renamed(w.key("data"), t.data, undefined_data_key))
    append_raw(w.out, t.data, "{}");
  append_raw(w.key("meta"), t.meta, "{}");
  append_int(w.key("project"), t.project_id);
  append_json_time(w.key("created_at"), t.created_at);
  append_json_time(w.key("updated_at"), t.updated_at);
  append_bool(w.key("is_labeled"), t.is_labeled);
  append_int(w.key("overlap"), t.overlap);
  append_int(w.key("inner_id"), t.inner_id);
  append_int(w.key("total_annotations"), t.total_annotations);
  append_int(w.key("cancelled_annotations"), t.cancelled_annotations);
  append_int(w.key("total_predictions"), t.total_predictions);
  append_int(w.key("comment_count"), t.comment_count);
  append_int(w.key("unresolved_comment_count"), t.unresolved_comment_count);
  append_json_time(w.key("last_comment_updated_at"), t.last_comment_updated_at);
  if (t.allow_skip)
    append_bool(w.key("allow_skip"), *t.allow_skip);
  else
    w.key("allow_skip") += "null";
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending unescaped run
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_json_time(std::string& out, const std::optional<store::timestamp>& t) {
  if (!t) {
    out += "null";
    return;
  }
  out += '"';
  out += store::to_iso8601(*t);
  out += '"';
}

std::string created_username(const store::user& u) {
  return util::created_username(u.first_name, u.last_name, u.email, u.id);
}

std::string created_username(const store::user_name& u) {
  return util::created_username(u.first_name, u.last_name, u.email, u.id);
}

namespace {

void task_serializer_fields(object_writer& w, const store::task& t, std::string_view undefined_data_key) {
  plain_task_fields(w, t, undefined_data_key);
  append_opt_int(w.key("updated_by"), t.updated_by);
  append_opt_int(w.key("file_upload"), t.file_upload_id);
  w.key("comment_authors") += "[]";
}

}  // namespace

void append_task(std::string& out, const store::task& t, std::string_view undefined_data_key) {
  object_writer w(out);
  task_serializer_fields(w, t, undefined_data_key);
  w.close();
}

void append_task_with_results(std::string& out, const store::task& t, std::string_view undefined_data_key,
                              std::span<const store::annotation> annotations,
                              std::span<const store::prediction> predictions, const user_names* users) {
  object_writer w(out);
  task_serializer_fields(w, t, undefined_data_key);
  w.key("annotations") += '[';
  for (std::size_t i = 0; i < annotations.size(); ++i) {
    if (i) out += ',';
    append_annotation(out, annotations[i], users);
  }
  out += ']';
  w.key("predictions") += '[';
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    if (i) out += ',';
    append_prediction(out, predictions[i]);
  }
  out += ']';
  w.close();
}

void append_dm_task(std::string& out, const store::task& t, const dm_task_parts& p) {
  object_writer w(out);
  plain_task_fields(w, t, p.undefined_data_key);
  if (p.embed) {
    out += ",\"annotations\":[";
    for (std::size_t i = 0; i < p.annotations.size(); ++i) {
      if (i) out += ',';
      append_annotation(out, p.annotations[i], p.users);
    }
    out += "],\"predictions\":[";
    for (std::size_t i = 0; i < p.predictions.size(); ++i) {
      if (i) out += ',';
      append_prediction(out, p.predictions[i]);
    }
    out += "],\"drafts\":[";
    for (std::size_t i = 0; i < p.drafts.size(); ++i) {
      if (i) out += ',';
      append_draft(out, p.drafts[i], p.draft_user);
    }
    out += ']';
  }
  // Computed columns, as the data manager's serializer annotates them.
  std::vector<std::int64_t> annotators;
  for (const auto& a : p.annotations)
    if (a.completed_by && std::find(annotators.begin(), annotators.end(), *a.completed_by) == annotators.end())
      annotators.push_back(*a.completed_by);
  out += ",\"annotators\":[";
  for (std::size_t i = 0; i < annotators.size(); ++i) {
    if (i) out += ',';
    append_int(out, annotators[i]);
  }
  out += ']';
  std::string results, ids;
  for (const auto& a : p.annotations) {
    if (!results.empty()) results += ", ";
    results += a.result;
    if (!ids.empty()) ids += ", ";
    ids += std::to_string(a.id);
  }
  append_json_string(w.key("annotations_results"), results);
  results.clear();
  std::vector<std::string_view> versions;
  for (const auto& pr : p.predictions) {
    if (!results.empty()) results += ", ";
    results += pr.result;
    if (std::find(versions.begin(), versions.end(), pr.model_version) == versions.end())
      versions.push_back(pr.model_version);
  }
  append_json_string(w.key("predictions_results"), results);
  append_opt_double(w.key("predictions_score"), t.predictions_score);
  if (p.file_upload_name.empty()) w.key("file_upload") += "null";
  else append_json_string(w.key("file_upload"), p.file_upload_name);
  w.key("storage_filename") += "null";
  append_json_string(w.key("annotations_ids"), ids);
  std::string joined;
  for (auto v : versions) {
    if (!joined.empty()) joined += ", ";
    joined += v;
  }
  append_json_string(w.key("predictions_model_versions"), joined);
  append_opt_double(w.key("avg_lead_time"), t.avg_lead_time);
  append_bool(w.key("draft_exists"), !p.drafts.empty());
  w.key("updated_by") += '[';
  if (t.updated_by) {
    out += "{\"user_id\":";
    append_int(out, *t.updated_by);
    out += '}';
  }
  out += ']';
  append_json_time(w.key("completed_at"), t.completed_at);
  append_bool(w.key("ground_truth"), t.ground_truth);
  w.key("comment_authors") += "[]";
  w.close();
}

void append_annotation(std::string& out, const store::annotation& a, const user_names* users) {
  // Room for the rest too: growing past a large result would copy it again.
  out.reserve(out.size() + a.result.size() + 1024);
  object_writer w(out);
  append_int(w.key("id"), a.id);
  std::string_view name;
  if (users && a.completed_by) {
    auto it = users->find(*a.completed_by);
    if (it != users->end()) name = it->second;
  }
  append_json_string(w.key("created_username"), name);
  append_json_string(w.key("created_ago"), util::time_since(a.created_at, store::now()));
  append_opt_int(w.key("completed_by"), a.completed_by);
  append_raw(w.key("result"), a.result, "[]");
  append_bool(w.key("was_cancelled"), a.was_cancelled);
  append_bool(w.key("ground_truth"), a.ground_truth);
  append_json_time(w.key("created_at"), a.created_at);
  append_json_time(w.key("updated_at"), a.updated_at);
  append_json_time(w.key("draft_created_at"), a.draft_created_at);
  append_opt_double(w.key("lead_time"), a.lead_time);
  append_opt_int(w.key("import_id"), a.import_id);
  if (a.last_action) append_json_string(w.key("last_action"), *a.last_action);
  else w.key("last_action") += "null";
  append_bool(w.key("bulk_created"), a.bulk_created);
  append_int(w.key("task"), a.task_id);
  append_int(w.key("project"), a.project_id);
  append_opt_int(w.key("updated_by"), a.updated_by);
  append_opt_int(w.key("parent_prediction"), a.parent_prediction);
  append_opt_int(w.key("parent_annotation"), a.parent_annotation);
  append_opt_int(w.key("last_created_by"), a.last_created_by);
  append_json_string(w.key("unique_id"), a.unique_id);
  w.close();
}

void append_prediction(std::string& out, const store::prediction& p) {
  out.reserve(out.size() + p.result.size() + 1024);
  object_writer w(out);
  append_int(w.key("id"), p.id);
  append_raw(w.key("result"), p.result, "[]");
  append_opt_double(w.key("score"), p.score);
  append_json_string(w.key("model_version"), p.model_version);
  append_json_string(w.key("created_ago"), util::time_since(p.created_at, store::now()));
  w.key("model") += "null";
  append_opt_int(w.key("model_run"), p.model_run);
  append_opt_int(w.key("cluster"), p.cluster);
  append_raw(w.key("neighbors"), p.neighbors ? std::string_view(*p.neighbors) : std::string_view(), "null");
  append_double(w.key("mislabeling"), p.mislabeling);
  append_json_time(w.key("created_at"), p.created_at);
  append_json_time(w.key("updated_at"), p.updated_at);
  append_int(w.key("task"), p.task_id);
  append_int(w.key("project"), p.project_id);
  w.close();
}

void append_draft(std::string& out, const store::draft& d, const store::user_name* user) {
  out.reserve(out.size() + d.result.size() + 1024);
  object_writer w(out);
  append_int(w.key("id"), d.id);
  // DRF puts the declared fields (user, created_username, created_ago) right after the id.
  if (user && d.user_id == user->id) {
    append_json_string(w.key("user"), user->email);
    append_json_string(
        w.key("created_username"),
        util::draft_created_username(user->first_name, user->last_name, user->email, user->id));
  } else {
    w.key("user");
    out += "null";
    append_json_string(w.key("created_username"), "");
  }
  append_json_string(w.key("created_ago"), util::time_since(d.created_at, store::now()));
  append_raw(w.key("result"), d.result, "[]");
  append_opt_double(w.key("lead_time"), d.lead_time);
  append_bool(w.key("was_postponed"), d.was_postponed);
  append_opt_int(w.key("import_id"), d.import_id);
  append_json_time(w.key("created_at"), d.created_at);
  append_json_time(w.key("updated_at"), d.updated_at);
  append_int(w.key("task"), d.task_id);
  append_opt_int(w.key("annotation"), d.annotation_id);
  append_int(w.key("project"), d.project_id);
  w.close();
}

store::user_name name_of(const store::user& u) {
  return {u.id, u.first_name, u.last_name, u.email};
}

std::string annotations_json(std::span<const store::annotation> as, const user_names* users) {
  std::string out = "[";
  for (std::size_t i = 0; i < as.size(); ++i) {
    if (i) out += ',';
    append_annotation(out, as[i], users);
  }
  out += ']';
  return out;
}

std::string predictions_json(std::span<const store::prediction> ps) {
  std::string out = "[";
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (i) out += ',';
    append_prediction(out, ps[i]);
  }
  out += ']';
  return out;
}

std::string drafts_json(std::span<const store::draft> ds, const store::user_name* user) {
  std::string out = "[";
  for (std::size_t i = 0; i < ds.size(); ++i) {
    if (i) out += ',';
    append_draft(out, ds[i], user);
  }
  out += ']';
  return out;
}

}  // namespace annot::host::api
