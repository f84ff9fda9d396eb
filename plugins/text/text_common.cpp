// Character and paragraph spans: lengths in code points, base64, and the span checks the text tags share.
#include "text_common.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace annot::plugins::text {

std::size_t code_point_length(std::string_view s) noexcept {
  std::size_t units = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!valid) {
      ++units;
      ++i;
      continue;
    }
    ++units;
    i += len;
  }
  return units;
}

std::optional<std::string> base64_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    int v = (c >= 'A' && c <= 'Z')   ? c - 'A'
            : (c >= 'a' && c <= 'z') ? c - 'a' + 26
            : (c >= '0' && c <= '9') ? c - '0' + 52
            : (c == '+' || c == '-') ? 62
            : (c == '/' || c == '_') ? 63
                                     : -1;
    if (c == '=') {
      for (std::size_t j = i; j < s.size(); ++j)
        if (s[j] != '=') return std::nullopt;
      break;
    }
    if (c == '\n' || c == '\r' || c == ' ') continue;  // atob() skips ASCII whitespace
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string_view attribute_or(const config_tag& tag, std::string_view name, std::string_view fallback) noexcept {
  auto v = tag.attribute(name);
  return v ? *v : fallback;
}

field_table control_attributes() {
  return {
      {.name = "name", .required = true, .description = "Name of the element"},
      {.name = "toName", .type = field_type::name_list, .required = true,
       .description = "Name of the object to label"},
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
      {.name = "opacity", .type = field_type::number, .default_value = "0.6",
       .description = "Opacity of the highlight, from 0 to 1", .min = 0, .max = 1},
      {.name = "fillColor", .type = field_type::color, .description = "Fill colour of the highlight"},
      {.name = "strokeColor", .type = field_type::color, .description = "Outline colour of the highlight"},
      {.name = "strokeWidth", .type = field_type::number, .default_value = "1",
       .description = "Width of the outline, in pixels", .min = 0},
  };
}

const field_table& char_span_fields(bool with_text) {
  static const field_table fields = {
      {.name = "start",
       .type = field_type::integer,
       .required = true,
       .description = "Offset of the first character, in code points of the displayed text"},
      {.name = "end",
       .type = field_type::integer,
       .required = true,
       .description = "Offset after the last character (exclusive)"},
      {.name = "text",
       .type = field_type::string,
       .description = "The labelled text, saved when saveTextResult is yes (the default for inline text)"},
  };
  static const field_table span_only(fields.begin(), fields.end() - 1);
  return with_text ? fields : span_only;
}

const field_table& paragraph_span_fields(bool with_text) {
  static const field_table fields = {
      {.name = "start", .type = field_type::any, .required = true,
       .description = "Index of the first paragraph; the editor writes it as a string (\"2\")"},
      {.name = "end", .type = field_type::any, .required = true,
       .description = "Index of the last paragraph (inclusive), as a string or a number"},
      {.name = "startOffset", .type = field_type::integer,
       .description = "Offset in the first paragraph's text where the span starts; 0 or more"},
      {.name = "endOffset", .type = field_type::integer,
       .description = "Offset in the last paragraph's text where the span ends (exclusive); 0 or more"},
      {.name = "text", .type = field_type::string, .description = "The labelled text, when saveTextResult is yes"},
  };
  static const field_table span_only(fields.begin(), fields.end() - 1);
  return with_text ? fields : span_only;
}

