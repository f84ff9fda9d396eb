// prettify (spec §2.2).
#include "export_support/prettify.hpp"

#include <type_traits>

namespace annot::plugins::export_support {
namespace {

std::string type_of(const json& v) {
  auto t = v.find("type");
  return t != v.end() && t->is_string() ? t->get<std::string>() : std::string();
}

bool is_chat_type(const std::string& t) { return t == "Chat" || t == "chatmessage"; }

}  // namespace

namespace {

// Group is `const json` (values copied) or `json` (values moved out).
template <class Group>
json prettify_impl(Group& group) {
  constexpr bool moving = !std::is_const_v<Group>;
  json out = json::array();
  std::string last_type;
  if (!group.is_array()) return out;
  for (auto& v : group) {
    if (!v.is_object()) {
      out.push_back(v);
      continue;
    }
    json j;
    if constexpr (moving)
      j = std::move(v);
    else
      j = v;
    last_type = type_of(j);
    j.erase("type");
    auto one_of = [&](const char* key) -> json* {
      auto it = j.find(key);
      return it != j.end() && it->is_array() && it->size() == 1 ? &(*it)[0] : nullptr;
    };
    if (last_type == "Choices" && one_of("choices")) {
      out.push_back(std::move(*one_of("choices")));
    } else if (last_type == "TextArea" && one_of("text")) {
      out.push_back(std::move(*one_of("text")));
    } else if (is_chat_type(last_type) && j.contains("chatmessage")) {
      out.push_back(std::move(j["chatmessage"]));
    } else {
      out.push_back(std::move(j));
    }
  }
  if ((last_type == "Choices" || last_type == "TextArea") && out.size() == 1) return std::move(out[0]);
  return out;
}

}  // namespace

json prettify(const json& group) { return prettify_impl(group); }

json prettify(json&& group) { return prettify_impl(group); }

bool is_chat_group(const json& group) {
  if (!group.is_array()) return false;
  for (const auto& v : group)
    if (v.is_object() && is_chat_type(type_of(v))) return true;
  return false;
}

std::string chat_transcript(const json& group) {
  std::string out;
  bool first = true;
  for (const auto& v : group) {
    if (!v.is_object() || !v.contains("chatmessage")) continue;
    const json& m = v["chatmessage"];
    if (!m.is_object()) continue;
    if (!first) out.push_back('\n');
    first = false;
    auto text = [&](const char* key) {
      auto it = m.find(key);
      if (it == m.end() || it->is_null()) return std::string();
      return it->is_string() ? it->get<std::string>() : python_str(*it);
    };
    out += text("role") + ": " + text("content");
  }
  return out;
}

}  // namespace annot::plugins::export_support
