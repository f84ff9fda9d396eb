// Ranking and comparison: List (the object Ranker orders), Ranker + Bucket, Pairwise, and Relations.
#include <string_view>
#include <unordered_set>

#include "core.hpp"

namespace annot::plugins::core {

namespace {

// The ids of a List's items ([{id, title, body}]), when the task data is known.
std::unordered_set<std::string_view> list_ids(annot::json_ref data) {
  std::unordered_set<std::string_view> ids;
  for (std::size_t i = 0; i < data.size(); ++i) {
    annot::json_ref id = data.at(i).get("id");
    if (id.is_string()) ids.insert(id.as_string());
  }
  return ids;
}

class ranker_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    try {
      run(r, out);
    } catch (...) {
      // Out of memory building the id set: skip the id checks rather than crash.
    }
  }

 private:
  static void run(const annot::result_view& r, annot::issue_sink& out) {
    annot::json_ref ranker = r.value.get("ranker");
    bool know_ids = r.data.is_array();
    auto ids = know_ids ? list_ids(r.data) : std::unordered_set<std::string_view>{};
    auto check_list = [&](annot::json_ref list, const std::string& path) {
      if (!list.is_array()) {
        out.add(annot::severity::error, path, "must be a list of item ids");
        return;
      }
      for (std::size_t i = 0; i < list.size(); ++i) {
        annot::json_ref id = list.at(i);
        if (!id.is_string()) {
          out.add(annot::severity::error, annot::path_index(path, i), "must be a string (an item id)");
        } else if (know_ids && !ids.count(id.as_string())) {
          out.add(annot::severity::rule_break, annot::path_index(path, i),
                  "\"" + std::string(id.as_string()) + "\" is not the id of an item of the ranked list");
        }
      }
    };
    // The older flat form: {"ranker": ["id3", "id1"]}.
    if (ranker.is_array()) {
      check_list(ranker, "value.ranker");
      return;
    }
    if (!ranker.is_object()) {
      out.add(annot::severity::error, "value.ranker",
              "must be an object of bucket name -> item ids (or a list of item ids), got " +
                  std::string(annot::to_string(ranker.kind())));
      return;
    }
    for (std::size_t i = 0; i < ranker.size(); ++i) {
      std::string_view key = ranker.member_name(i);
      std::string path = annot::path_join("value.ranker", key);
      bool known = key == "_" || key == r.control->tag.name;
      for (const auto& child : r.control->children)
        if (annot::iequals(child.tag, "Bucket") && child.name == key) known = true;
      if (!known)
        out.add(annot::severity::rule_break, path,
                "\"" + std::string(key) + "\" is neither a <Bucket> of " + describe(*r.control) +
                    " nor its own name");
      check_list(ranker.member_value(i), path);
    }
  }
};

class pairwise_validator final : public annot::result_validator {
 public:
  void check(const annot::result_view& r, annot::issue_sink& out) const noexcept override {
    annot::json_ref s = r.value.get("selected");
    if (!s.is_string()) {
      out.add(annot::severity::error, "value.selected", "must be \"left\" or \"right\"");
      return;
    }
    if (s.as_string() != "left" && s.as_string() != "right")
      out.add(annot::severity::rule_break, "value.selected",
              "is \"" + std::string(s.as_string()) + "\"; Pairwise results select \"left\" or \"right\"");
  }
};

}  // namespace

annot::status register_comparison(annot::registrar& reg) {
  if (auto st = reg.add_object_tag({
          .tag = {.name = "List",
                  .description = "A list of items ({id, title, body}) for Ranker to order",
                  .attributes = {required(text("name", "Unique name of the list")),
                                 required(variable(text("value", "\"$key\" of the list in task data"))),
                                 text("title", "Title shown above the list")},
                  .data_types = {annot::data_type::list, annot::data_type::str}},
      });
      !st.ok())
    return st;
  annot::control_tag_spec controls[] = {
      {.tag = {.name = "Ranker",
               .description = "Orders the items of a List, or sorts them into Bucket children",
               .attributes = control_attributes({
                   one_of("mode", {"rank", "select"}, "Rank items or only sort them into buckets"),
               }),
               .children = {"Bucket"},
               .data_types = {annot::data_type::list, annot::data_type::str}},
       .result_types = {"ranker"},
       .payload_key = "ranker",
       .payload = annot::payload_kind::custom,
       .targets = {"List"},
       .validator = std::make_unique<ranker_validator>()},
      {.tag = {.name = "Pairwise",
               .description = "Compares two objects: the result selects the left or the right one",
               .attributes = control_attributes({
                   text("leftClass", "CSS class of the left object"),
                   text("rightClass", "CSS class of the right object"),
                   css("selectionStyle", "CSS of the selected object"),
               })},
       .result_types = {"pairwise"},
       .payload_key = "selected",
       .payload = annot::payload_kind::custom,
       .min_targets = 2,
       .max_targets = 2,
       .self_target = true,
       .validator = std::make_unique<pairwise_validator>()},
      {.tag = {.name = "Relations",
               .description = "Labels for relations between regions (relations themselves need no tag)",
               .attributes = {one_of("choice", {"single", "multiple"}, "How many labels a relation may carry",
                                     "multiple"),
                              text("name", "Name of the tag"),
                              {.name = "toName", .type = annot::field_type::name_list,
                               .description = "Unused: relations link regions of any object"}},
               .children = {"Relation"}},
       .result_types = {"relation"},
       .payload = annot::payload_kind::none,
       .min_targets = 0},
  };
  for (auto& c : controls)
    if (auto st = reg.add_control_tag(std::move(c)); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::core
