// Request values read as Django REST framework's fields read them, so that a body Label Studio's API
// accepts is accepted here too: "lead_time": "2.5", "was_cancelled": "true", "task": "12" (what form
// posts, spreadsheets and loosely typed scripts send). Each returns nullopt for a value the DRF field
// would refuse; the caller words the 400. Templates over nlohmann::json and ordered_json (the routes
// use both), instantiated for those two in drf_values.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace annot::host::api::drf {

// BooleanField: true/false, 1/0 (also 1.0/0.0), and the strings t/f, y/n, yes/no, true/false, on/off,
// 1/0 in DRF's spellings (lower, Capitalised, UPPER).
template <class Json>
std::optional<bool> as_bool(const Json& v);

// IntegerField: an integer, a float with no fraction, or a string of one (surrounding blanks and a
// trailing ".0" allowed, as int() after DRF's decimal strip).
template <class Json>
std::optional<std::int64_t> as_int(const Json& v);

// FloatField: a number or a string float() reads (blanks around it allowed). Non-finite values are
// refused: they would be stored and then printed as invalid JSON.
template <class Json>
std::optional<double> as_float(const Json& v);

// PrimaryKeyRelatedField: a positive id as an integer, a float with no fraction or a string of digits;
// never a boolean (DRF refuses them by type).
template <class Json>
std::optional<std::int64_t> as_pk(const Json& v);

// CharField: a string, or a number taken as its text; null gives "" when `null_ok`.
template <class Json>
std::optional<std::string> as_string(const Json& v, bool null_ok);

// The Python type name DRF's messages use for the value: str, int, float, bool, list, dict, NoneType.
template <class Json>
const char* python_type(const Json& v);

}  // namespace annot::host::api::drf
