// Image region geometries and their checks, shared by every image tool and by Labels on Image.
#include "image_common.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "rle_pack.hpp"

namespace annot::plugins::image {

// ---- Attribute rows ---------------------------------------------------------------------------

field_table tool_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element"},
      {.name = "toName", .type = field_type::name_list, .required = true,
       .description = "Name of the Image to label"},
  };
}

field_table labels_attributes() {
  return {
      {.name = "choice", .type = field_type::enumeration, .default_value = "single", .allowed = {"single", "multiple"},
       .description = "Whether one or several labels can be selected for a region"},
      {.name = "maxUsages", .type = field_type::integer, .description = "How many times a label may be used per task",
       .min = 0},
      {.name = "showInline", .type = field_type::boolean, .default_value = "true",
       .description = "Show the labels on one line"},
      {.name = "value", .description = "Task data field holding the labels to show (dynamic labels), as \"$key\"",
       .variable_allowed = true},
      {.name = "groupDepth", .type = field_type::integer, .description = "Depth of label groups to show", .min = 0},
  };
}

field_table style_attributes(std::string_view opacity, std::string_view fill, std::string_view stroke,
                             std::string_view stroke_width) {
  return {
      {.name = "opacity", .type = field_type::number, .default_value = std::string(opacity),
       .description = "Opacity of the region, from 0 to 1", .min = 0, .max = 1},
      {.name = "fillColor", .type = field_type::color, .default_value = std::string(fill),
       .description = "Fill colour of the region"},
      {.name = "strokeColor", .type = field_type::color, .default_value = std::string(stroke),
       .description = "Outline colour of the region"},
      {.name = "strokeWidth", .type = field_type::number, .default_value = std::string(stroke_width),
       .description = "Width of the outline, in pixels", .min = 0},
      {.name = "fillOpacity", .type = field_type::number, .description = "Opacity of the fill, from 0 to 1", .min = 0,
       .max = 1},
  };
}

field_table smart_attributes() {
  return {
      {.name = "smart", .type = field_type::boolean,
       .description = "Offer the smart variant of the tool for interactive pre-annotation"},
      {.name = "smartOnly", .type = field_type::boolean, .description = "Offer only the smart variant of the tool"},
  };
}

field_spec snap_attribute() {
  return {.name = "snap", .type = field_type::enumeration, .default_value = "none", .allowed = {"pixel", "none"},
          .description = "Snap points to image pixels"};
}

void append(field_table& to, const field_table& rows) {
  for (const auto& row : rows) {
    bool present = false;
    for (const auto& have : to) present = present || iequals(have.name, row.name);
    if (!present) to.push_back(row);
  }
}

// ---- Helpers ----------------------------------------------------------------------------------

