// Task items through simdjson's on-demand API: one pass over the item, raw text kept for data,
// results and meta, so the store receives the bytes the file had.
#include "import/task_item.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "store/time.hpp"

namespace annot::host::imports {
namespace {

namespace od = simdjson::ondemand;

status bad(std::string message) { return status(errc::invalid_argument, std::move(message)); }

// Calls fn(key, value, type) for each member of an annotation, prediction or draft; a member simdjson
// cannot read is "invalid JSON" at `where`, and fn's first error ends the walk.
template <class Fn>
status for_each_member(od::object& o, const std::string& where, Fn&& fn) {
  for (auto f : o) {
    std::string_view key;
    od::value v;
    if (f.unescaped_key().get(key) || f.value().get(v)) return bad(where + ": invalid JSON");
    od::json_type t;
    if (v.type().get(t)) return bad(where + ": invalid JSON");
    if (status s = fn(key, v, t); !s) return s;
  }
  return status::success();
}

// The task's data. Large data gets simdjson's padding in its spare capacity (spaces, then cut off): the
// pipeline's checks and the store then read it in place rather than copy it (a 40 MB task's import
// peaked 33% higher). Small data is copied, as cheap as it is, rather than hold 64 more bytes a task.
void set_data(store::import_task& task, std::string_view data) {
  if (data.size() < 16384) {
    task.data.assign(data);
    return;
  }
  task.data.reserve(data.size() + simdjson::SIMDJSON_PADDING);
  task.data.assign(data);
  task.data.append(simdjson::SIMDJSON_PADDING, ' ');
  task.data.resize(data.size());
  task.data_padded = true;
}

// Whether an object at any depth of `v` repeats a key, compared unescaped as Python compares them.
// `keys` is scratch shared by the levels (each level uses the part past where it started).
simdjson::error_code repeats_a_key(od::value v, bool& found, std::vector<std::string_view>& keys) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return e;
    for (auto element : a) {
      od::value x;
      if (auto e = element.get(x)) return e;
      if (auto e = repeats_a_key(x, found, keys); e || found) return e;
    }
    return simdjson::SUCCESS;
  }
  if (t != od::json_type::object) return simdjson::SUCCESS;
  od::object o;
  if (auto e = v.get_object().get(o)) return e;
  const std::size_t first = keys.size();
  std::unordered_set<std::string_view> wide;  // past 16 keys: a scan per key would be quadratic
  for (auto field : o) {
    std::string_view k;  // in the parser's string buffer: valid until its next document
    if (auto e = field.unescaped_key().get(k)) return e;
    if (!wide.empty() || keys.size() - first == 16) {
      if (wide.empty()) wide.insert(keys.begin() + std::ptrdiff_t(first), keys.end());
      if (!wide.insert(k).second) return found = true, simdjson::SUCCESS;
    } else if (std::find(keys.begin() + std::ptrdiff_t(first), keys.end(), k) != keys.end()) {
      return found = true, simdjson::SUCCESS;
    }
    keys.push_back(k);
    od::value inner;
    if (auto e = field.value().get(inner)) return e;
    const std::size_t mine = keys.size();
    if (auto e = repeats_a_key(inner, found, keys); e || found) return e;
    keys.resize(mine);
  }
  return simdjson::SUCCESS;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Django REST framework's refusal of a list field (annotations, predictions, drafts) given something else.
std::string not_a_list_message(std::string_view key, od::json_type t, std::string_view raw) {
  if (t == od::json_type::null) return std::string(key) + ": This field may not be null.";
  std::string_view type = "dict";
  if (t == od::json_type::string)
    type = "str";
  else if (t == od::json_type::boolean)
    type = "bool";
  else if (t == od::json_type::number)
    type = raw.find_first_of(".eE") == std::string_view::npos ? "int" : "float";
  return std::string(key) + ": Expected a list of items but got type \"" + std::string(type) + "\".";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// An object or array text with nothing between its brackets.
bool empty_container(std::string_view raw) {
  raw = trim(raw);
  return raw.size() < 2 || trim(raw.substr(1, raw.size() - 2)).empty();
}

std::string_view type_name(od::value& v) {
  od::json_type t;
  if (v.type().get(t)) return "str";
  switch (t) {
    case od::json_type::array: return "list";
    case od::json_type::object: return "dict";
    case od::json_type::string: return "str";
    case od::json_type::boolean: return "bool";
    case od::json_type::null: return "none";
    case od::json_type::number: {
      od::number_type nt;
      if (v.get_number_type().get(nt)) return "float";
      return nt == od::number_type::floating_point_number ? "float" : "int";
    }
  }
  return "str";
}

std::optional<store::timestamp> time_of(od::value& v) {
  std::string_view s;
  if (v.get_string().get(s)) return std::nullopt;
  return store::parse_iso8601(s);
}

// A flag as Django's BooleanField.to_python reads it when Label Studio's bulk create stores an imported
// annotation: true/false, the numbers 1/0 and the strings "t", "True", "1", "f", "False", "0". Anything
// else is nullopt (upstream fails the import with a 500; here it is a 400 naming the field).
std::optional<bool> flag_of(od::value& v, od::json_type t) {
  if (t == od::json_type::boolean) {
    bool b = false;
    if (v.get_bool().get(b)) return std::nullopt;
    return b;
  }
  if (t == od::json_type::number) {
    double d = 0;
    if (v.get_double().get(d) || (d != 0 && d != 1)) return std::nullopt;
    return d == 1;
  }
  std::string_view str;
  if (t != od::json_type::string || v.get_string().get(str)) return std::nullopt;
  if (str == "t" || str == "True" || str == "1") return true;
  if (str == "f" || str == "False" || str == "0") return false;
  return std::nullopt;
}

std::optional<double> number_of(od::value& v) {
  od::json_type t;
  if (v.type().get(t)) return std::nullopt;
  if (t == od::json_type::number) {
    double d;
    if (v.get_double().get(d)) return std::nullopt;
    return d;
  }
  if (t == od::json_type::string) {
    // Label Studio coerces a score with float(); a numeric string is accepted.
    std::string_view s;
    if (v.get_string().get(s)) return std::nullopt;
    std::string copy(trim(s));
    char* end = nullptr;
    double d = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(d)) return std::nullopt;
    return d;
  }
  if (t == od::json_type::boolean) {
    bool b;
    if (v.get_bool().get(b)) return std::nullopt;
    return b ? 1.0 : 0.0;
  }
  return std::nullopt;
}

// The raw text of an array value; an error naming `what` otherwise.
status array_text(od::value& v, std::string_view what, std::string& out) {
  od::json_type t;
  if (v.type().get(t)) return bad(std::string(what) + " is not valid JSON");
  if (t == od::json_type::null) {
    out = "[]";
    return status::success();
  }
  od::array a;
  std::string_view raw;
  if (t != od::json_type::array || v.get_array().get(a) || a.raw_json().get(raw))
    return bad(std::string(what) + " must be a list");
  out.assign(raw);
  return status::success();
}

// A prediction's result as its JSON text, whatever its type: a shorthand (a dict, a string, a number) is
// expanded by the pipeline, which knows the config. null is [].
status result_text(od::value& v, std::string_view what, std::string& out) {
  od::json_type t;
  if (v.type().get(t)) return bad(std::string(what) + " is not valid JSON");
  if (t == od::json_type::array) return array_text(v, what, out);
  if (t == od::json_type::null) {
    out = "[]";
    return status::success();
  }
  std::string_view raw;
  od::object o;
  if (t == od::json_type::object ? (v.get_object().get(o) || o.raw_json().get(raw)) : false)
    return bad(std::string(what) + " is not valid JSON");
  if (t != od::json_type::object) raw = trim(v.raw_json_token());
  out.assign(raw);
  return status::success();
}

}  // namespace

