// Python repr()/str() of strings, lists and JSON values, for Label Studio-compatible messages.
#include "config/python_text.hpp"

#include <cstdio>

namespace annot::host::config {

std::string py_repr(std::string_view s) {
  // Python prefers single quotes and switches to double quotes only to avoid escaping.
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out;
  out.reserve(s.size() + 2);
  out += q;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == q || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;  // UTF-8 bytes of printable characters are kept, as Python 3 does
    }
  }
  out += q;
  return out;
}

std::string py_repr(const std::vector<std::string>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ", ";
    out += py_repr(list[i]);
  }
  out += ']';
  return out;
}

namespace {

std::string number_text(const nlohmann::json& v) {
  if (v.is_number_float()) {
    std::string s = v.dump();
    // Python writes inf/nan differently, but JSON has neither; whole floats keep their ".0".
    return s;
  }
  return v.dump();
}

// Deeply nested values are cut off (Python would print them whole, but a message need not be
// megabytes long, and the recursion must stay bounded for hostile input).
constexpr std::size_t max_depth = 32;
constexpr std::size_t max_length = 4096;

void append(std::string& out, const nlohmann::json& v, bool top_level_str, std::size_t depth = 0) {
  if (out.size() > max_length) return;
  if (depth > max_depth) {
    out += "...";
    return;
  }
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "None"; break;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "True" : "False"; break;
    case nlohmann::json::value_t::string:
      out += top_level_str ? v.get_ref<const std::string&>() : py_repr(v.get_ref<const std::string&>());
      break;
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        append(out, e, false, depth + 1);
        if (out.size() > max_length) {
          out += ", ...";
          break;
        }
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += py_repr(it.key());
        out += ": ";
        append(out, it.value(), false, depth + 1);
        if (out.size() > max_length) {
          out += ", ...";
          break;
        }
      }
      out += '}';
      break;
    }
    default: out += number_text(v); break;
  }
}

}  // namespace

std::string py_str(const nlohmann::json& v) {
  std::string out;
  append(out, v, true);
  return out;
}

std::string py_repr_value(const nlohmann::json& v) {
  std::string out;
  append(out, v, false);
  return out;
}

std::string_view py_type(const nlohmann::json& v) noexcept {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "NoneType";
    case nlohmann::json::value_t::boolean: return "bool";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "int";
    case nlohmann::json::value_t::number_float: return "float";
    case nlohmann::json::value_t::string: return "str";
    case nlohmann::json::value_t::array: return "list";
    case nlohmann::json::value_t::object: return "dict";
    default: return "object";
  }
}

}  // namespace annot::host::config