std::optional<double> number_attribute(const config_tag& tag, std::string_view name) noexcept {
  auto text = tag.attribute(name);
  if (!text) return std::nullopt;
  std::string_view s = *text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

namespace {

using support::kind_article;
using support::type_article;
using support::type_fits;

// At most this many issues per list (points, vertices, rle bytes): a 10,000-point polygon that is
// all wrong says so in a few lines, not 10,000.
constexpr std::size_t max_list_issues = 10;

// A finite number in [lo, hi]; reports "not a number" (error), non-finite (error), out of range
// (rule break). Returns whether it was a finite number.
bool check_percent(json_ref v, const std::string& path, issue_sink& out, double lo = 0, double hi = 100) {
  if (!v.is_number()) {
    out.add(severity::error, path, std::string("expects a number, got ") + std::string(kind_article(v.kind())));
    return false;
  }
  double d = v.as_number();
  if (!std::isfinite(d)) {
    out.add(severity::error, path, "is not a finite number");
    return false;
  }
  if (d < lo) out.add(severity::rule_break, path, "is " + number_text(d) + ", below the minimum " + number_text(lo));
  if (d > hi) out.add(severity::rule_break, path, "is " + number_text(d) + ", above the maximum " + number_text(hi));
  return true;
}

// A size (width, height, radius): negative is unusable (error), zero an empty region (rule break).
void check_size(json_ref value, std::string_view key, std::string_view shape, issue_sink& out) {
  json_ref v = value.get(key);
  if (!v.is_number()) return;
  double d = v.as_number();
  if (d > 0 || !std::isfinite(d)) return;  // non-finite: check_finite_fields reports it
  if (d < 0) {
    out.add(severity::error, path_join("value", key),
            "is " + number_text(d) + ": a " + std::string(shape) + "'s " + std::string(key) + " cannot be negative");
  } else {
    out.add(severity::rule_break, path_join("value", key), "is 0: the " + std::string(shape) + " is empty");
  }
}

// Non-finite numbers in the declared numeric keys (value_fields only checks the JSON type).
void check_finite_fields(geometry g, json_ref value, issue_sink& out) {
  for (const auto& f : geometry_fields(g)) {
    if (f.type != field_type::number && f.type != field_type::integer) continue;
    json_ref v = value.get(f.name);
    if (v.is_number() && !std::isfinite(v.as_number()))
      out.add(severity::error, path_join("value", f.name), "is not a finite number");
  }
}

field_table make_fields(geometry g) {
  auto pct = [](const char* name, const char* what, bool required) {
    return field_spec{.name = name, .type = field_type::number, .required = required,
                      .description = what, .min = 0, .max = 100};
  };
  auto rotation = field_spec{.name = "rotation", .type = field_type::number, .default_value = "0",
                             .description = "Rotation in degrees, clockwise", .min = 0, .max = 360};
  switch (g) {
    case geometry::rectangle:
      return {pct("x", "Left edge, percent of the image width (before rotation, around the top-left corner)", true),
              pct("y", "Top edge, percent of the image height", true),
              {.name = "width", .type = field_type::number, .required = true,
               .description = "Width, percent of the image width; more than 0", .max = 100},
              {.name = "height", .type = field_type::number, .required = true,
               .description = "Height, percent of the image height; more than 0", .max = 100},
              rotation};
    case geometry::ellipse:
      return {pct("x", "Centre, percent of the image width", true), pct("y", "Centre, percent of the image height", true),
              {.name = "radiusX", .type = field_type::number, .required = true,
               .description = "Horizontal radius, percent of the image width; more than 0", .max = 100},
              {.name = "radiusY", .type = field_type::number, .required = true,
               .description = "Vertical radius, percent of the image height; more than 0", .max = 100},
              rotation};
    case geometry::keypoint:
      return {pct("x", "Horizontal position, percent of the image width", true),
              pct("y", "Vertical position, percent of the image height", true),
              {.name = "width", .type = field_type::number, .description = "Point size, percent of the image width",
               .max = 100}};
    case geometry::polygon:
      return {{.name = "points", .type = field_type::array, .required = true,
               .description = "Vertices as [x, y] pairs in percent; at least 3"},
              {.name = "closed", .type = field_type::boolean, .description = "Whether the outline is closed"}};
    case geometry::brush:
      return {{.name = "format", .type = field_type::string, .default_value = "rle",
               .description = "Mask encoding; only \"rle\""},
              {.name = "rle", .type = field_type::array,
               .description = "The RGBA mask (original_width x original_height x 4 bytes), packed with thi.ng rle-pack, "
                              "as a list of byte values"}};
    case geometry::vector:
      return {{.name = "vertices", .type = field_type::array, .required = true,
               .description = "Points {id?, x, y, ...} in percent"},
              {.name = "closed", .type = field_type::boolean, .description = "Whether the path is closed"}};
    case geometry::bitmask:
      return {{.name = "imageDataURL", .type = field_type::string, .required = true,
               .description = "The mask as a data:image/png;base64 URL, the size of the image"}};
  }
  return {};
}

// ---- Polygon, vector --------------------------------------------------------------------------

void check_polygon(json_ref value, issue_sink& out) {
  json_ref points = value.get("points");
  if (!points.is_array()) return;
  std::size_t n = points.size(), issues = 0, bad = 0;
  auto fine = [](json_ref c) {
    if (!c.is_number()) return false;
    double d = c.as_number();
    return d >= 0 && d <= 100;  // false for NaN too
  };
  for (std::size_t i = 0; i < n; ++i) {
    json_ref p = points.at(i);
    // The common case, a pair of numbers in range, builds no path string.
    if (p.size() >= 2 && p.is_array() && fine(p.at(0)) && fine(p.at(1))) continue;
    ++bad;
    if (!p.is_array() || p.size() < 2) {
      if (issues++ < max_list_issues)
        out.add(severity::error, path_index("value.points", i),
                std::string("expects an [x, y] pair, got ") + std::string(kind_article(p.kind())) +
                    (p.is_array() ? " of " + std::to_string(p.size()) + " elements" : ""));
      continue;
    }
    for (std::size_t c = 0; c < 2; ++c)
      if (!fine(p.at(c)) && issues++ < max_list_issues)
        check_percent(p.at(c), path_index(path_index("value.points", i), c), out);
  }
  if (issues > max_list_issues)
    out.add(severity::rule_break, "value.points",
            std::to_string(bad) + " of its " + std::to_string(n) + " points are wrong; only the first " +
                std::to_string(max_list_issues) + " problems are listed");
  if (n < 3)
    out.add(severity::rule_break, "value.points",
            "has " + std::to_string(n) + " point" + (n == 1 ? "" : "s") + "; a polygon needs at least 3");
}

void check_vector(const result_view& r, issue_sink& out) {
  json_ref vertices = r.value.get("vertices");
  if (!vertices.is_array()) return;
  std::size_t n = vertices.size(), issues = 0;
  for (std::size_t i = 0; i < n && issues < max_list_issues; ++i) {
    json_ref v = vertices.at(i);
    if (!v.is_object()) {
      ++issues;
      out.add(severity::error, path_index("value.vertices", i),
              std::string("expects a vertex object {x, y}, got ") + std::string(kind_article(v.kind())));
      continue;
    }
    for (const char* key : {"x", "y"}) {
      json_ref c = v.get(key);
      bool fine = c.is_number() && c.as_number() >= 0 && c.as_number() <= 100;
      if (fine) continue;
      ++issues;
      std::string path = path_join(path_index("value.vertices", i), key);
      if (!c.exists())
        out.add(severity::error, path, "is missing; a vertex needs x and y");
      else
        check_percent(c, path, out);
    }
  }
  // minPoints / maxPoints of the Vector tool that drew it.
  if (r.control) {
    auto lo = number_attribute(r.control->tag, "minPoints");
    auto hi = number_attribute(r.control->tag, "maxPoints");
    if (lo && static_cast<double>(n) < *lo)
      out.add(severity::rule_break, "value.vertices",
              "has " + std::to_string(n) + " points; <" + r.control->tag.tag + " name=\"" + r.control->tag.name +
                  "\"> asks for at least " + number_text(*lo));
    if (hi && static_cast<double>(n) > *hi)
      out.add(severity::rule_break, "value.vertices",
              "has " + std::to_string(n) + " points; <" + r.control->tag.tag + " name=\"" + r.control->tag.name +
                  "\"> allows at most " + number_text(*hi));
  }
}

// ---- Brush ------------------------------------------------------------------------------------

// original_width / original_height of the item, when both are positive whole numbers.
std::optional<std::pair<std::uint64_t, std::uint64_t>> image_size(json_ref item) {
  json_ref w = item.get("original_width"), h = item.get("original_height");
  if (!w.is_number() || !h.is_number()) return std::nullopt;
  double wd = w.as_number(), hd = h.as_number();
  if (!(wd > 0 && hd > 0 && wd < 1e9 && hd < 1e9) || std::floor(wd) != wd || std::floor(hd) != hd) return std::nullopt;
  return std::pair{static_cast<std::uint64_t>(wd), static_cast<std::uint64_t>(hd)};
}

void check_brush(const result_view& r, issue_sink& out) {
  json_ref format = r.value.get("format");
  if (format.is_string() && format.as_string() != "rle")
    out.add(severity::error, "value.format",
            "is '" + std::string(format.as_string().substr(0, 40)) + "'; the only brush format is \"rle\"");
  json_ref rle = r.value.get("rle");
  if (!rle.exists()) {
    // The editor's fast serialization keeps the strokes instead of the packed mask.
    if (!r.value.get("touches").exists() && !r.value.get("maskDataURL").exists())
      out.add(severity::error, "value.rle", "is missing; a brush region needs its mask (rle)");
    return;
  }
  if (!rle.is_array()) return;  // the field check reported the type
  std::size_t n = rle.size();
  if (n == 0) {
    out.add(severity::error, "value.rle", "is empty; a brush mask holds at least its 7-byte header");
    return;
  }
  std::vector<std::uint8_t> bytes;
  bytes.reserve(n);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    json_ref b = rle.at(i);
    double d = b.as_number();
    if (!b.is_number() || !(d >= 0 && d <= 255) || std::floor(d) != d) {
      if (bad++ < max_list_issues)
        out.add(severity::error, path_index("value.rle", i),
                b.is_number() ? "is " + number_text(d) + ", not a byte value (0 to 255)"
                              : std::string("expects a byte value (0 to 255), got ") + std::string(kind_article(b.kind())));
      continue;
    }
    bytes.push_back(static_cast<std::uint8_t>(d));
  }
  if (bad) {
    if (bad > max_list_issues)
      out.add(severity::error, "value.rle", std::to_string(bad) + " of its " + std::to_string(n) +
                                                " entries are not byte values; only the first " +
                                                std::to_string(max_list_issues) + " are listed");
    return;
  }
  rle_decoded d = rle_decode(bytes);
  if (!d.ok) {
    out.add(severity::error, "value.rle", "cannot be decoded: the rle-pack stream " + d.error);
    return;
  }
  if (d.header.word_size != 8) {
    out.add(severity::error, "value.rle",
            "uses " + std::to_string(d.header.word_size) + "-bit words; a brush mask is made of 8-bit RGBA bytes");
    return;
  }
  if (auto size = image_size(r.item)) {
    std::uint64_t want = size->first * size->second * 4;
    if (d.words != want)
      out.add(severity::error, "value.rle",
              "decodes to " + std::to_string(d.words) + " bytes, but the image is " + std::to_string(size->first) + "x" +
                  std::to_string(size->second) + " (original_width x original_height), which needs " +
                  std::to_string(want) + " RGBA bytes");
  } else if (d.words % 4 != 0) {
    out.add(severity::error, "value.rle",
            "decodes to " + std::to_string(d.words) + " bytes, not a whole number of RGBA pixels");
  }
}

// ---- Bitmask ----------------------------------------------------------------------------------

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes base64 (padding optional); nullopt on a character outside the alphabet. Stops after
// `limit` bytes: the PNG header is all a check needs.
std::optional<std::vector<std::uint8_t>> base64_prefix(std::string_view s, std::size_t limit) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      for (std::size_t j = i; j < s.size(); ++j)
        if (s[j] != '=') return std::nullopt;
      break;
    }
    int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out.size() < limit) out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

