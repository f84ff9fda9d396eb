// Field checks for attribute tables and region value keys.
#include "config/fields.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace annot::host::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

bool parse_integer(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  out = static_cast<double>(v);
  return true;
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  out += '\'';
  return out;
}

std::string number_text(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// The CSS Color Module level 4 named colours, sorted for binary search.
constexpr std::array<std::string_view, 150> css_names = {
    "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black", "blanchedalmond",
    "blue", "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse", "chocolate", "coral",
    "cornflowerblue", "cornsilk", "crimson", "currentcolor", "cyan", "darkblue", "darkcyan", "darkgoldenrod",
    "darkgray", "darkgreen", "darkgrey", "darkkhaki", "darkmagenta", "darkolivegreen", "darkorange",
    "darkorchid", "darkred", "darksalmon", "darkseagreen", "darkslateblue", "darkslategray", "darkslategrey",
    "darkturquoise", "darkviolet", "deeppink", "deepskyblue", "dimgray", "dimgrey", "dodgerblue", "firebrick",
    "floralwhite", "forestgreen", "fuchsia", "gainsboro", "ghostwhite", "gold", "goldenrod", "gray", "green",
    "greenyellow", "grey", "honeydew", "hotpink", "indianred", "indigo", "ivory", "khaki", "lavender",
    "lavenderblush", "lawngreen", "lemonchiffon", "lightblue", "lightcoral", "lightcyan",
    "lightgoldenrodyellow", "lightgray", "lightgreen", "lightgrey", "lightpink", "lightsalmon",
    "lightseagreen", "lightskyblue", "lightslategray", "lightslategrey", "lightsteelblue", "lightyellow",
    "lime", "limegreen", "linen", "magenta", "maroon", "mediumaquamarine", "mediumblue", "mediumorchid",
    "mediumpurple", "mediumseagreen", "mediumslateblue", "mediumspringgreen", "mediumturquoise",
    "mediumvioletred", "midnightblue", "mintcream", "mistyrose", "moccasin", "navajowhite", "navy", "oldlace",
    "olive", "olivedrab", "orange", "orangered", "orchid", "palegoldenrod", "palegreen", "paleturquoise",
    "palevioletred", "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue", "purple",
    "rebeccapurple", "red", "rosybrown", "royalblue", "saddlebrown", "salmon", "sandybrown", "seagreen",
    "seashell", "sienna", "silver", "skyblue", "slateblue", "slategray", "slategrey", "snow", "springgreen",
    "steelblue", "tan", "teal", "thistle", "tomato", "transparent", "turquoise", "violet", "wheat", "white",
    "whitesmoke", "yellow", "yellowgreen"};

}  // namespace