namespace {

using support::kind_article;
using support::type_article;
using support::type_fits;

// A paragraph index: a whole number 0 or more, or a string of digits (what the editor writes).
std::optional<std::uint64_t> paragraph_index(json_ref v) {
  if (v.is_number()) {
    double d = v.as_number();
    if (!std::isfinite(d) || d < 0 || std::floor(d) != d || d > 1e15) return std::nullopt;
    return static_cast<std::uint64_t>(d);
  }
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.as_string();
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// A finite integer value of `key`, or nullopt (the field check reported the type).
std::optional<double> integer_of(json_ref value, std::string_view key) {
  json_ref v = value.get(key);
  if (!v.is_number()) return std::nullopt;
  double d = v.as_number();
  if (!std::isfinite(d) || std::floor(d) != d) return std::nullopt;
  return d;
}

}  // namespace

void check_char_span(const result_view& r, issue_sink& out) {
  for (const char* key : {"start", "end"}) {
    json_ref v = r.value.get(key);
    if (v.is_number() && !std::isfinite(v.as_number()))
      out.add(severity::error, path_join("value", key), "is not a finite number");
  }
  auto start = integer_of(r.value, "start");
  auto end = integer_of(r.value, "end");
  if (start && *start < 0)
    out.add(severity::error, "value.start", "is " + number_text(*start) + "; an offset cannot be negative");
  if (start && end && *end <= *start)
    out.add(severity::error, "value.end",
            "is " + number_text(*end) + ", not after start (" + number_text(*start) + "): the span is empty or reversed");
  if (end && r.extent.length && *end > *r.extent.length)
    out.add(severity::rule_break, "value.end",
            "is " + number_text(*end) + ", past the end of the text (" + number_text(*r.extent.length) +
                " characters, counted in code points)");
}

void check_paragraph_span(const result_view& r, issue_sink& out) {
  auto start_ref = r.value.get("start"), end_ref = r.value.get("end");
  auto start = paragraph_index(start_ref), end = paragraph_index(end_ref);
  if (start_ref.exists() && !start)
    out.add(severity::error, "value.start",
            "expects a paragraph index: a whole number 0 or more, as a number or a string such as \"2\"");
  if (end_ref.exists() && !end)
    out.add(severity::error, "value.end",
            "expects a paragraph index: a whole number 0 or more, as a number or a string such as \"2\"");
  auto so = integer_of(r.value, "startOffset"), eo = integer_of(r.value, "endOffset");
  if (so && *so < 0) out.add(severity::error, "value.startOffset", "is " + number_text(*so) + "; an offset cannot be negative");
  if (eo && *eo < 0) out.add(severity::error, "value.endOffset", "is " + number_text(*eo) + "; an offset cannot be negative");
  if (!start || !end) return;
  if (*start > *end) {
    out.add(severity::error, "value.end",
            "is paragraph " + std::to_string(*end) + ", before the start paragraph " + std::to_string(*start));
    return;
  }
  if (*start == *end && so && eo && *so >= 0 && *eo < *so)
    out.add(severity::error, "value.endOffset",
            "is " + number_text(*eo) + ", before startOffset (" + number_text(*so) + ") in the same paragraph");
  if (!r.extent.length) return;
  const auto count = static_cast<std::uint64_t>(*r.extent.length);
  if (*end >= count) {
    out.add(severity::rule_break, *start >= count ? "value.start" : "value.end",
            "names paragraph " + std::to_string(*start >= count ? *start : *end) + ", but the task has " +
                std::to_string(count) + " paragraph" + (count == 1 ? "" : "s"));
    return;
  }
  // Offsets within their paragraph's text, when the paragraphs are in the task.
  if (!r.object || !r.data.is_array()) return;
  std::string_view text_key = attribute_or(r.object->tag, "textKey", "text");
  auto text_length = [&](std::uint64_t index) -> std::optional<double> {
    json_ref t = r.data.at(static_cast<std::size_t>(index)).get(text_key);
    if (!t.is_string()) return std::nullopt;
    return static_cast<double>(code_point_length(t.as_string()));
  };
  if (so && *so >= 0)
    if (auto len = text_length(*start); len && *so > *len)
      out.add(severity::rule_break, "value.startOffset",
              "is " + number_text(*so) + ", past the end of paragraph " + std::to_string(*start) + " (" +
                  number_text(*len) + " characters)");
  if (eo && *eo >= 0)
    if (auto len = text_length(*end); len && *eo > *len)
      out.add(severity::rule_break, "value.endOffset",
              "is " + number_text(*eo) + ", past the end of paragraph " + std::to_string(*end) + " (" +
                  number_text(*len) + " characters)");
}

}  // namespace annot::plugins::text
