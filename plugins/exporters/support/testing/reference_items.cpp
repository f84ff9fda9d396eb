// Reference implementation (tests only): item expansion (spec §1.4) and prettify (§2.2) over json documents.
#include "reference_items.hpp"

#include <algorithm>
#include <string>

namespace annot::plugins::export_support::reference {
namespace {

bool truthy(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return j.get<bool>();
    case json::value_t::number_integer: return j.get<std::int64_t>() != 0;
    case json::value_t::number_unsigned: return j.get<std::uint64_t>() != 0;
    case json::value_t::number_float: return j.get<double>() != 0;
    case json::value_t::string: return !j.get_ref<const std::string&>().empty();  // empty() is false for any scalar
    case json::value_t::array:
    case json::value_t::object: return !j.empty();
    default: return false;
  }
}

const json& member_or(const json& o, const char* key, const json& fallback) {
  auto it = o.find(key);
  return it == o.end() ? fallback : *it;
}

const json null_value;
const json empty_object = json::object();

}  // namespace

std::int64_t task_id_of(const json& task) {
  if (!task.is_object()) return 0;
  auto it = task.find("id");
  if (it == task.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

task_fate expand(const json& task, const schema& s, std::vector<item>& out) {
  out.clear();
  if (!task.is_object()) return task_fate::not_a_task;
  const json* annotations = nullptr;
  if (auto it = task.find("annotations"); it != task.end()) annotations = &*it;
  else if (auto legacy = task.find("completions"); legacy != task.end()) annotations = &*legacy;
  if (!annotations) return task_fate::no_annotations_key;

  const std::int64_t id = task_id_of(task);
  const json* data = &empty_object;
  if (auto d = task.find("data"); d != task.end()) data = &*d;
  const json* agreement = nullptr;
  if (auto a = task.find("agreement"); a != task.end()) agreement = &*a;

  auto base = [&]() {
    item it;
    it.task_id = id;
    it.task = &task;
    it.input = data;
    if (agreement) {
      it.has_agreement = true;
      it.agreement = *agreement;
    }
    return it;
  };

  if (!annotations->is_array() || annotations->empty()) {
    // `annotations: []` (or a non-list): one item with empty output.
    out.push_back(base());
    return task_fate::items;
  }

  std::vector<const json*> live;
  for (auto& a : *annotations) {
    if (!a.is_object()) continue;
    if (truthy(member_or(a, "was_cancelled", null_value)) || truthy(member_or(a, "skipped", null_value))) continue;
    live.push_back(&a);
  }
  if (live.empty()) return task_fate::all_cancelled;

  // Newest first by the ISO text; a missing created_at is the oldest (stable among equals).
  std::stable_sort(live.begin(), live.end(), [](const json* a, const json* b) {
    auto ca = a->find("created_at"), cb = b->find("created_at");
    bool ha = ca != a->end() && ca->is_string(), hb = cb != b->end() && cb->is_string();
    if (ha != hb) return ha;
    if (!ha) return false;
    return ca->get_ref<const std::string&>() > cb->get_ref<const std::string&>();
  });

  static const std::string no_text;
  auto text_of = [](const json& r, const char* key) -> const std::string& {
    auto f = r.find(key);
    return f != r.end() && f->is_string() ? f->get_ref<const std::string&>() : no_text;
  };
  for (const json* a : live) {
    item it = base();
    it.annotation = a;
    auto take = [&](const char* key, json& to) {
      auto f = a->find(key);
      to = f == a->end() ? json(nullptr) : *f;
    };
    take("completed_by", it.completed_by);
    take("id", it.annotation_id);
    take("created_at", it.created_at);
    take("updated_at", it.updated_at);
    take("lead_time", it.lead_time);
    take("history", it.history);
    auto results = a->find("result");
    if (results != a->end() && results->is_array()) {
      for (const auto& r : *results) {
        if (!r.is_object()) continue;
        const std::string& type = text_of(r, "type");
        const std::string& from = text_of(r, "from_name");
        const schema_control* c = s.find(from);
        if (!c && type != "chatmessage") continue;
        auto v = r.find("value");
        json value = v != r.end() && v->is_object() ? *v : json::object();
        value["type"] = c ? c->type : type;
        if (auto w = r.find("original_width"); w != r.end()) value["original_width"] = *w;
        if (auto h = r.find("original_height"); h != r.end()) value["original_height"] = *h;
        auto slot = it.output.find(from);
        if (slot == it.output.end()) {
          it.output[from] = json::array();
          slot = it.output.find(from);
        }
        slot->push_back(std::move(value));
      }
    }
    out.push_back(std::move(it));
  }
  return task_fate::items;
}

json annotator_of(const item& it) {
  if (!it.annotation) return nullptr;
  const json& c = it.completed_by;
  if (c.is_number_integer() || c.is_number_unsigned()) return c;
  if (c.is_object()) {
    auto e = c.find("email");
    return e == c.end() ? json(nullptr) : *e;
  }
  return nullptr;
}

namespace {

std::string type_of(const json& v) {
  auto t = v.find("type");
  return t != v.end() && t->is_string() ? t->get<std::string>() : std::string();
}

}  // namespace

json prettify(const json& group) {
  json out = json::array();
  std::string last_type;
  if (!group.is_array()) return out;
  for (const auto& v : group) {
    if (!v.is_object()) {
      out.push_back(v);
      continue;
    }
    json j = v;
    last_type = type_of(j);
    j.erase("type");
    auto one_of = [&](const char* key) -> json* {
      auto it = j.find(key);
      return it != j.end() && it->is_array() && it->size() == 1 ? &(*it)[0] : nullptr;
    };
    if (last_type == "Choices" && one_of("choices")) {
      out.push_back(*one_of("choices"));
    } else if (last_type == "TextArea" && one_of("text")) {
      out.push_back(*one_of("text"));
    } else if ((last_type == "Chat" || last_type == "chatmessage") && j.contains("chatmessage")) {
      out.push_back(j["chatmessage"]);
    } else {
      out.push_back(std::move(j));
    }
  }
  if ((last_type == "Choices" || last_type == "TextArea") && out.size() == 1) return out[0];
  return out;
}

}  // namespace annot::plugins::export_support::reference
