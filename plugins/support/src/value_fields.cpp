// The field-table check of result values and the number wording shared by the data-type plugins.
#include "annot_plugin_support/value_fields.hpp"

#include <charconv>
#include <cmath>

namespace annot::plugins::support {

std::string number_text(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

std::string_view kind_article(json_kind k) noexcept {
  switch (k) {
    case json_kind::integer:
    case json_kind::number:
      return "a number";
    case json_kind::string:
      return "a string";
    case json_kind::array:
      return "an array";
    case json_kind::object:
      return "an object";
    case json_kind::boolean:
      return "a boolean";
    case json_kind::null:
      return "null";
    case json_kind::missing:
      return "nothing";
  }
  return "something else";
}

std::string_view type_article(field_type t) noexcept {
  switch (t) {
    case field_type::boolean:
      return "true or false";
    case field_type::integer:
      return "an integer";
    case field_type::number:
      return "a number";
    case field_type::array:
      return "an array";
    case field_type::object:
      return "an object";
    default:
      return "a string";
  }
}

bool type_fits(field_type t, json_ref v) noexcept {
  switch (t) {
    case field_type::boolean:
      return v.is_bool();
    case field_type::integer:
      return v.is_integer() || (v.is_number() && std::floor(v.as_number()) == v.as_number());
    case field_type::number:
      return v.is_number();
    case field_type::array:
      return v.is_array();
    case field_type::object:
      return v.is_object();
    case field_type::any:
      return true;
    default:
      return v.is_string();
  }
}

void check_value_fields(const field_table& fields, json_ref value, issue_sink& out) {
  for (const auto& f : fields) {
    json_ref v = value.get(f.name);
    std::string path = path_join("value", f.name);
    if (!v.exists()) {
      if (f.required) out.add(severity::error, path, "is missing");
      continue;
    }
    if (!type_fits(f.type, v)) {
      out.add(
          severity::error, path,
          "expects " + std::string(type_article(f.type)) + ", got " + std::string(kind_article(v.kind())));
      continue;
    }
    if (v.is_number() && std::isfinite(v.as_number())) {
      double d = v.as_number();
      if (f.min && d < *f.min)
        out.add(severity::rule_break, path,
                "is " + number_text(d) + ", below the minimum " + number_text(*f.min));
      if (f.max && d > *f.max)
        out.add(severity::rule_break, path,
                "is " + number_text(d) + ", above the maximum " + number_text(*f.max));
    }
  }
}

}  // namespace annot::plugins::support