struct item_parser::impl {
  od::parser top;
  od::parser inner;  // annotations/predictions arrays, parsed after the item decided its shape
};

item_parser::item_parser() : impl_(std::make_unique<impl>()) {}
item_parser::~item_parser() = default;

bool item_parser::object_keys(std::string_view text, std::size_t padding, std::vector<std::string>& keys,
                              std::vector<std::string_view>* types) {
  keys.clear();
  if (types) types->clear();
  od::document doc;
  if (impl_->inner.iterate(text.data(), text.size(), text.size() + padding).get(doc)) return false;
  od::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    keys.emplace_back(key);
    od::value v;
    if (field.value().get(v)) return false;
    if (types) types->push_back(type_name(v));
  }
  return true;
}

status item_parser::parse(std::string_view text, std::size_t padding, parsed_item& out) {
  out = parsed_item{};
  const char* buf_end = text.data() + text.size() + padding;  // end of readable memory
  od::document doc;
  if (auto e = impl_->top.iterate(text.data(), text.size(), text.size() + padding).get(doc))
    return bad(std::string("invalid JSON: ") + simdjson::error_message(e));
  od::json_type root_type;
  if (auto e = doc.type().get(root_type)) return bad(std::string("invalid JSON: ") + simdjson::error_message(e));
  if (root_type != od::json_type::object) return bad("Task item should be dict");
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return bad(std::string("invalid JSON: ") + simdjson::error_message(e));

  std::string_view data_raw, annotations_raw, predictions_raw, drafts_raw, meta_raw;
  std::optional<store::timestamp> created_at, updated_at;
  std::optional<bool> allow_skip = true;  // Label Studio: task.get('allow_skip', True)
  bool allow_skip_bad = false;
  bool data_not_dict = false, meta_bad = false;
  std::string not_a_list;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key))
      return bad(std::string("invalid JSON: ") + simdjson::error_message(e));
    od::value v;
    if (auto e = field.value().get(v)) return bad(std::string("invalid JSON: ") + simdjson::error_message(e));
    od::json_type t;
    if (auto e = v.type().get(t)) return bad(std::string("invalid JSON: ") + simdjson::error_message(e));
    std::string_view raw;
    if (t == od::json_type::object || t == od::json_type::array) {
      simdjson::error_code e;
      if (t == od::json_type::object) {
        od::object o;
        e = v.get_object().get(o);
        if (!e) e = o.raw_json().get(raw);
      } else {
        od::array a;
        e = v.get_array().get(a);
        if (!e) e = a.raw_json().get(raw);
      }
      if (e) return bad(std::string("invalid JSON: ") + simdjson::error_message(e));
    } else if (t == od::json_type::string && (key == "created_at" || key == "updated_at")) {
      (key == "created_at" ? created_at : updated_at) = time_of(v);
      continue;
    } else {
      // Scalars: consume them so that the iteration stays valid; keep what decides truthiness.
      raw = trim(v.raw_json_token());
    }
    if (key == "data") {
      // Label Studio: `if not task.get('data'): task = {'data': task}`; a truthy non-dict is refused.
      bool truthy = true;
      if (t == od::json_type::object || t == od::json_type::array) {
        truthy = !empty_container(raw);
      } else if (t == od::json_type::null) {
        truthy = false;
      } else if (t == od::json_type::boolean) {
        truthy = raw == "true";
      } else if (t == od::json_type::string) {
        truthy = raw.size() > 2;
      } else if (t == od::json_type::number) {
        double d = 0;
        std::string copy(raw);
        d = std::strtod(copy.c_str(), nullptr);
        truthy = d != 0;
      }
      if (truthy && t != od::json_type::object) data_not_dict = true;
      if (truthy && t == od::json_type::object) data_raw = raw;
    } else if (key == "annotations" || key == "completions" || key == "predictions" || key == "drafts") {
      if (t != od::json_type::array) {
        // Only an error when the item turns out to be wrapped: in a flat item these keys are data.
        if (key != "completions" && not_a_list.empty()) not_a_list = not_a_list_message(key, t, raw);
      } else if (key == "predictions") {
        predictions_raw = raw;
      } else if (key == "drafts") {
        drafts_raw = raw;
      } else if (key == "annotations" || annotations_raw.empty()) {
        annotations_raw = raw;
      }
    } else if (key == "meta") {
      // Label Studio's TaskValidator: a dict or a list, kept as given (in a flat item, data).
      if (t == od::json_type::object || t == od::json_type::array)
        meta_raw = raw;
      else
        meta_bad = true;
    } else if (key == "allow_skip") {
      if (t == od::json_type::boolean)
        allow_skip = raw == "true";
      else if (t == od::json_type::null)
        allow_skip = std::nullopt;
      else
        allow_skip_bad = true;
    }
  }

  if (data_not_dict) return bad("Task item should be dict");
  // Data that repeats a key (at any depth) is written anew as Python's json.loads reads it: the last
  // value, at the first one's place. The store, the API and the exports then see what Label Studio
  // keeps. Most data repeats nothing and is kept as the file wrote it.
  const auto set_data_once = [&](std::string_view data) -> status {
    od::document d;
    od::value root;
    bool found = false;
    std::vector<std::string_view> keys;
    if (auto e = impl_->inner.iterate(data.data(), data.size(), std::size_t(buf_end - data.data())).get(d);
        e || d.get_value().get(root) || repeats_a_key(root, found, keys))
      return bad("invalid JSON in the task's data");
    if (!found) {
      set_data(out.task, data);
      return status::success();
    }
    const auto once = nlohmann::ordered_json::parse(data, nullptr, false);
    if (once.is_discarded()) return bad("invalid JSON in the task's data");
    set_data(out.task, once.dump());
    return status::success();
  };
  if (data_raw.empty()) return set_data_once(trim(text));  // the whole item is the data
  out.wrapped = true;
  if (!not_a_list.empty()) return bad(not_a_list);
  if (allow_skip_bad) return bad("allow_skip must be true, false or null");
  if (meta_bad) return bad("Task[meta] must be a dict or a list");
  out.task.allow_skip = allow_skip;
  if (auto st = set_data_once(data_raw); !st) return st;
  if (!meta_raw.empty()) out.task.meta.assign(meta_raw);
  out.task.created_at = created_at;
  out.task.updated_at = updated_at;

  auto each = [&](std::string_view raw, std::string_view list_name,
                  auto&& on_entry) -> status {
    if (raw.empty()) return status::success();
    od::document d;
    if (auto e = impl_->inner.iterate(raw.data(), raw.size(), std::size_t(buf_end - raw.data())).get(d))
      return bad(std::string(list_name) + ": " + simdjson::error_message(e));
    od::array arr;
    if (d.get_array().get(arr)) return bad(std::string(list_name) + " must be a list");
    std::size_t index = 0;
    for (auto entry : arr) {
      od::object o;
      std::string where = std::string(list_name) + "[" + std::to_string(index++) + "]";
      if (entry.get_object().get(o)) return bad(where + " must be a dict");
      if (auto s = on_entry(o, where); !s) return s;
    }
    return status::success();
  };

  auto st = each(annotations_raw, "annotations", [&](od::object& o, const std::string& where) -> status {
    store::import_annotation a;
    a.ground_truth = true;  // Label Studio's default for imported annotations
    annotator_ref who;
    bool has_result = false;
    status members =
        for_each_member(o, where, [&](std::string_view key, od::value& v, od::json_type t) -> status {
          if (key == "result") {
            has_result = true;
            if (auto s = array_text(v, where + ".result", a.result); !s) return s;
          } else if (key == "completed_by") {
            if (t == od::json_type::null) {
              who.k = annotator_ref::kind::none;
            } else if (t == od::json_type::number) {
              std::int64_t id;
              if (v.get_int64().get(id)) {
                who.k = annotator_ref::kind::invalid;
              } else {
                who.k = annotator_ref::kind::id;
                who.id = id;
              }
            } else if (t == od::json_type::object) {
              od::object co;
              who.k = annotator_ref::kind::no_email;
              if (!v.get_object().get(co)) {
                for (auto cf : co) {
                  std::string_view ck;
                  od::value cv;
                  if (cf.unescaped_key().get(ck) || cf.value().get(cv)) return bad(where + ": invalid JSON");
                  std::string_view email;
                  if (ck == "email" && !cv.get_string().get(email)) {
                    who.k = annotator_ref::kind::email;
                    who.email.assign(email);
                  }
                }
              }
            } else {
              who.k = annotator_ref::kind::invalid;
            }
          } else if ((key == "was_cancelled" || key == "ground_truth") && t != od::json_type::null) {
            auto flag = flag_of(v, t);
            if (!flag) return bad(where + "." + std::string(key) + " must be true or false");
            (key == "was_cancelled" ? a.was_cancelled : a.ground_truth) = *flag;
          } else if (key == "lead_time") {
            a.lead_time = number_of(v);
          } else if (key == "id" && t == od::json_type::number) {
            std::int64_t id;
            if (!v.get_int64().get(id)) a.import_id = id;
          } else if (key == "created_at") {
            a.created_at = time_of(v);
          } else if (key == "updated_at") {
            a.updated_at = time_of(v);
          }
          return status::success();
        });
    if (!members) return members;
    if (!has_result) return bad("Annotation must have \"result\" fields (" + where + ")");
    out.task.annotations.push_back(std::move(a));
    out.annotators.push_back(std::move(who));
    return status::success();
  });
  if (!st) return st;

  st = each(predictions_raw, "predictions", [&](od::object& o, const std::string& where) -> status {
    store::import_prediction p;
    bool has_result = false;
    status members =
        for_each_member(o, where, [&](std::string_view key, od::value& v, od::json_type t) -> status {
          if (key == "result") {
            has_result = true;
            if (auto s = result_text(v, where + ".result", p.result); !s) return s;
          } else if (key == "score") {
            p.score = number_of(v);
          } else if (key == "model_version") {
            std::string_view s;
            if (t == od::json_type::string) {
              if (!v.get_string().get(s)) p.model_version.assign(s);
            } else if (t != od::json_type::null && t != od::json_type::object && t != od::json_type::array) {
              p.model_version.assign(trim(v.raw_json_token()));
            }
          } else if (key == "cluster" && t == od::json_type::number) {
            std::int64_t c;
            if (!v.get_int64().get(c)) p.cluster = c;
          } else if (key == "neighbors" && (t == od::json_type::array || t == od::json_type::object)) {
            std::string_view raw;
            od::array a;
            od::object ob;
            if (t == od::json_type::array ? (v.get_array().get(a) || a.raw_json().get(raw))
                                          : (v.get_object().get(ob) || ob.raw_json().get(raw)))
              return bad(where + ".neighbors: invalid JSON");
            p.neighbors = std::string(raw);
          } else if (key == "mislabeling") {
            p.mislabeling = number_of(v).value_or(0);
          } else if (key == "created_at") {
            p.created_at = time_of(v);
          }
          return status::success();
        });
    if (!members) return members;
    if (!has_result) return bad("Prediction must have \"result\" fields (" + where + ")");
    out.task.predictions.push_back(std::move(p));
    return status::success();
  });
  if (!st) return st;

  return each(drafts_raw, "drafts", [&](od::object& o, const std::string& where) -> status {
    store::import_draft d;
    annotator_ref user;
    status members =
        for_each_member(o, where, [&](std::string_view key, od::value& v, od::json_type t) -> status {
          if (key == "result") {
            if (auto s = array_text(v, where + ".result", d.result); !s) return s;
          } else if (key == "lead_time") {
            d.lead_time = number_of(v);
          } else if (key == "created_at") {
            d.created_at = time_of(v);
          } else if (key == "was_postponed" && t != od::json_type::null) {
            auto flag = flag_of(v, t);
            if (!flag) return bad(where + ".was_postponed must be true or false");
            d.was_postponed = *flag;
          } else if (key == "id" && t == od::json_type::number) {
            std::int64_t id;
            if (!v.get_int64().get(id)) d.import_id = id;
          } else if (key == "annotation" && t == od::json_type::number) {
            std::int64_t id;
            if (!v.get_int64().get(id)) d.annotation_import_id = id;
          } else if (key == "user" || key == "user_id") {
            // str(user), the email, in Label Studio's exports (and Annot's); an id from older files.
            std::string_view email;
            std::int64_t id;
            if (t == od::json_type::string && !v.get_string().get(email)) {
              user.k = annotator_ref::kind::email;
              user.email.assign(email);
            } else if (t == od::json_type::number && !v.get_int64().get(id)) {
              user.k = annotator_ref::kind::id;
              user.id = id;
            }
          }
          return status::success();
        });
    if (!members) return members;
    out.task.drafts.push_back(std::move(d));
    out.draft_users.push_back(std::move(user));
    return status::success();
  });
}

}  // namespace annot::host::imports