void check_bitmask(const result_view& r, issue_sink& out) {
  json_ref url = r.value.get("imageDataURL");
  if (!url.is_string()) return;
  std::string_view s = url.as_string();
  constexpr std::string_view prefix = "data:image/";
  auto comma = s.find(',');
  if (s.substr(0, prefix.size()) != prefix || comma == std::string_view::npos ||
      s.substr(0, comma).find(";base64") == std::string_view::npos) {
    out.add(severity::error, "value.imageDataURL", "is not a base64 image data URL (data:image/png;base64,...)");
    return;
  }
  std::string_view media = s.substr(prefix.size(), s.substr(0, comma).find(';') - prefix.size());
  auto head = base64_prefix(s.substr(comma + 1), 24);
  if (!head) {
    out.add(severity::error, "value.imageDataURL", "holds characters that are not base64");
    return;
  }
  if (media != "png") return;  // only PNG's header is checked further
  static constexpr std::array<std::uint8_t, 8> signature = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (head->size() < 24 || !std::equal(signature.begin(), signature.end(), head->begin()) ||
      std::string_view(reinterpret_cast<const char*>(head->data() + 12), 4) != "IHDR") {
    out.add(severity::error, "value.imageDataURL", "says image/png but does not hold a PNG image");
    return;
  }
  auto be32 = [&](std::size_t at) {
    const auto& b = *head;
    return (std::uint64_t{b[at]} << 24) | (std::uint64_t{b[at + 1]} << 16) | (std::uint64_t{b[at + 2]} << 8) | b[at + 3];
  };
  std::uint64_t w = be32(16), h = be32(20);
  if (auto size = image_size(r.item); size && (size->first != w || size->second != h))
    out.add(severity::error, "value.imageDataURL",
            "is a " + std::to_string(w) + "x" + std::to_string(h) + " PNG, but the image is " + std::to_string(size->first) +
                "x" + std::to_string(size->second) + " (original_width x original_height)");
}

}  // namespace

