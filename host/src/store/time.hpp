// Store timestamps <-> ISO 8601 text as Label Studio writes it ("2021-03-09T22:16:08.728353Z").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/model.hpp"

namespace annot::host::store {

timestamp now();
// UTC with microseconds and a Z: "2021-03-09T22:16:08.728353Z", and without the fraction when it is
// zero ("2021-03-09T22:16:08Z"): Label Studio's API and exports print datetimes with Python's
// isoformat() (Django REST framework's default DATETIME_FORMAT), which leaves a zero fraction out.
std::string to_iso8601(timestamp t);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f{1,9}]]" (also with a space instead of 'T') and an
// optional "Z" or "+HH:MM"/"-HH:MM"/"+HHMM" offset (none = UTC). nullopt when it is not a date.
std::optional<timestamp> parse_iso8601(std::string_view text);

}  // namespace annot::host::store
