// Label Studio's export JSON of a task, written directly as text.
#include "export/task_serializer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "config/task_data.hpp"
#include "store/time.hpp"
#include "util/display_text.hpp"

namespace annot::host::exporting {
namespace {

// ,"name": as one append of a buffer the compiler fills at compile time (the keys are literals:
// no strlen and four appends per key, 60 keys a task).
template <std::size_t N>
void key(std::string& out, const char (&name)[N]) {
  char buf[N + 3];
  buf[0] = ',';
  buf[1] = '"';
  std::memcpy(buf + 2, name, N - 1);
  buf[N + 1] = '"';
  buf[N + 2] = ':';
  out.append(buf, N + 3);
}

// Length of the well-formed UTF-8 sequence starting at s[i] (Unicode table 3-7: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0. nlohmann's decoder accepts exactly these.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

// A JSON string, byte for byte what nlohmann's dump(ensure_ascii = false) writes: runs of plain
// bytes are appended at once. Invalid UTF-8 (rare) goes through nlohmann itself, so the U+FFFD
// replacement stays exactly its own.
void str(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out.resize(start);
        out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += n;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(u, sizeof u);
      }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void num(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// nlohmann's dump() of a double (its Grisu2 printer; non-finite is null), without a json value and a
// string per number: the JSON the API gives for the same value.
void num(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  out.append(buf, nlohmann::detail::to_chars(buf, buf + sizeof buf, v));
}

template <class T>
void opt(std::string& out, const std::optional<T>& v) {
  if (v)
    num(out, *v);
  else
    out += "null";
}

void digits(char* at, unsigned v, int n) {
  for (int i = n - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
}

// store::to_iso8601 quoted ("2024-01-02T03:04:05.000006Z", "2024-01-02T03:04:05Z"), without snprintf: the
// date part is computed once per day met (timestamps of one export mostly share a few days).
void iso(std::string& out, store::timestamp t) {
  namespace chr = std::chrono;
  thread_local std::int64_t cached_day = std::numeric_limits<std::int64_t>::min();
  thread_local char date[10];
  const auto day = chr::floor<chr::days>(t);
  const std::int64_t day_count = day.time_since_epoch().count();
  if (day_count != cached_day) {
    const chr::year_month_day ymd{day};
    const int y = int(ymd.year());
    if (y < 0 || y > 9999) {  // outside to_iso8601's fixed width
      str(out, store::to_iso8601(t));
      return;
    }
    digits(date, unsigned(y), 4);
    date[4] = '-';
    digits(date + 5, unsigned(ymd.month()), 2);
    date[7] = '-';
    digits(date + 8, unsigned(ymd.day()), 2);
    cached_day = day_count;
  }
  const auto us = static_cast<unsigned long long>((t - day).count());
  const unsigned secs = static_cast<unsigned>(us / 1'000'000);
  char buf[29];
  buf[0] = '"';
  std::memcpy(buf + 1, date, 10);
  buf[11] = 'T';
  digits(buf + 12, secs / 3600, 2);
  buf[14] = ':';
  digits(buf + 15, (secs / 60) % 60, 2);
  buf[17] = ':';
  digits(buf + 18, secs % 60, 2);
  const auto frac = static_cast<unsigned>(us % 1'000'000);
  if (frac == 0) {  // as to_iso8601: no zero fraction
    buf[20] = 'Z';
    buf[21] = '"';
    out.append(buf, 22);
    return;
  }
  buf[20] = '.';
  digits(buf + 21, frac, 6);
  buf[27] = 'Z';
  buf[28] = '"';
  out.append(buf, sizeof buf);
}

void opt_time(std::string& out, const std::optional<store::timestamp>& t) {
  if (t)
    iso(out, *t);
  else
    out += "null";
}

void boolean(std::string& out, bool b) { out += b ? "true" : "false"; }

// (Not `out += empty ? fallback : text`: that conditional builds a temporary copy of the text.)
void raw(std::string& out, std::string_view text, std::string_view fallback) { out += text.empty() ? fallback : text; }

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


using ojson = nlohmann::ordered_json;

// ASCII case-insensitive search: result types are compared lowered, as Label Studio does.
bool icontains(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

double number_or_zero(const ojson& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_number() ? it->get<double>() : 0.0;
}

// Python's round(x, 2) on a float: the correctly rounded decimal, read back.
double round2(double x) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return std::strtod(buf, nullptr);
}

bool truthy(const ojson& o, const char* k) {
  auto it = o.find(k);
  if (it == o.end() || it->is_null()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  if (it->is_string() || it->is_array() || it->is_object()) return !it->empty();
  return true;
}

// _construct_result_from_frames: the entries strictly between keyframe f1 and the next keyframe f2
// (or, without f2, up to frames_count).
// The frames frames_between() adds after `f1` (at most; one fewer when the next keyframe falls inside).
double frames_after(const ojson& f1, const ojson* f2, double frames_count) {
  if (!truthy(f1, "enabled")) return 0;
  const double a_frame = number_or_zero(f1, "frame");
  const double count = f2 ? number_or_zero(*f2, "frame") - a_frame + 1 : frames_count - a_frame + 1;
  return count > 1 ? count - 1 : 0;
}

// Frames and framesCount are the client's numbers: a region may ask for more frames than any video has
// (1e15). A task gains at most this many frames (~9 hours at 30 fps; ~0.7 GB while built), all its
// regions together: a cap per region let 20 regions of a 7 KB import take the server's memory. A
// region that would pass what is left is exported with its keyframes as stored.
constexpr double kMaxInterpolatedFrames = 1'000'000;

void frames_between(const ojson& f1, const ojson* f2, double frames_count, double duration, ojson& out) {
  if (!truthy(f1, "enabled")) return;
  const double a_frame = number_or_zero(f1, "frame");
  double count = 0;
  if (f2) {
    const double b_frame = number_or_zero(*f2, "frame");
    if (a_frame > b_frame) return;
    count = b_frame - a_frame + 1;
  } else {
    count = frames_count - a_frame + 1;
  }
  static constexpr const char* fields[] = {"x", "y", "width", "height", "rotation"};
  for (std::int64_t i = 1; i < static_cast<std::int64_t>(count); ++i) {
    const double frame = a_frame + static_cast<double>(i);
    if (f2 && frame == number_or_zero(*f2, "frame")) continue;
    const double delta = static_cast<double>(i) / std::max(1.0, count - 1);
    ojson r = f1;
    bool time_delta_zero = true;
    double time_delta = 0;
    for (const char* k : fields) {
      auto a = f1.find(k);
      const bool same = !f2 || (a != f1.end() && f2->contains(k) && *a == (*f2)[k]);
      if (same) {
        // An unchanged value keeps its JSON type (an int stays an int).
        if (a == f1.end()) r[k] = 0;
        continue;
      }
      r[k] = number_or_zero(f1, k) + (number_or_zero(*f2, k) - number_or_zero(f1, k)) * delta;
    }
    if (f2 && !(f1.contains("time") && f2->contains("time") && f1["time"] == (*f2)["time"])) {
      time_delta = (number_or_zero(*f2, "time") - number_or_zero(f1, "time")) * delta;
      time_delta_zero = time_delta == 0;
    }
    r["frame"] = static_cast<std::int64_t>(frame);
    auto t = f1.find("time");
    if (time_delta_zero && t != f1.end() && t->is_number_integer())
      r["time"] = t->get<std::int64_t>();  // round() of an int is that int
    else
      r["time"] = round2(number_or_zero(f1, "time") + time_delta);
    if (time_delta_zero && duration > 0)
      r["time"] = round2(number_or_zero(f1, "time") + delta * (duration - number_or_zero(f1, "time")));
    r["auto"] = true;
    out.push_back(std::move(r));
  }
}

double frame_of(const ojson& k) { return k.is_object() ? number_or_zero(k, "frame") : 0.0; }

// The task's data as stored, with a "$undefined$" key (file imports into a project without a config)
// renamed to o.undefined_data_key, as Label Studio's replace_task_data_undefined_with_config_field does:
// the value takes that key's place when the data has it, else goes last.
void task_data(std::string& out, std::string_view data, const serialize_options& o) {
  if (!config::append_data_with_undefined_renamed(out, data, o.undefined_data_key)) raw(out, data, "{}");
}

}  // namespace

void append_task_json(std::string& out, const store::task& t, std::span<const store::annotation> annotations,
                      std::span<const store::draft> drafts, std::span<const store::prediction> predictions,
                      const serialize_options& o, const serialize_lookups& l) {
  out += "{\"id\":";
  num(out, t.id);
  key(out, "annotations");
  out.push_back('[');
  double frames_left = kMaxInterpolatedFrames;  // shared by the task's annotations
  bool first_annotation = true;
  for (const store::annotation& a : annotations) {
    if (!keeps_annotation(o.annotations, a)) continue;
    if (!first_annotation) out.push_back(',');
    first_annotation = false;
    out += "{\"id\":";
    num(out, a.id);
    key(out, "completed_by");
    user_ref(out, a.completed_by, o.expand_completed_by, l);
    key(out, "result");
    if (o.interpolate_key_frames && icontains(a.result, "videorectangle")) {
      std::function<void(std::string_view)> warn;
      if (l.warn)
        warn = [&](std::string_view m) { l.warn("task " + std::to_string(t.id) + ": " + std::string(m)); };
      out += interpolate_key_frames(a.result, warn, &frames_left);
    } else
      raw(out, a.result, "[]");
    key(out, "was_cancelled");
    boolean(out, a.was_cancelled);
    key(out, "ground_truth");
    boolean(out, a.ground_truth);
    key(out, "created_at");
    iso(out, a.created_at);
    key(out, "updated_at");
    iso(out, a.updated_at);
    if (o.items_only) {
      key(out, "lead_time");
      opt(out, a.lead_time);
      out.push_back('}');
      continue;
    }
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
  if (o.items_only) {
    key(out, "data");
    task_data(out, t.data, o);
    out.push_back('}');
    return;
  }
  key(out, "file_upload");
  std::optional<std::string> upload;
  if (t.file_upload_id && l.file_upload_name) upload = l.file_upload_name(*t.file_upload_id);
  if (upload)
    str(out, std::string_view(*upload).substr(upload->rfind('/') + 1));  // file_upload_name: the base name
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
    // AnnotationDraftSerializer: `user` is str(user), the email; created_ago is Django's timesince.
    const store::user* u = d.user_id && l.user ? l.user(*d.user_id) : nullptr;
    key(out, "user");
    if (u)
      str(out, u->email);
    else
      out += "null";
    key(out, "created_username");
    str(out, u ? util::draft_created_username(u->first_name, u->last_name, u->email, u->id) : "");
    key(out, "created_ago");
    str(out, util::time_since(d.created_at, store::now()));
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
    key(out, "project");
    num(out, d.project_id);
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
    key(out, "created_ago");
    str(out, util::time_since(p.created_at, store::now()));
    key(out, "model");
    out += "null";  // Annot keeps no ML backend per prediction
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
  task_data(out, t.data, o);
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
  key(out, "allow_skip");
  if (t.allow_skip)
    boolean(out, *t.allow_skip);
  else
    out += "null";
  key(out, "project");
  num(out, t.project_id);
  key(out, "updated_by");
  opt(out, t.updated_by);
  key(out, "comment_authors");
  out += "[]}";
}

bool keeps_annotation(const std::optional<serialize_options::annotation_filter>& filter, const store::annotation& a) {
  if (!filter || !(filter->usual || filter->ground_truth || filter->skipped)) return true;
  return (filter->usual && !a.ground_truth && !a.was_cancelled) || (filter->ground_truth && a.ground_truth) ||
         (filter->skipped && a.was_cancelled);
}

bool has_annotations(std::string_view task_json) {
  // append_task_json starts every task with {"id":N,"annotations":[
  constexpr std::string_view marker = ",\"annotations\":[";
  auto at = task_json.find(marker);
  return at != std::string_view::npos && at + marker.size() < task_json.size() && task_json[at + marker.size()] != ']';
}

std::string interpolate_key_frames(std::string_view result_json,
                                   const std::function<void(std::string_view)>& warn, double* frames_left) {
  double own_budget = kMaxInterpolatedFrames;
  double& left = frames_left ? *frames_left : own_budget;
  ojson results = ojson::parse(result_json.begin(), result_json.end(), nullptr, false);
  if (results.is_discarded() || !results.is_array()) return std::string(result_json);
  ojson out = ojson::array();
  for (auto& r : results) {
    const bool video = r.is_object() && r.contains("type") && r["type"].is_string() &&
                       [&] {
                         std::string t = r["type"].get<std::string>();
                         for (auto& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
                         return t == "videorectangle";
                       }();
    if (!video || !r.contains("value") || !r["value"].is_object() || !r["value"].contains("sequence") ||
        !r["value"]["sequence"].is_array()) {
      out.push_back(std::move(r));
      continue;
    }
    const ojson& value = r["value"];
    const ojson& sequence = value["sequence"];
    if (sequence.empty()) continue;  // Label Studio drops it
    std::vector<const ojson*> keys;
    for (const auto& k : sequence)
      if (k.is_object()) keys.push_back(&k);
    std::stable_sort(keys.begin(), keys.end(), [](const ojson* a, const ojson* b) { return frame_of(*a) < frame_of(*b); });
    const double frames_count = number_or_zero(value, "framesCount");
    const double duration = number_or_zero(value, "duration");
    double planned = 0;
    for (std::size_t i = 0; i < keys.size(); ++i)
      planned += frames_after(*keys[i], i + 1 < keys.size() ? keys[i + 1] : nullptr, frames_count);
    if (!(planned <= left)) {  // NaN too
      if (warn) {
        char frames[32];
        std::snprintf(frames, sizeof frames, "%.15g", planned);
        const auto id = r.find("id");
        std::string name = id != r.end() && id->is_string()
                               ? id->dump(-1, ' ', false, ojson::error_handler_t::replace).substr(0, 80)
                               : std::string("without a string id");
        warn("the videorectangle region " + name + " asks for " + frames +
             " interpolated frames, more than the " + std::to_string(std::int64_t(left)) +
             (left < kMaxInterpolatedFrames
                  ? " left of the task's " + std::to_string(std::int64_t(kMaxInterpolatedFrames))
                  : std::string()) +
             " allowed: its keyframes are exported as stored");
      }
      out.push_back(std::move(r));
      continue;
    }
    left -= planned;
    // The keyframes stay, in their order; the frames between them follow; then all by frame.
    ojson expanded = sequence;
    for (std::size_t i = 0; i < keys.size(); ++i)
      frames_between(*keys[i], i + 1 < keys.size() ? keys[i + 1] : nullptr, frames_count, duration, expanded);
    std::vector<ojson> items(std::make_move_iterator(expanded.begin()), std::make_move_iterator(expanded.end()));
    std::stable_sort(items.begin(), items.end(), [](const ojson& a, const ojson& b) { return frame_of(a) < frame_of(b); });
    ojson sorted = ojson::array();
    for (auto& it : items) sorted.push_back(std::move(it));
    r["value"]["sequence"] = std::move(sorted);
    out.push_back(std::move(r));
  }
  return out.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace annot::host::exporting
