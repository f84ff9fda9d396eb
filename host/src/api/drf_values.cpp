#include "api/drf_values.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

namespace annot::host::api::drf {
namespace {

std::string_view trim(std::string_view s) {
  const char* blanks = " \t\r\n\f\v";
  auto b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

// int(): an optional sign and decimal digits, blanks around.
std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::optional<std::int64_t> integral(double d) {
  // 2^63 is the first double beyond int64's range.
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) >= 9223372036854775808.0) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

}  // namespace

template <class Json>
std::optional<bool> as_bool(const Json& v) {
  if (v.is_boolean()) return v.template get<bool>();
  if (v.is_number()) {
    double d = v.template get<double>();
    if (d == 1) return true;
    if (d == 0) return false;
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.template get_ref<const std::string&>();
  for (std::string_view t :
       {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"})
    if (s == t) return true;
  for (std::string_view f :
       {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"})
    if (s == f) return false;
  return std::nullopt;
}

template <class Json>
std::optional<std::int64_t> as_int(const Json& v) {
  if (v.is_boolean()) return std::nullopt;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.template get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      return std::nullopt;
    return v.template get<std::int64_t>();
  }
  if (v.is_number_float()) return integral(v.template get<double>());
  if (!v.is_string()) return std::nullopt;
  std::string_view s = trim(v.template get_ref<const std::string&>());
  // DRF strips a trailing ".0..." before int().
  if (auto dot = s.rfind('.');
      dot != std::string_view::npos && s.find_first_not_of('0', dot + 1) == std::string_view::npos)
    s = s.substr(0, dot);
  return parse_int(s);
}

template <class Json>
std::optional<double> as_float(const Json& v) {
  double d = 0;
  if (v.is_number()) {
    d = v.template get<double>();
  } else if (v.is_string()) {
    std::string_view s = trim(v.template get_ref<const std::string&>());
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

template <class Json>
std::optional<std::int64_t> as_pk(const Json& v) {
  std::optional<std::int64_t> id;
  if (v.is_number_integer() &&
      !(v.is_number_unsigned() && v.template get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)))
    id = v.template get<std::int64_t>();
  else if (v.is_number_float())
    id = integral(v.template get<double>());
  else if (v.is_string())
    id = parse_int(v.template get_ref<const std::string&>());
  if (id && *id <= 0) return std::nullopt;
  return id;
}

template <class Json>
std::optional<std::string> as_string(const Json& v, bool null_ok) {
  if (v.is_string()) return v.template get<std::string>();
  if (v.is_number()) return v.dump();
  if (v.is_null() && null_ok) return std::string();
  return std::nullopt;
}

template <class Json>
const char* python_type(const Json& v) {
  if (v.is_string()) return "str";
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int";
  if (v.is_number_float()) return "float";
  if (v.is_array()) return "list";
  if (v.is_object()) return "dict";
  return "NoneType";
}

#define ANNOT_DRF_INSTANTIATE(J)                                            \
  template std::optional<bool> as_bool<J>(const J&);                        \
  template std::optional<std::int64_t> as_int<J>(const J&);                 \
  template std::optional<double> as_float<J>(const J&);                     \
  template std::optional<std::int64_t> as_pk<J>(const J&);                  \
  template std::optional<std::string> as_string<J>(const J&, bool null_ok); \
  template const char* python_type<J>(const J&);
ANNOT_DRF_INSTANTIATE(nlohmann::json)
ANNOT_DRF_INSTANTIATE(nlohmann::ordered_json)
#undef ANNOT_DRF_INSTANTIATE

}  // namespace annot::host::api::drf