// ---- Geometry table ---------------------------------------------------------------------------

std::string_view geometry_id(geometry g) noexcept {
  switch (g) {
    case geometry::rectangle: return "percent_box";
    case geometry::ellipse: return "percent_ellipse";
    case geometry::keypoint: return "percent_point";
    case geometry::polygon: return "percent_polygon";
    case geometry::brush: return "rle_mask";
    case geometry::vector: return "percent_vector";
    case geometry::bitmask: return "png_mask";
  }
  return "unknown";
}

std::string_view geometry_name(geometry g) noexcept {
  switch (g) {
    case geometry::rectangle: return "rectangle";
    case geometry::ellipse: return "ellipse";
    case geometry::keypoint: return "keypoint";
    case geometry::polygon: return "polygon";
    case geometry::brush: return "brush mask";
    case geometry::vector: return "vector";
    case geometry::bitmask: return "bitmask";
  }
  return "region";
}

const field_table& geometry_fields(geometry g) {
  // Built once, then only read (static initialisation is thread-safe).
  static const std::array<field_table, 7> tables = {
      make_fields(geometry::rectangle), make_fields(geometry::ellipse), make_fields(geometry::keypoint),
      make_fields(geometry::polygon),   make_fields(geometry::brush),   make_fields(geometry::vector),
      make_fields(geometry::bitmask)};
  return tables[static_cast<std::size_t>(g)];
}

