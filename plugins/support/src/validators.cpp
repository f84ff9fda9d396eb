// Validator adaptors shared by the data-type plugins.
#include "annot_plugin_support/validators.hpp"

namespace annot::plugins::support {

void function_validator::check(const result_view& r, issue_sink& out) const noexcept {
  try {
    fn_(r, out);
  } catch (...) {
    out.add(severity::error, "", "this result could not be checked (out of memory)");
  }
}

void function_checker::check(const config_tag& tag, issue_sink& out) const noexcept {
  try {
    fn_(tag, out);
  } catch (...) {
  }
}

void single_choice_validator::check(const result_view& r, issue_sink& out) const noexcept {
  auto choice = r.control->tag.attribute("choice");
  json_ref labels = r.value.get(labels_key_);
  if (!choice || *choice != "single" || labels.size() <= 1) return;
  try {
    out.add(severity::rule_break, "value." + labels_key_,
            "has " + std::to_string(labels.size()) + " labels, but <" + r.control->tag.tag + " name=\"" +
                r.control->tag.name + "\"> takes one per region (choice=\"single\")");
  } catch (...) {
  }
}

}  // namespace annot::plugins::support
