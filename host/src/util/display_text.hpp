// Display texts Label Studio's serializers derive from stored fields, shared by the API's JSON and the
// export serializer so both spell them alike.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace annot::host::util {

// AnnotationSerializer.get_created_username: "First Last email, id", the space before the last name
// only when there is one ("First email, id"; " email, id", with its leading space, without names).
std::string created_username(std::string_view first_name, std::string_view last_name, std::string_view email,
                             std::int64_t id);
// AnnotationDraftSerializer.get_created_username: the same but for a user without names, where the
// draft's form has no leading space ("email, id").
std::string draft_created_username(std::string_view first_name, std::string_view last_name,
                                   std::string_view email, std::int64_t id);

// Django's timesince (4.1 and later), as Label Studio's created_ago: years and months by the calendar,
// then weeks, days, hours and minutes; the first unit that is not zero and the next one when it is not
// zero either, with no-break spaces: "4\u00a0days, 1\u00a0hour", "2\u00a0weeks", "0\u00a0minutes" (under a
// minute, or a `then` in the future). UTC.
std::string time_since(std::chrono::system_clock::time_point then, std::chrono::system_clock::time_point now);

}  // namespace annot::host::util
