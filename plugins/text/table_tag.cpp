// <Table>: shows a dict as key/value rows (or a list / CSV as a grid); it has no regions, so only
// classification controls label it and <Labels toName="table"> is refused.
#include <memory>

#include "text_common.hpp"
#include "text_tags.hpp"

namespace annot::plugins::text {
namespace {

// valueType is "json" (default) or "csv", with '|' options: "csv|headless|separator=;", "json|url".
void check_table_tag(const config_tag& tag, issue_sink& out) {
  auto value_type = tag.attribute("valueType");
  if (!value_type) return;
  std::string_view rest = *value_type;
  std::string_view type = rest.substr(0, rest.find('|'));
  if (type != "json" && type != "csv")
    out.add(severity::rule_break, "valueType",
            "valueType '" + std::string(value_type->substr(0, 60)) +
                "' is not json or csv (optionally followed by |url, |headless or |separator=<char>)");
  while (rest.find('|') != std::string_view::npos) {
    rest = rest.substr(rest.find('|') + 1);
    std::string_view option = rest.substr(0, rest.find('|'));
    if (option != "url" && option != "headless" && option.substr(0, 10) != "separator=")
      out.add(severity::rule_break, "valueType",
              "valueType has the unknown option '" + std::string(option.substr(0, 40)) +
                  "'; the options are url, headless and separator=<char>");
  }
}

}  // namespace

status register_table_tag(registrar& reg) {
  return reg.add_object_tag(
      {.tag = {.name = "Table",
               .description = "Shows task data as a table: a dict as key/value rows, a list of dicts as a grid",
               .attributes = {{.name = "name", .required = true, .description = "Name of the element"},
                              {.name = "value", .required = true, .description = "Task data field with the table, as \"$key\"",
                               .variable_allowed = true},
                              {.name = "valueType", .default_value = "json",
                               .description = "json or csv, with options after '|': url (fetch it), headless, "
                                              "separator=<char>"}},
               .data_types = {data_type::dict, data_type::list, data_type::str},
               .checker = std::make_unique<function_checker>(&check_table_tag)}});
}

}  // namespace annot::plugins::text
