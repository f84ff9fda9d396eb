// The XPath span validator: node paths, offsets within nodes, and global offsets within the document.
#include "xpath_span.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace annot::plugins::html {
namespace {

std::string num(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':' || c == '.';
}

class xpath_span_validator final : public annot::result_validator {
 public:
  explicit xpath_span_validator(bool required) : required_(required) {}

  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    try {
      run(r, out);
    } catch (...) {
      // Only allocation can throw here; a validator must not.
    }
  }

 private:
  void run(const annot::result_view& r, annot::issue_sink& out) const {
    annot::json_ref start = r.value.get("start"), end = r.value.get("end");
    annot::json_ref start_offset = r.value.get("startOffset"), end_offset = r.value.get("endOffset");
    if (!required_) {
      // A per-region result may leave the span out; if it repeats part of it, it must repeat both ends.
      if (!start.exists() && !end.exists()) {
        if (start_offset.exists() || end_offset.exists())
          out.add(annot::severity::error, start_offset.exists() ? "value.startOffset" : "value.endOffset",
                  "an offset without the start and end XPaths it is counted in cannot be placed");
        check_global(r, out);
        return;
      }
      if (!start.exists())
        out.add(annot::severity::error, "value.start", "is missing; a span on <HyperText> needs start and end together");
      if (!end.exists())
        out.add(annot::severity::error, "value.end", "is missing; a span on <HyperText> needs start and end together");
    }
    // Wrong JSON types were reported by the host from the value fields; check what the types allow.
    for (auto [key, ref] : {std::pair{"value.start", start}, std::pair{"value.end", end}})
      if (ref.is_string() && !is_editor_xpath(ref.as_string()))
        out.add(annot::severity::error, key,
                "is \"" + std::string(ref.as_string().substr(0, 120)) +
                    "\", not an XPath to a node of the document such as \"/div[1]/p[2]/text()[1]\"");
    if (start.is_string() && end.is_string() && start.as_string() == end.as_string() && start_offset.is_number() &&
        end_offset.is_number()) {
      double a = start_offset.as_number(), b = end_offset.as_number();
      if (b < a)
        out.add(annot::severity::error, "value.endOffset",
                "is " + num(b) + ", before startOffset " + num(a) + " in the same node: the span would have a negative length");
      else if (b == a)
        out.add(annot::severity::rule_break, "value.endOffset",
                "equals startOffset in the same node: the span is empty");
    }
    check_global(r, out);
  }

  // globalOffsets {start, end}: character positions in the whole document's displayed text.
  void check_global(const annot::result_view& r, annot::issue_sink& out) const {
    annot::json_ref g = r.value.get("globalOffsets");
    if (!g.is_object()) return;  // absent, or a wrong type the host reported
    annot::json_ref gs = g.get("start"), ge = g.get("end");
    bool numbers = true;
    for (auto [key, ref] : {std::pair{"value.globalOffsets.start", gs}, std::pair{"value.globalOffsets.end", ge}}) {
      if (!ref.is_number() || !std::isfinite(ref.as_number())) {
        out.add(annot::severity::error, key,
                ref.exists() ? "must be a number (a character position in the document's text)"
                             : "is missing; globalOffsets holds start and end character positions");
        numbers = false;
      }
    }
    if (!numbers) return;
    double a = gs.as_number(), b = ge.as_number();
    if (a < 0)
      out.add(annot::severity::rule_break, "value.globalOffsets.start", "is " + num(a) + "; positions start at 0");
    if (b < a)
      out.add(annot::severity::error, "value.globalOffsets.end",
              "is " + num(b) + ", before start " + num(a) + ": the span would have a negative length");
    else if (b == a)
      out.add(annot::severity::rule_break, "value.globalOffsets.end", "equals start: the span is empty");
    if (r.extent.length && b > *r.extent.length)
      out.add(annot::severity::rule_break, "value.globalOffsets.end",
              "is " + num(b) + ", past the end of the document, whose text has at most " + num(*r.extent.length) +
                  " characters");
  }

  bool required_;
};

}  // namespace

bool is_editor_xpath(std::string_view p) noexcept {
  if (p.empty() || p.front() != '/') return false;
  if (p == "/") return true;
  std::size_t i = 0;
  bool text_seen = false;
  while (i < p.size()) {
    if (p[i] != '/' || text_seen) return false;  // text() must be the last step
    ++i;
    std::size_t name_start = i;
    if (p.substr(i, 6) == "text()") {
      text_seen = true;
      i += 6;
    } else {
      while (i < p.size() && is_name_char(p[i])) ++i;
      if (i == name_start) return false;
    }
    if (i < p.size() && p[i] == '[') {
      std::size_t digits = ++i;
      while (i < p.size() && p[i] >= '0' && p[i] <= '9') ++i;
      if (i == digits || i == p.size() || p[i] != ']') return false;
      if (p[digits] == '0') return false;  // XPath positions are 1-based
      ++i;
    }
  }
  return true;
}

std::unique_ptr<annot::result_validator> make_xpath_span_validator(bool geometry_required) {
  return std::make_unique<xpath_span_validator>(geometry_required);
}

}  // namespace annot::plugins::html
