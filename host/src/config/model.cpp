// compile_config: XML -> elements with lines -> Label Studio's server checks -> the registry's checks
// -> objects, controls with their labels and targets, data keys and the sample task.
#include "config/model.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <pugixml.hpp>
#include <set>
#include <unordered_set>

#include "config/fields.hpp"
#include "config/python_text.hpp"

namespace annot::host::config {

std::string describe(const config_issue& i, bool with_line) {
  std::string out;
  if (i.line && with_line) out += "line " + std::to_string(i.line);
  if (!i.tag.empty()) out += (out.empty() ? "<" : ", <") + i.tag + ">";
  if (!i.attribute.empty()) out += (out.empty() ? "attribute " : ", attribute ") + i.attribute;
  if (!out.empty()) out += ": ";
  out += i.message;
  if (!i.detail.empty()) out += " (" + i.detail + ")";
  return out;
}

const std::string* element::attr_exact(std::string_view name) const noexcept {
  for (const auto& a : attributes)
    if (a.name == name) return &a.value;
  return nullptr;
}

const std::string* element::attr(std::string_view name) const noexcept {
  for (const auto& a : attributes)
    if (annot::iequals(a.name, name)) return &a.value;
  return nullptr;
}

bool name_pattern::match(std::string_view name, std::string* index) const {
  if (!templated) return false;
  if (name.size() <= prefix.size() + suffix.size()) return false;
  if (name.substr(0, prefix.size()) != prefix) return false;
  if (name.substr(name.size() - suffix.size()) != suffix) return false;
  std::string_view mid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  for (char c : mid)
    if (c < '0' || c > '9') return false;
  if (index) *index = std::string(mid);
  return true;
}

const control_ref* config_model::find_control(std::string_view name, std::string* index) const {
  if (auto it = control_by_name_.find(std::string(name)); it != control_by_name_.end()) return &controls_[it->second];
  for (std::uint32_t i : templated_controls_)
    if (controls_[i].pattern.match(name, index)) return &controls_[i];
  return nullptr;
}

const object_ref* config_model::find_object(std::string_view name, std::string* index) const {
  if (auto it = object_by_name_.find(std::string(name)); it != object_by_name_.end()) return &objects_[it->second];
  for (std::uint32_t i : templated_objects_)
    if (objects_[i].pattern.match(name, index)) return &objects_[i];
  return nullptr;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::strchr(" \t\r\n", s.front())) s.remove_prefix(1);
  while (!s.empty() && std::strchr(" \t\r\n", s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_commas(std::string_view s, bool trim_parts) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = s.find(',', start);
    std::string_view part = s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    out.emplace_back(trim_parts ? trim(part) : part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool is_label_tag(std::string_view tag) {
  return annot::iequals(tag, "Label") || annot::iequals(tag, "Choice") || annot::iequals(tag, "Relation");
}

constexpr std::size_t max_depth = 500;

}  // namespace

class model_builder {
 public:
  model_builder(std::string_view xml, const tag_catalog& catalog) : xml_(xml) {
    // A UTF-8 byte order mark before the root: expat (Label Studio's parser) reads past it.
    if (xml_.starts_with("\xEF\xBB\xBF")) xml_.remove_prefix(3);
    model_ = std::make_shared<config_model>();
    model_->catalog_ = &catalog;
    model_->text_ = std::string(xml_);
  }

  compiled_config run() {
    index_lines();
    if (!lexical_checks() || !parse()) return std::move(out_);
    ls_schema();
    ls_names();
    registry_checks();
    build_objects();
    build_controls();
    check_controls();
    find_data_keys();
    read_sample_task();
    out_.model = std::move(model_);
    return std::move(out_);
  }

 private:
  // --- Issues ------------------------------------------------------------------------------------
  void add(config_issue::level lvl, std::string code, std::string message, std::uint32_t line = 0,
           std::string tag = {}, std::string attribute = {}, std::string detail = {}) {
    if (lvl == config_issue::level::warning && line && covered_.count({line, lower(attribute)})) return;
    if (lvl == config_issue::level::error && line) covered_.insert({line, lower(attribute)});
    config_issue i{lvl, std::move(code), std::move(message), line, std::move(tag), std::move(attribute),
                   std::move(detail)};
    (lvl == config_issue::level::error ? out_.errors : out_.warnings).push_back(std::move(i));
  }
  void error(std::string code, std::string message, const element* e = nullptr, std::string attribute = {},
             std::string detail = {}) {
    add(config_issue::level::error, std::move(code), std::move(message), e ? e->line : 0, e ? e->tag : std::string(),
        std::move(attribute), std::move(detail));
  }
  void warning(std::string code, std::string message, const element* e = nullptr, std::string attribute = {},
               std::string detail = {}) {
    add(config_issue::level::warning, std::move(code), std::move(message), e ? e->line : 0,
        e ? e->tag : std::string(), std::move(attribute), std::move(detail));
  }

  // --- Positions ---------------------------------------------------------------------------------
  void index_lines() {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < xml_.size(); ++i)
      if (xml_[i] == '\n') line_starts_.push_back(i + 1);
  }
  std::pair<std::uint32_t, std::uint32_t> position(std::size_t offset) const {
    offset = std::min(offset, xml_.size());
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());
    return {static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(offset - line_starts_[line - 1])};
  }
  // Expat's wording: "<what>: line L, column C" with a 0-based column.
  void xml_error(std::string_view what, std::size_t offset) {
    auto [line, col] = position(offset);
    config_issue i;
    i.code = "xml";
    i.message = std::string(what) + ": line " + std::to_string(line) + ", column " + std::to_string(col);
    i.line = line;
    out_.errors.push_back(std::move(i));
  }

  // The attributes of a start tag at s[i] == '<', as expat reads them: names, '=', quoted values
  // without '<', known entities, no repeats. On success p is at the closing '>'.
  bool scan_start_tag(std::size_t i, std::size_t& p, bool& self_closing) {
    const std::string_view s = xml_;
    const std::size_t n = s.size();
    auto name_char = [](char c) {
      auto u = static_cast<unsigned char>(c);
      return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' || c == ':' ||
             c == '.' || c == '-' || u >= 0x80;
    };
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    p = i + 1;
    while (p < n && name_char(s[p])) ++p;
    if (p == i + 1) return xml_error("not well-formed (invalid token)", p), false;
    std::vector<std::string_view> seen;
    while (true) {
      bool had_space = false;
      while (p < n && space(s[p])) ++p, had_space = true;
      if (p >= n) return xml_error("unclosed token", i), false;
      if (s[p] == '>') return true;
      if (s[p] == '/') {
        if (p + 1 < n && s[p + 1] == '>') {
          self_closing = true;
          ++p;
          return true;
        }
        return xml_error("not well-formed (invalid token)", p), false;
      }
      std::size_t a = p;
      while (p < n && name_char(s[p])) ++p;
      if (p == a || !had_space) return xml_error("not well-formed (invalid token)", a), false;
      std::string_view name = s.substr(a, p - a);
      while (p < n && space(s[p])) ++p;
      if (p >= n) return xml_error("unclosed token", i), false;
      if (s[p] != '=') return xml_error("not well-formed (invalid token)", p), false;
      ++p;
      while (p < n && space(s[p])) ++p;
      if (p >= n) return xml_error("unclosed token", i), false;
      if (s[p] != '"' && s[p] != '\'') return xml_error("not well-formed (invalid token)", p), false;
      char quote = s[p++];
      for (; p < n && s[p] != quote; ++p) {
        if (s[p] == '<') return xml_error("not well-formed (invalid token)", p), false;
        if (s[p] == '&' && !entity_ok(p)) {
          // expat names an undefined entity in an attribute at the start of its tag.
          if (entity_is_named(p)) return xml_error("undefined entity", i), false;
          return xml_error("not well-formed (invalid token)", p + 1), false;
        }
      }
      if (p >= n) return xml_error("unclosed token", i), false;
      ++p;
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) return xml_error("duplicate attribute", a), false;
      seen.push_back(name);
    }
  }

