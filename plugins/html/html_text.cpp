// HTML text length bounds for HyperText spans, and base64 decoding of encoded documents.
#include "html_text.hpp"

#include <array>
#include <cstdint>

namespace annot::plugins::html {
namespace {

bool starts_with_ci(std::string_view s, std::size_t at, std::string_view prefix) noexcept {
  return s.size() - at >= prefix.size() && annot::iequals(s.substr(at, prefix.size()), prefix);
}

// Units of one character starting at s[i] (one: offsets count code points) and its byte length.
std::size_t units_at(std::string_view s, std::size_t i, bool utf8, std::size_t& bytes) noexcept {
  if (!utf8) {
    bytes = 1;
    return 1;
  }
  auto c = static_cast<unsigned char>(s[i]);
  bytes = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (i + bytes > s.size()) bytes = s.size() - i;
  return 1;
}

// Index just past the end of a tag starting at `at` ('<'), skipping quoted attribute values.
std::size_t skip_tag(std::string_view s, std::size_t at) noexcept {
  char quote = 0;
  for (std::size_t i = at + 1; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return s.size();
}

std::size_t skip_past(std::string_view s, std::size_t at, std::string_view end) noexcept {
  std::size_t p = s.find(end, at);
  return p == std::string_view::npos ? s.size() : p + end.size();
}

bool is_name_start(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

html_text_size scan_html(std::string_view s, bool utf8) noexcept {
  html_text_size out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '<') {
      std::size_t bytes = 1;
      out.text_units += units_at(s, i, utf8, bytes);
      i += bytes;
      continue;
    }
    if (starts_with_ci(s, i, "<!--")) {
      i = skip_past(s, i + 4, "-->");
    } else if (starts_with_ci(s, i, "<!") || starts_with_ci(s, i, "<?") || starts_with_ci(s, i, "</")) {
      i = skip_tag(s, i);
    } else if (i + 1 < s.size() && is_name_start(s[i + 1])) {
      ++out.elements;
      i = skip_tag(s, i);
    } else {
      // A '<' that starts no markup is text, as browsers read it.
      ++out.text_units;
      ++i;
    }
  }
  return out;
}

std::size_t global_offset_bound(const html_text_size& size) noexcept { return size.text_units + 2 * size.elements; }

std::optional<std::string> decode_base64(std::string_view text) {
  static constexpr std::array<std::int8_t, 256> table = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int k = 0; k < 64; ++k) t[static_cast<unsigned char>(alphabet[k])] = static_cast<std::int8_t>(k);
    return t;
  }();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t padding = 0;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding || table[c] < 0) return std::nullopt;  // data after padding, or not the alphabet
    bits = (bits << 6) | static_cast<std::uint32_t>(table[c]);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xFF));
      out.push_back(static_cast<char>((bits >> 8) & 0xFF));
      out.push_back(static_cast<char>(bits & 0xFF));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || padding > 2) return std::nullopt;
  if (count == 2) out.push_back(static_cast<char>((bits >> 4) & 0xFF));
  if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xFF));
    out.push_back(static_cast<char>((bits >> 2) & 0xFF));
  }
  return out;
}

annot::data_extent hypertext_measure::measure(const annot::object_instance& object,
                                              annot::json_ref data) const noexcept {
  if (!data.is_string()) return {};
  auto value_type = object.tag.attribute("valueType");
  if (value_type && annot::iequals(*value_type, "url")) return {};  // the document is fetched by the browser
  auto encoding = object.tag.attribute("encoding");
  if (!encoding || annot::iequals(*encoding, "none"))
    return {.length = static_cast<double>(global_offset_bound(scan_html(data.as_string())))};
  try {
    auto decoded = decode_base64(data.as_string());
    if (!decoded) return {};
    // atob() gives one character per byte; base64unicode then decodes those bytes as UTF-8.
    bool utf8 = annot::iequals(*encoding, "base64unicode");
    return {.length = static_cast<double>(global_offset_bound(scan_html(*decoded, utf8)))};
  } catch (...) {
    return {};  // out of memory: unknown, not a crash
  }
}

}  // namespace annot::plugins::html