std::optional<geometry> detect_geometry(json_ref v) noexcept {
  if (v.get("points").exists()) return geometry::polygon;
  if (v.get("rle").exists() || v.get("format").exists() || v.get("touches").exists() || v.get("maskDataURL").exists())
    return geometry::brush;
  if (v.get("imageDataURL").exists()) return geometry::bitmask;
  if (v.get("vertices").exists()) return geometry::vector;
  if (v.get("radiusX").exists() || v.get("radiusY").exists()) return geometry::ellipse;
  if (v.get("height").exists()) return geometry::rectangle;
  if (v.get("x").exists() || v.get("y").exists() || v.get("width").exists()) {
    // {x, y, width} is a keypoint; {x, y} alone too.
    return geometry::keypoint;
  }
  return std::nullopt;
}

void check_geometry(geometry g, const result_view& r, issue_sink& out) {
  check_finite_fields(g, r.value, out);
  switch (g) {
    case geometry::rectangle:
      check_size(r.value, "width", "rectangle", out);
      check_size(r.value, "height", "rectangle", out);
      break;
    case geometry::ellipse:
      check_size(r.value, "radiusX", "ellipse", out);
      check_size(r.value, "radiusY", "ellipse", out);
      break;
    case geometry::keypoint: {
      json_ref w = r.value.get("width");
      if (w.is_number() && std::isfinite(w.as_number()) && w.as_number() < 0)
        out.add(severity::error, "value.width", "is " + number_text(w.as_number()) + ": a point size cannot be negative");
      break;
    }
    case geometry::polygon: check_polygon(r.value, out); break;
    case geometry::brush: check_brush(r, out); break;
    case geometry::vector: check_vector(r, out); break;
    case geometry::bitmask: check_bitmask(r, out); break;
  }
}

