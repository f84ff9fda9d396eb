// The image config and results the task-side API tests share; the host they run is test_host.hpp.
#pragma once

#include <nlohmann/json.hpp>

#include "test_host.hpp"

namespace annot::host::testing {

// A query-string value percent-encoded (unreserved characters kept).
inline std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += char(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// An image project's config: a box tool with two labels and a single-choice classification.
inline const char* image_config() {
  return R"(<View><Image name="image" value="$image"/>)"
         R"(<RectangleLabels name="label" toName="image"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>)"
         R"(<Choices name="quality" toName="image" choice="single" required="true"><Choice value="good"/><Choice value="bad"/></Choices></View>)";
}

// A valid box result on the image config.
inline json box(double x = 10, const char* label = "Cat") {
  return {{"id", "b1"},
          {"from_name", "label"},
          {"to_name", "image"},
          {"type", "rectanglelabels"},
          {"original_width", 640},
          {"original_height", 480},
          {"image_rotation", 0},
          {"value", {{"x", x}, {"y", 10}, {"width", 20}, {"height", 20}, {"rotation", 0}, {"rectanglelabels", {label}}}}};
}
inline json choice(const char* value = "good") {
  return {{"id", "c1"}, {"from_name", "quality"}, {"to_name", "image"}, {"type", "choices"}, {"value", {{"choices", {value}}}}};
}

}  // namespace annot::host::testing
