// Choices and Taxonomy: classification controls whose values are config choices or paths through nested Choice tags.
#include <string_view>
#include <vector>

#include "core.hpp"

namespace annot::plugins::core {

namespace {

// Whether `path` (root to node) follows nested Choice tags of `labels`: each step a child of the last.
bool is_path(const annot::label_set& labels, annot::json_ref path) {
  std::vector<std::int32_t> frontier{-1};
  for (std::size_t i = 0; i < path.size(); ++i) {
    std::vector<std::int32_t> next;
    auto [b, e] = labels.equal_range(path.at(i).as_string());
    for (auto it = b; it != e; ++it)
      for (std::int32_t parent : frontier)
        if (labels.items[*it].parent == parent) {
          next.push_back(static_cast<std::int32_t>(*it));
          break;
        }
    if (next.empty()) return false;
    frontier = std::move(next);
  }
  return path.size() > 0;
}

std::string path_text(annot::json_ref path) {
  std::string out = "[";
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    out += '"';
    out += path.at(i).as_string();
    out += '"';
  }
  return out + "]";
}

// A list of string paths; reports errors for malformed entries and returns false for them.
bool string_path(annot::json_ref entry, const std::string& path, annot::issue_sink& out) {
  if (!entry.is_array() || entry.size() == 0) {
    out.add(annot::severity::error, path, "must be a non-empty list of strings (a path from a top choice down)");
    return false;
  }
  for (std::size_t j = 0; j < entry.size(); ++j)
    if (!entry.at(j).is_string()) {
      out.add(annot::severity::error, annot::path_index(path, j), "must be a string (a choice value)");
      return false;
    }
  return true;
}

class choices_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref choices = r.value.get("choices");
    if (!choices.is_array()) {
      out.add(annot::severity::error, "value.choices",
              "must be a list of choice values, got " + std::string(annot::to_string(choices.kind())));
      return;
    }
    bool nested = attribute_true(r.control->tag, "allowNested");
    const auto& labels = r.control->labels;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      annot::json_ref c = choices.at(i);
      std::string path = annot::path_index("value.choices", i);
      if (c.is_string()) {
        if (!r.control->dynamic_labels && !labels.contains(c.as_string()))
          out.add(annot::severity::rule_break, path,
                  "\"" + std::string(c.as_string()) + "\" is not a choice of " + describe(*r.control));
      } else if (nested && c.is_array()) {
        if (string_path(c, path, out) && !r.control->dynamic_labels && !is_path(labels, c))
          out.add(annot::severity::rule_break, path, path_text(c) + " is not a path of nested choices of " +
                                                         describe(*r.control));
      } else {
        out.add(annot::severity::error, path,
                nested ? "must be a choice value or a path of choice values" : "must be a string (a choice value)");
      }
    }
    auto choice = r.control->tag.attribute("choice");
    bool single = !choice || *choice == "single" || *choice == "single-radio";
    if (single && choices.size() > 1)
      out.add(annot::severity::rule_break, "value.choices",
              describe(*r.control) + " takes one choice (choice=\"" + std::string(choice ? *choice : "single") +
                  "\"), got " + std::to_string(choices.size()));
  }
};

class taxonomy_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref paths = r.value.get("taxonomy");
    if (!paths.is_array()) {
      out.add(annot::severity::error, "value.taxonomy",
              "must be a list of paths (lists of choice values), got " + std::string(annot::to_string(paths.kind())));
      return;
    }
    // Labels from task data or an API are not in the config, so only the shape can be checked.
    bool known = !r.control->dynamic_labels && !r.control->tag.attribute("apiUrl");
    for (std::size_t i = 0; i < paths.size(); ++i) {
      std::string path = annot::path_index("value.taxonomy", i);
      annot::json_ref p = paths.at(i);
      if (!string_path(p, path, out)) continue;
      if (known && !is_path(r.control->labels, p))
        out.add(annot::severity::rule_break, path, path_text(p) + " is not a path of " + describe(*r.control));
    }
  }
};

}  // namespace

annot::status register_choices(annot::registrar& reg) {
  if (auto st = reg.add_control_tag({
          .tag = {.name = "Choices",
                  .description = "Classifies the object (or a region of it, with perRegion) with one or more choices",
                  .attributes = control_attributes({
                      one_of("choice", {"single", "single-radio", "multiple"}, "How many choices may be selected",
                             "single"),
                      one_of("layout", {"select", "inline", "vertical", "horizontal"}, "How choices are laid out"),
                      flag("showInline", "Show choices in a row"),
                      flag("allowNested", "Nested Choice tags; results may carry paths"),
                      variable(text("value", "\"$key\" of task data holding the choices (dynamic choices)")),
                      integer("maxUsages", "How many times each choice may be used", {}, 0),
                      flag("readonly", "The choices cannot be changed"),
                      text("hotkey", "Key that activates the control"),
                  }),
                  .children = {"Choice"},
                  .data_types = {annot::data_type::str, annot::data_type::list}},
          .result_types = {"choices"},
          .payload_key = "choices",
          .payload = annot::payload_kind::custom,
          .dynamic_labels = true,
          .validator = std::make_unique<choices_validator>(),
      });
      !st.ok())
    return st;
  return reg.add_control_tag({
      .tag = {.name = "Taxonomy",
              .description = "Picks one or more paths in a tree of nested Choice tags",
              .attributes = control_attributes({
                  flag("leafsOnly", "Only leaves may be selected"),
                  flag("showFullPath", "Show the whole path of selected items"),
                  text("pathSeparator", "Separator between path elements", " / "),
                  text("placeholder", "Text shown when nothing is selected", "Click to add..."),
                  integer("minWidth", "Minimum width of the dropdown in pixels", {}, 0),
                  integer("maxWidth", "Maximum width of the dropdown in pixels", {}, 0),
                  integer("maxUsages", "How many items may be selected", {}, 0),
                  text("apiUrl", "URL returning the taxonomy tree (labels not in the config)"),
                  flag("labeling", "Use the taxonomy to label regions"),
                  flag("legacy", "Use the old dropdown"),
                  flag("isEditable", "Users may add items"),
                  variable(text("value", "\"$key\" of task data holding the tree (dynamic taxonomy)")),
                  text("sharedStore", "Share one loaded tree between Taxonomy tags of this id"),
              }),
              .children = {"Choice"},
              .data_types = {annot::data_type::str, annot::data_type::list, annot::data_type::none}},
      .result_types = {"taxonomy"},
      .payload_key = "taxonomy",
      .payload = annot::payload_kind::custom,
      .dynamic_labels = true,
      .validator = std::make_unique<taxonomy_validator>(),
  });
}

}  // namespace annot::plugins::core
