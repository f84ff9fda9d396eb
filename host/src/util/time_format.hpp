// Timestamps as Label Studio writes them: ISO 8601 in UTC with microseconds and a Z.
#pragma once

#include <chrono>
#include <string>

namespace annot::host::util {

std::string iso8601(std::chrono::system_clock::time_point t);

}  // namespace annot::host::util
