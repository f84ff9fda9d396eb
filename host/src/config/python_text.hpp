// Python-style text of values, so messages read exactly as Label Studio's server writes them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace annot::host::config {

// repr() of a Python str: 'abc', "it's", with Python's escapes.
std::string py_repr(std::string_view s);
// repr() of a list of str: ['a', 'b'].
std::string py_repr(const std::vector<std::string>& list);
// str() of the Python value json.loads would give: strings bare, lists/dicts with repr'd items,
// True/False/None.
std::string py_str(const nlohmann::json& v);
// repr() of the same value (strings quoted).
std::string py_repr_value(const nlohmann::json& v);
// Python's type name of that value: str, int, float, bool, list, dict, NoneType.
std::string_view py_type(const nlohmann::json& v) noexcept;

}  // namespace annot::host::config
