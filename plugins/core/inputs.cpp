// Input controls: TextArea, Number, Rating, DateTime.
#include <annot_plugin_support/value_fields.hpp>
#include <charconv>
#include <cmath>
#include <string_view>

#include "core.hpp"

namespace annot::plugins::core {

namespace {

std::optional<double> attribute_number(const annot::config_tag& tag, std::string_view name) {
  auto v = tag.attribute(name);
  if (!v) return std::nullopt;
  double d = 0;
  std::string_view s = *v;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

using annot::plugins::support::number_text;

class textarea_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref text = r.value.get("text");
    // Label Studio writes a list of lines but also accepts a single string.
    if (text.is_string()) return;
    if (!text.is_array()) {
      out.add(annot::severity::error, "value.text",
              "must be a list of strings (or one string), got " + std::string(annot::to_string(text.kind())));
      return;
    }
    for (std::size_t i = 0; i < text.size(); ++i)
      if (!text.at(i).is_string())
        out.add(annot::severity::error, annot::path_index("value.text", i), "must be a string");
  }
};

class number_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref n = r.value.get("number");
    if (!n.is_number()) {
      out.add(annot::severity::error, "value.number",
              "must be a number, got " + std::string(annot::to_string(n.kind())));
      return;
    }
    double v = n.as_number();
    auto min = attribute_number(r.control->tag, "min");
    auto max = attribute_number(r.control->tag, "max");
    if (min && v < *min)
      out.add(annot::severity::rule_break, "value.number",
              "is " + number_text(v) + ", below min=\"" + number_text(*min) + "\" of " + describe(*r.control));
    if (max && v > *max)
      out.add(annot::severity::rule_break, "value.number",
              "is " + number_text(v) + ", above max=\"" + number_text(*max) + "\" of " + describe(*r.control));
  }
};

class rating_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref n = r.value.get("rating");
    if (!n.is_number()) {
      out.add(annot::severity::error, "value.rating",
              "must be a whole number of stars, got " + std::string(annot::to_string(n.kind())));
      return;
    }
    double v = n.as_number();
    if (v < 0 || std::floor(v) != v) {
      out.add(annot::severity::error, "value.rating", "must be a whole number of 0 or more, got " + number_text(v));
      return;
    }
    double max = attribute_number(r.control->tag, "maxRating").value_or(5);
    if (v > max)
      out.add(annot::severity::rule_break, "value.rating",
              "is " + number_text(v) + ", above maxRating=\"" + number_text(max) + "\" of " + describe(*r.control));
  }
};

// strftime directives a DateTime format may use, matched against the text.
bool match_strftime(std::string_view fmt, std::string_view s) {
  std::size_t i = 0, j = 0;
  auto digits = [&](std::size_t min, std::size_t max) {
    std::size_t n = 0;
    while (j < s.size() && n < max && s[j] >= '0' && s[j] <= '9') ++j, ++n;
    return n >= min;
  };
  auto letters = [&] {
    std::size_t n = 0;
    while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) ++j, ++n;
    return n >= 3;
  };
  while (i < fmt.size()) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) {
      if (j >= s.size() || s[j] != fmt[i]) return false;
      ++i, ++j;
      continue;
    }
    char d = fmt[i + 1];
    i += 2;
    bool ok = true;
    switch (d) {
      case 'Y': ok = digits(4, 4); break;
      case 'y': case 'm': case 'd': case 'H': case 'M': case 'S': case 'I': case 'U': case 'W': ok = digits(1, 2); break;
      case 'j': ok = digits(1, 3); break;
      case 'f': ok = digits(1, 9); break;
      case 'e': ok = digits(1, 2); break;
      case 'b': case 'B': case 'a': case 'A': case 'h': ok = letters(); break;
      case 'p': ok = letters() || (j + 1 < s.size() && (j += 2, true)); break;
      case '%': ok = j < s.size() && s[j++] == '%'; break;
      default: return true;  // a directive we do not know: do not guess
    }
    if (!ok) return false;
  }
  return j == s.size();
}

bool looks_iso(std::string_view s) {
  // 2021-11-10, 2021-11-10T09:17, 2021-11-10T09:17:05.123Z, 09:17, 2021-11, 2021
  for (std::string_view f : {"%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                             "%Y-%m-%d", "%Y-%m", "%Y", "%H:%M", "%H:%M:%S"})
    if (match_strftime(f, s)) return true;
  // Fractions and zones after seconds.
  std::size_t t = s.find('T');
  return t != std::string_view::npos && t >= 10 && match_strftime("%Y-%m-%d", s.substr(0, t));
}

class datetime_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref d = r.value.get("datetime");
    if (!d.is_string()) {
      out.add(annot::severity::error, "value.datetime",
              "must be a string (the formatted date), got " + std::string(annot::to_string(d.kind())));
      return;
    }
    auto fmt = r.control->tag.attribute("format");
    bool ok = fmt && !fmt->empty() ? match_strftime(*fmt, d.as_string()) : looks_iso(d.as_string());
    if (!ok)
      out.add(annot::severity::rule_break, "value.datetime",
              "\"" + std::string(d.as_string()) + "\" does not match " +
                  (fmt && !fmt->empty() ? "format=\"" + std::string(*fmt) + "\"" : std::string("an ISO 8601 date")) +
                  " of " + describe(*r.control));
  }
};

