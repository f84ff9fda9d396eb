// <Chat>: a conversation [{role, content}] that annotators may extend; no regions, so only
// classification controls label it. (Label Studio's open-source editor only shows a placeholder.)
#include <memory>

#include "text_common.hpp"
#include "text_tags.hpp"

namespace annot::plugins::text {
namespace {

bool known_role(std::string_view r) {
  return r == "user" || r == "assistant" || r == "system" || r == "tool" || r == "developer";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Each comma-separated part must be a known role.
void check_roles(const config_tag& tag, std::string_view attr, issue_sink& out) {
  auto list = tag.attribute(attr);
  if (!list) return;
  std::string_view rest = *list;
  if (attr == "editable" && (iequals(trim(rest), "true") || iequals(trim(rest), "false"))) return;
  while (true) {
    auto comma = rest.find(',');
    std::string_view role = trim(rest.substr(0, comma));
    if (!known_role(role))
      out.add(severity::rule_break, attr,
              std::string(attr) + " names the role '" + std::string(role.substr(0, 40)) +
                  "'; roles are user, assistant, system, tool and developer" +
                  (attr == "editable" ? " (or editable is true / false)" : ""));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
}

void check_chat_tag(const config_tag& tag, issue_sink& out) {
  check_roles(tag, "messageroles", out);
  check_roles(tag, "editable", out);
  auto number = [&](std::string_view name) -> std::optional<long long> {
    auto v = tag.attribute(name);
    if (!v) return std::nullopt;
    long long n = 0;
    std::string_view s = trim(*v);
    for (char c : s) {
      if (c < '0' || c > '9' || n > 1'000'000'000) return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return s.empty() ? std::nullopt : std::optional<long long>(n);
  };
  auto lo = number("minMessages"), hi = number("maxMessages");
  if (lo && hi && *lo > *hi)
    out.add(severity::rule_break, "minMessages",
            "minMessages (" + std::to_string(*lo) + ") is more than maxMessages (" + std::to_string(*hi) + ")");
  if (auto llm = tag.attribute("llm"); llm && llm->find('/') == std::string_view::npos)
    out.add(severity::rule_break, "llm", "llm expects <provider>/<model>, e.g. openai/gpt-4o");
}

}  // namespace

status register_chat_tag(registrar& reg) {
  return reg.add_object_tag(
      {.tag = {.name = "Chat",
               .description = "Shows a conversation of {role, content} messages that annotators can extend",
               .attributes = {{.name = "name", .required = true, .description = "Name of the element"},
                              {.name = "value", .required = true,
                               .description = "Task data field with the messages (a list, possibly empty), as \"$key\"",
                               .variable_allowed = true},
                              {.name = "messageroles",
                               .description = "Comma-separated roles the annotator may write as; user when llm is set, "
                                              "else user,assistant"},
                              {.name = "editable",
                               .description = "Whether messages can be edited: true, false, or a comma-separated list "
                                              "of roles"},
                              {.name = "minMessages", .type = field_type::integer,
                               .description = "Fewest messages required to submit", .min = 0},
                              {.name = "maxMessages", .type = field_type::integer,
                               .description = "Most messages allowed", .min = 0},
                              {.name = "llm", .description = "Model that answers automatically, as <provider>/<model>"}},
               .data_types = {data_type::list, data_type::str},
               .checker = std::make_unique<function_checker>(&check_chat_tag)}});
}

}  // namespace annot::plugins::text