bool is_css_color(std::string_view text) noexcept {
  std::string_view s = trim(text);
  if (s.empty() || s.size() > 64) return false;
  if (s.front() == '#') {
    auto hex = s.substr(1);
    if (hex.size() != 3 && hex.size() != 4 && hex.size() != 6 && hex.size() != 8) return false;
    return std::all_of(hex.begin(), hex.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
  }
  char low[65];
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view l(low, s.size());
  for (std::string_view fn : {"rgb(", "rgba(", "hsl(", "hsla("})
    if (l.substr(0, fn.size()) == fn) return l.back() == ')';
  return std::binary_search(css_names.begin(), css_names.end(), l);
}

const annot::field_spec* find_field(const annot::field_table& table, std::string_view name) noexcept {
  for (const auto& f : table)
    if (annot::iequals(f.name, name)) return &f;
  return nullptr;
}

std::string_view type_name(annot::field_type t) noexcept {
  switch (t) {
    case annot::field_type::string: return "string";
    case annot::field_type::boolean: return "boolean";
    case annot::field_type::integer: return "integer";
    case annot::field_type::number: return "number";
    case annot::field_type::enumeration: return "enumeration";
    case annot::field_type::color: return "color";
    case annot::field_type::css: return "css";
    case annot::field_type::name_ref: return "name_ref";
    case annot::field_type::name_list: return "name_list";
    case annot::field_type::array: return "array";
    case annot::field_type::object: return "object";
    case annot::field_type::any: return "any";
  }
  return "unknown";
}

std::string describe_type(const annot::field_spec& f) {
  std::string out;
  switch (f.type) {
    case annot::field_type::boolean: out = "true or false"; break;
    case annot::field_type::integer: out = "an integer"; break;
    case annot::field_type::number: out = "a number"; break;
    case annot::field_type::color: out = "a CSS colour"; break;
    case annot::field_type::array: out = "an array"; break;
    case annot::field_type::object: out = "an object"; break;
    case annot::field_type::enumeration: {
      out = "one of: ";
      for (std::size_t i = 0; i < f.allowed.size(); ++i) {
        if (i) out += ", ";
        out += f.allowed[i];
      }
      return out;
    }
    case annot::field_type::name_ref: out = "the name of a tag"; break;
    case annot::field_type::name_list: out = "comma-separated tag names"; break;
    default: out = "a string"; break;
  }
  if ((f.type == annot::field_type::integer || f.type == annot::field_type::number) && (f.min || f.max)) {
    if (f.min && f.max)
      out += " from " + number_text(*f.min) + " to " + number_text(*f.max);
    else if (f.min)
      out += " of at least " + number_text(*f.min);
    else
      out += " of at most " + number_text(*f.max);
  }
  if (f.type != annot::field_type::enumeration && !f.allowed.empty()) {
    out += " (or ";
    for (std::size_t i = 0; i < f.allowed.size(); ++i) {
      if (i) out += ", ";
      out += f.allowed[i];
    }
    out += ')';
  }
  return out;
}

std::string check_attribute_text(const annot::field_spec& f, std::string_view text) {
  if (f.variable_allowed && !text.empty() && text.front() == '$') return {};
  if (f.type != annot::field_type::enumeration)
    for (const auto& a : f.allowed)
      if (a == text) return {};
  auto fail = [&] { return "expects " + describe_type(f) + ", got " + quoted(text); };
  switch (f.type) {
    case annot::field_type::boolean: {
      auto t = trim(text);
      return (annot::iequals(t, "true") || annot::iequals(t, "false")) ? std::string() : fail();
    }
    case annot::field_type::integer:
    case annot::field_type::number: {
      double d = 0;
      bool ok = f.type == annot::field_type::integer ? parse_integer(text, d) : parse_number(text, d);
      if (!ok) return fail();
      if ((f.min && d < *f.min) || (f.max && d > *f.max)) return fail();
      return {};
    }
    case annot::field_type::enumeration:
      for (const auto& a : f.allowed)
        if (a == text) return {};
      return fail();
    case annot::field_type::color: return is_css_color(text) ? std::string() : fail();
    default: return {};
  }
}

std::string check_json_type(const annot::field_spec& f, annot::json_ref v) {
  using annot::field_type;
  using annot::json_kind;
  json_kind k = v.kind();
  bool ok = true;
  switch (f.type) {
    case field_type::boolean: ok = k == json_kind::boolean; break;
    case field_type::integer:
      ok = k == json_kind::integer || (k == json_kind::number && std::floor(v.as_number()) == v.as_number());
      break;
    case field_type::number: ok = k == json_kind::integer || k == json_kind::number; break;
    case field_type::enumeration:
    case field_type::string:
    case field_type::color:
    case field_type::css:
    case field_type::name_ref:
    case field_type::name_list: ok = k == json_kind::string; break;
    case field_type::array: ok = k == json_kind::array; break;
    case field_type::object: ok = k == json_kind::object; break;
    case field_type::any: ok = true; break;
  }
  if (ok) return {};
  return "expects " + describe_type(f) + ", got " + (k == json_kind::integer || k == json_kind::number
                                                         ? std::string("a number")
                                                         : "a value of type " + std::string(annot::to_string(k)));
}

std::string check_json_range(const annot::field_spec& f, annot::json_ref v) {
  if (f.type == annot::field_type::enumeration && v.is_string()) {
    for (const auto& a : f.allowed)
      if (a == v.as_string()) return {};
    return "is " + quoted(v.as_string()) + ", expected " + describe_type(f);
  }
  if (!v.is_number()) return {};
  double d = v.as_number();
  if (f.min && d < *f.min) return "is " + number_text(d) + ", below the minimum " + number_text(*f.min);
  if (f.max && d > *f.max) return "is " + number_text(d) + ", above the maximum " + number_text(*f.max);
  return {};
}

}  // namespace annot::host::config
