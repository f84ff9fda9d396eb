// Label Studio's export JSON of a task, written directly as text.
#include "export/task_serializer.hpp"

#include <nlohmann/json.hpp>

#include "store/time.hpp"

namespace annot::host::exporting {
namespace {

void key(std::string& out, const char* name, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out += name;
  out += "\":";
}

void str(std::string& out, std::string_view s) {
  out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void num(std::string& out, std::int64_t v) { out += std::to_string(v); }

void num(std::string& out, double v) { out += nlohmann::json(v).dump(); }

template <class T>
void opt(std::string& out, const std::optional<T>& v) {
  if (v)
    num(out, *v);
  else
    out += "null";
}

void iso(std::string& out, store::timestamp t) { str(out, store::to_iso8601(t)); }

void opt_time(std::string& out, const std::optional<store::timestamp>& t) {
  if (t)
    iso(out, *t);
  else
    out += "null";
}

void boolean(std::string& out, bool b) { out += b ? "true" : "false"; }

void raw(std::string& out, const std::string& text, const char* fallback) { out += text.empty() ? fallback : text; }

void user_ref(std::string& out, const std::optional<std::int64_t>& id, bool expand, const serialize_lookups& l) {
  if (!id) {
    out += "null";
    return;
  }
  const store::user* u = expand && l.user ? l.user(*id) : nullptr;
  if (!u) {
    num(out, *id);
    return;
  }
  out += "{\"id\":";
  num(out, u->id);
  out += ",\"email\":";
  str(out, u->email);
  out += ",\"first_name\":";
  str(out, u->first_name);
  out += ",\"last_name\":";
  str(out, u->last_name);
  out += "}";
}

}  // namespace

void append_task_json(std::string& out, const store::task& t, std::span<const store::annotation> annotations,
                      std::span<const store::draft> drafts, std::span<const store::prediction> predictions,
                      const serialize_options& o, const serialize_lookups& l) {
  out += "{\"id\":";
  num(out, t.id);
  key(out, "annotations");
  out.push_back('[');
  for (std::size_t i = 0; i < annotations.size(); ++i) {
    const store::annotation& a = annotations[i];
    if (i) out.push_back(',');
    out += "{\"id\":";
    num(out, a.id);
    key(out, "completed_by");
    user_ref(out, a.completed_by, o.expand_completed_by, l);
    key(out, "result");
    raw(out, a.result, "[]");
    key(out, "was_cancelled");
    boolean(out, a.was_cancelled);
    key(out, "ground_truth");
    boolean(out, a.ground_truth);
    key(out, "created_at");
    iso(out, a.created_at);
    key(out, "updated_at");
    iso(out, a.updated_at);
    key(out, "draft_created_at");
    opt_time(out, a.draft_created_at);
    key(out, "lead_time");
    opt(out, a.lead_time);
    key(out, "prediction");
    raw(out, a.prediction, "{}");
    key(out, "result_count");
    num(out, a.result_count);
    key(out, "unique_id");
    str(out, a.unique_id);
    key(out, "import_id");
    opt(out, a.import_id);
    key(out, "last_action");
    if (a.last_action)
      str(out, *a.last_action);
    else
      out += "null";
    key(out, "bulk_created");
    boolean(out, a.bulk_created);
    key(out, "task");
    num(out, a.task_id);
    key(out, "project");
    num(out, a.project_id);
    key(out, "updated_by");
    opt(out, a.updated_by);
    key(out, "parent_prediction");
    opt(out, a.parent_prediction);
    key(out, "parent_annotation");
    opt(out, a.parent_annotation);
    key(out, "last_created_by");
    opt(out, a.last_created_by);
    out.push_back('}');
  }
  out.push_back(']');
  key(out, "file_upload");
  std::optional<std::string> upload;
  if (t.file_upload_id && l.file_upload_name) upload = l.file_upload_name(*t.file_upload_id);
  if (upload)
    str(out, *upload);
  else
    out += "null";
  key(out, "drafts");
  out.push_back('[');
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    const store::draft& d = drafts[i];
    if (i) out.push_back(',');
    if (!o.full_drafts) {
      num(out, d.id);
      continue;
    }
    out += "{\"id\":";
    num(out, d.id);
    key(out, "user");
    user_ref(out, d.user_id, false, l);
    key(out, "created_username");
    const store::user* u = d.user_id && l.user ? l.user(*d.user_id) : nullptr;
    str(out, u ? (u->first_name + " " + u->last_name + " " + u->email + ", " + std::to_string(u->id)) : "");
    key(out, "created_ago");
    str(out, "");
    key(out, "result");
    raw(out, d.result, "[]");
    key(out, "lead_time");
    opt(out, d.lead_time);
    key(out, "was_postponed");
    boolean(out, d.was_postponed);
    key(out, "import_id");
    opt(out, d.import_id);
    key(out, "created_at");
    iso(out, d.created_at);
    key(out, "updated_at");
    iso(out, d.updated_at);
    key(out, "task");
    num(out, d.task_id);
    key(out, "annotation");
    opt(out, d.annotation_id);
    out.push_back('}');
  }
  out.push_back(']');
  key(out, "predictions");
  out.push_back('[');
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    const store::prediction& p = predictions[i];
    if (i) out.push_back(',');
    if (!o.full_predictions) {
      num(out, p.id);
      continue;
    }
    out += "{\"id\":";
    num(out, p.id);
    key(out, "result");
    raw(out, p.result, "[]");
    key(out, "score");
    opt(out, p.score);
    key(out, "model_version");
    str(out, p.model_version);
    key(out, "cluster");
    opt(out, p.cluster);
    key(out, "neighbors");
    if (p.neighbors)
      raw(out, *p.neighbors, "null");
    else
      out += "null";
    key(out, "mislabeling");
    num(out, p.mislabeling);
    key(out, "created_at");
    iso(out, p.created_at);
    key(out, "updated_at");
    iso(out, p.updated_at);
    key(out, "model_run");
    opt(out, p.model_run);
    key(out, "task");
    num(out, p.task_id);
    key(out, "project");
    num(out, p.project_id);
    out.push_back('}');
  }
  out.push_back(']');
  key(out, "data");
  raw(out, t.data, "{}");
  key(out, "meta");
  raw(out, t.meta, "{}");
  key(out, "created_at");
  iso(out, t.created_at);
  key(out, "updated_at");
  iso(out, t.updated_at);
  key(out, "inner_id");
  num(out, t.inner_id);
  key(out, "total_annotations");
  num(out, t.total_annotations);
  key(out, "cancelled_annotations");
  num(out, t.cancelled_annotations);
  key(out, "total_predictions");
  num(out, t.total_predictions);
  key(out, "comment_count");
  num(out, t.comment_count);
  key(out, "unresolved_comment_count");
  num(out, t.unresolved_comment_count);
  key(out, "last_comment_updated_at");
  opt_time(out, t.last_comment_updated_at);
  key(out, "project");
  num(out, t.project_id);
  key(out, "updated_by");
  opt(out, t.updated_by);
  key(out, "comment_authors");
  out += "[]}";
}

}  // namespace annot::host::exporting