// Attribute combinations the editor would reject or silently ignore.
class rating_checker final : public annot::tag_checker {
 public:
  void check(const annot::config_tag& tag, annot::issue_sink& out) const noexcept override {
    auto max = attribute_number(tag, "maxRating").value_or(5);
    auto def = attribute_number(tag, "defaultValue");
    if (def && *def > max)
      out.add(annot::severity::rule_break, "defaultValue",
              "defaultValue " + number_text(*def) + " is above maxRating " + number_text(max));
  }
};

class number_checker final : public annot::tag_checker {
 public:
  void check(const annot::config_tag& tag, annot::issue_sink& out) const noexcept override {
    auto min = attribute_number(tag, "min"), max = attribute_number(tag, "max");
    if (min && max && *min > *max)
      out.add(annot::severity::rule_break, "min", "min " + number_text(*min) + " is above max " + number_text(*max));
  }
};

class datetime_checker final : public annot::tag_checker {
 public:
  void check(const annot::config_tag& tag, annot::issue_sink& out) const noexcept override {
    auto only = tag.attribute("only");
    if (!only) return;
    std::string_view s = *only;
    while (!s.empty()) {
      std::size_t c = s.find(',');
      std::string_view part = s.substr(0, c);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (part != "date" && part != "time" && part != "month" && part != "year")
        out.add(annot::severity::rule_break, "only",
                "only=\"" + std::string(*only) + "\" lists \"" + std::string(part) +
                    "\"; allowed: date, time, month, year");
      if (c == std::string_view::npos) break;
      s.remove_prefix(c + 1);
    }
  }
};

}  // namespace

annot::status register_inputs(annot::registrar& reg) {
  annot::control_tag_spec specs[] = {
      {.tag = {.name = "TextArea",
               .description = "Free text: a transcription, a comment, or per-region text",
               .attributes = control_attributes({
                   variable(text("value", "Text to prefill, or \"$key\" of task data")),
                   integer("rows", "Height in rows", {}, 1),
                   flag("editable", "Submitted lines may be edited"),
                   integer("maxSubmissions", "How many lines may be submitted", {}, 0),
                   flag("skipDuplicates", "Refuse a line that was already submitted"),
                   flag("transcription", "Show as a transcription field (one editable text)"),
                   one_of("displayMode", {"tag", "region-list"}, "Where per-region text is edited", "tag"),
                   text("placeholder", "Placeholder text"),
                   flag("showSubmitButton", "Show a submit button"),
                   integer("maxLength", "Maximum characters", {}, 0),
                   text("hotkey", "Key that focuses the field"),
               }),
               .children = {"Shortcut"}},
       .result_types = {"textarea"},
       .payload_key = "text",
       .payload = annot::payload_kind::custom,
       // Label Studio's own transcription example stores to_name = the TextArea's name.
       .self_target = true,
       .validator = std::make_unique<textarea_validator>()},
      {.tag = {.name = "Number",
               .description = "A number for the object or a region",
               .attributes = control_attributes({
                   number("min", "Smallest allowed value"),
                   number("max", "Largest allowed value"),
                   number("step", "Increment", "1"),
                   number("defaultValue", "Initial value"),
                   flag("slider", "Show a slider"),
                   text("placeholder", "Placeholder text"),
                   text("hotkey", "Key that focuses the field"),
               }),
               .checker = std::make_unique<number_checker>()},
       .result_types = {"number"},
       .payload_key = "number",
       .payload = annot::payload_kind::custom,
       .validator = std::make_unique<number_validator>()},
      {.tag = {.name = "Rating",
               .description = "A star rating for the object or a region",
               .attributes = control_attributes({
                   integer("maxRating", "Number of stars", "5", 1, 100),
                   integer("defaultValue", "Initial rating", "0", 0),
                   one_of("size", {"small", "medium", "large"}, "Star size", "medium"),
                   one_of("icon", {"star", "heart", "fire", "smile"}, "Icon", "star"),
                   text("hotkey", "Key that adds a star"),
               }),
               .checker = std::make_unique<rating_checker>()},
       .result_types = {"rating"},
       .payload_key = "rating",
       .payload = annot::payload_kind::custom,
       .validator = std::make_unique<rating_validator>()},
      {.tag = {.name = "DateTime",
               .description = "A date and/or time for the object or a region",
               .attributes = control_attributes({
                   text("only", "Comma-separated parts to ask for: date, time, month, year"),
                   text("format", "strftime format of the stored value (ISO 8601 by default)"),
                   text("min", "Earliest allowed value, in ISO format"),
                   text("max", "Latest allowed value, in ISO format"),
               }),
               .checker = std::make_unique<datetime_checker>()},
       .result_types = {"datetime"},
       .payload_key = "datetime",
       .payload = annot::payload_kind::custom,
       .validator = std::make_unique<datetime_validator>()},
  };
  for (auto& s : specs)
    if (auto st = reg.add_control_tag(std::move(s)); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::core