void check_image_item(const result_view& r, issue_sink& out) {
  for (const char* key : {"original_width", "original_height"}) {
    json_ref v = r.item.get(key);
    if (!v.exists() || v.is_null()) continue;
    if (!v.is_number()) {
      out.add(severity::error, key, std::string("expects a number of pixels, got ") + std::string(kind_article(v.kind())));
    } else if (!std::isfinite(v.as_number()) || v.as_number() <= 0) {
      out.add(severity::error, key, "is " + number_text(v.as_number()) + "; an image size must be more than 0");
    }
  }
  json_ref rot = r.item.get("image_rotation");
  if (rot.exists() && !rot.is_null() && (!rot.is_number() || !std::isfinite(rot.as_number())))
    out.add(severity::error, "image_rotation", "expects a number of degrees");
  // item_index (bounded by the valueList's length, see image_measure) is checked by the host.
}

namespace {

template <geometry G>
void tool_check(const result_view& r, issue_sink& out) {
  check_image_item(r, out);
  check_geometry(G, r, out);
}

function_validator::fn_type tool_checker(geometry g) {
  switch (g) {
    case geometry::rectangle: return &tool_check<geometry::rectangle>;
    case geometry::ellipse: return &tool_check<geometry::ellipse>;
    case geometry::keypoint: return &tool_check<geometry::keypoint>;
    case geometry::polygon: return &tool_check<geometry::polygon>;
    case geometry::brush: return &tool_check<geometry::brush>;
    case geometry::vector: return &tool_check<geometry::vector>;
    case geometry::bitmask: return &tool_check<geometry::bitmask>;
  }
  return &tool_check<geometry::rectangle>;
}

}  // namespace

status add_tool_region(registrar& reg, std::string result_type, geometry g, std::string description) {
  return reg.add_region({.object_tag = "Image",
                         .result_type = std::move(result_type),
                         .geometry = std::string(geometry_id(g)),
                         .description = std::move(description),
                         .value_fields = geometry_fields(g),
                         .validator = std::make_unique<function_validator>(tool_checker(g))});
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

status add_tool_family(registrar& reg, const tool_family& f) {
  const std::string shape(geometry_name(f.shape));
  if (!f.tool.empty()) {
    field_table rows = tool_attributes();
    append(rows, f.tool_rows);
    const std::string type = lower(f.tool);
    if (auto st = reg.add_control_tag(
            {.tag = {.name = f.tool,
                     .description = f.tool_description,
                     .attributes = std::move(rows),
                     .checker = f.checker ? std::make_unique<function_checker>(f.checker) : nullptr},
             .result_types = {type},
             .payload = payload_kind::none,
             .targets = {"Image"},
             .needs_region = true});
        !st)
      return st;
    if (auto st = add_tool_region(reg, type, f.shape, "A " + shape + " drawn with <" + f.tool + ">"); !st) return st;
  }
  field_table rows = tool_attributes();
  append(rows, labels_attributes());
  append(rows, f.labels_rows);
  append(rows, f.tool_rows);
  const std::string type = lower(f.labels);
  if (auto st = reg.add_control_tag(
          {.tag = {.name = f.labels,
                   .description = f.labels_description,
                   .attributes = std::move(rows),
                   .children = {"Label"},
                   .data_types = {data_type::str, data_type::list},
                   .checker = f.checker ? std::make_unique<function_checker>(f.checker) : nullptr},
           .result_types = {type},
           .payload_key = type,
           .payload = payload_kind::label_list,
           .targets = {"Image"},
           .needs_region = true,
           .dynamic_labels = true});
      !st)
    return st;
  return add_tool_region(reg, type, f.shape, "A labelled " + shape + " drawn with <" + f.labels + ">");
}

}  // namespace annot::plugins::image