  // "&name;" with a well-formed name (as opposed to a stray '&').
  bool entity_is_named(std::size_t at) const {
    std::string_view s = xml_;
    std::size_t semi = s.find(';', at);
    if (semi == std::string_view::npos || semi == at + 1 || semi - at > 64) return false;
    if (!std::isalpha(static_cast<unsigned char>(s[at + 1])) && s[at + 1] != '_') return false;
    for (std::size_t k = at + 1; k < semi; ++k)
      if (!std::isalnum(static_cast<unsigned char>(s[k])) && s[k] != '_' && s[k] != '-' && s[k] != '.') return false;
    return true;
  }

  // A character or predefined entity reference at s[at] == '&'.
  bool entity_ok(std::size_t at) const {
    std::string_view s = xml_;
    std::size_t semi = s.find(';', at);
    if (semi == std::string_view::npos || semi - at > 12) return false;
    std::string_view ent = s.substr(at + 1, semi - at - 1);
    if (ent == "amp" || ent == "lt" || ent == "gt" || ent == "quot" || ent == "apos") return true;
    if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return false;
      for (char c : digits)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || (hex && std::isxdigit(static_cast<unsigned char>(c)))))
          return false;
      return true;
    }
    return false;
  }

  // --- What pugixml tolerates but an XML parser (and Label Studio) refuses -------------------------
  // A light scan: text outside the root, several roots, bad entity references, '<' in attribute
  // values, DTDs. pugixml then builds the tree.
  bool lexical_checks() {
    const std::string_view s = xml_;
    std::size_t i = 0, n = s.size();
    int depth = 0;
    int roots = 0;
    std::vector<std::string_view> open;  // names of the open elements, to match end tags
    while (i < n) {
      char c = s[i];
      if (c == '<') {
        if (s.compare(i, 4, "<!--") == 0) {
          std::size_t e = s.find("-->", i + 4);
          if (e == std::string_view::npos) return xml_error("unclosed token", i), false;
          i = e + 3;
          continue;
        }
        if (s.compare(i, 9, "<![CDATA[") == 0) {
          if (depth == 0) return xml_error(roots ? "junk after document element" : "syntax error", i), false;
          std::size_t e = s.find("]]>", i + 9);
          if (e == std::string_view::npos) return xml_error("unclosed CDATA section", i), false;
          i = e + 3;
          continue;
        }
        if (s.compare(i, 2, "<?") == 0) {
          std::size_t e = s.find("?>", i + 2);
          if (e == std::string_view::npos) return xml_error("unclosed token", i), false;
          i = e + 2;
          continue;
        }
        if (s.compare(i, 2, "<!") == 0) {
          // <!DOCTYPE ...>: defusedxml forbids DTDs outright.
          std::size_t name_start = i + 2;
          while (name_start < n && std::isalpha(static_cast<unsigned char>(s[name_start]))) ++name_start;
          std::size_t p = name_start;
          while (p < n && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
          std::size_t q = p;
          while (q < n && !std::isspace(static_cast<unsigned char>(s[q])) && s[q] != '>' && s[q] != '[') ++q;
          auto [line, col] = position(i);
          config_issue is;
          is.code = "xml";
          is.message = "DTDForbidden(name=" + py_repr(s.substr(p, q - p)) + ", system_id=None, public_id=None)";
          is.line = line;
          is.detail = "document type declarations are not allowed in a labeling config";
          (void)col;
          out_.errors.push_back(std::move(is));
          return false;
        }
        bool closing = i + 1 < n && s[i + 1] == '/';
        if (!closing && depth == 0 && roots > 0) return xml_error("junk after document element", i), false;
        std::size_t p = i + 1;
        bool self_closing = false;
        if (closing) {
          p = s.find('>', i);
          if (p == std::string_view::npos) return xml_error("unclosed token", i), false;
          if (open.empty()) return xml_error(roots ? "junk after document element" : "syntax error", i), false;
          std::string_view name = s.substr(i + 2, p - i - 2);
          while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.remove_suffix(1);
          if (name != open.back()) return xml_error("mismatched tag", i + 2), false;
          open.pop_back();
        } else {
          if (!scan_start_tag(i, p, self_closing)) return false;
          if (open.empty()) ++roots;
          if (!self_closing) {
            std::size_t e = i + 1;
            while (e < n && !std::isspace(static_cast<unsigned char>(s[e])) && s[e] != '>' && s[e] != '/') ++e;
            open.push_back(s.substr(i + 1, e - i - 1));
          }
        }
        depth = static_cast<int>(open.size());
        i = p + 1;
        continue;
      }
      if (depth == 0) {
        if (!std::isspace(static_cast<unsigned char>(c)))
          return xml_error(roots ? "junk after document element" : "syntax error", i), false;
      } else if (c == '&' && !entity_ok(i)) {
        if (entity_is_named(i)) return xml_error("undefined entity", i), false;
        return xml_error("not well-formed (invalid token)", i + 1), false;
      }
      ++i;
    }
    if (roots == 0 || depth > 0) return xml_error("no element found", n), false;
    return true;
  }

  bool parse() {
    pugi::xml_document doc;
    auto r = doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default | pugi::parse_comments, pugi::encoding_utf8);
    if (!r) {
      std::size_t off = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, r.offset));
      switch (r.status) {
        case pugi::status_end_element_mismatch:
          // Past the end: an element left open; else the end tag's name, where expat points.
          if (off + 1 >= xml_.size())
            xml_error("no element found", xml_.size());
          else
            xml_error("mismatched tag", off);
          break;
        case pugi::status_no_document_element: xml_error("no element found", off); break;
        case pugi::status_out_of_memory:
        case pugi::status_internal_error: xml_error("out of memory", off); break;
        default: xml_error("not well-formed (invalid token)", off); break;
      }
      return false;
    }
    pugi::xml_node root;
    for (pugi::xml_node n : doc.children())
      if (n.type() == pugi::node_element) {
        root = n;
        break;
      }
    // Iterative walk (a fuzzer or a hostile user may nest very deeply).
    struct frame {
      pugi::xml_node node;
      std::int32_t parent;
      std::int32_t repeater;
      std::size_t depth;
    };
    std::vector<frame> stack{{root, -1, -1, 1}};
    auto& els = model_->elements_;
    // Start tags ('<' not followed by '/', '!' or '?') bound the element count: one allocation
    // instead of the regrowth of a large vector.
    std::size_t start_tags = 0;
    for (std::size_t k = xml_.find('<'); k != std::string_view::npos; k = xml_.find('<', k + 1))
      if (k + 1 < xml_.size() && xml_[k + 1] != '/' && xml_[k + 1] != '!' && xml_[k + 1] != '?') ++start_tags;
    els.reserve(start_tags);
    bool too_deep = false;
    while (!stack.empty()) {
      frame f = stack.back();
      stack.pop_back();
      auto idx = static_cast<std::uint32_t>(els.size());
      element e;
      e.tag = f.node.name();
      auto [line, col] = position(static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, f.node.offset_debug())));
      e.line = line;
      e.column = col;  // the name's start; '<' is one column to the left
      std::size_t attribute_count = 0;
      for (pugi::xml_attribute a = f.node.first_attribute(); a; a = a.next_attribute()) ++attribute_count;
      e.attributes.reserve(attribute_count);
      for (pugi::xml_attribute a : f.node.attributes()) {
        for (const auto& prev : e.attributes)
          if (prev.name == a.name()) {
            xml_error("duplicate attribute", static_cast<std::size_t>(f.node.offset_debug()));
            return false;
          }
        e.attributes.push_back({a.name(), a.value()});
      }
      e.parent = f.parent;
      e.repeater = f.repeater;
      bool has_kids = false;
      for (pugi::xml_node c : f.node.children()) {
        if (c.type() == pugi::node_element)
          has_kids = true;
        else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata)
          e.text += c.value();
      }
      e.entry = model_->catalog_->find_tag(e.tag);
      bool is_repeater = e.entry && annot::iequals(e.entry->name(), "Repeater");
      if (f.parent >= 0) els[static_cast<std::size_t>(f.parent)].children.push_back(idx);
      els.push_back(std::move(e));
      if (!has_kids) continue;
      if (f.depth >= max_depth) {
        too_deep = true;
        continue;
      }
      // Pushed last to first, so they pop in document order.
      for (pugi::xml_node c = f.node.last_child(); c; c = c.previous_sibling())
        if (c.type() == pugi::node_element)
          stack.push_back({c, static_cast<std::int32_t>(idx), is_repeater ? static_cast<std::int32_t>(idx) : f.repeater,
                           f.depth + 1});
    }
    if (too_deep)
      error("xml", "the config nests elements more than " + std::to_string(max_depth) + " levels deep",
            &els.front());
    // Children were appended in pop order, which is document order: the stack pushes them reversed.
    return true;
  }

  // --- Label Studio's JSON-schema check (spec §7.1 step 2), on the badgerfish view ------------------
  // Attribute values as badgerfish types them: "true"/"false" -> bool, numbers -> int/float.
  static std::optional<std::string> badgerfish_non_string(std::string_view v) {
    std::string_view t = trim(v);
    if (annot::iequals(v, "true")) return std::string("True");
    if (annot::iequals(v, "false")) return std::string("False");
    if (t.empty()) return std::nullopt;
    std::string_view digits = t;
    if (digits.front() == '+' || digits.front() == '-') digits.remove_prefix(1);
    if (!digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::string out(t);
      if (out.front() == '+') out.erase(0, 1);
      // int() drops leading zeros
      bool neg = !out.empty() && out.front() == '-';
      std::string body = out.substr(neg ? 1 : 0);
      body.erase(0, std::min(body.find_first_not_of('0'), body.size() - 1));
      return (neg && body != "0" ? "-" : "") + body;
    }
    double d = 0;
    auto r = std::from_chars(t.data() + (t.front() == '+' ? 1 : 0), t.data() + t.size(), d);
    if (r.ec == std::errc() && r.ptr == t.data() + t.size() && std::isfinite(d)) {
      nlohmann::json j = d;
      return j.dump();
    }
    return std::nullopt;
  }

  std::vector<std::uint32_t> children_named(const element& e, std::string_view tag) const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t c : e.children)
      if (model_->elements_[c].tag == tag) out.push_back(c);
    return out;
  }
  bool has_child(const element& e, std::string_view tag) const {
    for (std::uint32_t c : e.children)
      if (model_->elements_[c].tag == tag) return true;
    return false;
  }
  static std::string item_path(const std::string& base, std::string_view tag, std::size_t count, std::size_t i) {
    std::string p = base + "/" + std::string(tag);
    if (count > 1) p += "/" + std::to_string(i);
    return p;
  }
  // A badgerfish path, spelled out only when a check fails (a config may hold thousands of Choice tags).
  struct lazy_path {
    const std::string* base;
    std::string_view tag;
    std::size_t count, index;
    std::string str() const { return item_path(*base, tag, count, index); }
  };
  void schema_fail(const element& e, const std::string& path, std::string message, std::string attribute) {
    error("schema", "Validation failed on " + path + ": " + std::move(message), &e, std::move(attribute));
  }
  // One required set: the first missing '@attr' or child, in schema order.
  std::optional<std::string> first_missing(const element& e, std::initializer_list<std::string_view> required) const {
    for (std::string_view r : required) {
      if (r.front() == '@') {
        if (!e.attr_exact(r.substr(1))) return std::string(r.substr(1));
      } else if (!has_child(e, r)) {
        return std::string(r);
      }
    }
    return std::nullopt;
  }
  void check_string_attrs(const element& e, const std::string& path, std::initializer_list<std::string_view> attrs) {
    for (std::string_view a : attrs)
      if (const std::string* v = e.attr_exact(a))
        if (auto non_string = badgerfish_non_string(*v))
          schema_fail(e, path, *non_string + " is not of type 'string'", std::string(a));
  }
  void check_text_is_string(const element& e, const std::string& path) {
    std::string_view t = trim(e.text);
    if (t.empty()) return;
    if (auto non_string = badgerfish_non_string(t)) schema_fail(e, path, *non_string + " is not of type 'string'", "");
  }
  void schema_tag_with_value(const element& e, const lazy_path& path) {
    if (!e.attr_exact("value")) schema_fail(e, path.str(), "'value' is a required property", "value");
    if (!trim(e.text).empty()) check_text_is_string(e, path.str());
  }
  void schema_labels_like(const element& e, const std::string& path, std::string_view child, std::size_t depth) {
    auto a1 = first_missing(e, {"@name", "@toName", child});
    auto a2 = first_missing(e, {"@name", "@toName", "@value"});
    auto a3 = first_missing(e, {"@name", "@toName", "View"});
    if (a1 && a2 && a3) {
      std::string attr = (*a1 == "name" || *a1 == "toName") ? *a1 : std::string();
      schema_fail(e, path, "'" + *a1 + "' is a required property", attr);
    }
    check_string_attrs(e, path, {"name", "toName"});
    check_text_is_string(e, path);
    auto items = children_named(e, child);
    for (std::size_t i = 0; i < items.size(); ++i)
      schema_tag_with_value(model_->elements_[items[i]], lazy_path{&path, child, items.size(), i});
    schema_views(e, path, depth);
  }

  void schema_views(const element& e, const std::string& path, std::size_t depth) {
    auto views = children_named(e, "View");
    for (std::size_t i = 0; i < views.size(); ++i)
      schema_view(model_->elements_[views[i]], item_path(path, "View", views.size(), i), depth + 1);
  }
  void schema_view(const element& e, const std::string& path, std::size_t depth) {
    if (depth > 200) return;  // the badgerfish conversion would hit Python's recursion limit first
    for (std::string_view t : {"Labels", "Choices"}) {
      auto items = children_named(e, t);
      for (std::size_t i = 0; i < items.size(); ++i)
        schema_labels_like(model_->elements_[items[i]], item_path(path, t, items.size(), i),
                           t == "Labels" ? "Label" : "Choice", depth);
    }
    for (std::string_view t : {"Label", "Choice"}) {
      auto items = children_named(e, t);
      for (std::size_t i = 0; i < items.size(); ++i)
        schema_tag_with_value(model_->elements_[items[i]], lazy_path{&path, t, items.size(), i});
    }
    for (std::string_view t : {"Image", "Text", "HyperText"}) {
      auto items = children_named(e, t);
      for (std::size_t i = 0; i < items.size(); ++i) {
        const element& x = model_->elements_[items[i]];
        std::string p = item_path(path, t, items.size(), i);
        bool has_name = x.attr_exact("name"), has_value = x.attr_exact("value"), has_list = x.attr_exact("valueList");
        if (!has_name)
          schema_fail(x, p, "'name' is a required property", "name");
        else if (!has_value && !has_list)
          schema_fail(x, p, "'value' is a required property", "value");
        else if (has_value && has_list)
          schema_fail(x, p, "the tag is valid under each of {'required': ['@name', '@value']}, "
                            "{'required': ['@name', '@valueList']}", "valueList");
        check_text_is_string(x, p);
      }
    }
    schema_views(e, path, depth);
    for (std::string_view t : {"TextArea", "Number"}) {
      auto items = children_named(e, t);
      for (std::size_t i = 0; i < items.size(); ++i) {
        const element& x = model_->elements_[items[i]];
        std::string p = item_path(path, t, items.size(), i);
        if (auto miss = first_missing(x, {"@name", "@toName"})) schema_fail(x, p, "'" + *miss + "' is a required property", *miss);
        check_string_attrs(x, p, {"name", "toName"});
        check_text_is_string(x, p);
      }
    }
  }
  void ls_schema() {
    const element& root = model_->elements_.front();
    if (root.tag == "View") schema_view(root, "View", 0);
  }

  // --- Label Studio's name checks (spec §7.1 steps 3-4) ---------------------------------------------
  // The server runs regular expressions over the re-serialized XML: `name="..."` matches any
  // attribute whose name ends in lower-case "name" (also `toname`), and text such as CSS selectors.
  static void scan_text_for(std::string_view text, std::string_view key, std::vector<std::string>& out) {
    std::size_t p = 0;
    while ((p = text.find(key, p)) != std::string_view::npos) {
      std::size_t start = p + key.size();
      std::size_t end = text.find('"', start);
      if (end == std::string_view::npos) break;
      out.emplace_back(text.substr(start, end - start));
      p = end + 1;
    }
  }
  static bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
  }
  void ls_names() {
    struct occurrence {
      std::string value;
      std::uint32_t element;
      std::string attribute;
    };
    std::vector<occurrence> names, to_names;
    const auto& els = model_->elements_;
    for (std::uint32_t i = 0; i < els.size(); ++i) {
      for (const auto& a : els[i].attributes) {
        if (ends_with(a.name, "name")) names.push_back({a.value, i, a.name});
        if (ends_with(a.name, "toName")) to_names.push_back({a.value, i, a.name});
      }
      std::vector<std::string> found;
      scan_text_for(els[i].text, "name=\"", found);
      for (auto& f : found) names.push_back({std::move(f), i, ""});
      found.clear();
      scan_text_for(els[i].text, "toName=\"", found);
      for (auto& f : found) to_names.push_back({std::move(f), i, ""});
    }
    std::unordered_map<std::string, std::uint32_t> first;
    std::set<std::string> reported;
    for (const auto& o : names) {
      auto [it, fresh] = first.emplace(o.value, o.element);
      if (fresh || reported.count(o.value)) continue;
      reported.insert(o.value);
      const element& e = els[o.element];
      error("duplicate_name", "Label config contains non-unique names", &e, o.attribute.empty() ? "name" : o.attribute,
            "name \"" + o.value + "\" is already used on line " + std::to_string(els[it->second].line) + " by <" +
                els[it->second].tag + ">");
    }
    std::vector<std::string> sorted_names;
    for (const auto& [k, v] : first) sorted_names.push_back(k);
    std::sort(sorted_names.begin(), sorted_names.end());
    std::set<std::string> missing_reported;
    for (const auto& o : to_names)
      for (const auto& part : split_commas(o.value, false))
        if (!first.count(part) && missing_reported.insert(part).second)
          error("to_name", "toName=\"" + part + "\" not found in names: " + py_repr(sorted_names), &els[o.element],
                o.attribute.empty() ? "toName" : o.attribute);
    names_ = std::move(first);
  }

  // --- The registry's checks (what the editor refuses at render time) -----------------------------
  void registry_checks() {
    const auto& els = model_->elements_;
    const tag_catalog& cat = *model_->catalog_;
    for (std::uint32_t i = 0; i < els.size(); ++i) {
      const element& e = els[i];
      if (!e.entry) {
        auto r = cat.lookup_tag(e.tag);
        error("unknown_tag", r.error().message(), &e);
        continue;
      }
      const annot::tag_info& info = e.entry->info();
      // A value tag (Label, Choice, Channel...) must sit inside a tag that lists it.
      if (info.child_only) {
        bool inside = false, unknown_ancestor = false;
        for (std::int32_t p = e.parent; p >= 0 && !inside; p = els[static_cast<std::size_t>(p)].parent) {
          const element& pe = els[static_cast<std::size_t>(p)];
          inside = pe.entry && pe.entry->lists_child(info.name);
          unknown_ancestor = unknown_ancestor || !pe.entry;
        }
        // Under a tag no plugin provides, the parent may well be that tag: its error says enough.
        if (!inside && !unknown_ancestor) {
          std::string parents;
          for (const tag_entry* p : cat.parents_of(info.name)) parents += (parents.empty() ? "<" : ", <") + p->name() + ">";
          std::string where = e.parent >= 0 ? " (it is inside <" + els[static_cast<std::size_t>(e.parent)].tag + ">)"
                                            : " (it is the root)";
          error("parent", "<" + e.tag + "> must be inside " + (parents.empty() ? "its parent tag" : parents) + where,
                &e);
        }
      }
      check_attributes(e);
      if (info.checker) run_checker(e);
    }
    // Names inside a Repeater must carry its index flag, or every copy collides.
    for (std::uint32_t i = 0; i < els.size(); ++i) {
      const element& e = els[i];
      if (e.repeater < 0) continue;
      const std::string* name = e.attr("name");
      if (!name || name->empty()) continue;
      std::string flag = index_flag(e.repeater);
      if (name->find(flag) == std::string::npos)
        warning("repeater",
                "name \"" + *name + "\" inside <Repeater> has no " + flag + ", so every repeated copy gets the same name",
                &e, "name");
    }
  }

  std::string index_flag(std::int32_t repeater) const {
    if (repeater < 0) return {};
    const element& r = model_->elements_[static_cast<std::size_t>(repeater)];
    const std::string* f = r.attr("indexFlag");
    return f && !f->empty() ? *f : std::string("{{idx}}");
  }

  void check_attributes(const element& e) {
    const annot::tag_info& info = e.entry->info();
    std::string flag = index_flag(e.repeater);
    for (const auto& a : e.attributes) {
      const annot::field_spec* f = find_field(info.attributes, a.name);
      if (!f) {
        warning("unknown_attribute", "unknown attribute '" + a.name + "' on <" + e.tag + ">; <" + info.name +
                                         "> understands: " + attribute_list(info),
                &e, a.name);
        continue;
      }
      if (!flag.empty() && a.value.find(flag) != std::string::npos) continue;  // resolved per item
      if (f->type == annot::field_type::name_ref) {
        if (!a.value.empty() && !names_.count(a.value))
          warning("name_ref", "attribute '" + a.name + "' of <" + e.tag + "> names \"" + a.value +
                                  "\", but no tag has that name",
                  &e, a.name);
        continue;
      }
      std::string problem = check_attribute_text(*f, a.value);
      if (!problem.empty())
        warning("attribute_value", "attribute '" + a.name + "' of <" + e.tag + "> " + problem, &e, a.name);
    }
    for (const auto& f : info.attributes)
      if (f.required && !e.attr(f.name))
        warning("required_attribute", "<" + e.tag + "> is missing its required attribute '" + f.name + "'", &e, f.name);
  }

  static std::string attribute_list(const annot::tag_info& info) {
    if (info.attributes.empty()) return "no attributes";
    std::string out;
    for (const auto& f : info.attributes) out += (out.empty() ? "" : ", ") + f.name;
    return out;
  }

  void run_checker(const element& e) {
    struct sink final : annot::issue_sink {
      model_builder* b;
      const element* el;
      void add(annot::severity level, std::string_view path, std::string_view message) noexcept override {
        try {
          if (level == annot::severity::error)
            b->error("plugin", std::string(message), el, std::string(path));
          else
            b->warning("plugin", std::string(message), el, std::string(path));
        } catch (...) {
        }
      }
    } s;
    s.b = this;
    s.el = &e;
    annot::config_tag view = make_config_tag(e);
    e.entry->info().checker->check(view, s);
  }

  annot::config_tag make_config_tag(const element& e) const {
    annot::config_tag t;
    t.tag = e.entry ? e.entry->name() : e.tag;
    if (const std::string* n = e.attr("name")) t.name = *n;
    t.line = e.line;
    t.attributes = e.attributes;
    return t;
  }

  // --- Objects and controls -------------------------------------------------------------------------
  name_pattern pattern_for(const std::string& name, const std::string& flag) const {
    name_pattern p;
    if (flag.empty()) return p;
    std::size_t at = name.find(flag);
    if (at == std::string::npos) return p;
    p.templated = true;
    p.prefix = name.substr(0, at);
    p.suffix = name.substr(at + flag.size());
    return p;
  }

  void build_objects() {
    auto& els = model_->elements_;
    for (std::uint32_t i = 0; i < els.size(); ++i) {
      element& e = els[i];
      if (!e.entry || e.entry->role != tag_role::object) continue;
      const std::string* name = e.attr("name");
      const annot::object_tag_spec& spec = *e.entry->object;
      const std::string* value = nullptr;
      bool is_list = false;
      for (const auto& va : spec.value_attributes)
        if ((value = e.attr(va))) {
          is_list = !annot::iequals(va, "value");
          break;
        }
      if (!name || name->empty()) continue;  // an object needs a name to be targeted (the attribute table warns)
      object_ref o;
      o.inst.tag = make_config_tag(e);
      if (value) {
        o.inst.value = *value;
        if (value->size() > 1 && value->front() == '$') o.inst.data_key = value->substr(1);
      }
      o.inst.value_list = is_list;
      o.entry = e.entry;
      o.element = i;
      o.index_flag = index_flag(e.repeater);
      o.pattern = pattern_for(*name, o.index_flag);
      auto idx = static_cast<std::uint32_t>(model_->objects_.size());
      e.object = static_cast<std::int32_t>(idx);
      model_->object_by_name_.emplace(*name, idx);
      if (o.pattern.templated) model_->templated_objects_.push_back(idx);
      model_->objects_.push_back(std::move(o));
    }
  }

  void build_controls() {
    auto& els = model_->elements_;
    for (std::uint32_t i = 0; i < els.size(); ++i) {
      element& e = els[i];
      if (!e.entry || e.entry->role != tag_role::control) continue;
      const annot::control_tag_spec& spec = *e.entry->control;
      control_ref c;
      c.inst.tag = make_config_tag(e);
      if (const std::string* tn = e.attr("toName")) c.inst.to_names = split_commas(*tn, true);
      if (spec.dynamic_labels) {
        const std::string* v = e.attr("value");
        const std::string* api = e.attr("apiUrl");
        c.inst.dynamic_labels = (v && v->size() > 1 && v->front() == '$') || (api && !api->empty());
      }
      c.entry = e.entry;
      c.element = i;
      c.index_flag = index_flag(e.repeater);
      c.pattern = pattern_for(c.inst.tag.name, c.index_flag);
      auto idx = static_cast<std::uint32_t>(model_->controls_.size());
      e.control = static_cast<std::int32_t>(idx);
      if (!c.inst.tag.name.empty()) model_->control_by_name_.emplace(c.inst.tag.name, idx);
      if (c.pattern.templated) model_->templated_controls_.push_back(idx);
      if (model_->relations_ < 0 &&
          std::find(spec.result_types.begin(), spec.result_types.end(), "relation") != spec.result_types.end())
        model_->relations_ = static_cast<std::int32_t>(idx);
      model_->controls_.push_back(std::move(c));
    }
    // Labels and listed children go to the nearest control ancestor, as Label Studio's parser does.
    std::vector<std::int32_t> label_index(els.size(), -1);
    for (std::uint32_t i = 0; i < els.size(); ++i) {
      const element& e = els[i];
      std::int32_t owner = -1, parent_label = -1;
      for (std::int32_t p = e.parent; p >= 0; p = els[static_cast<std::size_t>(p)].parent) {
        const element& pe = els[static_cast<std::size_t>(p)];
        if (parent_label < 0 && label_index[static_cast<std::size_t>(p)] >= 0 && annot::iequals(pe.tag, "Choice"))
          parent_label = label_index[static_cast<std::size_t>(p)];
        if (pe.control >= 0) {
          owner = pe.control;
          break;
        }
      }
      if (owner < 0) continue;
      control_ref& c = model_->controls_[static_cast<std::size_t>(owner)];
      if (is_label_tag(e.tag)) {
        const std::string* alias = e.attr("alias");
        const std::string* value = e.attr("value");
        std::string v = alias && !alias->empty() ? *alias : value ? *value : std::string();
        if (!v.empty()) {
          label_index[i] = static_cast<std::int32_t>(c.inst.labels.items.size());
          c.inst.labels.items.push_back({std::move(v), parent_label, e.line});
        }
      } else if (c.entry->lists_child(e.tag)) {
        c.inst.children.push_back(make_config_tag(e));
      }
    }
    for (auto& c : model_->controls_) c.inst.labels.build_index();
  }

  void check_controls() {
    const auto& els = model_->elements_;
    const tag_catalog& cat = *model_->catalog_;
    for (auto& c : model_->controls_) {
      const element& e = els[c.element];
      const annot::control_tag_spec& spec = c.spec();
      std::string who = "<" + e.tag + (c.inst.tag.name.empty() ? "" : " name=\"" + c.inst.tag.name + "\"") + ">";
      const std::string* to_attr = e.attr("toName");
      std::size_t parts = to_attr ? c.inst.to_names.size() : 0;
      if (parts < spec.min_targets)
        warning("targets_count",
                who + " needs " + std::to_string(spec.min_targets) + " target" + (spec.min_targets == 1 ? "" : "s") +
                    " in toName, has " + std::to_string(parts) +
                    (parts ? "" : ": Label Studio ignores a control without toName"),
                &e, "toName");
      else if (spec.max_targets && parts > spec.max_targets)
        warning("targets_count",
                who + " takes at most " + std::to_string(spec.max_targets) + " target" +
                    (spec.max_targets == 1 ? "" : "s") + " in toName, has " + std::to_string(parts),
                &e, "toName");
      const std::string* per_item = e.attr("perItem");
      const std::string* per_region = e.attr("perRegion");
      if (per_item && per_region && annot::iequals(trim(*per_item), "true") && annot::iequals(trim(*per_region), "true"))
        warning("attribute_value", who + " cannot be both perItem and perRegion", &e, "perItem");
      if (!to_attr) continue;
      for (const auto& part : c.inst.to_names) {
        control_target t;
        t.name = part;
        if (const object_ref* o = model_->find_object(part)) {
          t.object = static_cast<std::int32_t>(o - model_->objects_.data());
          for (const auto& rt : spec.result_types) t.regions.push_back(cat.find_region(o->entry->name(), rt));
        }
        c.targets.push_back(t);
        if (part.empty()) continue;
        if (t.object < 0) {
          // Name exists (else Label Studio's toName check reported it) but is not an object tag.
          const element* named = nullptr;
          for (const element& x : els) {
            const std::string* n = x.attr("name");
            if (n && *n == part) {
              named = &x;
              break;
            }
          }
          if (named && named->entry)
            error("target", who + " targets \"" + part + "\", which is a <" + named->tag + ">, not an object tag",
                  &e, "toName");
          continue;
        }
        const object_ref& o = model_->objects_[static_cast<std::size_t>(t.object)];
        const std::string& otag = o.entry->name();
        std::string target_desc = "<" + els[o.element].tag + " name=\"" + o.inst.tag.name + "\">";
        if (!spec.targets.empty() &&
            std::none_of(spec.targets.begin(), spec.targets.end(), [&](const std::string& s) { return annot::iequals(s, otag); })) {
          std::string allowed;
          for (const auto& s : spec.targets) allowed += (allowed.empty() ? "<" : ", <") + s + ">";
          error("target", who + " cannot label " + target_desc + ": it labels only " + allowed, &e, "toName");
          continue;
        }
        if (spec.needs_region && !t.regions.front()) {
          error("target", who + " cannot label " + target_desc + ": no installed plugin defines a '" +
                              spec.result_types.front() + "' region on <" + otag + ">",
                &e, "toName");
        }
      }
    }
  }

  // --- Data keys (spec §1.1, extract_data_types) ------------------------------------------------------
  void find_data_keys() {
    const auto& els = model_->elements_;
    auto& keys = model_->data_keys_;
    auto add_key = [&](std::string key, const element& e) {
      auto it = std::find_if(keys.begin(), keys.end(), [&](const data_key& k) { return k.key == key; });
      std::vector<annot::data_type> types{annot::data_type::str};
      if (e.entry && !e.entry->info().data_types.empty()) types = e.entry->info().data_types;
      if (it == keys.end()) {
        keys.push_back({std::move(key), e.tag, std::move(types), e.line});
      } else if (it->tag != "Video") {  // Video wins a key it shares with Audio and others
        it->tag = e.tag;
        it->types = std::move(types);
        it->line = e.line;
      }
    };
    for (std::size_t i = 1; i < els.size(); ++i) {  // descendants of the root, not the root
      const element& e = els[i];
      const std::string* value = e.attr_exact("value");
      const std::string* name = e.attr_exact("name");
      if (!value || !name || name->empty()) continue;
      if (value->size() > 1 && value->front() == '$') {
        add_key(value->substr(1), e);
        continue;
      }
      // "Doc $id": the first $word.
      std::size_t d = value->find('$');
      while (d != std::string::npos) {
        std::size_t j = d + 1;
        while (j < value->size() && (std::isalnum(static_cast<unsigned char>((*value)[j])) || (*value)[j] == '_')) ++j;
        if (j > d + 1) {
          add_key(value->substr(d + 1, j - d - 1), e);
          break;
        }
        d = value->find('$', j);
      }
    }
  }

  // --- The trailing sample-task comment (get_task_from_labeling_config) ---------------------------
  void read_sample_task() {
    std::string_view s = xml_;
    std::size_t start = s.find("<!-- {");
    if (start == std::string_view::npos) start = s.find("<!--{");
    if (start == std::string_view::npos) return;
    start += 4;
    std::size_t end = s.find("-->", start);
    if (end == std::string_view::npos) return;
    auto body = nlohmann::json::parse(s.substr(start, end - start), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      auto [line, col] = position(start);
      (void)col;
      add(config_issue::level::warning, "sample_task",
          "the comment starting with '<!-- {' is not a JSON object, so it gives no sample task", line);
      return;
    }
    bool dont_use_root = body.contains("predictions") || body.contains("annotations");
    nlohmann::json task = nlohmann::json::object();
    // Moved, not copied: copying a deeply nested value recurses once per level.
    nlohmann::json annotations = body.contains("annotations") ? std::move(body["annotations"]) : nlohmann::json();
    nlohmann::json predictions = body.contains("predictions") ? std::move(body["predictions"]) : nlohmann::json();
    if (body.contains("data"))
      task["data"] = std::move(body["data"]);
    else
      task["data"] = dont_use_root ? nlohmann::json() : std::move(body);
    task["annotations"] = std::move(annotations);
    task["predictions"] = std::move(predictions);
    model_->sample_task_ = std::move(task);
  }

  std::string_view xml_;
  std::shared_ptr<config_model> model_;
  compiled_config out_;
  std::vector<std::size_t> line_starts_;
  std::unordered_map<std::string, std::uint32_t> names_;  // Label Studio's name set -> first element
  std::set<std::pair<std::uint32_t, std::string>> covered_;  // (line, attribute) already reported as errors
};

compiled_config compile_config(std::string_view xml, const tag_catalog& catalog) {
  try {
    return model_builder(xml, catalog).run();
  } catch (const std::bad_alloc&) {
    compiled_config out;
    out.errors.push_back({config_issue::level::error, "xml", "the config is too large to process", 0, {}, {}, {}});
    return out;
  }
}

}  // namespace annot::host::config
