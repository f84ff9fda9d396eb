// Reference implementation (tests only): simdjson's DOM converted to trimmed nlohmann values.
#include "reference_task_reader.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace annot::plugins::export_support::reference {
namespace {

namespace dom = simdjson::dom;

bool kept_task_key(std::string_view k) {
  return k == "id" || k == "data" || k == "annotations" || k == "completions" || k == "agreement";
}

bool kept_annotation_key(std::string_view k) {
  return k == "id" || k == "completed_by" || k == "result" || k == "was_cancelled" || k == "skipped" ||
         k == "created_at" || k == "updated_at" || k == "lead_time" || k == "history";
}

using key_filter = bool (*)(std::string_view);

void convert(dom::element e, json& out);

// An object's members in order (only those `keep` accepts, when given); a repeated key keeps its
// first place and its last value, as nlohmann's parser does (operator[] then assignment).
void convert_object(dom::object o, json& out, key_filter keep) {
  out = json::object();
  // One allocation for the members (the object is a vector underneath), with room for the three keys item
  // expansion adds to a result's value ("type", "original_width", "original_height"): ordered_map's members have
  // const keys, so a vector that grows copies them, values and all.
  auto& members = out.get_ref<json::object_t&>();
  members.reserve(keep ? 10 : std::min<std::size_t>(o.size() + 3, 256));
  for (dom::key_value_pair kv : o) {
    if (keep && !keep(kv.key)) continue;
    json* slot = nullptr;
    for (auto& m : members)
      if (m.first == kv.key) {
        slot = &m.second;
        break;
      }
    if (!slot) slot = &members.emplace_back(std::string(kv.key), nullptr).second;
    convert(kv.value, *slot);
  }
}

void convert(dom::element e, json& out) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      dom::array a(e);
      out = json::array();
      auto& v = out.get_ref<json::array_t&>();
      v.reserve(std::min<std::size_t>(a.size(), 4096));
      for (dom::element x : a) {
        v.emplace_back();
        convert(x, v.back());
      }
      return;
    }
    case dom::element_type::OBJECT:
      convert_object(dom::object(e), out, nullptr);
      return;
    case dom::element_type::INT64: {
      auto i = std::int64_t(e);
      // nlohmann: a token without '-' is unsigned ("-0" would be signed, and prints the same).
      if (i >= 0)
        out = static_cast<std::uint64_t>(i);
      else
        out = i;
      return;
    }
    case dom::element_type::UINT64:
      out = std::uint64_t(e);
      return;
    case dom::element_type::DOUBLE:
      out = double(e);
      return;
    case dom::element_type::STRING:
      out = std::string(std::string_view(e));
      return;
    case dom::element_type::BOOL:
      out = bool(e);
      return;
    case dom::element_type::NULL_VALUE:
      out = nullptr;
      return;
  }
}

}  // namespace

struct task_reader::impl {
  dom::parser parser;
};

task_reader::task_reader() : impl_(std::make_unique<impl>()) {}
task_reader::~task_reader() = default;

namespace {

bool fallback(std::string_view text, json& out) {
  out = json::parse(text.begin(), text.end(), nullptr, false);
  if (out.is_discarded()) {
    out = nullptr;
    return false;
  }
  return true;
}

}  // namespace

bool task_reader::parse(std::string_view text, json& out) {
  dom::element doc;
  if (impl_->parser.parse(text.data(), text.size(), true).get(doc) != simdjson::SUCCESS) {
    if (!fallback(text, out)) return false;
    // Same trimming on the slow path, so both paths give the same document.
    if (out.is_object()) {
      json trimmed = json::object();
      for (auto it = out.begin(); it != out.end(); ++it) {
        if (!kept_task_key(it.key())) continue;
        json& v = trimmed[it.key()];
        v = std::move(it.value());
        if ((it.key() == "annotations" || it.key() == "completions") && v.is_array())
          for (json& a : v) {
            if (!a.is_object()) continue;
            json ta = json::object();
            for (auto k = a.begin(); k != a.end(); ++k)
              if (kept_annotation_key(k.key())) ta[k.key()] = std::move(k.value());
            a = std::move(ta);
          }
      }
      out = std::move(trimmed);
    }
    return true;
  }
  if (doc.type() != dom::element_type::OBJECT) {
    convert(doc, out);
    return true;
  }
  // Both annotation lists get the annotation filter; a task with both is not one Label Studio
  // writes, and only the first found is read.
  out = json::object();
  // Room for every kept key: ordered_map's members have const keys, so growing the vector would copy (not move)
  // the annotations already converted.
  out.get_ref<json::object_t&>().reserve(5);
  for (dom::key_value_pair kv : dom::object(doc)) {
    if (!kept_task_key(kv.key)) continue;
    json& slot = out[std::string(kv.key)];
    if ((kv.key == "annotations" || kv.key == "completions") && kv.value.type() == dom::element_type::ARRAY) {
      slot = json::array();
      auto& v = slot.get_ref<json::array_t&>();
      for (dom::element a : dom::array(kv.value)) {
        v.emplace_back();
        if (a.type() == dom::element_type::OBJECT)
          convert_object(dom::object(a), v.back(), kept_annotation_key);
        else
          convert(a, v.back());
      }
      continue;
    }
    convert(kv.value, slot);
  }
  return true;
}

}  // namespace annot::plugins::export_support::reference
